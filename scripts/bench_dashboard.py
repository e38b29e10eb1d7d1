"""Benchmark every query the dashboard runs on a synthetic warehouse of 1,000,000 articles.

    nice -n 10 .venv/bin/python scripts/bench_dashboard.py [--db /tmp/bench.duckdb] [--reuse] [--runs 5]

Generates (with DuckDB SQL, no Python loops) 60 outlets in 8 countries, N articles over two years, 3 N
mentions with their scores, the article x country stance rows they imply, scoring rows, a fetch log
and crawl runs; then times each named query of warehouse/queries/dashboard.sql through the dashboard's
own path (a fresh read-only connection per call, as the pages do), with default filters and with a
filtered case, and the data functions pages call (bootstrap and pandas work included, cache cleared).
Builds the full-text index (warehouse.search) the text search uses, and times that search alone too.
Prints the median of --runs runs per case, whether it is under the budget (300 ms), and for each text
search through the index the same search by scanning the warehouse (what the dashboard falls back to
while the index is busy) with the ratio; then the load average over the timed part, and what keeping
the index up to date costs (one crawler batch of 100 articles written into the 1M-article warehouse).
"""

from __future__ import annotations

import argparse
import copy
import logging
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard import data  # noqa: E402
from warehouse import search, writer  # noqa: E402
from warehouse.filters import Filters  # noqa: E402

MODEL_ID = "bench-model"
NOW = datetime(2026, 6, 30, 12, 0)

GENERATE = [
    # 60 outlets in 8 countries
    """INSERT INTO sources
       SELECT 'outlet' || i, 'https://outlet' || i || '.example/',
              ['RU','KZ','UA','UZ','KG','CN','TR','US'][1 + i % 8],
              ['ru','ru','uk','uz','ky','zh','tr','en'][1 + i % 8],
              [], [], NULL, [], true, $now
       FROM range(60) t(i)""",
    """INSERT INTO models VALUES ($model, 'bench-model', '1.0', repeat('ab', 32), ['ru', 'en'], '{}', $now)""",
    """INSERT INTO model_aggregation VALUES ($model, 1, $now)""",
    """INSERT INTO crawl_runs (id, started_at, finished_at, trigger, status, sources, stats, errors)
       SELECT 'run' || i, $now - to_days(i), $now - to_days(i) + INTERVAL 1 HOUR, 'schedule:x',
              CASE WHEN i % 7 = 3 THEN 'failed' ELSE 'done' END, NULL, '{"stored": 1000}', '{}'
       FROM range(100) t(i)""",
    # N articles over the two years before now; text of ~600 characters
    """INSERT INTO articles
       SELECT sha1(i::VARCHAR), 'https://outlet' || (i % 60) || '.example/n/' || i, 'outlet' || (i % 60),
              'Headline ' || i || ' about ' || ['Russia','Kazakhstan','Ukraine','China','Turkey'][1 + i % 5],
              NULL,
              repeat('Officials met on ' || i || ' and discussed trade, energy and security. ', 8),
              [], $now - to_seconds((hash(i) % (730 * 86400))::BIGINT),
              $now - to_seconds((hash(i) % (730 * 86400))::BIGINT) + INTERVAL 2 HOUR,
              ['ru','ru','uk','uz','ky','zh','tr','en'][1 + (i % 60) % 8],
              md5(i::VARCHAR), sha1(i::VARCHAR), 'trafilatura', 'run' || (i % 100)
       FROM range($n) t(i)""",
    # 3 N mentions: each article mentions three of ten countries, so 3 N stance rows too
    """INSERT INTO mentions
       SELECT sha1('m' || j::VARCHAR), sha1((j % $n)::VARCHAR),
              ['RU','KZ','UA','UZ','KG','CN','TR','US','EU','DE'][
                  1 + ((j // $n) * 3 + (hash(j % $n) % 10)::BIGINT) % 10],
              (j // $n)::INTEGER, 'Officials in the capital said relations were improving.', 0, 12, 19, 'capital',
              'capital'
       FROM range($m) t(j)""",
    """INSERT INTO mention_scores
       SELECT id, $model, p_neg, 1 - p_neg - p_pos, p_pos, $now
       FROM (SELECT id, (hash(id) % 1000) / 2000.0 AS p_neg, (hash(id || 'p') % 1000) / 2000.0 AS p_pos
             FROM mentions)""",
    """INSERT INTO article_stance
       SELECT m.article_id, m.country, $model,
              greatest(-1.0, least(1.0, avg(s.p_positive - s.p_negative))) AS stance,
              CASE WHEN avg(s.p_positive - s.p_negative) < -0.2 THEN 'critical'
                   WHEN avg(s.p_positive - s.p_negative) > 0.2 THEN 'favourable' ELSE 'neutral' END,
              0.7, count(*)::INTEGER, NULL, $now, 1
       FROM mentions m JOIN mention_scores s ON s.mention_id = m.id
       GROUP BY m.article_id, m.country""",
    """INSERT INTO article_scoring SELECT id, $model, 'scored', NULL, $now FROM articles""",
    """INSERT INTO fetch_log
       SELECT run_id, url, source, fetched_at, CASE WHEN hash(id) % 20 = 0 THEN NULL ELSE 200 END,
              CASE WHEN hash(id) % 20 = 0 THEN 'timeout' END, 20000
       FROM articles""",
]


def generate(db: Path, articles: int, mentions: int) -> None:
    """Write the synthetic warehouse (about a minute for a million articles on two cores)."""
    db.unlink(missing_ok=True)
    Path(f"{db}.wal").unlink(missing_ok=True)
    with writer(db) as w:
        w.con.execute("SET enable_progress_bar = false")
        for sql in GENERATE:
            params = {"now": NOW, "model": MODEL_ID, "n": articles, "m": mentions}
            used = {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}
            started = time.perf_counter()
            w.con.execute(sql, used)
            print(f"  {sql.split()[2]:<16} {time.perf_counter() - started:6.1f} s", flush=True)
    with writer(db) as w:
        w.con.execute("CHECKPOINT")
    started = time.perf_counter()
    search.sync(db, full=True)
    print(f"  search index     {time.perf_counter() - started:6.1f} s", flush=True)


@contextmanager
def scanning() -> Iterator[None]:
    """Make text searches take the dashboard's fallback (scan the warehouse), as while the index is busy."""
    def busy(db: str | Path, text: str, *, timeout: float = 0.0) -> search.Matches:
        raise search.SearchUnavailable(f"{db}: forced by the benchmark")

    real = search.matches
    logging.getLogger(data.__name__).setLevel(logging.ERROR)  # its fallback warning, once per call
    search.matches = busy  # type: ignore[assignment]
    try:
        yield
    finally:
        search.matches = real  # type: ignore[assignment]
        logging.getLogger(data.__name__).setLevel(logging.NOTSET)


def upkeep(db: Path, batches: int = 3) -> list[float]:
    """Seconds to bring the index up to date after each crawler-sized batch (100 articles) is written."""
    seconds = []
    for b in range(batches):
        with writer(db) as w:
            w.con.execute(
                """INSERT OR REPLACE INTO articles
                   SELECT 'upkeep' || i, 'https://upkeep.example/' || i, 'outlet1', 'Upkeep ' || i, NULL,
                          'Новости о поставках зерна из Казахстана, партия ' || i, [], $old, $fetched, 'ru',
                          md5(i::VARCHAR), 'upkeep' || i, 'trafilatura', 'upkeep'
                   FROM range($lo, $lo + 100) t(i)""",
                # published long before the synthetic articles: never on the pages the cases time
                {"old": NOW - timedelta(days=3 * 365), "fetched": datetime.now() + timedelta(seconds=b),
                 "lo": 100 * b})
        started = time.perf_counter()
        search.sync(db)
        seconds.append(time.perf_counter() - started)
    return seconds


def median_ms(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Run fn `runs` times (after one warm-up) and return the median in ms and the last result."""
    result = fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def cases(db: str) -> list[tuple[str, str, Callable[[], Any]]]:
    """Every dashboard query with default and filtered parameters, then the data functions pages call."""
    default = Filters()
    filtered = Filters(countries=("RU",), outlet_countries=("KZ",), date_from=date(2026, 1, 1),
                       date_to=date(2026, 6, 30))
    article_filtered = Filters(countries=("RU",), outlet_countries=("KZ",), stance_max=-0.1,
                               date_from=date(2026, 1, 1))
    text_filtered = Filters(countries=("KZ",), text="energy")  # a word in every article
    text_kazakh = Filters(text="kazakh")  # a prefix of a word in the titles of one article in five
    text_rare = Filters(countries=("RU",), text="Headline 12345")  # one article
    top3 = Filters(countries=("US", "RU", "KZ"))
    page1 = data.articles(db, MODEL_ID, default, 50, 0)
    a_id = str(page1.iloc[0]["id"])
    m_ids = list(data.run_df(db, "dashboard_article_mentions", {"article_id": a_id})["mention_id"])
    candidates = list(data.run_df(db, "dashboard_article_candidates", {**default.params(), "k": 100})["id"])
    data.clear_cache()
    snap = data.snapshot(db, MODEL_ID)

    def q(name: str, filters: Filters | None = None, **extra: Any) -> Callable[[], Any]:
        params = {**(filters.params() if filters else {}), "model_id": MODEL_ID, **extra}
        return lambda: data.run_df(db, name, params)

    def m(name: str, filters: Filters, **extra: Any) -> Callable[[], Any]:
        return lambda: snap.df(name, {**filters.params(), **extra})

    def fresh(fn: Callable[[], Any], *, keep_snapshot: bool = True, keep_searches: bool = False
              ) -> Callable[[], Any]:
        """Clear the result caches (and, unless keep_snapshot, the snapshot; unless keep_searches, the
        search module's opened index and recent matches) before each run."""
        def run() -> Any:
            data.clear_cache()
            if not keep_searches:
                search.clear_cache()
            if keep_snapshot:
                data._snapshots[(db, MODEL_ID)] = snap.touched()  # built once per warehouse change
            return fn()
        return run

    def changed() -> data.Snapshot:
        """A page's call just after the warehouse changed: the version differs, so a rebuild starts in its own
        thread (it runs on while the next runs are timed) and the page keeps the snapshot it has."""
        stale = copy.copy(snap)
        stale.version, stale.built_mono = ("before the change",), float("-inf")
        data._snapshots[(db, MODEL_ID)] = stale
        return data.snapshot(db, MODEL_ID)

    def cold() -> data.Snapshot:
        """A dashboard process's first page: no snapshot yet, so it waits for the build."""
        data.snapshot_settled()  # the last case's rebuild (in the warm-up run only): not timed with this one
        return data.snapshot(db, MODEL_ID)

    return [
        ("dashboard_overview", "-", q("dashboard_overview")),
        ("dashboard_models", "-", q("dashboard_models")),
        ("dashboard_target_countries", "-", q("dashboard_target_countries")),
        ("dashboard_source_options", "-", q("dashboard_source_options")),
        ("dashboard_languages", "-", q("dashboard_languages")),
        ("dashboard_stance_version", "-", q("dashboard_stance_version")),
        ("dashboard_mem_trend", "top 3 targets, week", m("dashboard_mem_trend", top3, grain="week")),
        ("dashboard_mem_trend", "RU by KZ, 6 months, day", m("dashboard_mem_trend", filtered, grain="day")),
        ("dashboard_mem_matrix", "default", m("dashboard_mem_matrix", default)),
        ("dashboard_mem_matrix", "RU by KZ, 6 months", m("dashboard_mem_matrix", filtered)),
        ("dashboard_mem_articles", "default, page 1", m("dashboard_mem_articles", default, limit=50, offset=0,
                                                        per_article=snap.targets)),
        ("dashboard_mem_articles", "default, page 20", m("dashboard_mem_articles", default, limit=50, offset=950,
                                                         per_article=snap.targets)),
        ("dashboard_mem_articles", "RU by KZ, stance<=-0.1", m("dashboard_mem_articles", article_filtered,
                                                                limit=50, offset=0, per_article=1)),
        ("dashboard_mem_article_count", "outlet country KZ", m("dashboard_mem_article_count",
                                                               Filters(outlet_countries=("KZ",)))),
        ("dashboard_scored_count", "-", q("dashboard_scored_count")),
        ("dashboard_mem_article_count", "RU by KZ, stance<=-0.1", m("dashboard_mem_article_count",
                                                                    article_filtered)),
        ("dashboard_article_candidates", "default, k=100", q("dashboard_article_candidates", default, k=100)),
        ("dashboard_article_candidates", "text 'energy', k=100 †",
         q("dashboard_article_candidates", text_filtered, k=100)),
        ("dashboard_article_hits", "100 ids", q("dashboard_article_hits", default, ids=candidates)),
        ("dashboard_articles (fallback)", "RU by KZ, stance<=-0.1", q("dashboard_articles", Filters(
            countries=("RU",), outlet_countries=("KZ",), stance_max=-0.1), limit=50, offset=0)),
        ("dashboard_article_rows", "50 ids", q("dashboard_article_rows", ids=list(page1["id"]))),
        ("dashboard_article_count", "KZ, text 'energy' †", q("dashboard_article_count", text_filtered)),
        ("search.matches", "'energy' (every article)", fresh(lambda: search.matches(db, "energy"))),
        ("search.matches", "'kazakh' (1 in 5)", fresh(lambda: search.matches(db, "kazakh"))),
        ("search.matches", "'Headline 12345' (1)", fresh(lambda: search.matches(db, "Headline 12345"))),
        ("dashboard_article", "one id", q("dashboard_article", article_id=a_id)),
        ("dashboard_article_stance", "one id", q("dashboard_article_stance", article_id=a_id)),
        ("dashboard_article_mentions", "one id", q("dashboard_article_mentions", article_id=a_id)),
        ("dashboard_mention_scores", "one article's", lambda: data.run_df(db, "dashboard_mention_scores",
                                                                          {"mention_ids": m_ids})),
        ("dashboard_source_health", "now", q("dashboard_source_health", now=NOW)),
        ("dashboard_crawl_runs", "50", q("dashboard_crawl_runs", limit=50)),
        ("data.trend (+bootstrap)", "top 3 targets, week", fresh(lambda: data.trend(db, MODEL_ID, top3))),
        ("data.trend (+bootstrap)", "RU, week, by outlet", fresh(lambda: data.trend(
            db, MODEL_ID, Filters(countries=("RU",)), "week", "outlet"))),
        ("data.trend (+bootstrap)", "RU by KZ, 6 months, day", fresh(lambda: data.trend(
            db, MODEL_ID, filtered, "day", "none"))),
        ("data.matrix", "default", fresh(lambda: data.matrix(db, MODEL_ID, default))),
        ("data.articles", "default, page 1", fresh(lambda: data.articles(db, MODEL_ID, default, 50, 0))),
        ("data.articles", "default, page 20", fresh(lambda: data.articles(db, MODEL_ID, default, 50, 950))),
        ("data.articles", "RU by KZ, stance<=-0.1", fresh(lambda: data.articles(
            db, MODEL_ID, article_filtered, 50, 0))),
        ("data.articles", "KZ, text 'energy'", fresh(lambda: data.articles(db, MODEL_ID, text_filtered, 50, 0))),
        ("data.articles", "text 'kazakh', page 20", fresh(lambda: data.articles(db, MODEL_ID, text_kazakh, 50, 950))),
        ("data.articles", "'kazakh' page 20, repeated", fresh(lambda: data.articles(
            db, MODEL_ID, text_kazakh, 50, 950), keep_searches=True)),
        ("data.articles", "RU, text 'Headline 12345'", fresh(lambda: data.articles(db, MODEL_ID, text_rare, 50, 0))),
        ("data.article_count", "KZ, text 'energy'", fresh(lambda: data.article_count(db, MODEL_ID, text_filtered))),
        ("data.article_count", "text 'kazakh'", fresh(lambda: data.article_count(db, MODEL_ID, text_kazakh))),
        ("data.article_count", "RU, text 'Headline 12345'", fresh(lambda: data.article_count(
            db, MODEL_ID, text_rare))),
        ("data.article_count", "default", fresh(lambda: data.article_count(db, MODEL_ID, default))),
        ("data.article_count", "RU by KZ, 6 months", fresh(lambda: data.article_count(db, MODEL_ID, filtered))),
        ("data.article_detail", "one id", fresh(lambda: data.article_detail(db, MODEL_ID, a_id))),
        ("data.source_health", "now", fresh(lambda: data.source_health(db, NOW))),
        ("data.jobs + data.schedules", "-", lambda: (data.jobs(db), data.schedules(db))),
        ("data.snapshot", "changed: kept while rebuilt", changed),
        ("data.snapshot *", "first: version + build", fresh(cold, keep_snapshot=False)),
    ]


def main() -> int:
    """Generate (unless --reuse) and time; exit 1 if a case is over budget."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/stancewatch-bench/dashboard.duckdb"))
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--mentions", type=int, default=3_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--budget-ms", type=float, default=300.0)
    parser.add_argument("--reuse", action="store_true", help="time an existing --db without regenerating it")
    args = parser.parse_args()
    if not (args.reuse and args.db.exists()):
        print(f"generating {args.articles:,} articles and {args.mentions:,} mentions in {args.db}")
        started = time.perf_counter()
        generate(args.db, args.articles, args.mentions)
        print(f"  total            {time.perf_counter() - started:6.1f} s")
    db = str(args.db)
    started = time.perf_counter()
    search.sync(db)  # a reused warehouse's index may be missing or behind: bring it up to date untimed
    print(f"search index up to date in {time.perf_counter() - started:.1f} s ({search.index_dir(db)})")
    counts = data.run_df(db, "dashboard_overview", {"model_id": MODEL_ID}).iloc[0]
    print(f"warehouse: {counts['articles']:,} articles, {counts['stance_rows']:,} stance rows, "
          f"{args.db.stat().st_size / 1e9:.2f} GB; median of {args.runs} runs, budget {args.budget_ms:.0f} ms\n")
    print(f"{'query':<30} {'case':<28} {'rows':>7} {'median ms':>10}  ok   {'scan ms':>8} {'ratio':>6}")
    over = 0
    load_before = os.getloadavg()
    for name, case, fn in cases(db):
        ms, result = median_ms(fn, args.runs)
        rows = (result.rows if isinstance(result, data.Snapshot) else
                result.count if isinstance(result, search.Matches) else
                len(result) if hasattr(result, "__len__") and not isinstance(result, tuple) else "-")
        ok = ms <= args.budget_ms
        over += not ok
        baseline = ""
        if name.startswith("data.") and "text" in case:  # the same call with the index unavailable
            with scanning():
                scan_ms, _ = median_ms(fn, args.runs)
            baseline = f"{scan_ms:8.1f} {scan_ms / ms:5.1f}x"
        print(f"{name:<30} {case:<28} {rows!s:>7} {ms:10.1f}  {'yes' if ok else 'NO ':<3}  {baseline}", flush=True)
    load_after = os.getloadavg()
    print(f"\n{over} case(s) over {args.budget_ms:.0f} ms. * = the snapshot build, which a page waits for only "
          "when the dashboard process has no snapshot yet (its first page, or the first after the dashboard "
          f"itself wrote); after a warehouse change (checked at most every {data.CUBE_MIN_AGE_S:.0f} s) pages keep "
          "the snapshot they have while it is rebuilt in its own thread ('changed'). "
          "† = a text search by scanning the warehouse: only while the full-text index is busy. "
          "scan ms / ratio: the same call scanning the warehouse instead of using the index.")
    print("load average (1, 5, 15 min) before timing: " + ", ".join(f"{v:.2f}" for v in load_before)
          + "; after: " + ", ".join(f"{v:.2f}" for v in load_after) + f" ({os.cpu_count()} cores)")
    upkept = upkeep(args.db)
    print("index upkeep: one batch of 100 articles written, index brought up to date in "
          + ", ".join(f"{1000 * s:.0f}" for s in upkept) + " ms")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
