"""Trend modes that keep a change in which outlets publish from reading as a change in stance.

Each works on trend cells (one row per period, line and outlet, with ``n`` articles and their
``stance_sum``: what ``insights.stats.cluster_bootstrap`` takes) and returns cells of the same shape:

- ``plain``: the cells as they are; a line is the article-weighted mean stance.
- ``fixed_panel``: only the outlets of a line that have articles in every period of the window (every
  period in which any line has articles), so the mix of outlets is the same from period to period.
- ``within_outlet``: each outlet's own level is taken out of its articles, and the line's mean level put
  back: a line then moves only where outlets move relative to themselves, on the scale of stance
  (outlets that write less or more, or come and go, do not move it).
"""

from __future__ import annotations

import pandas as pd

MODES = {"plain": "plain mean", "fixed_panel": "fixed panel", "within_outlet": "within outlet"}
# The within-outlet fit stops when no period effect moves more than this (stance units), or after
# MAX_ITERATIONS rounds (a balanced panel needs one; a very unbalanced one a few dozen).
TOLERANCE = 1e-6
MAX_ITERATIONS = 200


def fixed_panel(cells: pd.DataFrame, lines: list[str], *, cluster: str = "outlet") -> pd.DataFrame:
    """Keep, per line, the outlets with articles in every period of the window."""
    if cells.empty:
        return cells
    periods = cells["period"].nunique()
    present = cells[cells["n"] > 0].groupby([*lines, cluster], observed=True, dropna=False)["period"].nunique()
    panel = present[present == periods].reset_index()[[*lines, cluster]]
    return cells.merge(panel, on=[*lines, cluster], how="inner")


def within_outlet(cells: pd.DataFrame, lines: list[str], *, cluster: str = "outlet") -> pd.DataFrame:
    """Take each outlet's own level out of its cells and put the line's mean level back.

    The levels come from a two-way fit per line, stance = outlet level + period effect, weighted by
    articles (alternating means until they move less than TOLERANCE): removing the plain mean of each
    outlet instead would still be pulled by which periods an outlet wrote in. Each cell's stance sum then
    becomes ``stance_sum - n * level(outlet) + n * mean level``, so the line's mean in a period is its
    period effect on the scale of stance. (The bootstrap resamples these cells; the levels are not refit.)
    """
    if cells.empty:
        return cells
    out = cells.copy()
    n = out["n"].astype(float)
    y = out["stance_sum"] / n.where(n > 0)
    by_outlet, by_period = [*lines, cluster], [*lines, "period"]
    effect = pd.Series(0.0, index=out.index)
    level = pd.Series(0.0, index=out.index)
    for _ in range(MAX_ITERATIONS):
        level = _weighted_mean(out, by_outlet, y - effect, n)
        new_effect = _weighted_mean(out, by_period, y - level, n)
        moved = float((new_effect - effect).abs().max())
        effect = new_effect
        if moved < TOLERANCE:
            break
    mean_level = _weighted_mean(out, lines, level, n)
    out["stance_sum"] = out["stance_sum"] - n * level + n * mean_level
    return out


def _weighted_mean(cells: pd.DataFrame, keys: list[str], values: pd.Series, weights: pd.Series) -> pd.Series:
    """Per row: the weighted mean of values over the rows sharing its keys."""
    frame = cells[keys].assign(_wv=values * weights, _w=weights)
    grouped = frame.groupby(keys, observed=True, dropna=False)
    return grouped["_wv"].transform("sum") / grouped["_w"].transform("sum")


def apply_mode(cells: pd.DataFrame, mode: str, lines: list[str]) -> pd.DataFrame:
    """The cells for a trend mode (one of MODES)."""
    if mode == "plain":
        return cells
    if mode == "fixed_panel":
        return fixed_panel(cells, lines)
    if mode == "within_outlet":
        return within_outlet(cells, lines)
    raise ValueError(f"trend mode {mode!r}: expected one of {', '.join(MODES)}")
