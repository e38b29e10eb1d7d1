"""Trend modes against a changing outlet mix, and the per-story count on the dashboard's real snapshot."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pyarrow as pa
import pytest

from dashboard.data import Snapshot
from insights.stats import cluster_bootstrap
from insights.trends import apply_mode, fixed_panel, within_outlet
from warehouse.filters import Filters

LINES = ["target", "split_value"]
KEYS = ["period", "target", "split_value"]


def _cells(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    """(period, outlet, n, stance of each article) -> trend cells of one line."""
    return pd.DataFrame([{"period": pd.Timestamp(p), "target": "RU", "split_value": "all", "outlet": o,
                          "n": n, "stance_sum": n * s} for p, o, n, s in rows])


# Outlet A always writes +0.6, B always -0.4 and C +0.1; in the first weeks A writes most, in the last B
# does, and C appears only from week 3. No outlet changes its stance.
MIX = _cells([
    ("2024-01-01", "A", 40, 0.6), ("2024-01-01", "B", 10, -0.4),
    ("2024-01-08", "A", 40, 0.6), ("2024-01-08", "B", 10, -0.4),
    ("2024-01-15", "A", 10, 0.6), ("2024-01-15", "B", 40, -0.4), ("2024-01-15", "C", 30, 0.1),
    ("2024-01-22", "A", 10, 0.6), ("2024-01-22", "B", 40, -0.4), ("2024-01-22", "C", 30, 0.1),
])


def _line(cells: pd.DataFrame) -> pd.Series:
    return cluster_bootstrap(cells, KEYS, n_boot=200).set_index("period")["mean"]


def test_plain_mean_reads_the_mix_change_as_a_stance_change() -> None:
    line = _line(apply_mode(MIX, "plain", LINES))
    assert line.iloc[0] == pytest.approx((40 * 0.6 - 10 * 0.4) / 50)
    assert line.iloc[0] - line.iloc[-1] > 0.45  # a big "drop" (0.49) that no outlet made


def test_within_outlet_shows_no_change_when_no_outlet_changed() -> None:
    line = _line(within_outlet(MIX, LINES))
    assert line.max() - line.min() == pytest.approx(0.0, abs=1e-12)
    # on the scale of stance: the outlets' levels, weighted by their articles
    assert line.iloc[0] == pytest.approx(MIX["stance_sum"].sum() / MIX["n"].sum())


def test_within_outlet_keeps_a_real_change() -> None:
    moved = MIX.copy()
    late = moved["period"] >= pd.Timestamp("2024-01-15")
    moved.loc[late, "stance_sum"] -= moved.loc[late, "n"] * 0.5  # every outlet turns 0.5 more critical
    line = _line(within_outlet(moved, LINES))
    assert line.iloc[0] - line.iloc[-1] == pytest.approx(0.5, abs=1e-4)
    assert line.iloc[0] == pytest.approx(line.iloc[1], abs=1e-4)  # and nothing else
    assert _line(moved).iloc[0] - _line(moved).iloc[-1] > 0.9     # the plain mean doubles it


def test_fixed_panel_keeps_only_outlets_present_in_every_period() -> None:
    panel = fixed_panel(MIX, LINES)
    assert set(panel["outlet"]) == {"A", "B"}
    assert len(panel) == 8
    # a line of its own: an outlet present in every period of the window but on another line stays there
    other = MIX.assign(split_value=["x" if o == "A" else "all" for o in MIX["outlet"]])
    assert set(fixed_panel(other, LINES)["outlet"]) == {"A", "B"}
    with pytest.raises(ValueError, match="trend mode 'median'"):
        apply_mode(MIX, "median", LINES)


def _snapshot(rows: list[tuple[str, str, str, str, datetime, float]]) -> Snapshot:
    """(article id, story id, target, outlet, published, stance) -> the dashboard's in-memory snapshot."""
    facts = pa.Table.from_pylist([
        {"article_id": a, "published_at": p, "day": p.date(), "target": t, "outlet": o,
         "outlet_country": o.rsplit(".", 1)[-1].upper(), "language": "ru", "stance": s, "label": "neutral",
         "confidence": 0.5, "mention_count": 1, "story_key": hash(story) & 0x7FFFFFFFFFFFFFFF}
        for a, story, t, o, p, s in rows])
    meta = pa.Table.from_pylist([{"id": r[0], "title": r[0], "url": f"https://x/{r[0]}"} for r in rows])
    return Snapshot(facts, meta, ("test",))


def test_per_story_counts_wire_copies_once_at_the_first_copy() -> None:
    monday = datetime(2024, 1, 1, 9)
    snap = _snapshot([
        # one TASS story copied by two Kazakh outlets the next days: one story, at tass.ru, on Monday
        ("a1", "s1", "KZ", "tass.ru", monday, -0.6),
        ("a2", "s1", "KZ", "tengrinews.kz", monday + timedelta(days=1), -0.4),
        ("a3", "s1", "KZ", "kazinform.kz", monday + timedelta(days=8), -0.5),  # a copy a week later
        ("a4", "s2", "KZ", "tengrinews.kz", monday + timedelta(hours=2), 0.2),   # a story of its own
        ("a5", "s1", "UA", "tass.ru", monday, 0.0),  # the same story about another target: counted there
    ])
    params = {**Filters().params(), "grain": "week"}
    plain = snap.df("dashboard_mem_trend", params)
    stories = snap.df("coverage_mem_story_trend", params)
    assert plain["n"].sum() == 5
    assert stories["n"].sum() == 3
    kz = stories[stories["target"] == "KZ"].set_index("outlet")
    assert set(kz.index) == {"tass.ru", "tengrinews.kz"}
    assert pd.Timestamp(kz.loc["tass.ru", "period"]) == pd.Timestamp(date(2024, 1, 1))
    assert kz.loc["tass.ru", "stance_sum"] == pytest.approx(-0.5)   # the mean of its three copies
    # With a filter, only the copies that pass it form the story: Kazakh outlets only -> first copy a2.
    kazakh = snap.df("coverage_mem_story_trend", {**Filters(outlet_countries=("KZ",)).params(), "grain": "week"})
    assert len(kazakh) == 1  # s1 (first copy a2) and s2, both tengrinews.kz in the first week
    cell = kazakh.iloc[0]
    assert cell["outlet"] == "tengrinews.kz" and cell["n"] == 2
    assert cell["stance_sum"] == pytest.approx(-0.45 + 0.2)  # s1: mean of a2 and a3; s2: a4
