"""Kazakh column: the {kk} paradigm rule, its generated tables, real inflected forms and the words left out."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from analysis.gazetteer import DATA_FILE
from analysis.morphology import kk
from tests.analysis import lang_cases


def countries_data() -> dict[str, Any]:
    """The parsed countries file, where the kk column lives."""
    data: dict[str, Any] = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return data


test_paradigm_rule = lang_cases.paradigm_rule(kk.paradigm, [
    ("Ресей", "kk_front_voiced"),         # й: Ресейдің, Ресейге
    ("Қазақстан", "kk_back_nasal"),       # Қазақстанның, Қазақстаннан
    ("Түркия", "kk_back_vowel"),          # я is back: Түркияға
    ("Токио", "kk_back_vowel"),
    ("Душанбе", "kk_front_vowel"),
    ("Мәскеу", "kk_front_voiced"),        # у after a vowel is the glide w: Мәскеуде
    ("Баку", "kk_both_glide"),            # у after a consonant is a vowel: Бакуда, Бакуге
    ("Тбилиси", "kk_front_glide"),        # и is ій: Тбилисиде, Тбилисидің
    ("Минск", "kk_front_cluster"),        # Минскіде as well as Минскте
    ("Ашхабад", "kk_back_stop"),          # Ашхабадта and Ашхабадда
    ("Киев", "kk_front_stop"),
    ("Тайвань", "kk_both_nasal"),         # the soft sign: either harmony
    ("Беларусь", "kk_both_voiceless"),
    ("Ирак", "kk_back_voiceless"),
    ("Иерусалим", "kk_front_nasal"),
    ("ресейлік", "kk_front_voiceless"),   # ресейліктер, ресейліктерге
    ("орыс", "kk_back_voiceless"),        # орыстар
    ("қырғыз", "kk_back_voiced"),         # қырғыздар, қырғыздың
    ("Ақ үй", "kk_front_voiced"),
    ("АҚШ", "kk_abbr"),                   # АҚШ-тың
    ("КХДР", "kk_abbr"),
], kk.tables())

test_an_empty_stem_is_an_error = lang_cases.refused_stems(kk.paradigm, ["", "-", "ь"], match="empty stem")


def test_countries_file_holds_the_generated_tables() -> None:
    assert countries_data()["paradigms"]["kk"] == kk.tables()


def test_every_table_the_rule_can_name_exists() -> None:
    tables = kk.tables()
    for harmony in kk.HARMONIES:
        for sound in kk.SOUNDS:
            assert f"kk_{harmony}_{sound}" in tables


@pytest.mark.parametrize("name", sorted(kk.tables()))
def test_tables_are_well_formed(name: str) -> None:
    endings = kk.tables()[name]
    lang_cases.assert_well_formed(name, endings)
    if "_front_" in name or name == "kk_poss_front":
        # front harmony: no back vowel or back consonant in any ending
        assert not [e for e in endings if set(e) & set("аоұығқ")]


def test_table_contents() -> None:
    assert kk.table("back", "vowel")[:9] == ["", "ның", "ға", "ны", "да", "дан", "мен", "дағы", "дай"]
    assert {"тің", "ке", "ті", "те", "тен", "пен", "тегі", "тер", "терге", "терінің"} <= set(
        kk.table("front", "voiceless"))
    assert {"дың", "лар", "дар", "дардың"} <= set(kk.table("back", "voiced"))      # орыстар vs қырғыздар
    assert {"інің", "іде", "тің", "те"} <= set(kk.table("front", "cluster"))       # Минскінің, Минскте
    assert {"ның", "нің", "ға", "ге"} <= set(kk.table("both", "nasal"))
    assert {"-тың", "-қа", "-ға", "-ның", "-дың", "-ке", "-пен"} <= set(kk.tables()["kk_abbr"])
    assert "ша" not in kk.table("back", "voiceless")  # орысша "in Russian" is never generated


test_real_forms = lang_cases.mentions("kk", [
    # abbreviations: the hyphenated ending belongs to the span
    ("АҚШ-тың ұстанымы", [("US", "АҚШ-тың")]),
    ("КХДР-ға қарсы", [("KP", "КХДР-ға")]),
    ("ҚХР-дың өкілі", [("CN", "ҚХР-дың")]),
    ("ЕО-ның және НАТО-ның", [("EU", "ЕО-ның"), ("NATO", "НАТО-ның")]),
    ("ТМД-ның, ЕАЭО-ға, ҰҚШҰ-ның, ШЫҰ-ға", [("CIS", "ТМД-ның"), ("EAEU", "ЕАЭО-ға"), ("CSTO", "ҰҚШҰ-ның"),
                                         ("SCO", "ШЫҰ-ға")]),
    ("РФ-тың СІМ-і", [("RU", "РФ-тың")]),
    ("КСРО-да әзірленген", [("SU", "КСРО-да")]),
    # official names in the izafet, and the bare name before a head noun
    ("Ресей Федерациясының Президенті", [("RU", "Ресей Федерациясының")]),
    ("Ресей Президенті", [("RU", "Ресей")]),
    ("Қазақстан Республикасына келді", [("KZ", "Қазақстан Республикасына")]),
    ("Америка Құрама Штаттарының Конгресі", [("US", "Америка Құрама Штаттарының")]),
    ("Кеңес Одағының Батыры", [("SU", "Кеңес Одағының")]),
    ("Құрама Штаттардың сыншысы", [("US", "Құрама Штаттардың")]),
    # case endings
    ("Қазақстанның, Қазақстандағы, Қазақстанға", [("KZ", "Қазақстанның"), ("KZ", "Қазақстандағы"),
                                                  ("KZ", "Қазақстанға")]),
    ("Әзербайжанға және Әзірбайжанда", [("AZ", "Әзербайжанға"), ("AZ", "Әзірбайжанда")]),
    ("Минскіде, Мәскеуде, Тбилисиде", [("BY", "Минскіде"), ("RU", "Мәскеуде"), ("GE", "Тбилисиде")]),
    ("Ақ үйдің өкілі", [("US", "Ақ үйдің")]),
    ("Ақордада өтті", [("KZ", "Ақордада")]),
    ("Қазақстанымыздың болашағы", [("KZ", "Қазақстанымыздың")]),
    # demonyms, the peoples' words, their plurals and cases
    ("ресейліктерге", [("RU", "ресейліктерге")]),
    ("Америкалықтардың пікірі", [("US", "Америкалықтардың")]),
    ("орыстар мен украиндар", [("RU", "орыстар"), ("UA", "украиндар")]),
    ("өзбектер, қырғыздардың, тәжіктермен", [("UZ", "өзбектер"), ("KG", "қырғыздардың"), ("TJ", "тәжіктермен")]),
    ("түрікмен делегациясы", [("TM", "түрікмен")]),
    ("кубалық дәрігерлер", [("CU", "кубалық")]),
    ("кеңестік кезең", [("SU", "кеңестік")]),
    ("Кеңес әскерлері", [("SU", "Кеңес")]),
    ("қытайлықтармен", [("CN", "қытайлықтармен")]),
    ("орыс тілі", [("RU", "орыс")]),          # the language is named with the people's word
    # a hyphenated ending needs its hyphen: the conjunction пен "and" after a space is not the instrumental -пен
    ("АҚШ пен Қытай", [("US", "АҚШ"), ("CN", "Қытай")]),
    ("АҚШ-пен келісті", [("US", "АҚШ-пен")]),
])

test_words_left_out = lang_cases.no_mentions("kk", [
    "еліміздің астанасы",                  # астана "capital city" in lower case
    "ауылда ақ үй салынды",                # a white house
    "кеңес берді; Қоғамдық кеңес; Жоғарғы Кеңестің; Қауіпсіздік Кеңесіне",   # кеңес "council, advice"
    "Сонымен қатар; Қатарынан үшінші жыл",  # қатар "row", not Qatar
    "орысша, ағылшынша, қазақша",           # the -ша adverbs are not generated
    "Латын Америкасының музыкасы",          # no possessive forms of Америка
    "Түркістан облысы, түркі тілдес",       # not Turkey
    "Ақ Орда мемлекеті",                    # the historical White Horde, not Akorda
    "еуропалық стандарттар; Еуропа елдері; Орталық Азия",
    "София Серікқызы; Сана",                # given names left out
    "чили бұрышы; вена тамыры; рим цифрлары",
    "корейлер",                             # either Korea
])


# A capital of the same name as the country (Сингапур, Панама, Алжир, ...) is covered by the name; Брюссель is the
# EU's and Белград Serbia's; София and Сана are given names.
NO_CAPITAL = {"SG", "PA", "DZ", "TN", "DJ", "LU", "VA", "MC", "BE", "YU", "BG", "YE"}
# конголық would name either Congo: the Republic of the Congo keeps it.
NO_DEMONYM = {"CD"}


def test_every_entry_has_a_kazakh_column() -> None:
    for entry in countries_data()["countries"]:
        block = entry.get("kk") or {}
        code = entry["code"]
        assert block.get("name"), code
        if entry.get("type", "country") == "bloc":
            assert block.get("short"), code
            continue
        assert bool(block.get("demonym")) != (code in NO_DEMONYM), code
        if entry.get("type", "country") == "country":
            assert bool(block.get("capital")) != (code in NO_CAPITAL), code
