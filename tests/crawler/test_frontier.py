"""Issue 13, part 2: crawler processes sharing a Redis frontier: real redis-server, real Scrapy crawls (the CLI,
in subprocesses) of fixture sites on 127.0.0.1, real DuckDB files.

Two processes store exactly what one does, each fetching some of it; a process killed with kill -9 loses
nothing a rerun does not fetch, and nothing is stored twice; the per-domain delay holds across processes.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psutil
import pytest

from crawler.frontier import PREFIX, Frontier
from stancewatch.cluster.redis_server import LocalRedis
from tests.crawler.news_site import FixtureServer, NewsSite, Route, article_html, english_text, recent, rss2, serving
from tests.crawler.runner import ROOT, CliCrawl
from tests.processes import kill_tree
from tests.services import redis
from warehouse import reader

pytestmark = pytest.mark.slow

__all__ = ["redis"]  # the fixture, imported for the tests below

def _articles(db: Path) -> list[tuple[str, str]]:
    with reader(db) as r:
        return [(str(i), str(u)) for i, u in r.con.execute("SELECT id, url FROM articles ORDER BY url").fetchall()]


def _runs(db: Path) -> list[dict[str, Any]]:
    with reader(db) as r:
        rows = r.con.execute("SELECT id, status, stats, errors FROM crawl_runs ORDER BY started_at").fetchall()
    return [{"id": i, "status": s, "stats": json.loads(st) if st else None, "errors": json.loads(e) if e else None}
            for i, s, st, e in rows]


def _bulk(server: FixtureServer, prefix: str, n: int) -> tuple[str, set[str]]:
    """Serve n articles under prefix and a feed of them; return the feed's URL and the articles' URLs."""
    items = []
    for i in range(n):
        path = f"{prefix}/{i}.html"
        server.html(path, article_html(f"Bulk story {prefix} {i}", english_text(path), published=recent(1)))
        items.append((server.url(path), f"Bulk {i}", recent(1)))
    server.xml(f"{prefix}/feed.xml", rss2(items))
    return server.url(f"{prefix}/feed.xml"), {url for url, _, _ in items}


def _shared(crawl: CliCrawl, delay_s: float) -> CliCrawl:
    """The crawl's settings with a short idle close and the given per-domain delay."""
    text = crawl.config.read_text().replace("download_delay_s = 0\n", f"download_delay_s = {delay_s}\n")
    crawl.config.write_text(text + "frontier_idle_s = 1.5\n", encoding="utf-8")
    return crawl


def _command(crawl: CliCrawl, *args: str) -> list[str]:
    return [sys.executable, "-m", "stancewatch.cli", "--config", str(crawl.config), "--db", str(crawl.db),
            "--sources", str(crawl.sources), "crawl", "--quiet", *args]


def test_two_processes_store_what_one_does(news_site: NewsSite, redis: LocalRedis, tmp_path: Path) -> None:
    # the fixture site (faults and a dead source included) plus a bigger feed, so that both processes get work
    feed, bulk = _bulk(news_site.main, "/bulk", 40)
    sources = [*news_site.sources, {"name": "bulk-outlet", "homepage": news_site.main.url("/bulk/"),
                                    "country": "KZ", "language": "en", "feeds": [feed]}]
    single = CliCrawl(tmp_path / "single", sources)
    alone = single("--workers", "0")
    assert alone.returncode == 0, alone.stderr
    expected = _articles(single.db)
    assert {u for _, u in expected} == news_site.expected_urls | bulk

    # a small shared delay spreads the work over both processes (the first would otherwise take it all)
    cluster = _shared(CliCrawl(tmp_path / "cluster", sources), 0.03)
    done = cluster("--frontier", redis.url, "--processes", "2", "--workers", "0", timeout=300)
    assert done.returncode == 0, done.stderr
    stored = _articles(cluster.db)
    assert stored == expected  # the same ids and URLs
    assert len({i for i, _ in stored}) == len(stored) == len({u for _, u in stored})
    runs = _runs(cluster.db)
    assert [r["status"] for r in runs] == ["done", "done"], runs
    assert all(r["stats"]["pages"] > 0 for r in runs), runs  # each process fetched some of it
    assert sum(r["stats"]["stored"] for r in runs) == len(expected)
    # the dead source (connection refused) was logged and did not stop the crawl
    assert sum(r["errors"].get("connection_refused", 0) for r in runs) >= 1
    assert "articles stored" in done.stdout and "started a fresh crawl round" in done.stderr

    again = cluster("--frontier", redis.url, "--processes", "2", "--workers", "0", timeout=300)
    assert again.returncode == 0, again.stderr
    assert _articles(cluster.db) == expected  # a second crawl stores nothing new, nothing twice
    assert sum(r["stats"]["stored"] for r in _runs(cluster.db)[2:]) == 0


def _children(pid: int) -> list[psutil.Process]:
    try:
        return list(psutil.Process(pid).children())
    except psutil.NoSuchProcess:
        return []


def _connected_to(proc: psutil.Process, port: int) -> bool:
    try:
        return any(c.raddr and c.raddr[1] == port for c in proc.net_connections(kind="tcp"))
    except psutil.Error:
        return False


def test_kill_9_of_one_process_loses_nothing_a_rerun_does_not_fetch(redis: LocalRedis, tmp_path: Path) -> None:
    server = FixtureServer()
    server.routes["/robots.txt"] = Route(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
    feed, urls = _bulk(server, "/k", 50)
    crawl = _shared(CliCrawl(tmp_path, [{"name": "kill-outlet", "homepage": server.url("/"), "country": "KZ",
                                       "language": "en", "feeds": [feed]}]), 0.1)
    with serving(server):
        proc = subprocess.Popen(_command(crawl, "--frontier", redis.url, "--processes", "2", "--workers", "0"),
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + 120  # a guard against a hang, not a speed requirement
            victim, seen = None, Counter[int]()  # polls at which each child was fetching from the site
            while victim is None:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "no crawler process was seen fetching"
                busy = [c for c in _children(proc.pid) if _connected_to(c, server.port)]
                seen.update(c.pid for c in busy)
                fetched = sum(1 for path, _ in server.hits if path.startswith("/k/") and path != "/k/feed.xml")
                # one that has been fetching for a while (some pages), while much is left to fetch
                old_hands = [c for c in busy if seen[c.pid] >= 5]
                if fetched >= 8 and len(_children(proc.pid)) == 2 and old_hands:
                    victim = old_hands[0]
                time.sleep(0.02)
            victim.send_signal(signal.SIGKILL)
            out, err = proc.communicate(timeout=180)
            assert "articles stored" in out, err
        finally:
            kill_tree(proc)
        assert proc.returncode == 1, err  # a process died: the run says so ...
        assert "died before it finished" in err and "next run" in err
        first = _articles(crawl.db)
        again = crawl("--frontier", redis.url, "--processes", "2", "--workers", "0", timeout=300)
    assert again.returncode == 0, again.stderr
    assert "started a fresh crawl round" in again.stderr  # ... and the rerun, seeing no live process, redoes it
    stored = _articles(crawl.db)
    assert {u for _, u in stored} == urls  # nothing lost
    assert len(stored) == len({i for i, _ in stored}) == len(urls)  # nothing twice
    assert {u for _, u in first} <= urls
    statuses = [r["status"] for r in _runs(crawl.db)]
    # the killed process's row was closed as abandoned by the rerun; the survivor and the rerun finished
    assert sorted(statuses) == ["abandoned", "done", "done", "done"], statuses


def test_the_per_domain_delay_holds_across_processes(redis: LocalRedis, tmp_path: Path) -> None:
    server = FixtureServer()
    server.routes["/robots.txt"] = Route(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
    feed, urls = _bulk(server, "/p", 24)
    delay = 0.3
    crawl = _shared(CliCrawl(tmp_path, [{"name": "polite-outlet", "homepage": server.url("/"), "country": "KZ",
                                       "language": "en", "feeds": [feed]}]), delay)
    with serving(server):
        done = crawl("--frontier", redis.url, "--processes", "2", "--workers", "0", timeout=300)
    assert done.returncode == 0, done.stderr
    assert {u for _, u in _articles(crawl.db)} == urls
    runs = _runs(crawl.db)
    assert all(r["stats"]["requests"] > 0 for r in runs), runs  # both processes fetched from the one host
    times = sorted(t for _, t in server.hits)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Slots are taken at least the delay apart; the server notes arrivals, and on a loaded machine a request
    # can reach it some ms after taking its slot, so the slack. Without the shared slot, two processes with a
    # delay each fetch about twice as often, many requests a few ms apart.
    assert min(gaps) >= delay - 0.1, sorted(gaps)[:5]
    assert sorted(gaps)[len(gaps) // 2] >= delay - 0.01, sorted(gaps)


def test_a_fresh_round_only_when_no_live_process_is_registered(redis: LocalRedis) -> None:
    frontier = Frontier(redis.url)
    assert frontier.begin_round() is True
    assert frontier.first_visit("http://a.example/feed.xml") and not frontier.first_visit("http://a.example/feed.xml")
    assert frontier.claim("id-1") and not frontier.claim("id-1")
    # a process of this host that has died (kill -9: its heartbeat is still there): not live
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    started = psutil.Process(gone.pid).create_time()
    gone.wait()
    frontier.leave()
    frontier.redis.set(PREFIX + f"worker:{frontier.owner.host}:{gone.pid}",
                       json.dumps({"host": frontier.owner.host, "pid": gone.pid, "started_at": started,
                                   "busy": True}), px=60_000)
    assert frontier.workers() == []
    assert frontier.begin_round() is True  # a fresh round: what the dead crawl saw is forgotten
    assert frontier.first_visit("http://a.example/feed.xml") and frontier.claim("id-1")
    # a live process of the crawl: a newcomer joins its round
    live = psutil.Process(os.getppid())
    frontier.redis.set(PREFIX + f"worker:{frontier.owner.host}:{live.pid}",
                       json.dumps({"host": frontier.owner.host, "pid": live.pid, "started_at": live.create_time(),
                                   "busy": False}), px=60_000)
    frontier.leave()
    assert frontier.begin_round() is False
    assert not frontier.first_visit("http://a.example/feed.xml")  # the round's seen set is kept
    assert frontier.cluster_idle()  # nothing queued, nobody busy
    assert frontier.take_slot("a.example", 5.0) == 0.0 and 0 < frontier.take_slot("a.example", 5.0) <= 5.0


def test_bad_or_unreachable_frontier_is_a_clear_error(tmp_path: Path) -> None:
    crawl = CliCrawl(tmp_path, [{"name": "x", "homepage": "http://127.0.0.1:8/", "country": "KZ", "language": "en",
                                 "feeds": ["http://127.0.0.1:8/feed.xml"]}])
    bad = crawl("--frontier", "http://127.0.0.1:6379/0")
    assert bad.returncode == 2 and "--frontier 'http://127.0.0.1:6379/0': expected a Redis URL" in bad.stderr
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    gone = crawl("--frontier", f"redis://127.0.0.1:{port}/0")
    assert gone.returncode == 2 and f"frontier redis://127.0.0.1:{port}/0: cannot reach Redis" in gone.stderr
    alone = crawl("--processes", "2")
    assert alone.returncode == 2 and "need a shared frontier" in alone.stderr


def test_sigterm_stops_every_crawler_process(redis: LocalRedis, tmp_path: Path) -> None:
    server = FixtureServer()
    server.routes["/robots.txt"] = Route(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
    feed, _urls = _bulk(server, "/t", 60)
    crawl = _shared(CliCrawl(tmp_path, [{"name": "term-outlet", "homepage": server.url("/"), "country": "KZ",
                                         "language": "en", "feeds": [feed]}]), 0.2)
    with serving(server):
        proc = subprocess.Popen(_command(crawl, "--frontier", redis.url, "--processes", "2", "--workers", "0"),
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + 120  # a guard against a hang, not a speed requirement
            while sum(1 for path, _ in server.hits if path.startswith("/t/") and path != "/t/feed.xml") < 3:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "the crawl fetched nothing"
                time.sleep(0.05)
            children = _children(proc.pid)
            assert len(children) == 2
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=120)
            left = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
        finally:
            kill_tree(proc)
    assert proc.returncode == 130, err
    assert left == []
    assert [r["status"] for r in _runs(crawl.db)] == ["interrupted", "interrupted"]
    assert Frontier(redis.url).workers() == []  # every process unregistered itself
