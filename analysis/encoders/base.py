"""What every base encoder offers at run time: text to token ids, and token ids to frozen input embeddings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from tokenizers import Tokenizer


@dataclass
class BaseEncoder:
    """A tokenizer, an optional text normaliser and the frozen word-embedding matrix of one base model."""

    name: str
    tokenizer: Tokenizer
    word_embeddings: np.ndarray  # (vocab, hidden), float16 or float32, possibly memory-mapped
    pad_id: int
    sha256: str
    normalise: Callable[[str], str] | None = None
    uses_token_types: bool = True

    def encode(self, texts: Sequence[str], max_len: int = 128) -> list[list[int]]:
        """Token ids (with the specials) of each text, cut to max_len keeping the final special token."""
        prepared = [self.normalise(t) for t in texts] if self.normalise else list(texts)
        encs = self.tokenizer.encode_batch(prepared)
        out: list[list[int]] = []
        for enc in encs:
            ids = list(enc.ids)
            if len(ids) > max_len:
                ids = ids[: max_len - 1] + ids[-1:]
            out.append(ids)
        return out

    def batch(self, ids: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Pad a batch of id lists: input embeddings (b, L, H) float32 and the attention mask (b, L) int64."""
        width = max(len(x) for x in ids)
        arr = np.full((len(ids), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, row in enumerate(ids):
            arr[i, : len(row)] = row
            mask[i, : len(row)] = 1
        emb = np.asarray(self.word_embeddings[arr.reshape(-1)], dtype=np.float32)
        return emb.reshape(len(ids), width, -1), mask
