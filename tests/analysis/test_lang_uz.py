"""Uzbek (uz): the paradigm rule, inflected forms in both scripts and every apostrophe, and the false friends."""

from __future__ import annotations

import re
from pathlib import Path

from analysis import checksets
from analysis.gazetteer import Gazetteer
from analysis.morphology.uz import paradigm
from tests.analysis import lang_cases

ALIASES = lang_cases.alias_file("uz")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


test_paradigm_rule = lang_cases.paradigm_rule(paradigm, [
    # names: the last sound picks the dative (-ga, -ka after k, -qa after q), vowel or not the possessive
    ("Rossiya", "uz_latn_vowel"),
    ("O'zbekiston", "uz_latn_cons"),
    ("Oʻzbekiston", "uz_latn_cons"),
    ("Xitoy", "uz_latn_cons"),
    ("Bishkek", "uz_latn_k"),
    ("Iroq", "uz_latn_q"),
    ("Bag'dod", "uz_latn_cons"),
    ("San'o", "uz_latn_vowel"),
    ("Buenos-Ayres", "uz_latn_cons"),
    ("Россия", "uz_cyrl_vowel"),
    ("Ўзбекистон", "uz_cyrl_cons"),
    ("Бишкек", "uz_cyrl_k"),
    ("Ироқ", "uz_cyrl_q"),
    ("Кремль", "uz_cyrl_cons"),
    ("Санъо", "uz_cyrl_vowel"),
    # people words and adjectives are lower case: the plural tables
    ("rus", "uz_latn_pl"),
    ("o'zbek", "uz_latn_pl_k"),
    ("rossiyalik", "uz_latn_pl_k"),
    ("qozoq", "uz_latn_pl_q"),
    ("mo'g'ul", "uz_latn_pl"),
    ("ittifoqi", "uz_latn_pl"),
    ("ўзбек", "uz_cyrl_pl_k"),
    ("қозоқ", "uz_cyrl_pl_q"),
    ("рус", "uz_cyrl_pl"),
    # abbreviations take -ga and a solid or hyphenated ending, whatever their last letter
    ("AQSH", "uz_latn_abbr"),
    ("AQSh", "uz_latn_abbr"),
    ("KXShT", "uz_latn_abbr"),
    ("YeI", "uz_latn_abbr"),
    ("АҚШ", "uz_cyrl_abbr"),
    ("МДҲ", "uz_cyrl_abbr"),
], ALIASES["paradigms"])

test_paradigm_rule_rejects_an_empty_stem = lang_cases.refused_stems(paradigm, ["'-"])

test_expanded_forms = lang_cases.expanded_forms("uz", [
    ("Bishkek{uz}", ["Bishkekka", "Bishkekda", "Bishkekdagi"], ["Bishkekqa"]),
    ("Iroq{uz}", ["Iroqqa", "Iroqning"], ["Iroqka"]),
    ("Rossiya{uz}", ["Rossiyaga", "Rossiyaning", "Rossiyada", "Rossiyadan", "Rossiyadagi", "Rossiyani"],
     ["Rossiyacha", "Rossiyalar"]),
    ("O'zbekiston{uz}", ["O'zbekistonning", "O'zbekistonimiz"], ["O'zbekistonmiz", "O'zbekistoncha"]),
    ("rus{uz}", ["ruslar", "ruslarning", "rusga"], ["ruscha"]),
    ("AQSH{uz}", ["AQSHning", "AQSH-ning", "AQSH'ga"], ["AQSHcha"]),
    ("АҚШ{uz}", ["АҚШнинг", "АҚШ-нинг"], []),
    ("Ироқ{uz}", ["Ироққа"], ["Ироқка"]),
])

test_inflected_forms_in_sentences = lang_cases.mentions("uz", [
    # every spelling of the oʻ/gʻ sign: ʻ ’ ' ‘ `
    ("Oʻzbekiston va Qozogʻiston", [("UZ", "Oʻzbekiston"), ("KZ", "Qozogʻiston")]),
    ("O’zbekistonning Qozog’istonga", [("UZ", "O’zbekistonning"), ("KZ", "Qozog’istonga")]),
    ("O'zbekistondan Qirg'izistonga", [("UZ", "O'zbekistondan"), ("KG", "Qirg'izistonga")]),
    ("O‘zbekistondagi Afg‘onistonga", [("UZ", "O‘zbekistondagi"), ("AF", "Afg‘onistonga")]),
    ("O`zbekistonda Mo`g`uliston", [("UZ", "O`zbekistonda"), ("MN", "Mo`g`uliston")]),
    # k/q datives, multi-word names with their endings, abbreviations solid and hyphenated
    ("Vazir Bishkekka, keyin Iroqqa bordi.", [("KG", "Bishkekka"), ("IQ", "Iroqqa")]),
    ("Amerika Qoʻshma Shtatlarining Yevropa Ittifoqiga", [("US", "Amerika Qoʻshma Shtatlarining"),
                                                         ("EU", "Yevropa Ittifoqiga")]),
    ("AQSHning, AQSH-ning va AQShda", [("US", "AQSHning"), ("US", "AQSH-ning"), ("US", "AQShda")]),
    ("АҚШнинг ва АҚШ-нинг НАТОдаги", [("US", "АҚШнинг"), ("US", "АҚШ-нинг"), ("NATO", "НАТОдаги")]),
    ("Россиянинг Ўзбекистондаги Ироққа", [("RU", "Россиянинг"), ("UZ", "Ўзбекистондаги"), ("IQ", "Ироққа")]),
    ("Совет Иттифоқи ва Евроосиё иқтисодий иттифоқида", [("SU", "Совет Иттифоқи"),
                                                        ("EAEU", "Евроосиё иқтисодий иттифоқида")]),
    # demonyms in lower case, plural and cases; a compound adjective names both
    ("rossiyaliklar va xitoylik, oʻzbekka", [("RU", "rossiyaliklar"), ("CN", "xitoylik"), ("UZ", "oʻzbekka")]),
    ("rus-ukrain muzokaralari", [("RU", "rus"), ("UA", "ukrain")]),
    ("Рус-украин уруши", [("RU", "Рус"), ("UA", "украин")]),
    # capitals and seats of power
    ("Kreml, Oq uyga va Toshkentdagi", [("RU", "Kreml"), ("US", "Oq uyga"), ("UZ", "Toshkentdagi")]),
    ("Кремлнинг ва Оқ уй", [("RU", "Кремлнинг"), ("US", "Оқ уй")]),
    # Georgia is Gruziya; Jorjiya is the US state and no mention
    ("Jorjiya shtati emas, Gruziya", [("GE", "Gruziya")]),
    # "rus tili": Uzbek has no separate word for a language, so the people's word counts (the check set's rule)
    ("rus tili va ingliz tili", [("RU", "rus"), ("GB", "ingliz")]),
    # the exclusion covers "Jorj Vashington" only; the country named after it is still found
    ("Jorj Vashington Amerika Qoʻshma Shtatlarining prezidenti", [("US", "Amerika Qoʻshma Shtatlarining")]),
])

test_false_friends_are_no_mentions = lang_cases.no_mentions("uz", [
    "Jorj Vashington va Denzel Vashington",
    "Жорж Вашингтон ва Дензел Вашингтон",
    "Vashington shtatida yongʻin",
    "Toshkent viloyatida va Тошкент вилоятида",
    "Lotin Amerikasi va Shimoliy Amerikada",
    "Лотин Америкаси ва Шимолий Америкада",
    "«Amerika Ovozi» va «Америка овози»",
    "«Vashington Post» va «Rossiya 24», «Россия 24»",
    "AQSH dollari kursi, АҚШ доллари",
    "Hind okeanida va Ҳинд океанида",
    "Panama kanali, Панама канали",
    "Rim papasi, Рим империяси",
    "Qozon Kremlida",
    "Parij kelishuvi",
    # -cha adverbs and -zabon adjectives of language are separate words; turkiy is "Turkic"
    "ruscha, oʻzbekcha, русча-ўзбекча, rusiyzabon",
    "Turkiy davlatlar tashkiloti, Туркий давлатлар",
    # common words that look like aliases: qator "a number of", ummon "ocean", armon "longing"
    "Qator davlatlar, bilim ummoni, armonlar",
])

test_exclusions_apply_to_every_column = lang_cases.no_mentions_in_any_column([
    # each would be a mention through the ru or kk column (Вашингтон, Россия, Рим, Панама, Америка, АҚШ) but for
    # the uz exclusion, which applies whatever the columns
    "Жорж Вашингтон номидаги университет",
    "«Россия 24» телеканали",
    "Рим империяси ҳақида",
    "Панама канали орқали",
    "«Америка овози» радиоси",
    "АҚШ доллари курси",
])


def test_every_country_has_names_in_both_scripts(gazetteer: Gazetteer) -> None:
    block = ALIASES["countries"]
    lang_cases.assert_every_country_named(block, gazetteer.countries)
    for code, kinds in block.items():
        names = kinds["name"]
        assert any(_CYRILLIC.search(n) for n in names), code
        assert any(not _CYRILLIC.search(n) for n in names), code
    lang_cases.assert_demonyms_and_capitals(block)
    assert gazetteer.collisions() == []


def test_check_set_is_half_latin_half_cyrillic() -> None:
    lines = [item.text for item in checksets.load(Path(__file__).parent / "checksets" / "uz.txt")]
    cyrillic = sum(1 for line in lines if _CYRILLIC.search(line))
    assert len(lines) >= 110
    assert cyrillic >= 55 and len(lines) - cyrillic >= 55
    for sign in "ʻ’'‘`":
        assert any(re.search(f"[OoGg]{re.escape(sign)}", line) for line in lines), sign
