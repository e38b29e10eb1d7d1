"""Kyrgyz column: the paradigm rule (vowel harmony, last sound), its tables, inflected mentions and exclusions."""

from __future__ import annotations

import pytest

from analysis.gazetteer import Gazetteer
from analysis.morphology.ky import HARMONIES, SOUNDS, paradigm, possessed_table, table
from tests.analysis import lang_cases

TABLES = lang_cases.alias_file("ky")["paradigms"]


test_paradigm_rule = lang_cases.paradigm_rule(paradigm, [
    ("Москва", "ky_a_vowel"),          # Москвага, Москванын
    ("Орусия", "ky_a_vowel"),          # я is back: Орусияга
    ("Кыргызстан", "ky_a_voiced"),     # Кыргызстандын, Кыргызстандар
    ("Кытай", "ky_a_soft"),            # Кытайдын, but Кытайлар (й keeps л)
    ("казак", "ky_a_voiceless"),       # казактар, Казакка
    ("Токио", "ky_o_vowel"),           # Токиого: a low vowel rounds after о
    ("Вашингтон", "ky_o_voiced"),      # Вашингтонго, Вашингтондун
    ("Баку", "ky_u_vowel"),            # Бакуга: ... but not after у
    ("орус", "ky_u_voiceless"),        # орустар, оруска
    ("Бишкек", "ky_e_voiceless"),      # Бишкекке, Бишкектин
    ("Пекин", "ky_e_voiced"),          # Пекинде
    ("Тбилиси", "ky_e_vowel"),         # Тбилисиде
    ("Кремль", "ky_e_voiced"),         # the soft sign is skipped: Кремлдин
    ("Кипр", "ky_e_soft"),             # Кипрге
    ("Дүйшөмбү", "ky_oe_vowel"),       # Дүйшөмбүдө
    ("үй", "ky_oe_soft"),              # Ак үйдүн, Ак үйгө
    ("түркмөн", "ky_oe_voiced"),       # түркмөндөр
    ("түрк", "ky_oe_voiceless"),       # түрктөр
    ("АКШ", "ky_a_vowel"),             # а-ка-ша: АКШнын, АКШга
    ("АКШ-", "ky_a_vowel"),            # the hyphen form: АКШ-нын
    ("ЕБ", "ky_e_vowel"),              # е-бе: ЕБнин, ЕБге
    ("РФ", "ky_e_voiceless"),          # эр-эф: РФтин, РФке
    ("СССР", "ky_e_soft"),             # ...эс-эр: СССРдин
    ("НАТО", "ky_o_vowel"),            # НАТОнун, НАТОго
    ("ШКУ", "ky_u_vowel"),             # ша-ка-у: ШКУнун, ШКУга
], TABLES)

test_paradigm_rule_refuses_an_empty_stem = lang_cases.refused_stems(paradigm, ["-"])


def test_alias_file_tables_are_the_generated_ones() -> None:
    expected = {f"ky_{h}_{s}": table(h, s) for h in HARMONIES for s in SOUNDS}
    expected |= {f"ky_poss_{name}": possessed_table(vowel) for name, vowel in
                 (("a", "ы"), ("u", "у"), ("e", "и"), ("oe", "ү"))}
    assert expected == TABLES


@pytest.mark.parametrize(("harmony", "sound", "endings"), [
    ("a", "voiced", ["дын", "ды", "га", "да", "дан", "дагы", "ы", "ынын", "ына", "дар", "дардын", "дарга"]),
    ("a", "voiceless", ["тын", "ты", "ка", "та", "тан", "тагы", "тар", "тардын"]),
    ("o", "voiced", ["дун", "ду", "го", "до", "дон", "догу", "дор"]),
    ("u", "vowel", ["нун", "ну", "га", "да", "дан", "дагы", "су", "сунун", "суна", "лар"]),
    ("e", "soft", ["дин", "ди", "ге", "де", "ден", "деги", "лер", "лердин"]),
    ("oe", "soft", ["дүн", "дү", "гө", "дө", "дөн", "дөгү", "лөр"]),
])
def test_tables_follow_harmony_and_assimilation(harmony: str, sound: str, endings: list[str]) -> None:
    generated = table(harmony, sound)
    assert generated[0] == ""
    lang_cases.assert_forms(generated, endings, [])


def test_tables_keep_other_harmonies_out() -> None:
    assert "го" not in table("u", "vowel")      # Бакуга, never *Бакуго
    assert "дар" not in table("a", "soft")      # Кытайлар, never *Кытайдар
    assert "ка" not in table("a", "voiced")


test_inflected_mentions = lang_cases.mentions("ky", [
    ("Кыргызстандын Президенти Орусиянын Президенти менен сүйлөштү.",
     [("KG", "Кыргызстандын"), ("RU", "Орусиянын")]),
    ("Бишкекке келген делегация Москвадан учуп келди.", [("KG", "Бишкекке"), ("RU", "Москвадан")]),
    ("АКШнын жана АКШ-нын элчилери", [("US", "АКШнын"), ("US", "АКШ-нын")]),
    ("НАТОго кирүү үчүн Евробиримдикке кайрылды.", [("NATO", "НАТОго"), ("EU", "Евробиримдикке")]),
    ("Кыргыз Республикасынын Америка Кошмо Штаттарындагы элчилиги",
     [("KG", "Кыргыз Республикасынын"), ("US", "Америка Кошмо Штаттарындагы")]),
    ("Европа Биримдигинин жана Советтер Союзунун тарыхы", [("EU", "Европа Биримдигинин"), ("SU", "Советтер Союзунун")]),
    ("Орустар менен кыргызстандыктардын достугу", [("RU", "Орустар"), ("KG", "кыргызстандыктардын")]),
    ("Ак үйдө жана Кремлде", [("US", "Ак үйдө"), ("RU", "Кремлде")]),
    ("Дүйшөмбүдө жана Токиодо", [("TJ", "Дүйшөмбүдө"), ("JP", "Токиодо")]),
    ("Орус-украин согушу", [("RU", "Орус"), ("UA", "украин")]),
    ("ЕАЭБге, ЕАЭБдин, ШКУнун, ЖККУга", [("EAEU", "ЕАЭБге"), ("EAEU", "ЕАЭБдин"), ("SCO", "ШКУнун"),
                                        ("CSTO", "ЖККУга")]),
    ("Катарга учуп, Катардагы жолугушууга катышты.", [("QA", "Катарга"), ("QA", "Катардагы")]),
])

test_false_friends_are_not_mentions = lang_cases.no_mentions("ky", [
    "Дүйшөмбү күнү жаан жаайт.",                    # Monday
    "Жыйын дүйшөмбү күнү башталат.",                 # lower case never matches the capital
    "Чүй облусунун Москва районунда мектеп ачылды.",
    "Латын Америкасынын музыкасы жаңырды.",
    "Түштүк Америкада футбол популярдуу.",
    "Япон деңизинде бороон болду.",
    "Ал кытай уруусунан чыккан.",
    "Түрк элдеринин фестивалы өттү.",
    "Түрк мамлекеттеринин уюмунун саммити өттү.",
    "Туристтер Казан Кремлин кыдырышты.",
    "«Кыргыз темир жолу» вагон сатып алды.",
    "«Вечерний Бишкек» гезити сайт ачты.",
    "Бишкек баатырдын эстелиги",
    "Атактуу актер Дензел Вашингтон",
    "Жазуучу Джек Лондондун чыгармалары",
    "«Реал Мадрид» финалга чыкты.",
    "Рим империясынын тарыхы",
    "Команда катары менен үчүнчү жылы чемпион болду.",
    "Катарынан үч жолу жеңди.",
    "Студенттер англисче жана орусча сүйлөшөт.",
    "Ак Орда мамлекети XIV кылымда түзүлгөн.",
])

test_exclusions_hold_in_every_column = lang_cases.no_mentions_in_any_column([
    "Катары менен үч жыл жеңди.",             # the ru column reads Катары as Qatar; the ky exclusion holds in all
    "«Российская газета» маек жарыялады.",
])


def test_every_country_has_a_ky_name(gazetteer: Gazetteer) -> None:
    lang_cases.assert_every_country_named(lang_cases.alias_file("ky")["countries"], gazetteer.countries)
