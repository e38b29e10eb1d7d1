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
