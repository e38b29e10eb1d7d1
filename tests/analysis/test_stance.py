"""Aggregating mention probabilities into an article's stance toward a country."""

from __future__ import annotations

import pytest

from insights.stance import EVIDENCE_SIZE, THRESHOLD, TITLE_WEIGHT, ScoredMention, aggregate, label_for


def m(neg: float, neu: float, pos: float, sentence: str = "s", in_title: bool = False, index: int = 0
      ) -> ScoredMention:
    return ScoredMention(sentence, neg, neu, pos, in_title, index)


def test_single_negative_mention() -> None:
    s = aggregate([m(0.8, 0.15, 0.05)])
    assert s.stance == pytest.approx(-0.75)
    assert s.label == "critical"
    assert s.confidence == pytest.approx(0.8 * 1 / 2)
    assert s.mention_count == 1


def test_confidence_weighted_mean() -> None:
    a, b = m(0.9, 0.05, 0.05, "a"), m(0.1, 0.3, 0.6, "b", index=1)
    s = aggregate([a, b])
    expected = (0.9 * (0.05 - 0.9) + 0.6 * (0.6 - 0.1)) / (0.9 + 0.6)
    assert s.stance == pytest.approx(expected, abs=1e-6)


def test_title_weighs_more() -> None:
    body, title = m(0.1, 0.1, 0.8, "body", index=1), m(0.8, 0.1, 0.1, "title", in_title=True)
    s = aggregate([title, body])
    expected = (TITLE_WEIGHT * 0.8 * -0.7 + 0.8 * 0.7) / (TITLE_WEIGHT * 0.8 + 0.8)
    assert s.stance == pytest.approx(expected, abs=1e-6)
    assert s.label == "critical"


def test_confident_neutral_pulls_toward_zero() -> None:
    s = aggregate([m(0.05, 0.05, 0.9, "a"), m(0.0, 1.0, 0.0, "b"), m(0.0, 1.0, 0.0, "c")])
    assert 0 < s.stance < 0.9 * 0.85
    assert s.mention_count == 3


@pytest.mark.parametrize(("value", "label"), [
    (-1.0, "critical"), (-THRESHOLD, "critical"), (-THRESHOLD + 0.01, "neutral"), (0.0, "neutral"),
    (THRESHOLD - 0.01, "neutral"), (THRESHOLD, "favourable"), (1.0, "favourable"),
])
def test_labels(value: float, label: str) -> None:
    assert label_for(value) == label


def test_bounds_and_confidence_grows_with_mentions() -> None:
    one = aggregate([m(0.0, 0.0, 1.0)])
    many = aggregate([m(0.0, 0.0, 1.0, str(i)) for i in range(9)])
    assert one.stance == 1.0 and many.stance == 1.0
    assert one.confidence < many.confidence <= 1.0


def test_evidence_top_by_polarity_one_per_sentence() -> None:
    mentions = [m(0.1, 0.8, 0.1, "calm", index=0), m(0.9, 0.05, 0.05, "angry", index=1),
                m(0.85, 0.1, 0.05, "angry", index=1), m(0.05, 0.15, 0.8, "happy", index=2),
                m(0.3, 0.4, 0.3, "meh", index=3)]
    ev = aggregate(mentions).evidence
    assert [e["sentence"] for e in ev] == ["angry", "happy", "calm"][:EVIDENCE_SIZE]
    assert ev[0]["polarity"] == pytest.approx(-0.85)


def test_zero_probabilities_and_empty_input() -> None:
    assert aggregate([m(0.0, 0.0, 0.0)]).stance == 0.0
    with pytest.raises(ValueError):
        aggregate([])
