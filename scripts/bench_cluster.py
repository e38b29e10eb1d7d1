"""What the cluster costs on one machine: crawl pages/s with 1 and 2 crawler processes sharing a Redis frontier and
scoring articles/s with 1 and 2 Ray workers, each against the single-process figure measured in the same run.

The demo site (``stancewatch.demo``, --articles articles over 12 outlets) is served on 127.0.0.1 with no
politeness delays. Four warehouses get the same crawl: a DuckDB file and a DuckLake by the plain one-process
crawl, then two DuckLakes by ``crawl --frontier`` with 1 and 2 processes (a fresh Redis logical database each).
Each is then scored: the file and the first lake by the plain ``score``, the other two by ``score --ray`` with 1
and 2 workers. One local PostgreSQL holds the lakes' catalogs (a database each); one Redis and one Ray head (2
CPUs) serve all.
Each step is the real CLI as a child process; a figure is its own summary's rate (pages/s over the crawl's
clock, articles/s over the scoring's) and the wall-clock rate of the whole command (start-up included).
On 2 cores expect parity, not speed-up: the ratios show what coordination costs. Counts must be equal.

    .venv/bin/python scripts/bench_cluster.py --articles 300
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stancewatch.cluster.local import missing_parts  # noqa: E402
from stancewatch.cluster.postgres import LocalPostgres  # noqa: E402
from stancewatch.context import AppState  # noqa: E402
from stancewatch.demo import site as demo_site  # noqa: E402
from stancewatch.demo.content import OUTLETS, generate  # noqa: E402
from stancewatch.demo.run import DAYS, demo_settings, summary  # noqa: E402
from stancewatch.layers import to_toml  # noqa: E402
from stancewatch.supervisor import cli_command  # noqa: E402

CRAWL_RATE = re.compile(r"\(([\d.]+) pages/s\)")
SCORE_RATE = re.compile(r"articles per second\D+([\d.]+)")


@dataclass
class Figure:
    """One measured step."""

    name: str
    own_rate: float  # the command's own summary figure
    wall_rate: float  # items over the command's wall-clock time
    items: int


def _run(args: list[str], rate: re.Pattern[str], name: str, items_of: str, db: str) -> Figure:
    started = time.monotonic()
    done = subprocess.run([*cli_command(), *args], capture_output=True, text=True, timeout=3600)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{name}: `stancewatch {' '.join(args)}` failed ({done.returncode}):\n"
                         f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    found = rate.search(done.stdout)
    items = summary(db).get(items_of, 0)
    own = float(found.group(1)) if found else float("nan")
    print(f"  {name}: {items} {items_of} in {wall:.1f} s wall; own figure {own:.2f}/s", flush=True)
    return Figure(name, own, items / wall if wall else 0.0, items)


def _seen_set(url: str) -> tuple[int, int]:
    """Fingerprints in a frontier's seen-URL sets and the Redis memory they take (MEMORY USAGE)."""
    import redis

    from crawler.frontier import DUPEFILTER_KEY

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=DUPEFILTER_KEY % {"spider": "*"}))
    return (sum(int(client.scard(k)) for k in keys),
            sum(int(client.memory_usage(k, samples=0) or 0) for k in keys))


def main() -> None:
    """Serve the demo site, crawl and score it four ways, print the figures and the overhead ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=300, help="articles on the demo site")
    parser.add_argument("--keep", type=Path, help="keep the warehouses and service folders here")
    parser.add_argument("--crawl-only", action="store_true", help="measure the crawls only (no Ray needed)")
    opts = parser.parse_args()
    missing = missing_parts()
    if missing:
        raise SystemExit(f"the cluster benchmark needs {', '.join(missing)}")
    from stancewatch.cluster.redis_server import LocalRedis

    with ExitStack() as stack:
        folder = opts.keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-cluster-")))
        folder = folder.resolve()
        folder.mkdir(parents=True, exist_ok=True)
        stories = generate(total=opts.articles, days=DAYS)
        sites = stack.enter_context(demo_site.serve(OUTLETS, stories))
        sources = folder / "sources.yaml"
        sources.write_text(demo_site.sources_yaml(sites), encoding="utf-8")
        hosts = [s.base.removeprefix("http://") for s in sites]
        file_db = folder / "bench.duckdb"
        for old in (file_db, Path(f"{file_db}.wal")):
            old.unlink(missing_ok=True)
        config = folder / "bench.toml"
        config.write_text(to_toml(demo_settings(AppState(), file_db, sources, None, hosts).model_dump(mode="json"),
                                  header="bench_cluster settings"), encoding="utf-8")
        redis = LocalRedis(folder / "redis")
        stack.callback(redis.stop)
        redis.start()
        postgres = LocalPostgres(folder / "postgres")
        stack.callback(postgres.stop)
        postgres.start()
        lakes = []
        for i in range(3):  # a catalog database and a data folder per lake
            shutil.rmtree(folder / f"lake-{i}", ignore_errors=True)
            (folder / f"lake-{i}").mkdir()
            postgres.create_database(f"bench{i}")
            lakes.append(postgres.url(folder / f"lake-{i}", database=f"bench{i}"))
        frontier = redis.url.rsplit("/", 1)[0]
        since = min(story.published for story in stories).date().isoformat()  # the oldest story

        def base(db: str) -> list[str]:
            return ["--config", str(config), "--db", db, "--sources", str(sources)]

        for db in (str(file_db), *lakes):
            subprocess.run([*cli_command(), *base(db), "init"], check=True, capture_output=True, timeout=300)
        print(f"demo site: {len(stories)} articles; crawling…", flush=True)
        crawl = ["crawl", "--since", since, "--quiet"]
        crawls = [
            _run([*base(str(file_db)), *crawl], CRAWL_RATE, "crawl, 1 process, DuckDB file", "articles", str(file_db)),
            _run([*base(lakes[0]), *crawl], CRAWL_RATE, "crawl, 1 process, DuckLake", "articles", lakes[0]),
            _run([*base(lakes[1]), *crawl, "--frontier", f"{frontier}/1", "--processes", "1"], CRAWL_RATE,
                 "crawl --frontier, 1 process", "articles", lakes[1]),
            _run([*base(lakes[2]), *crawl, "--frontier", f"{frontier}/2", "--processes", "2"], CRAWL_RATE,
                 "crawl --frontier, 2 processes", "articles", lakes[2]),
        ]
        seen, seen_bytes = _seen_set(f"{frontier}/2")
        scores: list[Figure] = []
        if not opts.crawl_only:
            from stancewatch.cluster.ray_cluster import LocalRay

            ray = LocalRay(folder / "ray", cpus=2)
            stack.callback(ray.stop)
            ray.start()
            print("scoring…", flush=True)
            scores = [
                _run([*base(str(file_db)), "score", "--no-progress"], SCORE_RATE, "score, 1 process, DuckDB file",
                     "articles", str(file_db)),
                _run([*base(lakes[0]), "score", "--no-progress"], SCORE_RATE, "score, 1 process, DuckLake",
                     "articles", lakes[0]),
                _run([*base(lakes[1]), "score", "--no-progress", "--ray", ray.address, "--workers", "1"], SCORE_RATE,
                     "score --ray, 1 worker", "articles", lakes[1]),
                _run([*base(lakes[2]), "score", "--no-progress", "--ray", ray.address, "--workers", "2"], SCORE_RATE,
                     "score --ray, 2 workers", "articles", lakes[2]),
            ]
        counts = [summary(db) for db in (str(file_db), *lakes)]
    print(f"\ncluster benchmark: {opts.articles} demo articles, 12 outlets, this machine")
    print(f"{'step':34} {'own /s':>8} {'wall /s':>8} {'items':>7} {'own vs 1 process':>17} {'wall vs':>8}")
    for group in (crawls, scores):
        if not group:
            continue
        first = group[0]
        for fig in group:
            print(f"{fig.name:34} {fig.own_rate:8.2f} {fig.wall_rate:8.2f} {fig.items:7d} "
                  f"{fig.own_rate / first.own_rate:17.2f} {fig.wall_rate / first.wall_rate:8.2f}")
    if seen:
        print(f"frontier seen-URL set after the 2-process crawl: {seen} fingerprints in {seen_bytes:,} bytes of "
              f"Redis ({seen_bytes / seen:.0f} bytes each)")
    tables = ("articles",) if opts.crawl_only else ("articles", "mentions", "article_stance")
    same = all(c.get(t) == counts[0].get(t) for c in counts for t in tables)
    print("counts (articles, mentions, stances) per warehouse: "
          + "; ".join(f"{c.get('articles')}, {c.get('mentions')}, {c.get('article_stance')}" for c in counts)
          + ("  (equal: nothing lost to coordination)" if same else "  (NOT EQUAL)"))
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
