"""The matcher's mechanics on small made-up data: Han characters, compounds, language columns, apostrophes,
and the per-language alias files' loading and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.errors import GazetteerError
from analysis.gazetteer import Gazetteer

BASE = {
    "countries": [
        {"code": "CN", "en": {"name": ["China"]}},
        {"code": "US", "en": {"name": ["United States"], "capital": ["Washington"]}},
        {"code": "ID", "en": {"name": ["Indonesia"]}},
        {"code": "IN", "en": {"name": ["India"]}},
        {"code": "UZ", "en": {"name": ["Uzbekistan"]}},
        {"code": "JP", "en": {"name": ["Japan"]}},
    ],
}
ZH = {
    "language": "zh",
    "countries": {"CN": {"name": ["中国"]}, "US": {"name": ["美国"]}, "IN": {"name": ["印度"]},
                  "ID": {"name": ["印度尼西亚"]}},
    "compounds": {"中": "CN", "美": "US", "印": "IN"},
    "exclude": ["美元", "中美洲", "美中不足"],
}
UZ = {
    "language": "uz",
    "paradigms": {"uz_plain": ["", "ga", "ning"]},
    "countries": {"UZ": {"name": ["Oʻzbekiston{uz_plain}"]}, "CN": {"name": ["Xitoy{uz_plain}"]}},
}


def load(tmp_path: Path, *extra: dict[str, object]) -> Gazetteer:
    """A gazetteer from BASE plus alias files written beside it."""
    main = tmp_path / "countries.yaml"
    main.write_text(yaml.safe_dump(BASE, allow_unicode=True), encoding="utf-8")
    aliases = tmp_path / "aliases"
    aliases.mkdir(exist_ok=True)
    for data in extra:
        (aliases / f"{data['language']}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Gazetteer.load(main, aliases)


def found(g: Gazetteer, text: str, languages: list[str] | None = None) -> list[tuple[str, str, int]]:
    return [(m.country, m.surface, m.start) for m in g.find(text, languages=languages)]


def test_han_names_match_inside_running_text(tmp_path: Path) -> None:
    g = load(tmp_path, ZH)
    assert found(g, "昨天中国和美国举行会谈") == [("CN", "中国", 2), ("US", "美国", 5)]


def test_longest_han_name_wins(tmp_path: Path) -> None:
    g = load(tmp_path, ZH)
    assert found(g, "印度尼西亚和印度") == [("ID", "印度尼西亚", 0), ("IN", "印度", 6)]


def test_compound_names_each_country(tmp_path: Path) -> None:
    g = load(tmp_path, ZH)
    assert found(g, "中美关系") == [("CN", "中", 0), ("US", "美", 1)]
    assert found(g, "中美印三方") == [("CN", "中", 0), ("US", "美", 1), ("IN", "印", 2)]
    assert {m.alias for m in g.find("中美关系")} == {"中美"}


def test_compound_yields_to_a_name_starting_inside_it(tmp_path: Path) -> None:
    g = load(tmp_path, ZH)
    assert found(g, "其中美国最多") == [("US", "美国", 2)]
    assert found(g, "中印度") == [("IN", "印度", 1)]


def test_exclusions_beat_compounds_and_names(tmp_path: Path) -> None:
    g = load(tmp_path, ZH)
    assert found(g, "一百美元") == []
    assert found(g, "中美洲国家") == []
    assert found(g, "美中不足的是") == []


def test_a_lone_abbreviation_is_no_mention(tmp_path: Path) -> None:
    g = load(tmp_path, ZH)
    assert found(g, "中心和美丽") == []


@pytest.mark.parametrize("apostrophe", ["ʻ", "’", "'", "‘", "`", "ʼ"])
def test_every_apostrophe_spelling_matches(tmp_path: Path, apostrophe: str) -> None:
    g = load(tmp_path, UZ)
    text = f"O{apostrophe}zbekistonga keldi"
    assert found(g, text) == [("UZ", text.split()[0], 0)]


def test_language_columns_restrict_the_aliases(tmp_path: Path) -> None:
    g = load(tmp_path, ZH, UZ)
    text = "China va Xitoyning"
    assert found(g, text) == [("CN", "China", 0), ("CN", "Xitoyning", 9)]
    assert found(g, text, ["uz"]) == [("CN", "Xitoyning", 9)]
    assert found(g, text, ["en"]) == [("CN", "China", 0)]
    # exclusions of every language keep applying: 美元 is never the US, whatever the columns
    assert found(g, "美元", ["en"]) == []


def test_alias_file_mentions_are_tagged_with_their_language(tmp_path: Path) -> None:
    g = load(tmp_path, UZ)
    (mention,) = g.find("Xitoyga")
    assert (mention.language, mention.alias, mention.kind) == ("uz", "Xitoy", "name")


@pytest.mark.parametrize(("extra", "message"), [
    ({"language": "xx", "countries": {}}, "language 'xx'"),
    ({"language": "uz", "countries": {"ZZ": {"name": ["Zed"]}}}, "country 'ZZ' is not in the countries file"),
    ({"language": "uz", "countries": {}, "colour": "red"}, "unknown keys"),
    ({"language": "uz", "countries": {"UZ": {"name": ["X{nope}"]}}}, "paradigm 'nope'"),
])
def test_bad_alias_files_are_rejected_with_their_path(tmp_path: Path, extra: dict[str, object],
                                                      message: str) -> None:
    main = tmp_path / "countries.yaml"
    main.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    aliases = tmp_path / "aliases"
    aliases.mkdir()
    (aliases / "uz.yaml").write_text(yaml.safe_dump(extra, allow_unicode=True), encoding="utf-8")
    with pytest.raises(GazetteerError, match=message):
        Gazetteer.load(main, aliases)


def test_alias_file_may_not_redefine_a_column(tmp_path: Path) -> None:
    data = {"countries": [{"code": "UZ", "uz": {"name": ["Uzbekiston"]}}]}
    main = tmp_path / "countries.yaml"
    main.write_text(yaml.safe_dump(data), encoding="utf-8")
    aliases = tmp_path / "aliases"
    aliases.mkdir()
    (aliases / "uz.yaml").write_text(yaml.safe_dump({"language": "uz", "countries": {"UZ": {"name": ["X"]}}}),
                                     encoding="utf-8")
    with pytest.raises(GazetteerError, match="already has a uz column"):
        Gazetteer.load(main, aliases)


def test_a_run_longer_than_the_trie_keeps_growing(tmp_path: Path) -> None:
    g = load(tmp_path, {**ZH, "compounds": {"中": "CN", "美": "US", "印": "IN", "日": "JP"},
                        "countries": {**ZH["countries"], "JP": {"name": ["日本"]}}})
    assert [m.country for m in g.find("美日印中四方会谈")] == ["US", "JP", "IN", "CN"]
    assert {m.alias for m in g.find("美日印中四方会谈")} == {"美日印中"}
    assert [(m.country, m.surface) for m in g.find("中美日本")] == [("CN", "中"), ("US", "美"), ("JP", "日本")]


def test_a_compound_stands_before_a_longer_form_of_its_own_country(tmp_path: Path) -> None:
    g = load(tmp_path, {**ZH, "countries": {**ZH["countries"], "US": {"name": ["美国"], "short": ["美军"]}}})
    assert [(m.country, m.surface) for m in g.find("中美军事交流")] == [("CN", "中"), ("US", "美")]
