"""Turkish: pick a tr_* paradigm by four-way vowel harmony, the stem's last sound and the kind of word it is."""

from __future__ import annotations

from analysis.errors import GazetteerError

VOWELS = frozenset("aeıioöuü")
HIGH = frozenset("ıiuü")
BACK = frozenset("aıou")
ROUNDED = frozenset("oöuü")
# fıstıkçı şahap: the voiceless consonants, after which -da/-dan/-ca become -ta/-tan/-ça (Irak'ta, Taşkent'ten);
# x and q occur in foreign names and sound voiceless too.
VOICELESS = frozenset("çfhkpsştxq")
# Letters of foreign names read as the nearest Turkish vowel (Élysée, Brasília, Kâbil).
_FOREIGN = str.maketrans("âáàäîíìûúùéèêëóòôõ", "aaaeiiiuuueeeeoooo")
# An abbreviation takes its endings after the spoken name of its last letter: every consonant's name ends in -e
# (ABD = a-be-de: ABD'nin, AB'ye, BDT'nin, SSCB'nin), a vowel is read as itself (NATO'nun, BAE'nin, ŞİÖ'nün).
_LETTER_VOWEL = "e"
# Names of states that end like a derived -lı/-li adjective but are not one: they take the apostrophe endings
# (Mali'de, Şili'nin), never the solid ones (Maliye is the Ministry of Finance).
NOT_DERIVED = frozenset({"mali", "somali", "şili"})


def _lower(word: str) -> str:
    # Turkish casing: I is the capital of ı and İ of i (str.lower would give i and i + a combining dot).
    return word.replace("I", "ı").replace("İ", "i").lower().replace("\u0307", "").translate(_FOREIGN)


def _harmony(vowel: str) -> str:
    backness = "back" if vowel in BACK else "front"
    return f"{backness}_round" if vowel in ROUNDED else backness


def paradigm(stem: str) -> str:
    """The tr_{back|back_round|front|front_round}_{vowel|high|voiced|voiceless|lateral|li} table for a stem."""
    word = stem.strip()
    letters = [c for c in _lower(word) if c.isalpha()]
    if not letters:
        raise GazetteerError(f"aliases/tr.yaml: {{tr}} after an empty stem in {stem!r}")
    if len(letters) >= 2 and word.isupper():
        last = letters[-1] if letters[-1] in VOWELS else _LETTER_VOWEL
        return f"tr_{_harmony(last)}_{'high' if last in HIGH else 'vowel'}"
    vowels = [c for c in letters if c in VOWELS]
    # No vowel letter cannot happen in a Turkish word; read it as front, like a spelled-out consonant.
    harmony = _harmony(vowels[-1] if vowels else _LETTER_VOWEL)
    last = letters[-1]
    lowered = "".join(letters)
    if len(letters) >= 4 and letters[-2] == "l" and last in HIGH and lowered not in NOT_DERIVED:
        # A derived adjective or people word in -lı (Ukraynalı, Çinli, Ürdünlü) takes its endings solid
        # (Ukraynalıların, Çinliye) as well as after an apostrophe.
        return f"tr_{harmony}_li"
    if last in HIGH:
        # A final high vowel may be the compound possessive (Avrupa Birliği, Rusya Federasyonu), which takes a
        # pronominal n before the case endings (Birliği'ne, Federasyonu'nda): these tables carry both spellings.
        return f"tr_{harmony}_high"
    if last in VOWELS:
        return f"tr_{harmony}_vowel"
    if last in VOICELESS:
        return f"tr_{harmony}_voiceless"
    if last == "l" and harmony.startswith("back"):
        # A final l in a foreign name is often palatal and takes front endings (Nepal'de, Seul'ün, Senegal'e)
        # beside the back ones the letters call for: these tables carry both.
        return f"tr_{harmony}_lateral"
    return f"tr_{harmony}_voiced"
