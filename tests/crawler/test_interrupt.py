"""A crawl stopped by SIGTERM (a job timeout) or Ctrl-C closes its run as interrupted and keeps what it stored."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.crawler.news_site import FixtureServer, article_html, english_text, recent, rss2, serving, slow
from tests.crawler.runner import ROOT, CliCrawl
from warehouse import reader

pytestmark = pytest.mark.slow


def test_sigterm_closes_the_run_as_interrupted(tmp_path: Path) -> None:
    server = FixtureServer()
    items = []
    for i in range(3):  # three quick articles, then many slow ones
        path = f"/quick/{i}.html"
        server.html(path, article_html(f"Quick {i}", english_text(path), published=recent(1)))
        items.append((server.url(path), f"Quick {i}", recent(1)))
    for i in range(40):
        path = f"/slow/{i}.html"
        server.routes[path] = slow(1.0)
        items.append((server.url(path), f"Slow {i}", recent(1)))
    server.xml("/feed.xml", rss2(items))
    crawl = CliCrawl(tmp_path, [{"name": "slowpoke", "homepage": server.url("/"), "country": "KZ",
                                 "language": "en", "feeds": [server.url("/feed.xml")]}])
    command = [sys.executable, "-m", "stancewatch.cli", "--config", str(crawl.config), "--db", str(crawl.db),
               "--sources", str(crawl.sources), "crawl", "--quiet", "--workers", "0"]
    with serving(server):
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while server.hit_count("/slow/0.html") == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    with reader(crawl.db) as r:
        status, finished, stats = r.con.execute("SELECT status, finished_at, stats FROM crawl_runs").fetchone()
        stored = r.con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert status == "interrupted" and finished is not None
    assert json.loads(stats)["stored"] == stored == 3
    assert "interrupted" in out
