"""Hand-made mention check sets: sentences with gold country spans, and the matcher's recall and precision on them.

A check set is a text file, one sentence per line, each country mention marked `[[surface|CODE]]`; lines
starting with `#` are comments. The marks are stripped to give the sentence and the gold spans' offsets, so
offsets can never drift from the text. tests/analysis/checksets/ holds one file per language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import GazetteerError
from analysis.gazetteer import Mention

_MARK = re.compile(r"\[\[([^\[\]|]+)\|([A-Z]{2,5})\]\]")


@dataclass(frozen=True)
class GoldSpan:
    """A country mention a person marked: the country and its character offsets (end exclusive)."""

    country: str
    start: int
    end: int


@dataclass(frozen=True)
class CheckSentence:
    """One check-set sentence: its text (marks stripped), gold spans, and where it came from."""

    text: str
    gold: tuple[GoldSpan, ...]
    where: str


def parse_line(line: str, where: str = "") -> CheckSentence:
    """Strip the [[surface|CODE]] marks from a line, keeping each mark's offsets in the stripped text."""
    parts: list[str] = []
    gold: list[GoldSpan] = []
    cursor = length = 0
    for m in _MARK.finditer(line):
        before = line[cursor:m.start()]
        parts.append(before)
        length += len(before)
        surface = m.group(1)
        gold.append(GoldSpan(m.group(2), length, length + len(surface)))
        parts.append(surface)
        length += len(surface)
        cursor = m.end()
    parts.append(line[cursor:])
    text = "".join(parts)
    if "[[" in text or "]]" in text:
        raise GazetteerError(f"{where}: a [[...]] mark is not of the form [[surface|CODE]]: {line!r}")
    return CheckSentence(text, tuple(gold), where)


def load(path: Path) -> list[CheckSentence]:
    """Every sentence of a check-set file."""
    items = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line and not line.startswith("#"):
            items.append(parse_line(line, f"{path}:{number}"))
    return items


@dataclass
class Scores:
    """Recall and precision of (sentence, country) pairs and of exact spans, with the misses listed."""

    pairs_gold: int = 0
    pairs_found: int = 0
    pairs_hit: int = 0
    spans_gold: int = 0
    spans_found: int = 0
    spans_hit: int = 0
    misses: list[str] = field(default_factory=list)
    false_hits: list[str] = field(default_factory=list)

    @staticmethod
    def _ratio(hit: int, total: int) -> float:
        return hit / total if total else 1.0

    @property
    def pair_recall(self) -> float:
        """Share of gold (sentence, country) pairs found."""
        return self._ratio(self.pairs_hit, self.pairs_gold)

    @property
    def pair_precision(self) -> float:
        """Share of found (sentence, country) pairs that are gold."""
        return self._ratio(self.pairs_hit, self.pairs_found)

    @property
    def span_recall(self) -> float:
        """Share of gold spans found with exactly their offsets and country."""
        return self._ratio(self.spans_hit, self.spans_gold)

    @property
    def span_precision(self) -> float:
        """Share of found spans that are gold, offsets and country both."""
        return self._ratio(self.spans_hit, self.spans_found)


def score(items: Iterable[CheckSentence], find: Callable[[str], list[Mention]]) -> Scores:
    """Compare find's mentions with the gold spans, sentence by sentence."""
    scores = Scores()
    for item in items:
        found = find(item.text)
        gold_spans = {(g.country, g.start, g.end) for g in item.gold}
        found_spans = {(m.country, m.start, m.end) for m in found}
        gold_pairs = {g.country for g in item.gold}
        found_pairs = {m.country for m in found}
        scores.pairs_gold += len(gold_pairs)
        scores.pairs_found += len(found_pairs)
        scores.pairs_hit += len(gold_pairs & found_pairs)
        scores.spans_gold += len(gold_spans)
        scores.spans_found += len(found_spans)
        scores.spans_hit += len(gold_spans & found_spans)
        for code, start, end in sorted(gold_spans - found_spans, key=lambda s: s[1]):
            scores.misses.append(f"{item.where}: missed {code} {item.text[start:end]!r} [{start}:{end}]")
        for code, start, end in sorted(found_spans - gold_spans, key=lambda s: s[1]):
            scores.false_hits.append(f"{item.where}: found {code} {item.text[start:end]!r} [{start}:{end}]")
    return scores
