"""Turkmen column: the paradigm rule (harmony, rounding, last sound), its tables, inflected mentions and exclusions."""

from __future__ import annotations

import pytest

from analysis.gazetteer import Gazetteer
from analysis.morphology.tk import paradigm, table, tables
from tests.analysis import lang_cases

TK = ("tk",)


test_paradigm_rule = lang_cases.paradigm_rule(paradigm, [
    ("Türkmenistan", "tk_back_cons"),        # Türkmenistanyň, Türkmenistana
    ("Hytaý", "tk_back_cons"),               # ý is a consonant: Hytaýyň, Hytaýa
    ("Tähran", "tk_back_cons"),              # the last vowel decides: Tähranda
    ("Kot-d'Iwuar", "tk_back_cons"),         # the whole hyphenated stem is read
    ("Belarus", "tk_back_cons_round"),       # Belarusyň beside Belarusuň
    ("London", "tk_back_cons_round"),        # Londonda
    ("Pekin", "tk_front_cons"),              # Pekiniň, Pekine
    ("Kreml", "tk_front_cons"),              # Kremlde
    ("Minsk", "tk_front_cons"),              # Minskde
    ("Müsür", "tk_front_cons_round"),        # Müsüriň beside Müsürüň
    ("Russiýa", "tk_back_vowel"),            # Russiýanyň, Russiýada
    ("Federasiýasy", "tk_back_vowel"),       # Federasiýasyna, Federasiýasynda
    ("Şri-Lanka", "tk_back_vowel"),          # Şri-Lankanyň
    ("Baku", "tk_back_vowel_round"),         # Bakuda
    ("Kosowo", "tk_back_vowel_round"),       # Kosowonyň
    ("Türkiýe", "tk_front_vowel"),           # Türkiýede
    ("Türkiýä", "tk_front_vowel"),           # Türkiýäniň, Türkiýä "to Turkey"
    ("Bileleşigi", "tk_front_vowel"),        # Bileleşigine, Bileleşiginde
    ("Nýu-Deli", "tk_front_vowel"),          # Nýu-Delide
    ("ABŞ", "tk_abbr"),                      # ABŞ-nyň, ABŞ-da
    ("ÝB", "tk_abbr"),                       # ÝB-niň
    ("NATO", "tk_abbr"),                     # NATO-nyň
    ("Akorda", "tk_back_vowel"),             # a capitalised word is no abbreviation
], lang_cases.alias_file("tk")["paradigms"])

test_paradigm_rule_refuses_an_empty_stem = lang_cases.refused_stems(paradigm, [" - "])


def test_alias_file_tables_are_the_generated_ones() -> None:
    listed = lang_cases.alias_file("tk")["paradigms"]
    assert listed == tables()
    for name, endings in listed.items():
        lang_cases.assert_well_formed(name, endings)


@pytest.mark.parametrize(("harmony", "sound", "rounded", "present", "absent"), [
    ("back", "cons", False, ["yň", "a", "y", "da", "dan", "daky", "lar", "laryň", "ymyzyň"], ["iň", "e", "däki", "uň"]),
    ("front", "cons", False, ["iň", "e", "i", "de", "den", "däki", "ler", "leriň", "imiziň"], ["yň", "a", "daky"]),
    ("back", "vowel", False, ["nyň", "ny", "na", "nda", "ndan", "ndaky", "lar"], ["yň", "niň", "nuň"]),
    ("front", "vowel", False, ["niň", "ni", "ne", "nde", "nden", "ndäki", "ler"], ["nyň", "ndaky"]),
    ("back", "cons", True, ["yň", "uň", "u", "da"], ["üň"]),
    ("front", "cons", True, ["iň", "üň", "ü", "de"], ["uň"]),
])
def test_tables_follow_harmony(harmony: str, sound: str, rounded: bool, present: list[str],
                               absent: list[str]) -> None:
    lang_cases.assert_forms(table(harmony, sound, rounded), present, absent)


def test_no_table_makes_the_language_adverb() -> None:
    # rusça "in Russian", türkmençe: separate words, not mentions (the check set's language rule)
    assert not any(e.endswith(("ça", "çe")) for endings in tables().values() for e in endings)


# each sentence has one mention: its whole span, inflected (the check marks each with tk and its offsets)
test_inflected_mention_has_its_whole_span = lang_cases.mentions("tk", [
    ("Prezident Türkiýä resmi sapar bilen bardy.", [("TR", "Türkiýä")]),
    ("Türkiýäniň ilçisi çykyş etdi.", [("TR", "Türkiýäniň")]),
    ("Wekiliýet Aşgabada geldi.", [("TM", "Aşgabada")]),
    ("Aşgabatdaky sergi açyldy.", [("TM", "Aşgabatdaky")]),
    ("Garaşsyz Türkmenistanymyzyň syýasaty goldanylýar.", [("TM", "Türkmenistanymyzyň")]),
    ("Yragyň premýer-ministri geldi.", [("IQ", "Yragyň")]),
    ("Forum Bişkege göçürildi.", [("KG", "Bişkege")]),
    ("Russiýa Federasiýasynyň wekiliýeti geldi.", [("RU", "Russiýa Federasiýasynyň")]),
    ("Soňky ýyllarda ruslaryň sany artdy.", [("RU", "ruslaryň")]),
    ("Şertnama Ýewropa Bileleşiginde tassyklandy.", [("EU", "Ýewropa Bileleşiginde")]),
    ("ABŞ-nyň ilçisi çykyş etdi.", [("US", "ABŞ-nyň")]),
    ("Amerikanyň Birleşen Ştatlarynyň ilçihanasy habar berdi.", [("US", "Amerikanyň Birleşen Ştatlarynyň")]),
    ("Amerikalylaryň pikiri soraldy.", [("US", "Amerikalylaryň")]),
    ("Ukrainadaky uruş dowam edýär.", [("UA", "Ukrainadaky")]),
    ("HHR-iň Premýeri jaň etdi.", [("CN", "HHR-iň")]),
    ("Saud Arabystanynyň territoriýasy.", [("SA", "Saud Arabystanynyň")]),
    ("Kabulda duşuşyk boldy.", [("AF", "Kabulda")]),
    ("Duşenbede başlan duşuşyk tamamlandy.", [("TJ", "Duşenbede")]),
    ("Mekdeplerde rus dili okadylýar.", [("RU", "rus")]),
    ("Türkleriň bir topary geldi.", [("TR", "Türkleriň")]),
    # the exclusion leaves the real mention beside it
    ("ABŞ-nyň Jorjiýa ştatynda ABŞ dollary bilen tölenýär.", [("US", "ABŞ-nyň")]),
])


@pytest.mark.parametrize(("text", "country"), [
    ("Kabul edilen Kanun güýje girer.", "AF"),                       # kabul "acceptance"
    ("Prezident resminamalary kabul etdi.", "AF"),
    ("Duşenbe güni sergi açylar.", "TJ"),                            # duşenbe "Monday"
    ("«Neýtral Türkmenistan» gazetiniň redaktory çykyş etdi.", "TM"),  # a newspaper
    ("«Türkmenistan» teleýaýlymy filmi görkezdi.", "TM"),            # a channel
    ("Türki döwletleriň guramasy we türki dilli halklar.", "TR"),     # türki "Turkic"
    ("«Türk Hava Ýollary» gatnawlary köpeltdi.", "TR"),              # a company
    ("ABŞ dollarynyň hümmeti üýtgemedi.", "US"),                     # a currency
    ("Rus rublynyň hümmeti peseldi.", "RU"),
    ("Türkmen alabaýlarynyň sergisi geçirildi.", "TM"),              # a breed
    ("Aşpezler Pekin ördegini taýýarladylar.", "CN"),                # a dish
    ("Gämiler Taýwan bogazyndan geçdi.", "TW"),                      # a strait
    ("Günorta Hytaý deňzindäki ýagdaý.", "CN"),                      # a sea
    ("Demirgazyk Amerikada tupan boldy.", "US"),                     # a continent
    ("Latyn Amerikasynyň ýurtlary.", "US"),
    ("Denzel Waşington täze filme başlady.", "US"),                  # a person
    ("Jek Londonyň hekaýalary okaldy.", "GB"),
    ("Kiýew Rusy döwrüne degişli ýadygärlikler.", "UA"),             # a historical state
    ("Rim imperiýasynyň teňňeleri.", "IT"),
    ("Moskwa derýasynda suw ýokarlandy.", "RU"),                     # a river
    ("Maglumatlar rusça we türkmençe berildi.", "RU"),               # the adverbs are not generated
    ("Hassahanalar gana mätäç.", "GH"),                              # gana "to blood": lower case
    ("Obada täze ak tam guruldy.", "US"),                            # a white house, not the White House
])
def test_false_friend_is_no_mention(gazetteer: Gazetteer, text: str, country: str) -> None:
    assert country not in {m.country for m in gazetteer.find(text, languages=TK)}


def test_every_country_has_a_tk_name(gazetteer: Gazetteer) -> None:
    named = {f.info.country for f in gazetteer._forms if f.info.language == "tk" and f.info.kind == "name"}
    assert set(gazetteer.countries) <= named


def test_no_collisions(gazetteer: Gazetteer) -> None:
    assert gazetteer.collisions() == []
