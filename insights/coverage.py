"""Coverage: how many articles each outlet published against what its own history leads one to expect.

Expected articles of an outlet on a day = its mean daily count over the ``history_days`` days before
that day (days without articles count as zero; nothing is expected before the outlet's first article,
nor before it has ``min_history_days`` days of history). A period's coverage for a selection of outlets
is the sum of their observed articles over the sum of their expected ones, both taken over the days
that have an expectation; a period whose coverage is under ``low_ratio`` is flagged ``low``, so a chart
can shade it: a dip there may be missing articles, not a change of stance.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

GRAINS = ("day", "week", "month")


class TrendsSettings(BaseModel):
    """The ``[trends]`` settings: the coverage rule (the shell's Settings composes this as its table; no
    defaults here: ``stancewatch/defaults.toml`` holds them, commented)."""

    # allow_inf_nan: TOML has inf and nan, which would otherwise pass the bounds below.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    low_coverage_ratio: float = Field(gt=0, le=1)
    coverage_history_days: int = Field(ge=1, le=366)
    coverage_min_history_days: int = Field(ge=1, le=366)

    @model_validator(mode="after")
    def _history_fits(self) -> TrendsSettings:
        if self.coverage_min_history_days > self.coverage_history_days:
            raise ValueError(f"coverage_min_history_days ({self.coverage_min_history_days}) is above "
                             f"coverage_history_days ({self.coverage_history_days}): no day could have enough")
        return self


def period_start(days: pd.Series, grain: str) -> pd.Series:
    """The first day of each day's period: the day itself, its ISO week's Monday, or the 1st of its month
    (DuckDB's date_trunc, which the trend queries use)."""
    stamps = pd.to_datetime(days)
    if grain == "day":
        return stamps.dt.normalize()
    if grain == "week":
        return (stamps - pd.to_timedelta(stamps.dt.day_of_week, unit="D")).dt.normalize()
    if grain == "month":
        return stamps.dt.to_period("M").dt.to_timestamp()
    raise ValueError(f"granularity {grain!r}: expected one of {', '.join(GRAINS)}")


def expected_daily(counts: pd.DataFrame, rule: TrendsSettings, *, until: date | None = None) -> pd.DataFrame:
    """Per outlet and day from its first article to ``until`` (default: the last day in ``counts``):
    observed and expected articles (expected NaN where the outlet has too little history).

    ``counts`` has columns outlet, day, n (articles that outlet published that day, scored or not).
    """
    columns = ["outlet", "day", "observed", "expected"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    daily = counts.assign(day=pd.to_datetime(counts["day"]).dt.normalize())
    grid = daily.pivot_table(index="day", columns="outlet", values="n", aggfunc="sum")
    last = pd.Timestamp(until) if until is not None else grid.index.max()
    grid = grid.reindex(pd.date_range(grid.index.min(), last, freq="D"))
    first_day = grid.notna().idxmax()  # each outlet's first day with articles
    started = pd.DataFrame({o: grid.index >= first_day[o] for o in grid.columns}, index=grid.index)
    observed = grid.fillna(0.0).where(started)
    # The mean of the days before (shift 1), over at least min_history_days days of the outlet's history.
    expected = observed.rolling(rule.coverage_history_days, min_periods=rule.coverage_min_history_days).mean().shift(1)
    out = pd.DataFrame({"observed": observed.stack(future_stack=True),
                        "expected": expected.stack(future_stack=True)})
    out = out[out["observed"].notna()].reset_index()
    out.columns = ["day", "outlet", "observed", "expected"]
    return out[columns].sort_values(["outlet", "day"]).reset_index(drop=True)


def period_coverage(daily: pd.DataFrame, grain: str, rule: TrendsSettings) -> pd.DataFrame:
    """Coverage per period of the outlets in ``daily`` (from expected_daily, narrowed to a selection):
    columns period, observed, expected, coverage (observed / expected) and low (coverage under the rule's
    ratio). Periods where nothing is expected yet have no coverage and are never low."""
    columns = ["period", "observed", "expected", "coverage", "low"]
    known = daily[daily["expected"].notna()]
    if known.empty:
        return pd.DataFrame(columns=columns)
    per = (known.assign(period=period_start(known["day"], grain))
           .groupby("period", sort=True)[["observed", "expected"]].sum().reset_index())
    per["coverage"] = per["observed"] / per["expected"].where(per["expected"] > 0, np.nan)
    per["low"] = per["coverage"].notna() & (per["coverage"] < rule.low_coverage_ratio)
    return per[columns]


def low_spans(coverage: pd.DataFrame, grain: str) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Runs of consecutive low periods as (first day, day after the last period) pairs, for shading."""
    spans: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    for period in coverage.loc[coverage["low"].astype(bool), "period"].sort_values():
        start = pd.Timestamp(period)
        end = _next_period(start, grain)
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _next_period(start: pd.Timestamp, grain: str) -> pd.Timestamp:
    if grain == "day":
        return start + pd.Timedelta(days=1)
    if grain == "week":
        return start + pd.Timedelta(days=7)
    if grain == "month":
        return start + pd.offsets.MonthBegin(1)
    raise ValueError(f"granularity {grain!r}: expected one of {', '.join(GRAINS)}")
