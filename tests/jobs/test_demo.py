"""The demo: generated content, the local site, a real crawl of it, and `stancewatch demo --no-serve` end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from crawler.feeds import parse_feed, parse_sitemap
from stancewatch.demo import content, site
from tests.processes import kill_tree
from warehouse import reader

NOW = datetime(2026, 6, 1, 12)


def test_generation_is_deterministic_and_spread() -> None:
    articles = content.generate(total=140, now=NOW)
    assert articles == content.generate(total=140, now=NOW)
    assert len(articles) == 140 and len({a.path for a in articles}) == 140
    assert {a.outlet.language for a in articles} == {"en", "ru", "kk", "uk", "ky", "uz", "tr", "zh"}
    assert {a.outlet.country for a in articles} >= {"KZ", "RU", "UA", "US", "CN", "TR"}
    drift = content.drift_start(NOW)
    assert drift.weekday() == 0 and drift.time() == datetime.min.time() and drift <= NOW - timedelta(days=75)
    assert drift - timedelta(days=105) <= min(a.published for a in articles)
    assert max(a.published for a in articles) < drift + timedelta(days=75) <= NOW
    assert all(sum(len(p) for p in a.paragraphs) > 500 for a in articles)  # past the crawler's min_text_chars


def test_generation_keeps_its_weeks_whatever_the_weekday() -> None:
    """Built on any day of a week, the demo holds the same articles in the same weeks around its drift Monday:
    its trends and alerts do not depend on the weekday it was built."""
    def relative(now: datetime) -> list[tuple[timedelta, str]]:
        drift = content.drift_start(now)
        return [(a.published - drift, a.slug) for a in content.generate(total=140, now=now)]

    monday = NOW - timedelta(days=NOW.weekday())
    assert all(relative(monday + timedelta(days=d, hours=h)) == relative(NOW) for d in range(7) for h in (0, 23))
    assert content.drift_start(NOW + timedelta(days=7)) == content.drift_start(NOW) + timedelta(days=7)


def test_drift_after_the_drift_day() -> None:
    articles = content.generate(total=3000, now=NOW)
    drift = content.drift_start(NOW)

    def critical_share(after: bool) -> float:
        labels = [label for a in articles if a.outlet.name == "astana-ledger" and (a.published >= drift) == after
                  for country, label in a.targets if country == "RU"]
        return labels.count("critical") / len(labels)

    assert critical_share(after=False) < 0.35 < 0.55 < critical_share(after=True)


def test_templates_name_the_intended_country() -> None:
    from analysis.columns import find_mentions

    for article in content.generate(total=140, now=NOW):
        text = " ".join(article.paragraphs)
        found = {m.country for m in find_mentions(text)}
        assert found == {country for country, _ in article.targets}, text


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def test_site_serves_feeds_sitemaps_and_pages(tmp_path: Path) -> None:
    articles = content.generate(total=70, now=datetime.utcnow())
    with site.serve(content.OUTLETS, articles) as sites:
        assert len(sites) == len(content.OUTLETS) and len({s.base for s in sites}) == len(sites)
        first = sites[0]
        own = [a for a in articles if a.outlet.name == first.outlet.name]
        feed = parse_feed(_get(first.feed))
        assert feed and len(feed) <= site.FEED_ITEMS and feed[0].url == first.base + own[-1].path
        index = parse_sitemap(_get(first.sitemaps[0]))
        assert index and all(e.is_sitemap for e in index)
        urls = {e.url for child in index for e in parse_sitemap(_get(child.url))}
        assert urls == {first.base + a.path for a in own}
        assert parse_sitemap(_get(first.sitemaps[1]))  # the news sitemap is never empty
        page = _get(first.base + own[0].path).decode()
        assert own[0].paragraphs[0].replace("'", "&#x27;")[:40] in page or own[0].title in page
        assert b"Allow: /" in _get(first.base + "/robots.txt")
        with pytest.raises(urllib.error.HTTPError):
            _get(first.base + "/missing")
        yaml = site.sources_yaml(sites)
    from crawler.sources import load_sources

    path = tmp_path / "sources.yaml"
    path.write_text(yaml)
    loaded = load_sources(path)
    assert [s.name for s in loaded] == [o.name for o in content.OUTLETS]


@pytest.mark.slow
def test_real_crawl_of_the_demo_site(tmp_path: Path, db_path: Path) -> None:
    """The crawler stores every article of the demo site, with its outlet and language."""
    articles = content.generate(total=42)
    with site.serve(content.OUTLETS, articles) as sites:
        sources = tmp_path / "sources.yaml"
        sources.write_text(site.sources_yaml(sites))
        config = tmp_path / "demo.toml"
        config.write_text("[crawl]\ndownload_delay_s = 0\nautothrottle = false\nconcurrent_per_domain = 8\n"
                          "allow_private_addresses = true\n")  # the demo site is on 127.0.0.1
        since = (datetime.utcnow() - timedelta(days=190)).date().isoformat()
        done = subprocess.run(
            [sys.executable, "-P", "-c", "from stancewatch.cli import main; main()", "--config", str(config),
             "--db", str(db_path), "--sources", str(sources), "crawl", "--since", since, "--quiet"],
            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    with reader(db_path) as r:
        rows = r.con.execute("SELECT source, language, count(*) FROM articles GROUP BY ALL ORDER BY 1").fetchall()
    expected: dict[str, int] = {}
    for a in articles:
        expected[a.outlet.name] = expected.get(a.outlet.name, 0) + 1
    assert {s: n for s, _, n in rows} == expected
    assert {s: lang for s, lang, _ in rows} == {o.name: o.language for o in content.OUTLETS}


@pytest.mark.slow
def test_demo_no_serve_end_to_end(tmp_path: Path) -> None:
    """`stancewatch demo --no-serve` leaves a scored warehouse whose dashboard queries return trends."""
    folder = tmp_path / "demo"
    done = subprocess.run(
        [sys.executable, "-P", "-c", "from stancewatch.cli import main; main()", "demo", "--no-serve",
         "--dir", str(folder), "--articles", "140"],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    db = folder / "stancewatch.duckdb"
    assert done.stdout.strip().splitlines()[-1] == str(db)
    with reader(db) as r:
        articles = r.con.execute("SELECT count(*) FROM articles").fetchone()
        scored = r.con.execute("SELECT count(DISTINCT article_id) FROM article_stance").fetchone()
        model = r.con.execute("SELECT id FROM models ORDER BY created_at DESC LIMIT 1").fetchone()
    assert articles == (140,)
    assert scored is not None and scored[0] >= 100
    assert model is not None
    # the dashboard's own data functions return trends and the matrix for the demo's countries
    from dashboard import data
    from warehouse.filters import Filters

    trend = data.trend(str(db), model[0], Filters(), grain="week")
    assert {"RU", "KZ", "US", "CN"} <= set(trend["target"])
    assert len(trend) > 20
    matrix = data.matrix(str(db), model[0], Filters())
    assert {"KZ", "RU", "US"} <= set(matrix["outlet_country"])


@pytest.mark.slow
def test_scheduler_runs_a_real_crawl_and_score_job(tmp_path: Path, db_path: Path) -> None:
    """A job the dashboard could request: the scheduler crawls two outlets of the demo site, then scores."""
    from warehouse import jobs, writer

    articles = content.generate(total=28)
    chosen = ["steppe-courier", "lakeshore-tribune"]
    with site.serve(content.OUTLETS, articles) as sites:
        sources = tmp_path / "sources.yaml"
        sources.write_text(site.sources_yaml(sites))
        config = tmp_path / "demo.toml"
        config.write_text("[crawl]\ndownload_delay_s = 0\nautothrottle = false\nallow_private_addresses = true\n"
                          "[scheduler]\npoll_interval_s = 0.3\njob_timeout_s = 600\n")
        with writer(db_path):
            pass
        since = (datetime.utcnow() - timedelta(days=190)).date().isoformat()
        job_id = jobs.request_crawl(db_path, sources=chosen, requested_by="dashboard", args={"since": since})
        env = {k: v for k, v in os.environ.items() if k != "STANCEWATCH_JOB_COMMAND"}
        log = tmp_path / "scheduler.out"
        proc = subprocess.Popen(
            [sys.executable, "-P", "-c", "from stancewatch.cli import main; main()", "--config", str(config),
             "--db", str(db_path), "--sources", str(sources), "scheduler"],
            stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=tmp_path, env=env, start_new_session=True)
        try:
            deadline = time.monotonic() + 600
            while (job := jobs.get_job(db_path, job_id)) is None or job["state"] in ("queued", "running"):
                assert time.monotonic() < deadline and proc.poll() is None, log.read_text()
                time.sleep(0.5)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            finally:  # a scheduler that would not stop must not leave its crawl behind
                kill_tree(proc)
    assert job["state"] == "done", f"{job['error']}\n{job['log_tail']}"
    with reader(db_path) as r:
        runs = r.con.execute("SELECT trigger, status FROM crawl_runs").fetchall()
        stored = r.con.execute("SELECT source, count(*) FROM articles GROUP BY 1 ORDER BY 1").fetchall()
        scored = r.con.execute("SELECT count(DISTINCT article_id) FROM article_stance").fetchone()
    assert runs == [(f"job:{job_id}", "done")]
    expected = sorted((name, sum(a.outlet.name == name for a in articles)) for name in chosen)
    assert stored == expected
    assert scored is not None and scored[0] > 0


@pytest.mark.slow
def test_demo_never_touches_the_warehouse_the_environment_names(tmp_path: Path) -> None:
    """#14 item 1: with STANCEWATCH_DB and STANCEWATCH_SOURCES set, the demo still builds its own warehouse."""
    user_db = tmp_path / "mine" / "stancewatch.duckdb"
    user_sources = tmp_path / "mine" / "sources.yaml"
    env = {**os.environ, "STANCEWATCH_DB": str(user_db), "STANCEWATCH_SOURCES": str(user_sources)}
    folder = tmp_path / "demo"
    done = subprocess.run(
        [sys.executable, "-P", "-c", "from stancewatch.cli import main; main()", "demo", "--no-serve",
         "--dir", str(folder), "--articles", "28"],
        capture_output=True, text=True, timeout=900, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(folder / "stancewatch.duckdb")
    assert not user_db.exists() and not user_sources.exists()
    with reader(folder / "stancewatch.duckdb") as r:
        assert r.con.execute("SELECT count(*) FROM articles").fetchone() == (28,)
