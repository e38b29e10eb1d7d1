"""Time the coverage-aware trend work against the plain trend, on a warehouse scripts/bench_dashboard.py made.

    nice -n 10 .venv/bin/python scripts/bench_dashboard.py --db /tmp/b.duckdb --articles 200000 --mentions 600000
    nice -n 10 .venv/bin/python scripts/bench_trend_coverage.py --db /tmp/b.duckdb [--runs 5]

Prints the median of --runs runs (cache cleared, the snapshot kept: it is built once per warehouse change)
of data.trend in each analysis mode and with the per-story count, of data.coverage, and of building the
snapshot with and without the per-outlet daily counts coverage needs; each with its ratio to the baseline
measured in the same run (the plain trend; the snapshot without the counts), and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import data  # noqa: E402
from warehouse import reader  # noqa: E402
from warehouse.filters import Filters  # noqa: E402

MODEL_ID = "bench-model"  # scripts/bench_dashboard.py's


def _median_ms(fn: Callable[[], Any], runs: int, *, clear: bool = True) -> float:
    times = []
    for _ in range(runs):
        if clear:
            st.cache_data.clear()  # results only; data.clear_cache() would drop the snapshot too
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    db = str(args.db)
    load_before = os.getloadavg()
    with reader(db) as r:
        facts = r.batches("dashboard_stance_facts", {"model_id": MODEL_ID, "corrected": False}).read_all()
        meta = r.batches("dashboard_article_meta").read_all()
        days = r.batches("coverage_outlet_days").read_all()
    without = _median_ms(lambda: data.Snapshot(facts, meta, ("x",)), args.runs, clear=False)
    with_days = _median_ms(lambda: data.Snapshot(facts, meta, ("x",), days), args.runs, clear=False)
    print(f"{'case':52} {'median ms':>10} {'ratio':>6}")
    print(f"{'snapshot build, without outlet_days (baseline)':52} {without:10.1f} {1.0:6.2f}")
    print(f"{'snapshot build, with outlet_days (' + str(days.num_rows) + ' rows)':52} {with_days:10.1f} "
          f"{with_days / without:6.2f}")
    data.snapshot(db, MODEL_ID)  # built once, as the dashboard does
    for label, filters in (("top 3 targets, week", Filters(countries=("RU", "KZ", "UA"))),
                           ("RU by KZ, week", Filters(countries=("RU",), outlet_countries=("KZ",)))):
        base = _median_ms(partial(data.trend, db, MODEL_ID, filters, "week"), args.runs)
        print(f"{'data.trend plain (baseline), ' + label:52} {base:10.1f} {1.0:6.2f}")
        cases: list[tuple[str, Callable[[], Any]]] = [
            ("fixed panel", partial(data.trend, db, MODEL_ID, filters, "week", "none", "fixed_panel")),
            ("within outlet", partial(data.trend, db, MODEL_ID, filters, "week", "none", "within_outlet")),
            ("per story", partial(data.trend, db, MODEL_ID, filters, "week", "none", "plain", True)),
            ("data.coverage", partial(data.coverage, db, MODEL_ID, filters, "week")),
        ]
        for name, fn in cases:
            ms = _median_ms(fn, args.runs)
            print(f"{name + ', ' + label:52} {ms:10.1f} {ms / base:6.2f}")
    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; after: "
          f"{', '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
