"""Kazakh: pick a kk_* paradigm by vowel harmony and the stem's last sound, and build those paradigms by rule."""

from __future__ import annotations

from analysis.errors import GazetteerError

VOWELS = frozenset("аәеёиоөуұүыіэюя")
BACK = frozenset("аоұыуяёю")
NASAL = frozenset("мнң")
# sonorants and voiced fricatives (and the glide у): genitive -дың, dative -ға, ablative -дан
VOICED = frozenset("лрйзж")
# a final б в г д is written in loanwords (Ашхабад, Киев) but said voiceless, and both spellings of the
# endings occur (Ашхабадта, Ашхабадда): the table has both
STOPS = frozenset("бвгд")
HARMONIES = ("back", "front", "both")
SOUNDS = ("vowel", "nasal", "voiced", "stop", "voiceless", "glide", "cluster")

# One ending per case, written for a back stem, by the class of the sound it is attached to: genitive,
# dative, accusative, locative, ablative, instrumental, the -дағы attribute and the -дай simile.
_CASES: dict[str, tuple[str, ...]] = {
    "vowel": ("ның", "ға", "ны", "да", "дан", "мен", "дағы", "дай"),
    "nasal": ("ның", "ға", "ды", "да", "нан", "мен", "бен", "дағы", "дай"),
    "voiced": ("дың", "ға", "ды", "да", "дан", "мен", "бен", "дағы", "дай"),
    "voiceless": ("тың", "қа", "ты", "та", "тан", "пен", "тағы", "тай"),
}
# The plural suffix after each class: -лар after a vowel and р й у, -дар after л з ж and nasals, -тар after a
# voiceless sound (ресейліктер, орыстар, қырғыздар, түрікмендер); the voiced class takes both.
_PLURALS: dict[str, tuple[str, ...]] = {
    "vowel": ("лар",), "nasal": ("дар",), "voiced": ("лар", "дар"), "voiceless": ("тар",),
}
# What follows the plural (which ends in р): its cases, and the 3rd-person possessive with its cases
# (Қытай қазақтары "the Kazakhs of China", қазақтарының).
_AFTER_PLURAL = ("", "дың", "ға", "ды", "да", "дан", "мен", "дағы", "ы", "ының", "ына", "ын", "ында", "ынан",
                 "ымен", "ындағы")
# Endings after a name that already ends in a 3rd-person possessive (Ресей Федерациясы, Кеңес Одағы).
_POSSESSED = ("", "ның", "на", "н", "нда", "нан", "мен", "ндағы")
_FRONT = str.maketrans("аұыоғқ", "еүіөгк")


def paradigm(stem: str) -> str:
    """The kk_{back|front|both}_{sound} table for a Kazakh stem (kk_abbr for an abbreviation in capitals)."""
    if len(stem) >= 2 and stem.isupper():
        return "kk_abbr"  # АҚШ-тың, НАТО-ға: the reading of the letters decides, so every ending is allowed
    letters = [c for c in stem.casefold() if c.isalpha()]
    soft = letters[-1:] == ["ь"]  # Тайвань, Беларусь, Кремль: writers follow either harmony
    letters = [c for c in letters if c not in "ьъ"]
    if not letters:
        raise GazetteerError(f"countries.yaml: {{kk}} after an empty stem in {stem!r}")
    last, before = letters[-1], letters[-2] if len(letters) > 1 else ""
    # у after a consonant is the vowel u (Баку, Перу) and и is ій (Тбилиси): such stems take the vowel
    # endings and the glide's both; у after a vowel is the glide w (Мәскеу), a voiced consonant
    u_vowel = last in "уюё" and before not in VOWELS
    sound = "glide" if last == "и" or u_vowel else _sound(last, before)
    return f"kk_{'both' if soft or u_vowel else _harmony(letters)}_{sound}"


def _harmony(letters: list[str]) -> str:
    # the last vowel decides; у counts only when there is no other (it is often the glide w)
    vowels = [c for c in letters if c in VOWELS and c != "у"] or [c for c in letters if c in VOWELS]
    return "back" if not vowels or vowels[-1] in BACK else "front"


def _sound(last: str, before: str) -> str:
    if last in VOWELS and last != "у":
        return "vowel"
    if last in NASAL:
        return "nasal"
    if last in VOICED or last == "у":
        return "voiced"
    if last in STOPS:
        return "stop"
    if before and before not in VOWELS and last in "кгқ":
        return "cluster"  # Минск: an epenthetic і before the endings (Минскіде), or none (Минскте)
    return "voiceless"


def _front(endings: list[str]) -> list[str]:
    return [e.translate(_FRONT) for e in endings]


def _back_table(sound: str) -> list[str]:
    if sound == "stop":
        return _unique(_back_table("voiced") + _back_table("voiceless"))
    if sound == "glide":
        return _unique(_back_table("vowel") + _back_table("voiced"))
    if sound == "cluster":
        # the epenthetic ы takes the vowel class's endings: Минск-і-нің, Минск-і-ге, Минск-і-де
        return _unique(_back_table("voiceless") + ["ы" + e for e in _back_table("vowel") if e])
    plurals = [p + e for p in _PLURALS[sound] for e in _AFTER_PLURAL]
    return ["", *_CASES[sound], *plurals]


def _unique(endings: list[str]) -> list[str]:
    return list(dict.fromkeys(endings))


def table(harmony: str, sound: str) -> list[str]:
    """The endings of one kk_{harmony}_{sound} table, the bare stem ("") first."""
    back = _back_table(sound)
    if harmony == "back":
        return back
    if harmony == "front":
        return _front(back)
    return _unique(back + _front(back))


def tables() -> dict[str, list[str]]:
    """Every table paradigm() can name, as paradigms.kk in countries.yaml must hold them."""
    result = {f"kk_{h}_{s}": table(h, s) for h in HARMONIES for s in SOUNDS}
    every = _unique([e for h in ("back", "front") for s in _CASES for e in table(h, s)[1:len(_CASES[s]) + 1]])
    result["kk_abbr"] = ["", *("-" + e for e in every)]
    result["kk_poss_back"] = list(_POSSESSED)
    result["kk_poss_front"] = _front(list(_POSSESSED))
    return result
