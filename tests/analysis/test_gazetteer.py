"""Country mention matching: every alias kind, inflections, case rules, false friends, the data file's shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.columns import find_mentions
from analysis.errors import GazetteerError
from analysis.gazetteer import Gazetteer, expand


def found(g: Gazetteer, text: str) -> list[tuple[str, str]]:
    return [(m.country, m.surface) for m in g.find(text)]


def found_as_product(g: Gazetteer, text: str) -> list[tuple[str, str]]:
    """Matched with the columns scoring picks for the text (its language guess), not every column."""
    return [(m.country, m.surface) for m in find_mentions(text, gazetteer=g)]


def test_data_file_covers_the_region(gazetteer: Gazetteer) -> None:
    codes = set(gazetteer.countries)
    post_soviet = {"RU", "UA", "BY", "MD", "EE", "LV", "LT", "GE", "AM", "AZ", "KZ", "KG", "TJ", "TM", "UZ"}
    assert post_soviet <= codes
    assert {"CN", "TR", "IR", "AF", "MN", "US", "GB", "EU", "NATO", "DE", "FR", "IT", "ES", "PL", "IN", "JP"} <= codes
    assert len(codes) >= 80
    assert gazetteer.countries["NATO"].type == "bloc"
    assert gazetteer.collisions() == []


@pytest.mark.parametrize(("text", "expected"), [
    # names and short names
    ("Russia and the Russian Federation", [("RU", "Russia"), ("RU", "Russian Federation")]),
    ("The US and the USA and the U.S. agreed.", [("US", "US"), ("US", "USA"), ("US", "U.S.")]),
    ("РФ и США", [("RU", "РФ"), ("US", "США")]),
    # demonyms: nouns and adjectives, in any case
    ("Russian troops and Kazakh officials", [("RU", "Russian"), ("KZ", "Kazakh")]),
    ("Российский МИД и российские дипломаты", [("RU", "Российский"), ("RU", "российские")]),
    ("казахстанских компаний", [("KZ", "казахстанских")]),
    ("українські військові", [("UA", "українські")]),
    # capitals and seats of power
    ("Moscow said the Kremlin agreed with Astana and Akorda.",
     [("RU", "Moscow"), ("RU", "Kremlin"), ("KZ", "Astana"), ("KZ", "Akorda")]),
    ("Nur-Sultan, Beijing, Ankara and Washington; Kyiv and Kiev.",
     [("KZ", "Nur-Sultan"), ("CN", "Beijing"), ("TR", "Ankara"), ("US", "Washington"), ("UA", "Kyiv"),
      ("UA", "Kiev")]),
    ("the White House and Bankova", [("US", "White House"), ("UA", "Bankova")]),
    ("В Кремле и Белом доме", [("RU", "Кремле"), ("US", "Белом доме")]),
    ("в Акорде", [("KZ", "Акорде")]),
    # blocs
    ("The EU and NATO; ЕС и НАТО; ЄС", [("EU", "EU"), ("NATO", "NATO"), ("EU", "ЕС"), ("NATO", "НАТО"),
                                        ("EU", "ЄС")]),
])
def test_alias_kinds(gazetteer: Gazetteer, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(gazetteer, text) == expected


@pytest.mark.parametrize("form", ["Россия", "России", "Россией", "Россию", "Россиею"])
def test_russian_inflections(gazetteer: Gazetteer, form: str) -> None:
    assert found(gazetteer, f"Слово {form} здесь.") == [("RU", form)]


@pytest.mark.parametrize("form", ["Україна", "України", "Україні", "Україну", "Україною"])
def test_ukrainian_inflections(gazetteer: Gazetteer, form: str) -> None:
    assert found(gazetteer, f"{form} тут") == [("UA", form)]


@pytest.mark.parametrize(("form", "code"), [
    ("Ресей", "RU"), ("Ресейдің", "RU"), ("Ресейге", "RU"), ("Ресеймен", "RU"), ("Ресейден", "RU"),
    ("Қазақстан", "KZ"), ("Қазақстанның", "KZ"), ("Қазақстанға", "KZ"), ("Қазақстанда", "KZ"),
    ("Қазақстаннан", "KZ"), ("Қазақстанды", "KZ"), ("Қазақстандағы", "KZ"), ("Қытайдың", "CN"),
    ("Түркияға", "TR"), ("Ақордада", "KZ"),
])
def test_kazakh_case_endings(gazetteer: Gazetteer, form: str, code: str) -> None:
    assert found(gazetteer, f"{form} туралы") == [(code, form)]


def test_kazakh_abbreviation_with_hyphenated_suffix(gazetteer: Gazetteer) -> None:
    # #10: the span covers a hyphenated case ending
    assert found(gazetteer, "АҚШ-тың ұстанымы") == [("US", "АҚШ-тың")]
    assert found(gazetteer, "КХДР-ға қарсы") == [("KP", "КХДР-ға")]


def test_longest_match_wins(gazetteer: Gazetteer) -> None:
    assert found(gazetteer, "в Северной Корее и Южной Корее") == [("KP", "Северной Корее"), ("KR", "Южной Корее")]
    assert found(gazetteer, "Соединённых Штатов Америки") == [("US", "Соединённых Штатов Америки")]
    assert found(gazetteer, "North Korea and South Korea") == [("KP", "North Korea"), ("KR", "South Korea")]


def test_compound_adjective_parts(gazetteer: Gazetteer) -> None:
    assert found(gazetteer, "российско-американские отношения") == [("RU", "российско"), ("US", "американские")]


def test_offsets_and_alias_recorded(gazetteer: Gazetteer) -> None:
    text = "Переговоры с Россией в Астане."
    first, second = gazetteer.find(text)
    assert (first.start, first.end, first.surface, first.alias, first.kind, first.language) == (
        13, 20, "Россией", "Россия", "name", "ru")
    assert text[second.start:second.end] == "Астане" and second.alias == "Астана" and second.kind == "capital"


def test_word_boundaries(gazetteer: Gazetteer) -> None:
    # a name inside a longer word is no mention
    assert found(gazetteer, "Irania Chinaware Russiagate Ираний") == []
    assert found(gazetteer, "Iran's oil") == [("IR", "Iran")]


def test_case_rules(gazetteer: Gazetteer) -> None:
    assert found(gazetteer, "tell us about it") == []            # "us" is not the US
    assert found(gazetteer, "Tell US officials") == [("US", "US")]
    assert found(gazetteer, "ес ли") == []                        # "ЕС" only in capitals
    assert found(gazetteer, "the uk and eu") == []
    assert found(gazetteer, "CHINA AND RUSSIA") == [("CN", "CHINA"), ("RU", "RUSSIA")]  # headline capitals


def test_false_friends(gazetteer: Gazetteer) -> None:
    # English text is matched with the English column (Turkmen "fine", dative of "fin", is not English)
    # lower case: porcelain and the bird never match
    assert found_as_product(gazetteer, "We ate a turkey on fine china plates.") == []
    assert found_as_product(gazetteer, "Мы добавили перец чили и перу.") == []
    # people, a newspaper and a US state: caught by the entries' exclusions
    assert found_as_product(gazetteer, "Michael Jordan read the Washington Post in Atlanta, Georgia.") == []
    assert found_as_product(gazetteer, "Georgia Tech beat Latin America") == []
    # ...while the countries still match
    assert found_as_product(gazetteer, "Jordan and Georgia signed a deal in Washington.") == [
        ("JO", "Jordan"), ("GE", "Georgia"), ("US", "Washington")]
    assert found_as_product(gazetteer, "Equatorial Guinea and Guinea") == [("GQ", "Equatorial Guinea"),
                                                                           ("GN", "Guinea")]


def test_known_false_positive_is_documented(gazetteer: Gazetteer) -> None:
    # a capitalised bird at the start of a sentence is indistinguishable from the country by form alone
    assert found(gazetteer, "Turkey prices rose before the holiday.") == [("TR", "Turkey")]


def test_country_filter(gazetteer: Gazetteer) -> None:
    assert [m.country for m in gazetteer.find("Russia, China and Kazakhstan", countries=["kz"])] == ["KZ"]


def test_expand_paradigms_and_inline_endings() -> None:
    paradigms = {"ru": {"ia": ["я", "и", "ю"]}}
    assert expand("Росси{ia}", "ru", paradigms) == ["Россия", "России", "Россию"]
    assert expand("Russian{|s}", "en", {}) == ["Russian", "Russians"]
    assert expand("Нов{ая|ой} Зеланди{ia}", "ru", paradigms)[0] == "Новая Зеландия"
    with pytest.raises(GazetteerError, match="paradigm 'nope'"):
        expand("X{nope}", "ru", paradigms)


@pytest.mark.parametrize(("data", "message"), [
    ({"countries": []}, "non-empty list"),
    ({"countries": [{"code": "XX", "colour": "red"}]}, "unknown keys"),
    ({"countries": [{"code": "XX", "en": {"nickname": ["X"]}}]}, "unknown alias kind"),
    ({"countries": [{"code": "XX"}, {"code": "XX"}]}, "defined twice"),
    ({"countries": [{"code": "XX", "type": "planet"}]}, "type 'planet'"),
])
def test_bad_data_is_rejected(data: dict[str, object], message: str) -> None:
    with pytest.raises(GazetteerError, match=message):
        Gazetteer(data)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="cannot read"):
        Gazetteer.load(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("countries: [", encoding="utf-8")
    with pytest.raises(GazetteerError, match="not valid YAML"):
        Gazetteer.load(bad)
