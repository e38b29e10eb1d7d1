"""Target marking, metrics and calibration math."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.encoders.marking import MAX_CHARS, mark
from analysis.evaluation import bootstrap_difference, bootstrap_interval, ece, fit_temperature, metrics, nll, softmax
from analysis.model import Target


def test_target_and_others_marked_differently() -> None:
    s = "Russia accused Kazakhstan and China of delays."
    t = Target(s, 0, 6, others=((15, 25), (30, 35)), language="en")
    assert t.marked() == "<< Russia >> accused [ Kazakhstan ] and [ China ] of delays."


def test_overlapping_and_out_of_range_others_are_dropped() -> None:
    s = "The United States and Iran"
    assert mark(s, 4, 17, others=((11, 17), (22, 26), (40, 50))) == "The << United States >> and [ Iran ]"


def test_bad_target_span_raises() -> None:
    with pytest.raises(ValueError):
        mark("short", 3, 10)


def test_long_sentence_is_cropped_around_target() -> None:
    s = "word " * 300 + "Ukraine " + "word " * 300
    start = s.index("Ukraine")
    out = mark(s, start, start + 7)
    assert "<< Ukraine >>" in out and len(out) <= MAX_CHARS
    assert not out.startswith("ord") and not out.endswith("wor")


def test_metrics_on_known_confusion() -> None:
    gold = np.array([0, 0, 1, 1, 2, 2])
    pred = np.array([0, 1, 1, 1, 2, 0])
    m = metrics(gold, pred)
    assert m["confusion"]["matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    f_neg, f_neu, f_pos = 0.5, 0.8, 2 / 3
    assert m["macro_f1"] == pytest.approx((f_neg + f_neu + f_pos) / 3)
    assert m["f1_pn"] == pytest.approx((f_neg + f_pos) / 2)
    assert m["accuracy"] == pytest.approx(4 / 6) and m["n"] == 6


def test_class_never_seen_counts_as_zero_f1() -> None:
    m = metrics(np.array([1, 1]), np.array([1, 1]))
    assert m["f1"]["neutral"] == 1.0 and m["f1"]["negative"] == 0.0 and m["f1_pn"] == 0.0


def test_temperature_fit_recovers_overconfidence() -> None:
    rng = np.random.default_rng(0)
    true_logits = rng.normal(size=(4000, 3)) * 1.5
    p = softmax(true_logits)
    gold = np.array([rng.choice(3, p=row) for row in p])
    scaled = true_logits * 3.0  # an over-confident model: the right temperature is 3
    t = fit_temperature(scaled, gold)
    assert t == pytest.approx(3.0, rel=0.1)
    assert nll(scaled, gold, t) < nll(scaled, gold)
    assert ece(softmax(scaled, t), gold) < ece(softmax(scaled), gold)


def test_ece_of_perfectly_calibrated_is_small() -> None:
    probs = np.array([[0.9, 0.05, 0.05]] * 10)
    gold = np.array([0] * 9 + [1])
    assert ece(probs, gold) == pytest.approx(0.0, abs=1e-9)


def test_bootstrap_interval_holds_the_point_and_narrows_with_more_rows() -> None:
    rng = np.random.default_rng(3)
    gold = rng.integers(0, 3, 400)
    pred = np.where(rng.random(400) < 0.7, gold, rng.integers(0, 3, 400))  # about 70% right
    point = metrics(gold, pred)["f1_pn"]
    lo, hi = bootstrap_interval(gold, pred, "f1_pn", rounds=500)
    assert lo < point < hi
    small_lo, small_hi = bootstrap_interval(gold[:50], pred[:50], "f1_pn", rounds=500)
    assert (small_hi - small_lo) > (hi - lo)


def test_bootstrap_of_a_model_against_itself_is_zero_and_grouped_rows_move_together() -> None:
    gold = np.array([0, 1, 2, 2, 1, 0] * 20)
    pred = np.array([0, 1, 1, 2, 1, 2] * 20)
    same = bootstrap_difference(gold, pred, pred, rounds=200)
    assert same == {"difference": 0.0, "lo": 0.0, "hi": 0.0}
    # One group holding every row: every resample is the whole set, so the interval is the point.
    lo, hi = bootstrap_interval(gold, pred, groups=np.zeros(len(gold)), rounds=50)
    assert lo == pytest.approx(metrics(gold, pred)["f1_pn"]) == pytest.approx(hi)
