"""Turkish (tr): the paradigm rule, apostrophe and solid endings, dotted and dotless I, and the false friends."""

from __future__ import annotations

from pathlib import Path

from analysis import checksets
from analysis.gazetteer import Gazetteer
from analysis.morphology.tr import paradigm
from tests.analysis import lang_cases

ALIASES = lang_cases.alias_file("tr")
CHECKSET = Path(__file__).parent / "checksets" / "tr.txt"


test_paradigm_rule = lang_cases.paradigm_rule(paradigm, [
    # four-way harmony by the last vowel, and the last sound: vowel, voiced, voiceless
    ("Rusya", "tr_back_vowel"),
    ("Moskova", "tr_back_vowel"),
    ("Kazakistan", "tr_back_voiced"),
    ("Irak", "tr_back_voiceless"),
    ("Bağdat", "tr_back_voiceless"),
    ("Tokyo", "tr_back_round_vowel"),
    ("Washington", "tr_back_round_voiced"),
    ("Rus", "tr_back_round_voiceless"),
    ("Türkiye", "tr_front_vowel"),
    ("Çin", "tr_front_voiced"),
    ("Kyiv", "tr_front_voiced"),  # y is a consonant: the last vowel is i
    ("Taşkent", "tr_front_voiceless"),
    ("Ürdün", "tr_front_round_voiced"),
    ("Türk", "tr_front_round_voiceless"),
    # dotted and dotless capitals are read the Turkish way (I is ı, İ is i)
    ("İran", "tr_back_voiced"),
    ("Iran", "tr_back_voiced"),
    ("İsrail", "tr_front_voiced"),
    ("Isveç", "tr_front_voiceless"),
    ("Kâbil", "tr_front_voiced"),
    ("Élysée", "tr_front_vowel"),
    # a final high vowel: the compound possessive's pronominal n tables
    ("Birliği", "tr_front_high"),
    ("Federasyonu", "tr_back_round_high"),
    ("Örgütü", "tr_front_round_high"),
    ("Rusyası", "tr_back_high"),
    ("Bakü", "tr_front_round_high"),
    # derived -lı words take solid endings; Mali, Somali and Şili only look like them
    ("Ukraynalı", "tr_back_li"),
    ("Çinli", "tr_front_li"),
    ("Perulu", "tr_back_round_li"),
    ("Ürdünlü", "tr_front_round_li"),
    ("Mali", "tr_front_high"),
    ("Somali", "tr_front_high"),
    ("Şili", "tr_front_high"),
    # a final l after a back vowel may be palatal: both harmonies
    ("Nepal", "tr_back_lateral"),
    ("Seul", "tr_back_round_lateral"),
    ("Kabil", "tr_front_voiced"),
    # abbreviations follow the spoken name of the last letter
    ("ABD", "tr_front_vowel"),
    ("AB", "tr_front_vowel"),
    ("BDT", "tr_front_vowel"),
    ("NATO", "tr_back_round_vowel"),
    ("BAE", "tr_front_vowel"),
    ("ŞİÖ", "tr_front_round_vowel"),
    ("KGAÖ", "tr_front_round_vowel"),
], ALIASES["paradigms"])

test_paradigm_rule_rejects_an_empty_stem = lang_cases.refused_stems(paradigm, ["'-"])


def test_every_table_lists_the_bare_form_first() -> None:
    for name, forms in ALIASES["paradigms"].items():
        lang_cases.assert_well_formed(name, forms)


test_expanded_forms = lang_cases.expanded_forms("tr", [
    ("Rusya{tr}", ["Rusya'nın", "Rusya'ya", "Rusya'yı", "Rusya'da", "Rusya'dan", "Rusya'yla", "Rusya'daki",
                   "Rusya'nınki"], ["Rusya'ta", "Rusya'nin", "Rusça", "Rusyaca"]),
    ("Irak{tr}", ["Irak'ta", "Irak'tan", "Irak'taki", "Irak'ın", "Irak'a", "Irak'la"], ["Irak'da", "Irak'ya"]),
    ("Türkiye{tr}", ["Türkiye'nin", "Türkiye'ye", "Türkiye'de", "Türkiye'den", "Türkiye'mizin"],
     ["Türkiye'ne", "Türkiye'nın", "Türkçe"]),
    ("Avrupa Birliği{tr}", ["Avrupa Birliği'nin", "Avrupa Birliği'ne", "Avrupa Birliği'nde", "Avrupa Birliği'nce",
                            "Avrupa Birliği'yle"], ["Avrupa Birliği'na"]),
    ("ABD{tr}", ["ABD'nin", "ABD'ye", "ABD'de", "ABD'li", "ABD'lilerin"], ["ABD'nın", "ABD'ya"]),
    ("NATO{tr}", ["NATO'nun", "NATO'ya", "NATO'lu", "NATO'dan"], ["NATO'nin", "NATO'ye"]),
    ("Rus{tr}", ["Rus'un", "Ruslar", "Rusların", "Ruslara", "Ruslarla"], ["Rusça", "Rusu"]),
    ("Türk{tr}", ["Türk'ün", "Türkler", "Türklerin"], ["Türkü", "Türkçe"]),
    ("Ukraynalı{tr}", ["Ukraynalılar", "Ukraynalıların", "Ukraynalıya", "Ukraynalının"], ["Ukraynalıler"]),
    ("Mali{tr}", ["Mali'de", "Mali'ye", "Mali'nin"], ["Maliye", "Malide", "Malinin"]),
    ("Çin{tr}", ["Çin'in", "Çin'e", "Çin'de", "Çin'le"], ["Çini", "Çine", "Çince"]),
])

test_inflected_forms_in_sentences = lang_cases.mentions("tr", [
    # endings after ' and ’, a vowel, a voiced and a voiceless consonant
    ("Rusya'nın Ankara Büyükelçisi Ukrayna'daki durumu anlattı.",
     [("RU", "Rusya'nın"), ("TR", "Ankara"), ("UA", "Ukrayna'daki")]),
    ("Kazakistan’la Irak'ta ve Türkiye'de", [("KZ", "Kazakistan’la"), ("IQ", "Irak'ta"), ("TR", "Türkiye'de")]),
    ("ABD'nin AB'ye ve NATO'nun Moskova'ya", [("US", "ABD'nin"), ("EU", "AB'ye"), ("NATO", "NATO'nun"),
                                           ("RU", "Moskova'ya")]),
    # multi-word names with the ending on the last word; Beyaz Rusya is Belarus, not Russia
    ("Amerika Birleşik Devletleri'nin Rusya Federasyonu'na", [("US", "Amerika Birleşik Devletleri'nin"),
                                                              ("RU", "Rusya Federasyonu'na")]),
    ("Şanghay İşbirliği Örgütü'nün ve Beyaz Rusya'nın", [("SCO", "Şanghay İşbirliği Örgütü'nün"),
                                                         ("BY", "Beyaz Rusya'nın")]),
    ("Güney Kıbrıs Rum Yönetimi'ne ve Kuzey Kore'nin", [("CY", "Güney Kıbrıs Rum Yönetimi'ne"),
                                                         ("KP", "Kuzey Kore'nin")]),
    # demonyms capitalised with solid plural and case endings; -li after an abbreviation's apostrophe
    ("Rusların, Ukraynalılara ve Çinlilerin yanı sıra ABD'li ve BAE'li yetkililer",
     [("RU", "Rusların"), ("UA", "Ukraynalılara"), ("CN", "Çinlilerin"), ("US", "ABD'li"), ("AE", "BAE'li")]),
    # a compound adjective names both
    ("Rus-Ukrayna savaşı ve Türk-Azeri tatbikatı", [("RU", "Rus"), ("UA", "Ukrayna"), ("TR", "Türk"),
                                                   ("AZ", "Azeri")]),
    # dotted and dotless I, and capitals
    ("İran, Iran'ın, İsrail'le, Israil, İngiltere'nin ve IRAK", [("IR", "İran"), ("IR", "Iran'ın"),
                                                               ("IL", "İsrail'le"), ("IL", "Israil"),
                                                               ("GB", "İngiltere'nin"), ("IQ", "IRAK")]),
    # capitals and seats of power
    ("Kremlin'in açıklamasına Beyaz Saray'dan ve Akorda'dan yanıt geldi.",
     [("RU", "Kremlin'in"), ("US", "Beyaz Saray'dan"), ("KZ", "Akorda'dan")]),
    # the conjunctions de/da and ya da are words of their own, not endings
    ("Rusya da İran da, Rusya ya da Çin", [("RU", "Rusya"), ("IR", "İran"), ("RU", "Rusya"), ("CN", "Çin")]),
    # a foreign name's both spellings and a palatal l
    ("Washington'un, Washington'ın, Nepal'de, Seul'ün", [("US", "Washington'un"), ("US", "Washington'ın"),
                                                        ("NP", "Nepal'de"), ("KR", "Seul'ün")]),
    # "George Washington" is excluded; the United States named after it is still found
    ("George Washington ABD'nin ilk başkanıydı.", [("US", "ABD'nin")]),
    # the Turkmens of Iraq are not Turkmenistan's people; Türkmenler and Türkmenistan still are
    ("Irak Türkmenleri", [("IQ", "Irak")]),
    ("Türkmenler Türkmenistan'da", [("TM", "Türkmenler"), ("TM", "Türkmenistan'da")]),
])

test_false_friends_are_no_mentions = lang_cases.no_mentions("tr", [
    # people, US states, companies, media, currencies
    "Denzel Washington ve George Washington'ın heykeli",
    "Georgia eyaletinde ve Washington eyaletindeki seçimler",
    "Türk Telekom ile Türk Hava Yolları'nın ortaklığı",
    "Washington Post ve Londra Metal Borsası",
    "Türk lirası, ABD doları ve Rus rublesi karşısında",
    # continents, regions, seas, rivers, canals, an empire, a state not in the list
    "Latin Amerika'da ve Güney Amerika'daki, Kuzey Amerikalı",
    "Hint Okyanusu, Güney Çin Denizi'nde, Ürdün Nehri'nin, Panama Kanalı'ndan",
    "Roma İmparatorluğu dönemine ait",
    "Kuzey Kıbrıs Türk Cumhuriyeti'nin kuruluşu",
    # dishes, breeds, plants, tools, idioms, numerals
    "Rus salatası, Türk kahvesi ve Pekin ördeği",
    "Hindistan cevizi, japon balığı, Ankara keçisi",
    "İngiliz anahtarıyla ve İsviçre çakısıyla",
    "Arnavut kaldırımları ve Romen rakamları",
    "Toplantıda Fransız kalan milletvekilleri",
    # common words: mısır, mali, kabul, Kabil (Cain), hindi, kazak, çek, türkü, çini, ırak, tiran, sudan
    "Mısır fiyatları düştü, mısır ekimi başladı.",
    "Mali müşavirler ve Mali Suçları Araştırma Kurulu, mali disiplin",
    "Kabul edilen yasa",
    "Habil ile Kabil kıssası",
    "Hindi fiyatları arttı, kazak ördü, çek yazdı, türkü söyledi, çini sanatı, gözden ırak, tiran kral",
    "Türkü gecesi, Çini sergisi, Çine ilçesi, Maliye Bakanlığı",
    "sudan bahanelerle",
    # languages are separate words
    "Rusça, Türkçe, Çince ve İngilizce kurslar",
])

test_exclusions_apply_to_every_column = lang_cases.no_mentions_in_any_column([
    # each would be a mention through the en column (Kabul, Mali, Washington, Jordan) but for a tr exclusion,
    # which applies whatever the columns
    "Kabul edilen karar",
    "Mali müşavirler toplandı",
    "Washington eyaletinde yangın",
    "Michael Jordan'ın ayakkabıları",
])


def test_every_country_is_covered(gazetteer: Gazetteer) -> None:
    lang_cases.assert_every_country_named(ALIASES["countries"], gazetteer.countries)
    lang_cases.assert_demonyms_and_capitals(ALIASES["countries"])
    assert gazetteer.collisions() == []


def test_check_set_shape() -> None:
    items = checksets.load(CHECKSET)
    assert len(items) >= 110
    with_countries = [i for i in items if len({g.country for g in i.gold}) >= 2]
    assert len(with_countries) >= 70
    assert sum(1 for i in items if not i.gold) >= 15
