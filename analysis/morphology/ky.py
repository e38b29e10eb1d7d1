"""Kyrgyz: pick a ky_* paradigm by four-way vowel harmony and the stem's last sound."""

from __future__ import annotations

from analysis.errors import GazetteerError

VOWELS = frozenset("аеёиоөуүыэюя")
# The stem's last vowel sets the suffix vowels. Low suffix vowels round after о (колго, Токиого) but not after
# у (сууга, Бакуга), so у and о are separate classes even though both take у as the high vowel.
HARMONY = {"а": "a", "ы": "a", "я": "a", "о": "o", "ё": "o", "у": "u", "ю": "u",
           "е": "e", "и": "e", "э": "e", "ө": "oe", "ү": "oe"}
LOW = {"a": "а", "o": "о", "u": "а", "e": "е", "oe": "ө"}
HIGH = {"a": "ы", "o": "у", "u": "у", "e": "и", "oe": "ү"}
# after a suffix's own low vowel the next high vowel follows it (-дагы, -догу, -деги, -дөгү)
HIGH_AFTER = {"а": "ы", "о": "у", "е": "и", "ө": "ү"}
# й and р keep the л of -лар (үйлөр, шаарлар) where other voiced consonants turn it into д (кыргыздар)
SOFT_SONORANTS = frozenset("йр")
VOICELESS = frozenset("пткшщчсфхц")
# An abbreviation is read letter by letter, so its endings follow the last letter's name: АКШ (а-ка-ша) takes
# -нын/-га, ЕБ (е-бе) -нин/-ге, РФ (эр-эф) -тин/-ке, СССР (эс-эс-эс-эр) -дин/-ге.
LETTER_NAMES = {"а": "а", "б": "бе", "в": "ве", "г": "ге", "д": "де", "е": "е", "ё": "ё", "ж": "же", "з": "зе",
                "и": "и", "й": "ий", "к": "ка", "л": "эл", "м": "эм", "н": "эн", "ң": "ың", "о": "о", "ө": "ө",
                "п": "пе", "р": "эр", "с": "эс", "т": "те", "у": "у", "ү": "ү", "ф": "эф", "х": "ха", "ц": "це",
                "ч": "че", "ш": "ша", "щ": "ща", "ы": "ы", "э": "э", "ю": "ю", "я": "я"}
HARMONIES = ("a", "o", "u", "e", "oe")
SOUNDS = ("vowel", "soft", "voiced", "voiceless")


def paradigm(stem: str) -> str:
    """The ky_{a|o|u|e|oe}_{vowel|soft|voiced|voiceless} table for a Kyrgyz stem."""
    letters = [c for c in stem.casefold() if c.isalpha() and c not in "ьъ"]
    if not letters:
        raise GazetteerError(f"ky.yaml: {{ky}} after an empty stem in {stem!r}")
    cased = [c for c in stem if c.isalpha()]
    if len(cased) >= 2 and all(c.isupper() for c in cased):
        letters = list(LETTER_NAMES.get(letters[-1], letters[-1]))
    vowels = [c for c in letters if c in VOWELS]
    # a stem without a vowel (none is expected) is read as back, like the unmarked Kazakh rule
    harmony = HARMONY[vowels[-1]] if vowels else "a"
    last = letters[-1]
    if last in VOWELS:
        sound = "vowel"
    elif last in SOFT_SONORANTS:
        sound = "soft"
    elif last in VOICELESS:
        sound = "voiceless"
    else:
        sound = "voiced"
    return f"ky_{harmony}_{sound}"


def _cases(gen: str, dat: str, loc: str, low: str, high: str) -> list[str]:
    """Genitive, accusative, dative, locative, ablative, -дагы, -дай and -ныкы after a base."""
    return [gen + high + "н", gen + high, dat + low, loc + low, loc + low + "н", loc + low + "г" + HIGH_AFTER[low],
            loc + low + "й", gen + high + "к" + high]


def _possessed(possessive: str) -> list[str]:
    """A third-person possessive (-ы, -сы, -лары) and its cases, which take н: -нын, -на, -н, -нда, -нан."""
    high = possessive[-1]
    low = {"ы": "а", "у": "а", "и": "е", "ү": "ө"}[high]
    return [possessive, possessive + "н" + high + "н", possessive + "н" + low, possessive + "н",
            possessive + "нд" + low, possessive + "н" + low + "н", possessive + "нд" + low + "г" + HIGH_AFTER[low]]


def table(harmony: str, sound: str) -> list[str]:
    """The endings of ky_{harmony}_{sound}: bare, cases, possessive, plural with its cases and possessive."""
    low, high = LOW[harmony], HIGH[harmony]
    voiceless = sound == "voiceless"
    gen = {"vowel": "н", "soft": "д", "voiced": "д", "voiceless": "т"}[sound]
    dat, loc = ("к", "т") if voiceless else ("г", "д")
    plural = {"vowel": "л", "soft": "л", "voiced": "д", "voiceless": "т"}[sound] + low + "р"
    plural_high = HIGH_AFTER[low]
    return (["", *_cases(gen, dat, loc, low, high), *_possessed(("с" if sound == "vowel" else "") + high),
             plural, *[plural + e for e in _cases("д", "г", "д", low, plural_high)],
             *_possessed(plural + plural_high)])


def possessed_table(high: str) -> list[str]:
    """The endings after a stem that already ends in a possessive vowel (Республикасы, Биримдиги, уюму)."""
    return [ending[len(high):] for ending in _possessed(high)]
