"""Tajik column: the paradigm rule (the stem's last letter), its tables, inflected mentions and exclusions."""

from __future__ import annotations

import yaml

from analysis.gazetteer import DATA_FILE, Gazetteer, expand
from analysis.morphology.tg import paradigm
from tests.analysis import lang_cases

ALIASES = lang_cases.alias_file("tg")
TABLES: dict[str, list[str]] = ALIASES["paradigms"]
COUNTRIES = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))["countries"]


test_paradigm_rule = lang_cases.paradigm_rule(paradigm, [
    ("Тоҷикистон", "tg_cons"),   # Тоҷикистону, Тоҷикистонро
    ("Чин", "tg_cons"),
    ("рус", "tg_cons"),          # русҳо, русон, русаш
    ("Кремль", "tg_cons"),       # the soft sign is skipped: Кремлро
    ("Уругвай", "tg_cons"),      # й is a consonant: Уругвайи
    ("Русия", "tg_a"),           # Русияву, Русияст, Русияам
    ("Остона", "tg_a"),
    ("Амрико", "tg_vowel"),      # Амрикоям, Амрикоиён
    ("Душанбе", "tg_vowel"),     # Душанберо, Душанбеву
    ("Боку", "tg_vowel"),
    ("Тбилиси", "tg_vowel"),
    ("ИМА", "tg_abbr"),          # ИМА-ро
    ("НАТО", "tg_abbr"),
    ("ҶМЧ", "tg_abbr"),
    ("Аддис-Абеба", "tg_a"),     # only the last letter counts
], TABLES)

test_paradigm_rule_refuses_an_empty_stem_and_a_final_long_i = lang_cases.refused_stems(paradigm, ["", "-", "амрикоӣ"])


def test_noun_tables_start_bare_and_take_the_enclitic_by_last_letter() -> None:
    for name in ("tg_cons", "tg_a", "tg_vowel", "tg_abbr"):
        assert TABLES[name][0] == ""
    assert {"и", "ро", "ҳо", "у", "он", "аш"} <= set(TABLES["tg_cons"])
    assert "ву" not in TABLES["tg_cons"] and "ст" not in TABLES["tg_cons"]
    assert {"и", "ро", "ву", "ст", "ам", "аш"} <= set(TABLES["tg_a"]) and "у" not in TABLES["tg_a"]
    assert {"и", "ро", "ву", "ст", "ям", "ён"} <= set(TABLES["tg_vowel"]) and "ам" not in TABLES["tg_vowel"]
    assert {"-ро", "-и"} <= set(TABLES["tg_abbr"])


def test_the_adjective_table_turns_long_i_into_i_before_suffixes() -> None:
    adjective = TABLES["tg_adj"]
    assert adjective[0] == "ӣ" and "" not in adjective
    assert all(ending.startswith("и") for ending in adjective[1:])
    forms = expand("амрико{tg_adj}", "tg", {"tg": TABLES})
    assert {"амрикоӣ", "амрикоиҳо", "амрикоиён", "амрикоиро", "амрикоиаш"} <= set(forms)
    assert "амрико" not in forms


def test_rule_picked_expansion() -> None:
    assert expand("Русия{tg}", "tg", {"tg": TABLES})[:3] == ["Русия", "Русияи", "Русияро"]
    assert "Иттиҳоди Аврупоро" in expand("Иттиҳоди Аврупо{tg}", "tg", {"tg": TABLES})
    assert "ИМА-ро" in expand("ИМА{tg}", "tg", {"tg": TABLES})


def test_every_code_has_a_tajik_name_and_the_region_has_every_kind() -> None:
    lang_cases.assert_every_country_named(ALIASES["countries"], (e["code"] for e in COUNTRIES))
    lang_cases.assert_demonyms_and_capitals(ALIASES["countries"], (
        "RU", "UA", "KZ", "KG", "TJ", "TM", "UZ", "BY", "AM", "AZ", "GE", "CN", "TR", "US", "GB", "DE",
        "FR", "IR", "AF", "IN", "JP", "IL", "SY", "IQ", "SA", "QA", "EG", "PK"))
    for bloc in ("EU", "NATO", "CIS", "EAEU", "CSTO", "SCO"):
        assert ALIASES["countries"][bloc].get("short"), bloc


def test_no_collisions(gazetteer: Gazetteer) -> None:
    assert gazetteer.collisions() == []


test_inflected_mentions = lang_cases.mentions("tg", [
    ("Бонки Ҷаҳонӣ Тоҷикистонро ва Ӯзбекистонро ситоиш кард.", [("TJ", "Тоҷикистонро"), ("UZ", "Ӯзбекистонро")]),
    ("Русияи имрӯза ва Амрикои даврони Трамп", [("RU", "Русияи"), ("US", "Амрикои")]),
    ("муносибатҳои Эрону Афғонистон ва Русияву Чин",
     [("IR", "Эрону"), ("AF", "Афғонистон"), ("RU", "Русияву"), ("CN", "Чин")]),
    ("Эрониён ва амрикоиҳо гуфтушунид карданд.", [("IR", "Эрониён"), ("US", "амрикоиҳо")]),
    ("бо ҳамтои русаш ва ҳамтои ҷопониашро", [("RU", "русаш"), ("JP", "ҷопониашро")]),
    ("Эрон ИМА-ро ва НАТО-ро танқид кард.", [("IR", "Эрон"), ("US", "ИМА-ро"), ("NATO", "НАТО-ро")]),
    ("Федератсияи Россия ва Ҷумҳурии Тоҷикистон", [("RU", "Федератсияи Россия"), ("TJ", "Ҷумҳурии Тоҷикистон")]),
    ("Иёлоти Муттаҳидаи Амрико Иттиҳоди Аврупоро огоҳ кард.",
     [("US", "Иёлоти Муттаҳидаи Амрико"), ("EU", "Иттиҳоди Аврупоро")]),
    ("таҳдиди Кореяи Шимолиро ва Арабистони Саудиро", [("KP", "Кореяи Шимолиро"), ("SA", "Арабистони Саудиро")]),
    ("Ҳайат Душанберо тарк карда, ба шаҳри Бокуи Озарбойҷон рафт.",
     [("TJ", "Душанберо"), ("AZ", "Бокуи"), ("AZ", "Озарбойҷон")]),
    ("Кохи Сафед изҳороти Кремлро рад кард.", [("US", "Кохи Сафед"), ("RU", "Кремлро")]),
    ("ширкатҳои русиягӣ, туркиягӣ ва фаронсавӣ", [("RU", "русиягӣ"), ("TR", "туркиягӣ"), ("FR", "фаронсавӣ")]),
    ("Наврӯзро тоҷикону ӯзбекон якҷоя ҷашн гирифтанд.", [("TJ", "тоҷикону"), ("UZ", "ӯзбекон")]),
    ("Пас аз Иттиҳоди Шӯравӣ, дар давраи пасошӯравӣ ва шӯравӣ", [("SU", "Иттиҳоди Шӯравӣ"), ("SU", "шӯравӣ")]),
    ("СҲШ, ИДМ, СААД ва ИИАО", [("SCO", "СҲШ"), ("CIS", "ИДМ"), ("CSTO", "СААД"), ("EAEU", "ИИАО")]),
    ("Вазир аз Деҳлии Нав ба Исломобод парвоз кард.", [("IN", "Деҳлии Нав"), ("PK", "Исломобод")]),
    ("Шарики асосии мо Русияст.", [("RU", "Русияст")]),
    ("Ҷумҳурии Исломии Эрон ва Ҷумҳурии исломии Афғонистон",
     [("IR", "Ҷумҳурии Исломии Эрон"), ("AF", "Ҷумҳурии исломии Афғонистон")]),
    ("Судони Ҷанубӣ аз Судон ҷудо шуд.", [("SS", "Судони Ҷанубӣ"), ("SD", "Судон")]),
    ("дар Гвинеяи Экваторӣ ва Гвинея", [("GQ", "Гвинеяи Экваторӣ"), ("GN", "Гвинея")]),
    ("ТОҶИКИСТОН ВА РУСИЯ", [("TJ", "ТОҶИКИСТОН"), ("RU", "РУСИЯ")]),  # headlines in capitals
    # Tajik has no separate word for a language: забони русӣ is the adjective, marked like any demonym
    ("Забони тоҷикӣ ба гурӯҳи забонҳои эронӣ мансуб аст.", [("TJ", "тоҷикӣ")]),
    ("Ӯ ба забони русӣ ҳарф мезанад.", [("RU", "русӣ")]),
])

# every column: exclusions hold whichever language matched
test_false_friends_and_exclusions = lang_cases.no_mentions_in_any_column([
    "Рӯзи душанбе ҷаласа баргузор мешавад.",              # Monday: lower case never matches the capital
    "Душанбеи гузашта ҷаласа баргузор нашуд.",            # Monday at the start of a sentence
    "Остонаи Наврӯз бозорҳо серодаманд.",                 # остона "threshold", capitalised
    "Қурби доллари амрикоӣ ва рубли русӣ тағйир ёфт.",   # currencies
    "Зарфҳои чинии бобоям ва косаи чинӣ",                 # чинӣ "porcelain"
    "Дар пешонии ӯ чинҳо пайдо шуданд ва чинор сабз шуд.",
    "Нархи қаҳва дар Амрикои Лотинӣ ва Амрикои Шимолӣ",  # regions
    "Колумб Амрикоро кашф кард.",
    "Олмони Шарқӣ ва Олмони Ғарбӣ",
    "Ширкати «Тоҷик Эйр» ва «Барқи Тоҷик»",             # companies
    "Шабакаи «Тоҷикистон» ва дастаи «Душанбе-83»",       # a channel and a club
    "Шабакаи «Россия-24» хабар дод.",
    "Сайёҳон Кремли Қазонро диданд.",
    "Ҳикояҳои Ҷек Лондон ва филмҳои Дензел Вашингтон",  # people
    "Халқҳои туркӣ ва эронӣ",                             # peoples, not states
    "Киштӣ дар уқёнуси Ҳинд ғарқ шуд.",
    "Ӯ бо забони форсӣ шеър менависад.",                  # форсӣ names only the language
    "Нархи бензин 60 афғонӣ аст.",                        # the currency
])
