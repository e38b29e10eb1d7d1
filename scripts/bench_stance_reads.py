"""What versioned stances cost: reads through current_stance vs the bare table, and a re-aggregation.

    nice -n 10 .venv/bin/python scripts/bench_stance_reads.py [--articles 100000] [--runs 5]

Builds a synthetic warehouse (N articles from 20 outlets, stance toward four countries each, one scored
mention per stance), then times the named queries that read stances, each twice in the same process:
as shipped (the view current_stance: each model's current aggregation version) and as a baseline with
current_stance shadowed by a temporary view of the bare article_stance table (what reading the table
cost before versions). Prints the medians and their ratio. Then re-aggregates every stored mention
probability (insights.reaggregate.reaggregate) and compares it with only reading the same rows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from insights import reaggregate  # noqa: E402
from warehouse import reader, writer  # noqa: E402
from warehouse.filters import Filters  # noqa: E402
from warehouse.sql import query  # noqa: E402

MODEL = "bench-model"
GENERATE = [
    """INSERT INTO sources
       SELECT 'outlet-' || i, 'https://outlet-' || i || '.example/', ['RU','KZ','UA','US'][1 + i % 4],
              'ru', [], [], NULL, [], true, TIMESTAMP '2026-01-01' FROM range(20) t(i)""",
    """INSERT INTO articles (id, url, source, title, text, published_at, fetched_at, language, content_hash,
                            story_id, extractor)
       SELECT md5(i::VARCHAR), 'https://outlet-' || (i % 20) || '.example/' || i, 'outlet-' || (i % 20),
              'Headline ' || i, 'Officials in the capital spoke about trade and energy.',
              TIMESTAMP '2025-01-01' + INTERVAL (i % 500) DAY, TIMESTAMP '2026-01-01', 'ru', md5(i::VARCHAR),
              md5(i::VARCHAR), 'trafilatura'
       FROM range($n) t(i)""",
    """INSERT INTO models VALUES ($model, 'bench', '1', repeat('a', 64), ['ru'], '{}', TIMESTAMP '2026-01-01')""",
    """INSERT INTO model_aggregation VALUES ($model, 1, TIMESTAMP '2026-01-01')""",
    """INSERT INTO mentions
       SELECT md5(i::VARCHAR || c), md5(i::VARCHAR), c, 0, 'Officials in the capital spoke.', 0, 14, 21,
              'capital', 'capital'
       FROM range($n) t(i), (VALUES ('KZ'), ('RU'), ('US'), ('CN')) v(c)""",
    """INSERT INTO mention_scores
       SELECT id, $model, p, 0.9 - p, 0.1, TIMESTAMP '2026-01-01'
       FROM (SELECT id, (hash(id) % 800) / 1000.0 AS p FROM mentions)""",
    """INSERT INTO article_stance
       SELECT m.article_id, m.country, $model, 0.1 - s.p_negative, 'neutral', 0.5, 1, NULL,
              TIMESTAMP '2026-01-01', 1
       FROM mentions m JOIN mention_scores s ON s.mention_id = m.id""",
]


def build(db: Path, articles: int) -> None:
    """Write the synthetic warehouse."""
    with writer(db) as w:
        for sql in GENERATE:
            params = {k: v for k, v in {"n": articles, "model": MODEL}.items() if f"${k}" in sql}
            w.con.execute(sql, params)
    with writer(db) as w:
        w.con.execute("CHECKPOINT")


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    """The median of `runs` timed calls after one warm-up, in ms."""
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def cases() -> list[tuple[str, str, dict[str, Any]]]:
    """(label, query name, parameters) for every stance-reading query timed."""
    narrow = {**Filters(countries=("RU",), date_from=date(2025, 3, 1), date_to=date(2025, 8, 31)).params(),
              "model_id": MODEL}
    every = {**Filters().params(), "model_id": MODEL}
    return [
        ("overview", "dashboard_overview", {"model_id": MODEL}),
        ("target countries", "dashboard_target_countries", {"model_id": MODEL}),
        ("stance version", "dashboard_stance_version", {"model_id": MODEL}),
        ("stance facts (snapshot)", "dashboard_stance_facts", {"model_id": MODEL, "corrected": False}),
        ("article count, RU 6 months", "dashboard_article_count", narrow),
        ("articles page, RU 6 months", "dashboard_articles", {**narrow, "limit": 50, "offset": 0}),
        ("export stance, everything", "export_stance", {**every, "lo": None, "hi": None}),
    ]


def main(argv: list[str]) -> int:
    """Build, time, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="stancewatch-bench-") as tmp:
        db = Path(tmp) / "bench.duckdb"
        started = time.perf_counter()
        build(db, args.articles)
        print(f"warehouse: {args.articles:,} articles, {4 * args.articles:,} stance rows and mentions "
              f"({time.perf_counter() - started:.1f} s to build)")
        con = duckdb.connect(str(db))  # read-write: the baseline's temporary view needs it
        try:
            print(f"{'query':<30} {'current_stance ms':>18} {'bare table ms':>14} {'ratio':>6}")
            for label, name, params in cases():
                sql = query(name)
                used = {k: v for k, v in params.items() if f"${k}" in sql}

                def run(sql: str = sql, used: dict[str, Any] = used) -> None:
                    con.execute(sql, used).to_arrow_table()

                shipped = median_ms(run, args.runs)
                con.execute("CREATE TEMP VIEW current_stance AS SELECT * FROM main.article_stance")
                bare = median_ms(run, args.runs)
                con.execute("DROP VIEW temp.current_stance")
                print(f"{label:<30} {shipped:>18.1f} {bare:>14.1f} {shipped / bare:>6.2f}")
        finally:
            con.close()

        started = time.perf_counter()
        after = ""
        read_rows = 0
        while True:
            with reader(db) as r:
                found = r.records("aggregation_mention_probabilities",
                                  {"model_id": MODEL, "after": after, "chunk": reaggregate.CHUNK_ARTICLES})
            if not found:
                break
            read_rows += len(found)
            after = str(found[-1]["article_id"])
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        written = reaggregate.reaggregate(db, MODEL)
        full_s = time.perf_counter() - started
        print(f"re-aggregation: {written:,} stance rows from {read_rows:,} mentions in {full_s:.1f} s "
              f"({args.articles / full_s:,.0f} articles/s); reading the same rows alone {read_s:.1f} s "
              f"(ratio {full_s / read_s:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
