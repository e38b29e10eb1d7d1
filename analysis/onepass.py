"""One forward pass per sentence for all its targets: pool each target's token span, then a linear head.

A one-pass route reuses the int8 encoder of a marked-text folder (card "encoder_from") with two more graph
outputs: its last hidden states (b, L, H) and its pooled sentence vector (b, H), for *unmarked* sentences. Each
target's features are the pooled parts named in the card (for example the pooled vector and the mean of the
hidden states over the target's tokens); the card's head (standardisation, then a linear layer) turns them into
logits. A sentence longer than max_len tokens is cut into a window around each target, so a target near the end
of a long sentence is still seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.encoders.base import BaseEncoder
from analysis.errors import ModelError

DESIGN = "one-pass"
# What a target's feature vector may be built from (the card's "features" lists the ones its head was fit on).
FEATURE_PARTS = ("pooled", "cls", "span_mean", "sentence_mean")
_FLOAT = 1  # onnx TensorProto.FLOAT


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | 0x80 if n else low)
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def extend_outputs(model: bytes, names: Sequence[str]) -> bytes:
    """The serialised ONNX model with the named (float) tensors added as graph outputs.

    Protobuf merges a repeated embedded message field into the one before it, so appending a ModelProto that
    holds only graph (7) -> output (12) entries adds outputs without parsing the model (the encoder file is
    shared with its marked-text folder instead of committed twice).
    """
    outputs = b"".join(_field(12, _field(1, name.encode()) + _field(2, _field(1, _varint(1 << 3) + _varint(_FLOAT))))
                       for name in names)
    return model + _field(7, outputs)


def normalise_with_map(text: str, normalise: Callable[[str], str] | None) -> tuple[str, list[int]]:
    """The normalised text and, for every character position of text (and its end), the position it maps to.

    The encoder's normaliser is applied one character at a time (so spans can be followed through it), spaces
    collapsed to one and the ends stripped, as the normaliser does for a whole text.
    """
    out: list[str] = []
    length = 0
    where: list[int] = []
    for ch in text:
        where.append(length)
        piece = " " if ch.isspace() else (normalise(ch) if normalise else ch)
        if piece and not piece.strip():
            piece = " "
        if piece == " " and (length == 0 or out[-1].endswith(" ")):
            continue
        out.append(piece)
        length += len(piece)
    joined = "".join(out)
    where.append(length)
    if joined.endswith(" "):
        joined = joined[:-1]
    return joined, [min(w, len(joined)) for w in where]


@dataclass(frozen=True)
class Window:
    """One model input: a sentence's token ids (specials included) and, per target, its token range in them."""

    ids: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]


def token_span(offsets: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The range of body tokens (specials excluded: offsets (0, 0)) whose characters overlap [start, end)."""
    hit = [j for j, (s, e) in enumerate(offsets) if e > s and s < end and e > start]
    if hit:
        return hit[0], hit[-1] + 1
    # An empty or vanished span (e.g. only spaces): the nearest token after its start, else the last one.
    body = [j for j, (s, e) in enumerate(offsets) if e > s]
    if not body:
        return 0, 0
    after = [j for j in body if offsets[j][0] >= start]
    j = after[0] if after else body[-1]
    return j, j + 1


def plan_windows(encoder: BaseEncoder, sentence: str, spans: Sequence[tuple[int, int]],
                 max_len: int) -> tuple[list[Window], list[tuple[int, int]]]:
    """The windows one sentence needs for its target spans, and for each span (window index, span index)."""
    text, where = normalise_with_map(sentence, encoder.normalise)
    enc = encoder.tokenizer.encode(text)
    ids, offsets = list(enc.ids), list(enc.offsets)
    bos, eos, body = ids[0], ids[-1], ids[1:-1]
    body_offsets = offsets[1:-1]
    limit = max_len - 2
    token_spans = []
    for s, e in spans:
        if not (0 <= s < e <= len(sentence)):
            raise ModelError(f"target span {s}:{e} lies outside a sentence of {len(sentence)} characters")
        token_spans.append(token_span(body_offsets, where[s], where[e]))
    windows: dict[int, dict[tuple[int, int], int]] = {}
    placed: list[tuple[int, int]] = []
    for a, b in token_spans:
        # The whole sentence when it fits; else max_len tokens centred on the target (clamped to the sentence).
        w0 = 0 if len(body) <= limit else min(max(0, (a + b) // 2 - limit // 2), len(body) - limit)
        local = windows.setdefault(w0, {})
        span = (max(a - w0, 0) + 1, min(b - w0, limit) + 1)
        if span[1] <= span[0]:
            span = (span[0], span[0] + 1)
        local.setdefault(span, len(local))
        placed.append((w0, local[span]))
    order = sorted(windows)
    out = [Window(tuple([bos, *body[w0 : w0 + limit], eos]), tuple(windows[w0])) for w0 in order]
    index = {w0: i for i, w0 in enumerate(order)}
    return out, [(index[w0], k) for w0, k in placed]


def pool(hidden: np.ndarray, pooled: np.ndarray, length: int, span: tuple[int, int],
         parts: Sequence[str]) -> np.ndarray:
    """One target's feature vector from its window's hidden states (length tokens, specials included)."""
    vecs = []
    for part in parts:
        if part == "pooled":
            vecs.append(pooled)
        elif part == "cls":
            vecs.append(hidden[0])
        elif part == "span_mean":
            vecs.append(hidden[span[0] : span[1]].mean(axis=0))
        elif part == "sentence_mean":
            vecs.append(hidden[1 : max(length - 1, 2)].mean(axis=0))
        else:
            raise ModelError(f"card names an unknown feature {part!r}; expected one of {', '.join(FEATURE_PARTS)}")
    return np.concatenate(vecs).astype(np.float32)


@dataclass
class LinearHead:
    """Standardise the features, then a linear layer to three logits (what the card's "head" holds)."""

    mean: np.ndarray
    scale: np.ndarray
    weight: np.ndarray  # (3, F)
    bias: np.ndarray  # (3,)

    @classmethod
    def from_card(cls, head: dict[str, Any]) -> LinearHead:
        """Read the head from a card's "head" object."""
        try:
            return cls(*(np.asarray(head[k], dtype=np.float32) for k in ("mean", "scale", "weight", "bias")))
        except KeyError as exc:
            raise ModelError(f"one-pass card head lacks {exc}; expected mean, scale, weight, bias") from exc

    def to_card(self) -> dict[str, Any]:
        """The head as card JSON (rounded: 6 significant digits are far below the int8 encoder's noise)."""
        return {k: np.round(getattr(self, k).astype(np.float64), 6).tolist()
                for k in ("mean", "scale", "weight", "bias")}

    def logits(self, features: np.ndarray) -> np.ndarray:
        """Logits (n, 3) of feature rows (n, F)."""
        return np.asarray(((features - self.mean) / self.scale) @ self.weight.T + self.bias, dtype=np.float32)


def sentence_features(encoder: BaseEncoder, session: Any, targets: Sequence[tuple[str, int, int]],
                      parts: Sequence[str], outputs: Sequence[str], max_len: int = 128,
                      batch_size: int = 32) -> np.ndarray:
    """Feature rows (n, F) of (sentence, start, end) targets: each distinct sentence window runs once.

    outputs names the graph's last hidden states (b, L, H) and pooled sentence vectors (b, H), in that order.
    """
    by_sentence: dict[str, list[int]] = {}
    for i, (sentence, _, _) in enumerate(targets):
        by_sentence.setdefault(sentence, []).append(i)
    windows: list[Window] = []
    where: dict[int, tuple[int, int]] = {}
    for sentence, idx in by_sentence.items():
        wins, placed = plan_windows(encoder, sentence, [(targets[i][1], targets[i][2]) for i in idx], max_len)
        base = len(windows)
        windows.extend(wins)
        for i, (w, k) in zip(idx, placed, strict=True):
            where[i] = (base + w, k)
    feats: dict[tuple[int, int], np.ndarray] = {}
    # Windows sorted by length, so a batch pads little.
    order = sorted(range(len(windows)), key=lambda w: len(windows[w].ids))
    for b in range(0, len(order), batch_size):
        sel = order[b : b + batch_size]
        emb, mask = encoder.batch([windows[w].ids for w in sel])
        hidden, pooled = session.run(list(outputs), {"inputs_embeds": emb, "attention_mask": mask})
        for row, w in enumerate(sel):
            n = len(windows[w].ids)
            for k, span in enumerate(windows[w].spans):
                feats[(w, k)] = pool(hidden[row, :n], pooled[row], n, span, parts)
    width = len(next(iter(feats.values()))) if feats else 0
    out = np.zeros((len(targets), width), dtype=np.float32)
    for i, key in where.items():
        out[i] = feats[key]
    return out
