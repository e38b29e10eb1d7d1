"""Exact and near-duplicate detection: a content hash, and MinHash LSH over word shingles for story ids.

Syndicated and wire copies of one story differ in boilerplate, bylines and small edits, so exact hashes miss
them. Each article's word 4-shingles go into a MinHash; an LSH index finds earlier articles whose estimated
Jaccard similarity passes the threshold, and the new article joins the story of the most similar one. The
first copy stored names the story (its own id); every copy is kept as its own article.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE_WORDS = 4
THRESHOLD = 0.6
_WORD = re.compile(r"\w+", re.UNICODE)


def normalise_text(text: str) -> str:
    """Lowercase words joined by single spaces: the form both hashes are taken over."""
    return " ".join(_WORD.findall(text.lower()))


def content_hash(text: str) -> str:
    """sha1 of the normalised text: equal for copies that differ only in spacing, case or punctuation."""
    return hashlib.sha1(normalise_text(text).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The set of word n-grams of the normalised text (the whole text when shorter than n words)."""
    words = normalise_text(text).split()
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def signature(text: str) -> np.ndarray:
    """The MinHash signature of the text (uint32 values, NUM_PERM of them)."""
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32")
    minhash.update_batch(list(shingles(text)))
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def signature_bytes(values: np.ndarray) -> bytes:
    """Serialise a signature for the warehouse."""
    return np.asarray(values, dtype="<u4").tobytes()


def signature_from_bytes(blob: bytes) -> np.ndarray:
    """Read a signature stored by signature_bytes."""
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def _minhash(values: np.ndarray) -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, hashvalues=values, scheme="affine32")


@dataclass(frozen=True)
class Known:
    """An article already indexed: its story and signature."""

    article_id: str
    story_id: str
    content_hash: str


class StoryIndex:
    """Assigns story ids: same content hash or near-duplicate text means same story."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._known: dict[str, Known] = {}
        self._by_hash: dict[str, str] = {}
        self._signatures: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._known)

    def add(self, article_id: str, story_id: str, chash: str, values: np.ndarray) -> None:
        """Index an article whose story is already decided (one loaded from the warehouse)."""
        if article_id in self._known:
            return
        self._known[article_id] = Known(article_id, story_id, chash)
        self._by_hash.setdefault(chash, story_id)
        self._signatures[article_id] = values
        self._lsh.insert(article_id, _minhash(values))

    def load(self, rows: Iterable[tuple[str, str, str, bytes]]) -> None:
        """Index (article id, story id, content hash, signature bytes) rows from earlier runs."""
        for aid, story, chash, blob in rows:
            self.add(aid, story, chash, signature_from_bytes(blob))

    def assign(self, article_id: str, chash: str, values: np.ndarray) -> str:
        """Return the story id for an article and index it: an earlier copy's story, or its own id."""
        known = self._known.get(article_id)
        if known is not None:  # a refreshed article keeps its story
            return known.story_id
        story = self._by_hash.get(chash)
        if story is None:
            query = _minhash(values)
            best, best_score = None, self.threshold
            for candidate in self._lsh.query(query):
                score = float(np.mean(self._signatures[candidate] == values))
                if score >= best_score:
                    best, best_score = candidate, score
            story = self._known[best].story_id if best is not None else article_id
        self.add(article_id, story, chash, values)
        return story
