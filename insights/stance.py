"""Aggregate per-mention probabilities into an article's stance toward one country.

The formula (one article, one country, mentions i = 1..n with model probabilities p_neg, p_neu, p_pos):

    s_i = p_pos_i - p_neg_i                              the mention's polarity, in [-1, 1]
    w_i = (TITLE_WEIGHT if the mention is in the title else 1) * max(p_neg_i, p_neu_i, p_pos_i)
    stance = sum(w_i * s_i) / sum(w_i)                   a confidence-weighted mean, in [-1, 1]

A mention the model is sure about counts more than one it hesitates on; a sure *neutral* mention pulls the
stance toward 0, as it should. Headlines state the angle of a story, so title mentions weigh TITLE_WEIGHT times.

    label = critical if stance <= -THRESHOLD, favourable if stance >= THRESHOLD, else neutral
    confidence = (sum(w_i * P_i(label)) / sum(w_i)) * n / (n + 1)

where P_i(label) is mention i's probability of the label's class (negative for critical, positive for
favourable, neutral for neutral): how strongly the mentions back the label, shrunk toward 0 when there are
few of them (one mention can give at most 0.5, two at most 0.67). Evidence: the EVIDENCE_SIZE mentions with
the largest |s_i| (ties by weight), one per sentence.

AGGREGATION_VERSION names this formula and its constants. Bump it whenever the formula, a threshold,
a weight or the evidence rule changes: stored article stances carry the version they were aggregated
with, and `stancewatch score` re-aggregates a model's stored mention probabilities (without running the
model again) when the stored version is not this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Bump on any change to the formula or the constants below (see the module docstring).
AGGREGATION_VERSION = 1
TITLE_WEIGHT = 2.0
THRESHOLD = 0.15
EVIDENCE_SIZE = 3
LABELS = ("critical", "neutral", "favourable")


@dataclass(frozen=True)
class ScoredMention:
    """One mention's sentence and the model's probabilities toward the mentioned country."""

    sentence: str
    p_negative: float
    p_neutral: float
    p_positive: float
    in_title: bool = False
    sentence_index: int = 0
    surface: str = ""

    @property
    def polarity(self) -> float:
        """p_positive - p_negative, in [-1, 1]."""
        return self.p_positive - self.p_negative

    @property
    def weight(self) -> float:
        """The mention's weight in the mean: the model's top probability, times TITLE_WEIGHT in the title."""
        top = max(self.p_negative, self.p_neutral, self.p_positive)
        return top * (TITLE_WEIGHT if self.in_title else 1.0)


@dataclass(frozen=True)
class Stance:
    """An article's stance toward one country."""

    stance: float
    label: str
    confidence: float
    mention_count: int
    evidence: list[dict[str, Any]]


def label_for(stance: float) -> str:
    """critical, neutral or favourable for a stance value (thresholds at +-THRESHOLD)."""
    if stance <= -THRESHOLD:
        return "critical"
    if stance >= THRESHOLD:
        return "favourable"
    return "neutral"


def _label_probability(m: ScoredMention, label: str) -> float:
    if label == "critical":
        return m.p_negative
    if label == "favourable":
        return m.p_positive
    return m.p_neutral


def aggregate(mentions: Sequence[ScoredMention]) -> Stance:
    """The article's stance toward a country from its mentions (see the module docstring for the formula)."""
    if not mentions:
        raise ValueError("aggregate needs at least one mention")
    weights = [m.weight for m in mentions]
    total = sum(weights)
    if total <= 0:  # all-zero probabilities: fall back to an unweighted mean
        weights = [1.0] * len(mentions)
        total = float(len(mentions))
    stance = sum(w * m.polarity for w, m in zip(weights, mentions, strict=True)) / total
    stance = max(-1.0, min(1.0, stance))
    label = label_for(stance)
    n = len(mentions)
    support = sum(w * _label_probability(m, label) for w, m in zip(weights, mentions, strict=True)) / total
    confidence = max(0.0, min(1.0, support * n / (n + 1)))
    return Stance(round(stance, 6), label, round(confidence, 6), n, evidence(mentions))


def evidence(mentions: Sequence[ScoredMention], size: int = EVIDENCE_SIZE) -> list[dict[str, Any]]:
    """The sentences that drove the stance: largest |p_pos - p_neg| first, one entry per sentence."""
    ranked = sorted(mentions, key=lambda m: (-abs(m.polarity), -m.weight, m.sentence_index))
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for m in ranked:
        if m.sentence in seen:
            continue
        seen.add(m.sentence)
        out.append({
            "sentence": m.sentence, "sentence_index": m.sentence_index, "surface": m.surface,
            "in_title": m.in_title, "polarity": round(m.polarity, 4),
            "p_negative": round(m.p_negative, 4), "p_neutral": round(m.p_neutral, 4),
            "p_positive": round(m.p_positive, 4),
        })
        if len(out) == size:
            break
    return out
