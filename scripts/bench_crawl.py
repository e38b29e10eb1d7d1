"""Crawl throughput: 1,000 generated article pages served on 127.0.0.1, crawled into DuckDB by the real CLI.

Prints the crawl's pages/s (articles stored over the run's own clock, and over the whole process including
start-up), trafilatura's bare extraction rate over the same pages measured in the same run, and the ratio
(target >= 0.7). Politeness delays are off: this measures the crawler, not the courtesy.

Usage: python scripts/bench_crawl.py [--pages N] [--corpus generated|real] [--workers N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trafilatura
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.crawler.news_site import (  # noqa: E402
    FixtureServer,
    Route,
    article_html,
    english_text,
    news_sitemap,
    page_chrome,
    recent,
    russian_text,
)

SETTINGS = """\
[crawl]
download_delay_s = 0
autothrottle = false
concurrent_per_domain = 16
timeout_s = 30
retries = 1
allow_private_addresses = true
"""


def build(server: FixtureServer, pages: int) -> list[tuple[str, bytes]]:
    """Serve `pages` article pages (one in five Russian) and a news sitemap listing them."""
    served: list[tuple[str, bytes]] = []
    items = []
    for i in range(pages):
        path = f"/news/2026/{i:05d}.html"
        russian = i % 5 == 4
        text = russian_text(path, 8) if russian else english_text(path, 8)
        title = f"{'Новости' if russian else 'News'} {i}: {text[0][:60]}"
        body = article_html(title, text, lang="ru" if russian else "en", published=recent(1),
                            chrome=page_chrome(path)).encode("utf-8")
        server.routes[path] = Route(200, body, {"Content-Type": "text/html; charset=utf-8"})
        served.append((server.url(path), body))
        items.append((server.url(path), title, recent(1)))
    server.xml("/sitemap.xml", news_sitemap(items))
    server.routes["/robots.txt"] = Route(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
    return served


def build_real(server: FixtureServer, pages: int, data: Path) -> list[tuple[str, bytes]]:
    """Serve real saved pages (trafilatura-eval, then fundus) as they were saved, no charset declared in
    the header, and a sitemap listing them."""
    bodies = [gzip.decompress(p.read_bytes()) for p in sorted((data / "trafilatura-eval" / "html").glob("*.gz"))]
    bodies += [gzip.decompress(p.read_bytes())
               for p in sorted((data / "fundus-parser-testdata" / "raw").glob("*/*.html.gz"))]
    served: list[tuple[str, bytes]] = []
    for i, body in enumerate(bodies[:pages]):
        path = f"/real/{i:05d}.html"
        server.routes[path] = Route(200, body, {"Content-Type": "text/html"})
        served.append((server.url(path), body))
    server.xml("/sitemap.xml", news_sitemap([(url, "", recent(1)) for url, _ in served]))
    server.routes["/robots.txt"] = Route(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
    return served


def bare_rate(served: list[tuple[str, bytes]]) -> tuple[float, float]:
    """trafilatura's bare extraction (its defaults) over the same pages: (pages per wall second, pages per
    CPU second)."""
    started, cpu = time.perf_counter(), time.process_time()
    for url, body in served:
        trafilatura.bare_extraction(body, url=url)
    return len(served) / (time.perf_counter() - started), len(served) / (time.process_time() - cpu)


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--corpus", choices=["generated", "real"], default="generated",
                        help="generated pages, or real saved pages from ../shared/data (trafilatura-eval, fundus)")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data", help="the shared data folder")
    parser.add_argument("--workers", type=int, default=None, help="extraction processes (default: the crawler's)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the warehouse and config in this folder")
    args = parser.parse_args()
    server = FixtureServer()
    served = build(server, args.pages) if args.corpus == "generated" else build_real(server, args.pages, args.data)
    server.start()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "bench.duckdb"
    for stale in (db, Path(f"{db}.lock")):
        stale.unlink(missing_ok=True)
    (folder / "stancewatch.toml").write_text(SETTINGS, encoding="utf-8")
    (folder / "sources.yaml").write_text(yaml.safe_dump({"sources": [{
        "name": "bench-outlet", "homepage": server.url("/"), "country": "KZ", "language": "en",
        "sitemaps": [server.url("/sitemap.xml")]}]}), encoding="utf-8")
    try:
        bare_before = bare_rate(served)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "stancewatch.cli", "--config", str(folder / "stancewatch.toml"), "--db", str(db),
             "--sources", str(folder / "sources.yaml"), "crawl", "--quiet", "--since", "1990-01-01",
             *([] if args.workers is None else ["--workers", str(args.workers)])],
            capture_output=True, text=True, cwd=ROOT, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        crawl_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
        bare_after = bare_rate(served)
    finally:
        server.stop()
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
        return 1
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]  # type: ignore[index]
        stats = json.loads(con.execute("SELECT stats FROM crawl_runs").fetchone()[0])  # type: ignore[index]
    # Real pages include some that are not articles (dropped, yet fetched and parsed): rate over pages parsed.
    parsed = stats["pages"] - 1  # less the sitemap
    crawl_rate = parsed / stats["seconds"]
    # The machine may be shared: the bare rate is measured just before and just after the crawl, averaged.
    bare = (bare_before[0] + bare_after[0]) / 2
    bare_cpu = (bare_before[1] + bare_after[1]) / 2
    print(f"crawl: {parsed} of {len(served)} pages fetched and parsed, {stored} stored as articles, in "
          f"{stats['seconds']:.1f} s of crawl ({crawl_rate:.1f} pages/s; {parsed / wall:.1f} pages/s counting "
          f"process start-up, {wall:.1f} s); "
          f"{crawl_cpu:.1f} CPU s in the crawl and its extraction workers, start-up included")
    print(f"trafilatura bare_extraction over the same pages: {bare:.1f} pages/s "
          f"(before {bare_before[0]:.1f}, after {bare_after[0]:.1f}); {bare_cpu:.1f} pages per CPU s")
    print(f"ratio crawl / bare extraction: {crawl_rate / bare:.2f} wall-clock (target >= 0.7); "
          f"{(parsed / crawl_cpu) / bare_cpu:.2f} per CPU second")
    return 0 if parsed == len(served) else 1


if __name__ == "__main__":
    raise SystemExit(main())
