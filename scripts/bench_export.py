"""Benchmark: export a synthetic warehouse of 1,000,000 stance rows to CSV and Parquet; report peak memory.

Each export runs in a fresh process, so its peak resident set size (getrusage ru_maxrss) is the export's
own, next to the process's size before the export started and the size of the data it wrote (the Arrow
bytes of every row, and the file). A streaming export keeps the peak far below the data size.

    .venv/bin/python scripts/bench_export.py              # 1,000,000 rows
    .venv/bin/python scripts/bench_export.py --rows 200000 --formats csv parquet jsonl xlsx
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(db: Path, rows: int) -> None:
    """A warehouse with rows/4 articles, each with stance toward four countries, from 20 outlets."""
    from warehouse import writer

    articles = rows // 4
    with writer(db) as w:
        con = w.con
        con.execute("""
            INSERT INTO sources SELECT 'outlet-' || i, 'https://outlet-' || i || '.example/',
                   ['KZ','RU','UA','US','CN'][i % 5 + 1], ['ru','en'][i % 2 + 1], [], [], NULL, [], true,
                   TIMESTAMP '2026-01-01'
            FROM range(20) t(i)""")
        con.execute("""
            INSERT INTO articles (id, url, source, title, text, published_at, fetched_at, language,
                                  content_hash, story_id, extractor)
            SELECT md5(i::VARCHAR), 'https://outlet-' || (i % 20) || '.example/news/' || i, 'outlet-' || (i % 20),
                   'Headline number ' || i || ' about trade, transit and energy in the region',
                   repeat('Body text of a synthetic article. ', 20), TIMESTAMP '2025-01-01' + INTERVAL (i % 500) DAY
                   + INTERVAL (i % 86400) SECOND, TIMESTAMP '2026-01-01', ['ru','en'][i % 2 + 1], md5(i::VARCHAR),
                   md5(i::VARCHAR), 'trafilatura'
            FROM range(?) t(i)""", [articles])
        con.execute("""INSERT INTO models VALUES ('bench-model', 'bench', '1', repeat('a', 64), ['en','ru'], '{}',
                                                  TIMESTAMP '2026-01-01')""")
        con.execute("""
            INSERT INTO article_stance
            SELECT md5(i::VARCHAR), c, 'bench-model', ((hash(i || c) % 2000)::DOUBLE / 1000.0) - 1.0 + 0.0,
                   'neutral', 0.7, 2, '["=one sentence", "another sentence"]', TIMESTAMP '2026-01-02', 1
            FROM range(?) t(i), (VALUES ('KZ'), ('RU'), ('US'), ('CN')) c(c)""", [articles])
        con.execute("INSERT INTO model_aggregation VALUES ('bench-model', 1, TIMESTAMP '2026-01-02')")
        con.execute("UPDATE article_stance SET stance = greatest(-1.0, least(1.0, stance))")


def worker_export(db: Path, fmt: str, out: Path, batch_rows: int) -> dict[str, float]:
    """Export the stance level in this process; return timings and memory figures."""
    from warehouse.export import export
    from warehouse.filters import Filters

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    start = time.perf_counter()
    manifest = export(db, Filters(), level="stance", fmt=fmt, out=out, code_version="bench", record=False,
                      batch_rows=batch_rows)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"rows": manifest.rows, "seconds": seconds, "rss_before": before, "rss_peak": peak,
            "file_bytes": manifest.bytes}


def worker_data_size(db: Path) -> dict[str, float]:
    """The Arrow size of the whole stance-level result, summed batch by batch (never held at once)."""
    from warehouse import reader
    from warehouse.filters import Filters

    total = rows = 0
    with reader(db) as r:
        for batch in r.batches("export_stance", {**Filters().params(), "model_id": "bench-model",
                                                      "lo": None, "hi": None}):
            total += batch.nbytes
            rows += batch.num_rows
    return {"arrow_bytes": total, "rows": rows}


def _run_worker(*args: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True,
                          check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"worker {args[0]} failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _mb(value: float) -> str:
    return f"{value / 1e6:,.0f} MB"


def main() -> None:
    """Build the warehouse, export it in each format in a fresh process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", nargs="+", default=["csv", "parquet"])
    parser.add_argument("--batch-rows", type=int, default=10_000, help="Rows per Arrow batch.")
    parser.add_argument("--dir", type=Path, default=None, help="Working folder (default: a temporary one).")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, db = args.worker[0], Path(args.worker[1])
        if kind == "build":
            build(db, int(args.worker[2]))
            print(json.dumps({"ok": 1}))
        elif kind == "size":
            print(json.dumps(worker_data_size(db)))
        else:
            print(json.dumps(worker_export(db, kind, Path(args.worker[2]), int(args.worker[3]))))
        return
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "bench.duckdb"
        if not db.exists():
            start = time.perf_counter()
            _run_worker("build", str(db), str(args.rows))
            print(f"built {args.rows:,} stance rows in {time.perf_counter() - start:.1f} s "
                  f"({_mb(db.stat().st_size)} on disk)")
        size = _run_worker("size", str(db))
        print(f"stance-level result: {size['rows']:,.0f} rows, {_mb(size['arrow_bytes'])} as Arrow")
        print(f"{'format':8} {'rows':>10} {'seconds':>8} {'rows/s':>9} {'file':>9} {'RSS before':>11} "
              f"{'RSS peak':>9} {'peak/data':>9}")
        for fmt in args.formats:
            out = folder / f"export.{fmt}"
            r = _run_worker(fmt, str(db), str(out), str(args.batch_rows))
            print(f"{fmt:8} {r['rows']:>10,.0f} {r['seconds']:>8.1f} {r['rows'] / r['seconds']:>9,.0f} "
                  f"{_mb(r['file_bytes']):>9} {_mb(r['rss_before']):>11} {_mb(r['rss_peak']):>9} "
                  f"{r['rss_peak'] / size['arrow_bytes']:>9.2f}")
            out.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
