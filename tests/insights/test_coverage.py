"""The coverage expectation: each outlet against its own history, and the selection's low periods."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from pydantic import ValidationError

from insights.coverage import TrendsSettings, expected_daily, low_spans, period_coverage, period_start

RULE = TrendsSettings(low_coverage_ratio=0.5, coverage_history_days=7, coverage_min_history_days=3)
START = date(2024, 1, 1)  # a Monday


def _counts(per_day: dict[str, list[int]], start: date = START) -> pd.DataFrame:
    rows = [{"outlet": o, "day": start + timedelta(days=i), "n": n}
            for o, series in per_day.items() for i, n in enumerate(series) if n > 0]
    return pd.DataFrame(rows)


def test_expected_is_the_mean_of_the_days_before_with_silent_days_as_zero() -> None:
    # 2 a day for a week, a silent day, then 2 again; 'late' starts on day 5.
    daily = expected_daily(_counts({"a": [2, 2, 2, 2, 2, 2, 2, 0, 2], "late": [0, 0, 0, 0, 0, 4, 4, 4, 4]}), RULE)
    a = daily[daily["outlet"] == "a"].set_index("day")
    assert a["expected"].isna().sum() == 3                       # days 0-2: under 3 days of history
    assert a.loc[pd.Timestamp(START + timedelta(days=3)), "expected"] == pytest.approx(2.0)
    assert a.loc[pd.Timestamp(START + timedelta(days=7)), "observed"] == 0.0  # the silent day is a zero
    assert a.loc[pd.Timestamp(START + timedelta(days=8)), "expected"] == pytest.approx(12 / 7)  # 6 x 2 + 0
    late = daily[daily["outlet"] == "late"]
    assert late["day"].min() == pd.Timestamp(START + timedelta(days=5))  # nothing before its first article
    assert late["expected"].notna().sum() == 1                    # day 8 only: 3 days of its history


def test_an_outlet_that_stops_is_counted_as_zero_up_to_the_last_day() -> None:
    daily = expected_daily(_counts({"a": [1] * 10, "b": [3] * 14}), RULE)
    a = daily[daily["outlet"] == "a"]
    assert a["day"].max() == pd.Timestamp(START + timedelta(days=13))
    assert (a.loc[a["day"] >= pd.Timestamp(START + timedelta(days=10)), "observed"] == 0).all()
    later = expected_daily(_counts({"a": [1] * 10}), RULE, until=START + timedelta(days=20))
    assert later["day"].max() == pd.Timestamp(START + timedelta(days=20))


def test_a_period_under_half_of_expected_is_low_and_shaded() -> None:
    # Two outlets, 4 and 2 a day for three weeks; in week 3 the big one stops: 2 of 6 expected.
    counts = _counts({"big": [4] * 14 + [0] * 7, "small": [2] * 21})
    weekly = period_coverage(expected_daily(counts, RULE), "week", RULE).set_index("period")
    assert weekly.loc[pd.Timestamp(START + timedelta(days=7)), "coverage"] == pytest.approx(1.0)
    week3 = weekly.loc[pd.Timestamp(START + timedelta(days=14))]
    # expected in week 3: the small one 2/day; the big one's trailing mean falls 4, 24/7, 20/7, ... as it is silent
    assert week3["observed"] == 14
    assert week3["coverage"] < 0.5 and week3["low"]
    assert not weekly.loc[pd.Timestamp(START + timedelta(days=7)), "low"]
    assert low_spans(weekly.reset_index(), "week") == [(pd.Timestamp(START + timedelta(days=14)),
                                                        pd.Timestamp(START + timedelta(days=21)))]
    # The small outlet alone kept its volume: its selection is never low.
    small = expected_daily(counts, RULE)
    assert not period_coverage(small[small["outlet"] == "small"], "week", RULE)["low"].any()


def test_adjacent_low_periods_make_one_span() -> None:
    frame = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-05"]),
                          "low": [True, True, False, True]})
    assert low_spans(frame, "day") == [(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-03")),
                                       (pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-06"))]


def test_periods_start_where_duckdb_date_trunc_starts_them() -> None:
    days = pd.Series(pd.to_datetime(["2024-01-03", "2024-01-07", "2024-02-29"]))
    assert list(period_start(days, "week")) == list(pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-26"]))
    assert list(period_start(days, "month")) == list(pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01"]))
    with pytest.raises(ValueError, match="granularity 'year'"):
        period_start(days, "year")


def test_nothing_expected_yet_means_no_coverage_rather_than_low() -> None:
    weekly = period_coverage(expected_daily(_counts({"a": [1, 1]}), RULE), "week", RULE)
    assert weekly.empty
    assert expected_daily(pd.DataFrame(columns=["outlet", "day", "n"]), RULE).empty


def test_the_rule_is_checked_where_it_is_read() -> None:
    with pytest.raises(ValidationError, match="low_coverage_ratio"):
        TrendsSettings(low_coverage_ratio=1.5, coverage_history_days=28, coverage_min_history_days=7)
    with pytest.raises(ValidationError, match=r"coverage_min_history_days \(30\) is above"):
        TrendsSettings(low_coverage_ratio=0.5, coverage_history_days=28, coverage_min_history_days=30)
    with pytest.raises(ValidationError, match="extra"):
        TrendsSettings.model_validate({"low_coverage_ratio": 0.5, "coverage_history_days": 28,
                                       "coverage_min_history_days": 7, "history": 3})
