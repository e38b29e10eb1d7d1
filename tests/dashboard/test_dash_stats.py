"""The cluster bootstrap over outlets: point estimate, interval, sparse flags, determinism."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from insights.stats import MIN_ARTICLES, cluster_bootstrap


def _cells(outlets: int, per_outlet: int, stance_of: Callable[[int], float],
           period: str = "2024-01-01") -> pd.DataFrame:
    return pd.DataFrame([{"period": period, "target": "RU", "outlet": f"o{i}", "n": per_outlet,
                          "stance_sum": per_outlet * stance_of(i)} for i in range(outlets)])


def test_mean_is_article_weighted_and_interval_brackets_it() -> None:
    cells = _cells(8, 10, lambda i: -0.5 + i * 0.1)
    cells.loc[0, "n"] = 30  # one big outlet weighs more
    cells.loc[0, "stance_sum"] = 30 * -0.5
    out = cluster_bootstrap(cells, ["period", "target"])
    row = out.iloc[0]
    expected = cells["stance_sum"].sum() / cells["n"].sum()
    assert abs(row["mean"] - expected) < 1e-12
    assert row["lo"] < row["mean"] < row["hi"]
    assert row["n_articles"] == 100 and row["n_outlets"] == 8 and not row["sparse"]


def test_interval_reflects_disagreement_between_outlets_not_article_count() -> None:
    agree = cluster_bootstrap(_cells(6, 50, lambda i: 0.2), ["period", "target"]).iloc[0]
    disagree = cluster_bootstrap(_cells(6, 50, lambda i: -0.8 if i % 2 else 0.8), ["period", "target"]).iloc[0]
    assert agree["hi"] - agree["lo"] < 1e-9  # identical outlets: every resample gives 0.2
    assert disagree["hi"] - disagree["lo"] > 0.5


def test_sparse_periods_get_no_interval() -> None:
    one_outlet = _cells(1, 50, lambda i: 0.3, "2024-01-01")
    few_articles = _cells(2, 2, lambda i: 0.3, "2024-01-08")
    out = cluster_bootstrap(pd.concat([one_outlet, few_articles]), ["period", "target"])
    assert out["sparse"].tolist() == [True, True]
    assert out["lo"].isna().all() and out["hi"].isna().all()
    assert (out["n_articles"] < MIN_ARTICLES).tolist() == [False, True]


def test_fixed_seed_is_reproducible_and_groups_are_independent() -> None:
    cells = pd.concat([_cells(5, 10, lambda i: i / 10, p) for p in ("2024-01-01", "2024-01-08", "2024-01-15")])
    a = cluster_bootstrap(cells, ["period", "target"])
    b = cluster_bootstrap(cells, ["period", "target"])
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 3 and np.allclose(a["mean"], 0.2)


def test_many_groups_of_mixed_sizes_are_chunked_without_error() -> None:
    rng = np.random.default_rng(1)
    rows = [{"period": p, "target": "KZ", "outlet": f"o{o}", "n": 3, "stance_sum": float(rng.uniform(-3, 3))}
            for p in range(400) for o in range(1 + p % 30)]
    out = cluster_bootstrap(pd.DataFrame(rows), ["period", "target"], n_boot=500)
    assert len(out) == 400
    dense = out[~out["sparse"]]
    assert ((dense["lo"] <= dense["mean"] + 1e-12) & (dense["mean"] <= dense["hi"] + 1e-12)).all()


def test_empty_input_gives_empty_frame_with_columns() -> None:
    out = cluster_bootstrap(pd.DataFrame(columns=["period", "target", "outlet", "n", "stance_sum"]),
                            ["period", "target"])
    assert out.empty and {"mean", "lo", "hi", "sparse"} <= set(out.columns)
