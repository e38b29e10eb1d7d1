"""Turkmen: pick a tk_* paradigm by vowel harmony, rounding and the stem's last sound, and build those paradigms."""

from __future__ import annotations

from analysis.errors import GazetteerError

# Turkmen Latin vowels; y is the back unrounded vowel (Russiýa, Türkmenistanyň), ý a consonant (Hytaý).
VOWELS = frozenset("aäeioöuüy")
BACK = frozenset("aouy")
ROUNDED = frozenset("oöuü")
HARMONIES = ("back", "front")
SOUNDS = ("cons", "vowel")

# Endings are written once, for a back stem, and turned front by _front. After a consonant: genitive, dative,
# accusative, locative, ablative, the -daky attribute, the -yňky "the one of" form and the -dyr predicate.
_CASES = {
    "cons": ("yň", "a", "y", "da", "dan", "daky", "yňky", "dyr"),
    # after a vowel the genitive and accusative take n (Russiýanyň, Russiýany) and a final a lengthens in the
    # dative unwritten (Russiýa "to Russia"); a possessive -y/-i adds the pronominal n before the dative,
    # locative and ablative (Federasiýasyna, Federasiýasynda, Bileleşiginden)
    "vowel": ("nyň", "ny", "na", "da", "dan", "daky", "nda", "ndan", "ndaky", "nyňky", "dyr"),
}
# "ours" (Türkmenistanymyzyň, in official prose), after a consonant and after a vowel
_OURS = {
    "cons": ("ymyz", "ymyzyň", "ymyza", "ymyzy", "ymyzda", "ymyzdan", "ymyzdaky"),
    "vowel": ("myz", "myzyň", "myza", "myzy", "myzda", "myzdan", "myzdaky"),
}
# the plural of -daky forms (Türkiýedäkiler "those in Turkey") and the plural with its cases and possessive
# (ruslar, ruslaryň, amerikalylara, Ştatlarynyň)
_ATTRIBUTE_PLURAL = ("dakylar", "dakylaryň", "dakylara", "dakylary", "dakylarda", "dakylardan")
_PLURAL = ("lar", "laryň", "lara", "lary", "larda", "lardan", "lardaky", "larynyň", "laryna", "larynda",
           "laryndan", "laryny")
# After a rounded last vowel writers also round the suffix vowel (Müsürüň beside Müsüriň, Peru-nuň), and a
# final o/u may take a glide before the dative (Tokioýa, Bakuwa): the _round tables add those spellings.
_ROUNDED_EXTRA = {
    "cons": ("uň", "u", "uňky", "umyz", "umyzyň", "umyza", "umyzy", "umyzda", "umyzdan"),
    "vowel": ("nuň", "nu", "ýa", "wa"),
}
# An abbreviation takes its endings after a hyphen or solid, and in either harmony, because writers follow
# the letters' spoken names or the expanded name (ABŞ-nyň, ÝB-niň, HHR-iň, BMG-niň) inconsistently.
_ABBREVIATION_ENDINGS = ("nyň", "niň", "yň", "iň", "uň", "üň", "a", "e", "ä", "na", "ne", "ny", "ni", "y", "i",
                         "u", "ü", "da", "de", "dan", "den", "daky", "däki", "nda", "nde", "ndan", "nden",
                         "ndaky", "ndäki", "dyr", "dir")
_TO_FRONT = str.maketrans({"a": "e", "y": "i", "u": "ü"})


def _front(ending: str) -> str:
    """The front-harmony spelling of a back ending: -daky becomes -däki (a long ä), else a e, y i, u ü."""
    return ending.replace("daky", "däki").translate(_TO_FRONT)


def table(harmony: str, sound: str, rounded: bool) -> list[str]:
    """The endings of tk_{harmony}_{sound}[_round], the bare form first."""
    endings = [*_CASES[sound], *_ATTRIBUTE_PLURAL, *_OURS[sound], *_PLURAL]
    if rounded:
        endings += _ROUNDED_EXTRA[sound]
    if harmony == "front":
        endings = [_front(e) for e in endings]
    return ["", *endings]


def abbreviation_table() -> list[str]:
    """The endings of tk_abbr: each after a hyphen (ABŞ-nyň) and solid (ABŞnyň)."""
    return ["", *(f"-{e}" for e in _ABBREVIATION_ENDINGS), *_ABBREVIATION_ENDINGS]


def tables() -> dict[str, list[str]]:
    """Every tk_* table by name, as aliases/tk.yaml must list them."""
    generated = {f"tk_{h}_{s}{'_round' if r else ''}": table(h, s, r)
                 for h in HARMONIES for s in SOUNDS for r in (False, True)}
    generated["tk_abbr"] = abbreviation_table()
    return generated


def paradigm(stem: str) -> str:
    """The tk_abbr table for an abbreviation, else tk_{back|front}_{cons|vowel}[_round] for a Turkmen stem."""
    word = stem.strip()
    letters = [c for c in word.casefold() if c.isalpha()]
    if not letters:
        raise GazetteerError(f"aliases/tk.yaml: {{tk}} after an empty stem in {stem!r}")
    if len(letters) >= 2 and word.isupper():
        return "tk_abbr"
    vowels = [c for c in letters if c in VOWELS]
    # a stem without a vowel letter does not occur in Turkmen; back is the commoner harmony
    last_vowel = vowels[-1] if vowels else "a"
    harmony = "back" if last_vowel in BACK else "front"
    sound = "vowel" if letters[-1] in VOWELS else "cons"
    rounding = "_round" if last_vowel in ROUNDED else ""
    return f"tk_{harmony}_{sound}{rounding}"
