"""A crawl stopped by SIGTERM (a job timeout) or Ctrl-C closes its run as interrupted and keeps what it stored."""

from __future__ import annotations

import json
import os
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
    # No --quiet, and a terminal-compatible stderr: the live progress line says when the three quick
    # articles are stored, so the signal comes after them and while the slow pages are still in flight.
    command = [sys.executable, "-m", "stancewatch.cli", "--config", str(crawl.config), "--db", str(crawl.db),
               "--sources", str(crawl.sources), "crawl", "--workers", "0"]
    env = {**os.environ, "TTY_COMPATIBLE": "1", "COLUMNS": "200"}
    out_file, err_file = tmp_path / "crawl.out", tmp_path / "crawl.err"
    with serving(server), out_file.open("w") as out_w, err_file.open("w") as err_w:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out_w, stderr=err_w, env=env)
        deadline = time.monotonic() + 60
        while "articles 3 " not in err_file.read_text(errors="replace"):
            assert process.poll() is None and time.monotonic() < deadline, err_file.read_text(errors="replace")
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    out, err = out_file.read_text(), err_file.read_text(errors="replace")
    assert process.returncode == 130, err
    with reader(crawl.db) as r:
        status, finished, stats = r.con.execute("SELECT status, finished_at, stats FROM crawl_runs").fetchone()
        stored = r.con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert status == "interrupted" and finished is not None
    assert json.loads(stats)["stored"] == stored == 3
    assert "interrupted" in out
