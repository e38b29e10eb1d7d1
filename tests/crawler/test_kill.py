"""Issue 15 item 3: a crawl killed with SIGKILL or stopped with SIGTERM, as real processes against 127.0.0.1.

Every run ends with no orphan process, no crawl_runs row left 'running', and every article stored once.
The held pages answer only when the test lets them, so "in flight" is a state the test controls, not a
race it hopes to win.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import psutil
import pytest

from tests.crawler.news_site import (
    FixtureServer,
    Route,
    article_html,
    english_text,
    once_then,
    recent,
    rss2,
    serving,
)
from tests.crawler.runner import ROOT, CliCrawl
from warehouse import reader

pytestmark = pytest.mark.slow


def held(release: threading.Event, page: bytes) -> Callable[[BaseHTTPRequestHandler], None]:
    """A handler that answers with page only once release is set (until then the request is in flight)."""
    def handle(h: BaseHTTPRequestHandler) -> None:
        release.wait(300)
        try:
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", str(len(page)))
            h.end_headers()
            h.wfile.write(page)
        except OSError:
            pass  # the crawler hung up: that is what SIGTERM should do
    return handle


def _site(server: FixtureServer, release: threading.Event, quick: int, slow: int) -> set[str]:
    """Serve quick articles, held articles and a feed of them all; return every article URL."""
    items = []
    for i in range(quick):
        path = f"/quick/{i}.html"
        server.html(path, article_html(f"Quick story {i}", english_text(path), published=recent(1)))
        items.append((server.url(path), f"Quick {i}", recent(1)))
    for i in range(slow):
        path = f"/held/{i}.html"
        server.routes[path] = held(release, article_html(f"Held story {i}", english_text(path),
                                                         published=recent(1)).encode())
        items.append((server.url(path), f"Held {i}", recent(1)))
    server.routes["/robots.txt"] = Route(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
    server.xml("/feed.xml", rss2(items))
    return {url for url, _, _ in items}


def _start(crawl: CliCrawl) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "stancewatch.cli", "--config", str(crawl.config), "--db", str(crawl.db),
               "--sources", str(crawl.sources), "crawl", "--quiet", "--workers", "2"]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait(predicate: Callable[[], bool], what: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120  # a guard against a hang, not a speed requirement
    while not predicate():
        assert process.poll() is None, f"the crawl exited while waiting for {what}: {process.communicate()}"
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def _workers(process: subprocess.Popen[str]) -> list[psutil.Process]:
    return psutil.Process(process.pid).children(recursive=True)


def _outlived(workers: list[psutil.Process]) -> list[psutil.Process]:
    """The workers still alive once they had a minute to go; they are then killed, so no test leaves orphans."""
    _gone, alive = psutil.wait_procs(workers, timeout=60)
    for worker in alive:
        worker.kill()
    return alive


def _runs(db: Path) -> list[tuple[str, str, object]]:
    with reader(db) as r:
        return r.con.execute("SELECT status, trigger, finished_at FROM crawl_runs ORDER BY started_at").fetchall()


def _articles(db: Path) -> list[str]:
    with reader(db) as r:
        return [row[0] for row in r.con.execute("SELECT url FROM articles ORDER BY url").fetchall()]


def _source(server: FixtureServer) -> list[dict[str, object]]:
    return [{"name": "held-outlet", "homepage": server.url("/"), "country": "KZ", "language": "en",
             "feeds": [server.url("/feed.xml")]}]


def test_kill_9_leaves_no_orphan_workers_and_the_next_crawl_abandons_the_run(tmp_path: Path) -> None:
    # Issue 15 item 3: kill -9 left the extraction workers alive (reparented to PID 1) and the run 'running'.
    server, release = FixtureServer(), threading.Event()
    urls = _site(server, release, quick=3, slow=6)
    crawl = CliCrawl(tmp_path, _source(server))
    with serving(server):
        process = _start(crawl)
        _wait(lambda: server.hit_count("/held/0.html") > 0 and len(_workers(process)) >= 2, "a request in flight",
              process)
        workers = _workers(process)
        process.kill()
        process.wait(timeout=60)
        alive = _outlived(workers)
        assert alive == [], f"extraction workers outlived the killed crawl: {alive}"
        assert [status for status, _, _ in _runs(crawl.db)] == ["running"]  # what kill -9 leaves behind
        release.set()
        again = crawl("--trigger", "after-kill")
    assert again.returncode == 0, again.stderr
    runs = _runs(crawl.db)
    assert [(status, trigger) for status, trigger, _ in runs] == [("abandoned", "cli"), ("done", "after-kill")]
    assert all(finished is not None for _, _, finished in runs)
    stored = _articles(crawl.db)
    assert sorted(set(stored)) == stored == sorted(urls)  # nothing lost, nothing twice


def test_sigterm_cancels_requests_in_flight_and_retry_waits(tmp_path: Path) -> None:
    # Issue 15 item 3: a crawl in Retry-After sleeps took 52 s to stop after SIGTERM; in-flight requests
    # held it until their download timeout.
    server, release = FixtureServer(), threading.Event()
    urls = _site(server, release, quick=2, slow=4)
    server.routes["/busy.html"] = once_then(Route(429, b"busy", {"Content-Type": "text/html", "Retry-After": "3600"}),
                                            Route(404, b"gone", {"Content-Type": "text/html"}))
    server.xml("/busy-feed.xml", rss2([(server.url("/busy.html"), "busy", recent(1))]))
    sources = _source(server)
    sources[0]["feeds"] = [server.url("/feed.xml"), server.url("/busy-feed.xml")]
    crawl = CliCrawl(tmp_path, sources)
    # A download timeout far beyond the test's patience: only cancelling can end the held requests.
    crawl.config.write_text(crawl.config.read_text().replace("timeout_s = 1.5", "timeout_s = 600"))
    with serving(server):
        process = _start(crawl)
        _wait(lambda: server.hit_count("/held/0.html") > 0 and server.hit_count("/busy.html") > 0
              and server.hit_count("/quick/1.html") > 0, "held requests and a Retry-After wait", process)
        workers = _workers(process)
        process.send_signal(signal.SIGTERM)
        try:
            out, err = process.communicate(timeout=120)  # the held pages are still held: no answer came
        finally:
            release.set()
            if process.poll() is None:  # it did not stop: do not leave it behind
                process.kill()
                process.wait()
        assert _outlived(workers) == []
        assert process.returncode == 130, err
        assert server.hit_count("/busy.html") == 1  # the wait was cut short, not followed by a retry
        with reader(crawl.db) as r:
            run_id, status, stats = r.con.execute("SELECT id, status, stats FROM crawl_runs").fetchone()
            log = {url: kind for url, _s, _h, kind, _b in r.fetch("crawl_fetch_log_for_run", {"run_id": run_id})}
        assert status == "interrupted" and "interrupted" in out
        assert log[server.url("/busy.html")] == "http_429"
        # Cancelled, not fetched: absent from the log (Scrapy drops a closing spider's aborted downloads) or
        # logged as interrupted, never as a page.
        assert log.get(server.url("/held/0.html")) in (None, "interrupted"), log
        assert json.loads(stats)["stored"] == len(_articles(crawl.db))  # what it counted, it kept
        again = crawl("--trigger", "after-term")
    assert again.returncode == 0, again.stderr
    assert [status for status, _, _ in _runs(crawl.db)] == ["interrupted", "done"]
    stored = _articles(crawl.db)
    assert stored == sorted(urls)  # the interrupted run plus the next: every article once
