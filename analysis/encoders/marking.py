"""How a target is written into the model's input: the mention and the other countries marked inline."""

from __future__ import annotations

from collections.abc import Sequence

# Characters both vocabularies (MiniLM's WordPiece, e5's SentencePiece) carry as their own pieces.
TARGET_OPEN, TARGET_CLOSE = "<< ", " >>"
OTHER_OPEN, OTHER_CLOSE = "[ ", " ]"
# Sentences longer than this are cropped around the target so that max_len tokens keep it in view.
MAX_CHARS = 480


def mark(sentence: str, start: int, end: int, others: Sequence[tuple[int, int]] = ()) -> str:
    """Return the sentence with the target span as `<< x >>` and other mentions as `[ y ]`."""
    if not (0 <= start < end <= len(sentence)):
        raise ValueError(f"target span {start}:{end} lies outside a sentence of {len(sentence)} characters")
    spans: list[tuple[int, int, bool]] = [(start, end, True)]
    for s, e in sorted(others):
        if not (0 <= s < e <= len(sentence)):
            continue
        # Overlapping spans cannot both be bracketed; the target always wins.
        if any(s < pe and ps < e for ps, pe, _ in spans):
            continue
        spans.append((s, e, False))
    spans.sort()
    out: list[str] = []
    pos = 0
    for s, e, is_target in spans:
        out.append(sentence[pos:s])
        opener, closer = (TARGET_OPEN, TARGET_CLOSE) if is_target else (OTHER_OPEN, OTHER_CLOSE)
        out.append(opener + sentence[s:e] + closer)
        pos = e
    out.append(sentence[pos:])
    text = "".join(out)
    return _crop(text, text.index(TARGET_OPEN), max_chars=MAX_CHARS)


def _crop(text: str, anchor: int, max_chars: int) -> str:
    """Cut a long text to about max_chars around anchor, at spaces, so the target stays in the window."""
    if len(text) <= max_chars:
        return text
    lo = max(0, anchor - max_chars // 2)
    hi = min(len(text), lo + max_chars)
    lo = max(0, hi - max_chars)
    if lo > 0:
        sp = text.find(" ", lo)
        lo = sp + 1 if 0 <= sp < anchor else lo
    if hi < len(text):
        sp = text.rfind(" ", anchor, hi)
        hi = sp if sp > anchor else hi
    return text[lo:hi].strip()
