"""Stance statistics for trends and alerts: a mean stance with a 95% interval from a cluster bootstrap.

Articles from one outlet are not independent (one editorial line), so the interval resamples outlets,
not articles: within each period and group, draw as many outlets as there are, with replacement, and
take the article-weighted mean stance of the draw, ``sum(stance) / sum(articles)``, over the drawn
outlets. The 2.5th and 97.5th percentiles of the replicates bound the interval. A period with fewer
than MIN_ARTICLES articles or MIN_OUTLETS outlets is flagged ``sparse``: it gets no interval, and charts
draw it as a hollow marker instead of a confident point.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

MIN_ARTICLES = 5
MIN_OUTLETS = 2
N_BOOT = 1000
SEED = 20220224
# Cap on the number of drawn indices held at once (int64): keeps memory near 32 MB.
_MAX_DRAWS = 4_000_000


def cluster_bootstrap(cells: pd.DataFrame, keys: list[str], *, cluster: str = "outlet", n_boot: int = N_BOOT,
                      seed: int = SEED, level: float = 0.95, min_articles: int = MIN_ARTICLES,
                      min_clusters: int = MIN_OUTLETS) -> pd.DataFrame:
    """Return one row per group of ``keys``: mean, lo, hi, n_articles, n_outlets, sparse.

    ``cells`` has the key columns, the cluster column and per-cell ``n`` (articles) and ``stance_sum``.
    ``n_outlets`` counts the distinct clusters; a group under ``min_articles`` or ``min_clusters`` (the
    trend charts' MIN_ARTICLES and MIN_OUTLETS unless a caller has its own rule) is sparse, with no interval.
    """
    columns = [*keys, "mean", "lo", "hi", "n_articles", "n_outlets", "sparse"]
    if cells.empty:
        return pd.DataFrame(columns=columns)
    per_cluster = (cells.groupby([*keys, cluster], sort=True, observed=True, dropna=False)[["n", "stance_sum"]]
                   .sum().reset_index())
    grouped = per_cluster.groupby(keys, sort=True, observed=True, dropna=False)
    sizes = grouped.size().to_numpy()
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    n = per_cluster["n"].to_numpy(dtype=float)
    s = per_cluster["stance_sum"].to_numpy(dtype=float)

    lo = np.full(len(sizes), np.nan)
    hi = np.full(len(sizes), np.nan)
    rng = np.random.default_rng(seed)
    alpha = (1.0 - level) / 2.0
    for k in np.unique(sizes):
        if k < max(min_clusters, 2):
            continue  # one outlet: every replicate is the same; no interval to speak of
        groups = np.flatnonzero(sizes == k)
        chunks = max(1, math.ceil(len(groups) * n_boot * int(k) / _MAX_DRAWS))
        for chunk in np.array_split(groups, chunks):
            draws = rng.integers(0, k, size=(len(chunk), n_boot, int(k))) + starts[chunk][:, None, None]
            replicate = s[draws].sum(axis=2) / n[draws].sum(axis=2)
            lo[chunk], hi[chunk] = np.quantile(replicate, [alpha, 1.0 - alpha], axis=1)

    out = grouped.agg(n_articles=("n", "sum"), stance_sum=("stance_sum", "sum"),
                      n_outlets=(cluster, "nunique")).reset_index()
    out["mean"] = out["stance_sum"] / out["n_articles"]
    out["lo"], out["hi"] = lo, hi
    out["sparse"] = (out["n_articles"] < min_articles) | (out["n_outlets"] < min_clusters)
    out.loc[out["sparse"], ["lo", "hi"]] = np.nan
    out["n_articles"] = out["n_articles"].astype(int)
    return out[columns]


def cluster_change_interval(before: pd.DataFrame, after: pd.DataFrame, *, cluster: str = "outlet",
                            n_boot: int = N_BOOT, seed: int = SEED, level: float = 0.95) -> tuple[float, float]:
    """The interval of the change of mean stance from ``before`` to ``after`` (rows with ``cluster`` and
    ``stance``), resampling clusters with both of their sides at once.

    Where the two sides share their outlets, an outlet's own editorial level is in both sides of a replicate
    and cancels in the change; two side intervals set against each other count the spread between outlets
    twice instead.
    """
    sides = pd.concat([before.groupby(cluster)["stance"].agg(["sum", "size"]).add_suffix("_b"),
                       after.groupby(cluster)["stance"].agg(["sum", "size"]).add_suffix("_a")], axis=1).fillna(0.0)
    s_b, n_b, s_a, n_a = (sides[c].to_numpy(dtype=float) for c in ("sum_b", "size_b", "sum_a", "size_a"))
    draws = np.random.default_rng(seed).integers(0, len(sides), size=(n_boot, len(sides)))
    with np.errstate(invalid="ignore", divide="ignore"):  # a draw of outlets seen on one side only: no change
        replicate = s_a[draws].sum(axis=1) / n_a[draws].sum(axis=1) - s_b[draws].sum(axis=1) / n_b[draws].sum(axis=1)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.nanquantile(replicate, [alpha, 1.0 - alpha])
    return float(lo), float(hi)
