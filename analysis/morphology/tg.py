"""Tajik: pick a tg_* paradigm by the stem's last letter (Tajik has no vowel harmony)."""

from __future__ import annotations

from analysis.errors import GazetteerError

# Tajik's suffixes do not harmonise; only the stem's last letter changes them: the enclitic "and" is -у after a
# consonant and -ву after a vowel, possessives -ам/-ат/-аш after a consonant or а/я and -ям/-ят/-яш after the
# other vowels, the copula -ст follows vowels only. So the last letter picks the table.
A_VOWELS = set("ая")
OTHER_VOWELS = set("оуӯеэиюё")
# Russian loans (Кремль, Вьетнам) keep signs that carry no sound of their own.
SIGNS = set("ьъ")


def paradigm(stem: str) -> str:
    """The tg_{cons|a|vowel|abbr} table for a Tajik stem (the word the {tg} ending is written on)."""
    letters = [c for c in stem if c.isalpha() and c not in SIGNS]
    if not letters:
        raise GazetteerError(f"tg aliases: {{tg}} after an empty stem in {stem!r}")
    # abbreviations (ИМА, НАТО, ҶМЧ) take their endings after a hyphen: ИМА-ро
    if len(letters) >= 2 and "".join(letters).isupper():
        return "tg_abbr"
    last = letters[-1].casefold()
    if last == "ӣ":
        # -ӣ turns into -и before every suffix (амрикоӣ, амрикоиҳо), which appending endings cannot do:
        # such words are written without it, with the tg_adj table (амрико{tg_adj})
        raise GazetteerError(f"tg aliases: {{tg}} after {stem!r}, which ends in ӣ: write it without ӣ "
                             "and use {tg_adj}")
    if last in A_VOWELS:
        return "tg_a"
    if last in OTHER_VOWELS:
        return "tg_vowel"
    return "tg_cons"
