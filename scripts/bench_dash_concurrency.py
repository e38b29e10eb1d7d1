"""Dashboard queries per second while a crawl-like and a scoring-like writer write, against an idle warehouse.

The baseline is the same five page queries on the same file with no writer, in the same run; the figure is
how much of its speed the dashboard keeps while the warehouse is busy. (tests/dashboard/test_dash_concurrency.py
checks that every query succeeds meanwhile; this measures how many it serves.)

    .venv/bin/python scripts/bench_dash_concurrency.py [--batches 40]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "dashboard"))

from dash_fixture import MODEL_ID, build  # noqa: E402

from dashboard import data  # noqa: E402
from warehouse.filters import Filters  # noqa: E402


def one_round(db: str) -> None:
    """The five queries the dashboard's pages run, read afresh."""
    data.clear_cache()
    data.overview(db, MODEL_ID)
    data.trend(db, MODEL_ID, Filters(countries=("RU",)), "week", "none")
    data.matrix(db, MODEL_ID, Filters())
    data.articles(db, MODEL_ID, Filters(), 20, 0)
    data.source_health(db)


def main(argv: list[str] | None = None) -> int:
    """Print rounds per second idle and busy, and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=40, help="batches each writer commits")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        build(db)
        start, idle_rounds = time.perf_counter(), 0
        while time.perf_counter() - start < 5:
            one_round(str(db))
            idle_rounds += 1
        idle = idle_rounds / (time.perf_counter() - start)
        writers = [subprocess.Popen([sys.executable, str(ROOT / "scripts" / "busy_writer.py"), str(db), kind,
                                     str(args.batches), MODEL_ID], stdout=subprocess.PIPE, text=True)
                   for kind in ("crawl", "score")]
        start, busy_rounds = time.perf_counter(), 0
        while any(w.poll() is None for w in writers):
            one_round(str(db))
            busy_rounds += 1
        busy = busy_rounds / (time.perf_counter() - start)
    print(f"idle: {idle:.2f} rounds/s ({idle_rounds} rounds); busy (two writers, {args.batches} batches each): "
          f"{busy:.2f} rounds/s ({busy_rounds} rounds); ratio busy/idle {busy / idle:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
