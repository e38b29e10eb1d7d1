"""Uzbek: pick a uz_* paradigm by script, abbreviation, name or people word, and the stem's last sound."""

from __future__ import annotations

import re

from analysis.errors import GazetteerError

# Uzbek has no vowel harmony: the dative (and -gacha) is -ga after most sounds, -ka after k and -qa after q; the
# 1st person plural possessive of a name is -miz after a vowel and -imiz after a consonant (Oʻzbekistonimiz).
LATIN_VOWELS = frozenset("aeiou")
CYRILLIC_VOWELS = frozenset("аеёиоуўэюя")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# The oʻ/gʻ sign in every spelling: ʻ and ʼ are letters to str.isalpha, so they are skipped by name; the sign
# belongs to the letter before it (gʻ is a consonant, oʻ a vowel), so that letter decides.
APOSTROPHES = frozenset("'ʻʼ’‘`")
# Signs with no sound of their own (Кремль, Санъо): the letter before them decides.
SILENT = frozenset("ьъ")


def _sound(last: str) -> str:
    if last in ("k", "к"):
        return "k"
    if last in ("q", "қ"):
        return "q"
    return "vowel" if last in LATIN_VOWELS or last in CYRILLIC_VOWELS else "cons"


def paradigm(stem: str) -> str:
    """The uz_{latn|cyrl}_{abbr | vowel|cons|k|q | pl|pl_k|pl_q} table for an Uzbek stem."""
    letters = [c for c in stem if c.isalpha() and c not in APOSTROPHES and c not in SILENT]
    if not letters:
        raise GazetteerError(f"aliases/uz.yaml: {{uz}} after an empty stem in {stem!r}")
    script = "cyrl" if _CYRILLIC.search(stem) else "latn"
    capitals = sum(1 for c in letters if c.isupper())
    # an abbreviation (AQSH, NATO, МДҲ, KXShT, YeI) is read letter by letter, so it takes -ga whatever its last
    # letter, and its ending is written solid or after a hyphen or apostrophe (AQSHning, AQSH-ning)
    if capitals >= 2 and 2 * capitals >= len(letters):
        return f"uz_{script}_abbr"
    sound = _sound(letters[-1].casefold())
    # Uzbek writes peoples and adjectives in lower case (rus, oʻzbek, rossiyalik): they take the plural (ruslar,
    # rossiyaliklarga); a capitalised name takes the possessive instead (Oʻzbekistonimiz), never the plural
    if letters[0].islower():
        return f"uz_{script}_pl" + ("" if sound in ("vowel", "cons") else f"_{sound}")
    return f"uz_{script}_{sound}"
