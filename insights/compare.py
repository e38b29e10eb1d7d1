"""What changed between two periods: the stance difference toward a target, its interval, the outlets
behind it and the sentences that moved most.

Two differences are reported. The plain one is the after mean minus the before mean, each an
article-weighted mean with its cluster-bootstrap interval. The headline one is the change *within
outlets*: for each outlet with articles in both periods, its own after mean minus its before mean,
averaged with weights n_before * n_after / (n_before + n_after) (the inverse of the variance of a
difference of two means, so an outlet with 2 articles on one side does not count like one with 200);
its 95% interval resamples those outlets (``insights.stats.cluster_bootstrap``). An outlet's
contribution is its weighted change over the sum of weights: the contributions add up to the headline
difference. Outlets seen in one period only move the plain difference, not the headline one.

A sentence moved when its mention's score (P(positive) - P(negative)) in the after period lies far,
in the direction of the change, from its outlet's before-period mean stance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from insights.stats import cluster_bootstrap
from warehouse import reader
from warehouse.filters import Filters

TOP_OUTLETS = 10
TOP_SENTENCES = 10
# An outlet needs at least this many articles in each period to enter the within-outlet change.
MIN_ARTICLES_EACH_SIDE = 1


@dataclass(frozen=True)
class Period:
    """An inclusive range of publication days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period {self.start}:{self.end}: the start is after the end")

    def __str__(self) -> str:
        return f"{self.start.isoformat()}:{self.end.isoformat()}"


def parse_period(text: str, *, what: str = "period") -> Period:
    """Read FROM:TO (YYYY-MM-DD:YYYY-MM-DD, both inclusive); raise ValueError saying what was expected."""
    parts = text.strip().split(":")
    if len(parts) != 2:
        raise ValueError(f"{what} {text!r}: expected FROM:TO, such as 2022-01-01:2022-02-23")
    try:
        start, end = (date.fromisoformat(p.strip()) for p in parts)
    except ValueError:
        raise ValueError(f"{what} {text!r}: expected dates as YYYY-MM-DD, such as 2022-01-01:2022-02-23") from None
    try:
        return Period(start, end)
    except ValueError as exc:
        raise ValueError(f"{what} {text!r}: {exc}") from None


@dataclass(frozen=True)
class Side:
    """One period's article-weighted mean stance with its cluster-bootstrap interval."""

    period: Period
    mean: float | None
    lo: float | None
    hi: float | None
    n_articles: int
    n_outlets: int


@dataclass(frozen=True)
class Comparison:
    """The stance change between two periods; ``outlets`` and ``sentences`` are ranked tables."""

    target: str
    outlet_countries: tuple[str, ...]
    before: Side
    after: Side
    plain_difference: float | None
    difference: float | None   # within outlets
    lo: float | None
    hi: float | None
    n_outlets_both: int
    outlets: pd.DataFrame      # outlet, n_before, n_after, mean_before, mean_after, change, contribution, status
    sentences: pd.DataFrame    # published_at, outlet, article_id, title, url, sentence, score, baseline, moved

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values for `stancewatch compare --json`."""
        def side(s: Side) -> dict[str, Any]:
            return {"from": s.period.start.isoformat(), "to": s.period.end.isoformat(), "mean": s.mean,
                    "lo": s.lo, "hi": s.hi, "n_articles": s.n_articles, "n_outlets": s.n_outlets}

        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            clean = df.astype(object).where(df.notna(), None)
            return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
                    for r in clean.to_dict("records")]

        return {"target": self.target, "outlet_countries": list(self.outlet_countries),
                "before": side(self.before), "after": side(self.after),
                "plain_difference": self.plain_difference, "difference": self.difference,
                "lo": self.lo, "hi": self.hi, "n_outlets_both": self.n_outlets_both,
                "outlets": rows(self.outlets), "sentences": rows(self.sentences)}


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _side(cells: pd.DataFrame, period: Period) -> Side:
    if cells.empty or cells["n"].sum() == 0:
        return Side(period, None, None, None, 0, 0)
    row = cluster_bootstrap(cells.assign(side="x"), ["side"]).iloc[0]
    return Side(period, _num(row["mean"]), _num(row["lo"]), _num(row["hi"]), int(row["n_articles"]),
                int(row["n_outlets"]))


def outlet_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Per outlet (cells with outlet, n, stance_sum per period): counts, means, change, weight, status."""
    b = before.groupby("outlet")[["n", "stance_sum"]].sum()
    a = after.groupby("outlet")[["n", "stance_sum"]].sum()
    both = b.add_suffix("_before").join(a.add_suffix("_after"), how="outer").fillna(0.0)
    out = pd.DataFrame(index=both.index)
    out["n_before"] = both["n_before"].astype(int)
    out["n_after"] = both["n_after"].astype(int)
    out["mean_before"] = both["stance_sum_before"] / both["n_before"].where(both["n_before"] > 0, np.nan)
    out["mean_after"] = both["stance_sum_after"] / both["n_after"].where(both["n_after"] > 0, np.nan)
    paired = (out["n_before"] >= MIN_ARTICLES_EACH_SIDE) & (out["n_after"] >= MIN_ARTICLES_EACH_SIDE)
    out["change"] = (out["mean_after"] - out["mean_before"]).where(paired)
    total = out["n_before"] + out["n_after"]
    out["weight"] = (out["n_before"] * out["n_after"] / total.where(total > 0, np.nan)).where(paired, 0.0)
    out["status"] = np.where(paired, "both", np.where(out["n_after"] > 0, "only after", "only before"))
    return out.reset_index().rename(columns={"index": "outlet"})


def compare_cells(target: str, outlet_countries: tuple[str, ...], before_period: Period, after_period: Period,
                  before: pd.DataFrame, after: pd.DataFrame, sentences: pd.DataFrame | None = None) -> Comparison:
    """The comparison from each period's cells (outlet, n, stance_sum) and the after period's mentions
    (outlet, score, ...; see moved_sentences)."""
    b_side, a_side = _side(before, before_period), _side(after, after_period)
    plain = (a_side.mean - b_side.mean) if a_side.mean is not None and b_side.mean is not None else None
    outlets = outlet_changes(before, after)
    paired = outlets[outlets["status"] == "both"]
    difference = lo = hi = None
    if not paired.empty:
        weights = paired["weight"].sum()
        outlets["contribution"] = outlets["change"] * outlets["weight"] / weights
        # The weighted mean of per-outlet changes is a ratio of sums: the cluster bootstrap's own form.
        cells = pd.DataFrame({"side": "change", "outlet": paired["outlet"], "n": paired["weight"],
                              "stance_sum": paired["weight"] * paired["change"]})
        row = cluster_bootstrap(cells, ["side"], min_articles=0).iloc[0]
        difference, lo, hi = _num(row["mean"]), _num(row["lo"]), _num(row["hi"])
    else:
        outlets["contribution"] = np.nan
    # Biggest contributions first (either sign), then the outlets seen on one side only, by size.
    outlets = (outlets.assign(_rank=outlets["contribution"].abs().fillna(-1.0), _size=outlets["n_before"]
                              + outlets["n_after"])
               .sort_values(["_rank", "_size", "outlet"], ascending=[False, False, True])
               .drop(columns=["_rank", "_size", "weight"]).reset_index(drop=True))
    direction = np.sign(difference if difference is not None else plain or 0.0)
    moved = moved_sentences(sentences if sentences is not None else pd.DataFrame(), outlets, direction)
    return Comparison(target, outlet_countries, b_side, a_side, plain, difference, lo, hi, len(paired),
                      outlets, moved)


def moved_sentences(mentions: pd.DataFrame, outlets: pd.DataFrame, direction: float,
                    limit: int = TOP_SENTENCES) -> pd.DataFrame:
    """The after period's mentions ranked by how far their score moved from their outlet's before mean,
    in the direction of the change (both ways when there is no change); outlets new in the after period
    have no baseline and are left out."""
    columns = ["published_at", "outlet", "article_id", "title", "url", "sentence", "score", "baseline", "moved"]
    if mentions.empty:
        return pd.DataFrame(columns=columns)
    baseline = outlets.set_index("outlet")["mean_before"]
    out = mentions.assign(baseline=mentions["outlet"].map(baseline))
    out = out[out["baseline"].notna()]
    out = out.assign(moved=out["score"] - out["baseline"])
    key = out["moved"] * direction if direction != 0 else out["moved"].abs()
    out = out.assign(_key=key).sort_values(["_key", "published_at", "article_id"], ascending=[False, False, True])
    return out[columns].head(limit).reset_index(drop=True)


def _filters(target: str, outlet_countries: tuple[str, ...], period: Period) -> Filters:
    return Filters(countries=(target,), outlet_countries=outlet_countries, date_from=period.start,
                   date_to=period.end)


def _bound(params: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {k: params[k] for k in names}


CELL_PARAMS = ("model_id", "countries", "outlet_countries", "date_from", "date_to")
SENTENCE_PARAMS = (*CELL_PARAMS, "limit")


def compare_warehouse(db: str | Path, model_id: str, target: str, before: Period, after: Period,
                      outlet_countries: tuple[str, ...] = ()) -> Comparison:
    """The comparison read from the warehouse (one read-only connection) for a model's current stances."""
    with reader(db) as r:
        cells = {}
        for name, period in (("before", before), ("after", after)):
            params = {**_filters(target, outlet_countries, period).params(), "model_id": model_id}
            cells[name] = r.df("coverage_compare_cells", _bound(params, CELL_PARAMS))
        params = {**_filters(target, outlet_countries, after).params(), "model_id": model_id,
                  "limit": TOP_SENTENCES}
        sentences = r.df("coverage_compare_sentences", _bound(params, SENTENCE_PARAMS))
    return compare_cells(target, outlet_countries, before, after, cells["before"], cells["after"], sentences)
