"""What a DuckLake warehouse costs per batch and per read, against a DuckDB file measured in the same run.

Starts a throwaway PostgreSQL (stancewatch.cluster.postgres), migrates a lake and a file, then times writer
batches (the crawler's article upsert, BATCH rows each) and reader requests (table_counts) on both.
Prints milliseconds per operation and the lake/file ratio. Run: .venv/bin/python scripts/bench_ducklake.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stancewatch.cluster.postgres import LocalPostgres
from tests.warehouse.ducklake_data import article_rows
from warehouse import reader, writer


def _time(fn: Callable[[int], None], runs: int) -> float:
    spent = []
    for i in range(runs):
        started = time.perf_counter()
        fn(i)
        spent.append(time.perf_counter() - started)
    return statistics.median(spent) * 1000


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, LocalPostgres(Path(folder) / "pg") as pg:
        targets = {"file": str(Path(folder) / "w.duckdb"), "lake": pg.url(Path(folder) / "lake")}
        figures: dict[str, dict[str, float]] = {}
        for kind, where in targets.items():
            with writer(where):  # migrate first: not what is measured
                pass

            def write(i: int, where: str = where) -> None:
                with writer(where) as w:
                    w.write_batch("crawl_upsert_articles", article_rows(f"b{i}", args.batch))

            def read(_: int, where: str = where) -> None:
                with reader(where) as r:
                    r.fetch("table_counts")

            figures[kind] = {"write": _time(write, args.runs), "read": _time(read, args.runs)}
        print(f"median of {args.runs} runs; a batch is {args.batch} articles")
        for op in ("write", "read"):
            file_ms, lake_ms = figures["file"][op], figures["lake"][op]
            print(f"{op:5}: file {file_ms:7.1f} ms   lake {lake_ms:7.1f} ms   lake/file {lake_ms / file_ms:5.2f}x")


if __name__ == "__main__":
    main()
