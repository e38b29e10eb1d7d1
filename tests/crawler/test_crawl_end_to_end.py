"""End to end: real Scrapy crawls (subprocesses) of the local fixture site into a real DuckDB file."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crawler.urls import article_id
from tests.crawler.news_site import NewsSite
from tests.crawler.runner import CliCrawl
from warehouse import reader

pytestmark = pytest.mark.slow


def _articles(crawl: CliCrawl) -> dict[str, dict[str, Any]]:
    with reader(crawl.db) as r:
        rows = r.con.execute("SELECT * FROM articles").fetchall()
        columns = [d[0] for d in r.con.description or []]
    return {row["url"]: row for row in (dict(zip(columns, values, strict=True)) for values in rows)}


def _runs(crawl: CliCrawl) -> list[dict[str, Any]]:
    with reader(crawl.db) as r:
        rows = r.con.execute("SELECT id, status, trigger, stats, errors FROM crawl_runs ORDER BY started_at").fetchall()
    return [{"id": i, "status": s, "trigger": t, "stats": json.loads(st), "errors": json.loads(e)}
            for i, s, t, st, e in rows]


def _fetch_log(crawl: CliCrawl, run_id: str) -> dict[str, tuple[int | None, str | None]]:
    with reader(crawl.db) as r:
        rows = r.fetch("crawl_fetch_log_for_run", {"run_id": run_id})
    return {url: (status, kind) for url, _source, status, kind, _size in rows}


@pytest.fixture(scope="module")
def first(cli_crawl: CliCrawl) -> dict[str, Any]:
    """The first crawl of the fixture site, with its articles, run row and fetch log."""
    done = cli_crawl("--trigger", "test")
    assert done.returncode == 0, done.stderr
    runs = _runs(cli_crawl)
    return {"process": done, "articles": _articles(cli_crawl), "run": runs[-1],
            "log": _fetch_log(cli_crawl, runs[-1]["id"])}


def test_stores_every_article_and_nothing_else(first: dict[str, Any], news_site: NewsSite) -> None:
    assert set(first["articles"]) == news_site.expected_urls
    for path in news_site.never_fetched:
        assert news_site.main.hit_count(path) == 0, path


def test_articles_have_language_title_dates_and_extractor(first: dict[str, Any], news_site: NewsSite) -> None:
    articles = first["articles"]
    for url, row in articles.items():
        assert row["language"] == ("ru" if "/ru/" in url else "en"), url
        assert row["published_at"] is not None and row["extractor"] == "trafilatura"
        assert row["id"] == article_id(url) and len(row["text"]) >= 300
    titles = {articles[news_site.main.url(p)]["title"] for p in ("/ru/cp1251.html", "/ru/koi8.html")}
    assert titles == {"Переговоры о нефтепроводе в Астане", "Таможенные пошлины снизят с января"}
    assert "Президент" not in "".join(titles)  # sanity: decoded Cyrillic, not mojibake
    assert all("Ð" not in row["text"] and "\ufffd" not in row["text"] for row in articles.values())


def test_every_fault_is_logged_with_its_kind(first: dict[str, Any], news_site: NewsSite) -> None:
    log, u = first["log"], news_site.main.url
    expected = {
        "/faults/403.html": "http_403", "/faults/404.html": "http_404", "/faults/429.html": "http_429",
        "/faults/500.html": "http_500", "/faults/loop-a.html": "redirect_loop", "/faults/slow.html": "timeout",
        "/faults/huge.html": "too_large", "/faults/malformed.xml": "bad_xml", "/faults/html-feed.xml": "not_a_feed",
        "/faults/empty.xml": "empty_feed",
    }
    for path, kind in expected.items():
        assert log[u(path)][1] == kind, path
    assert log[news_site.blocked.url("/feed.xml")][1] == "robots_disallowed"
    refused = [kind for url, (_, kind) in log.items() if "refused" in url or (url.endswith("/feed.xml")
               and news_site.main.base not in url and news_site.blocked.base not in url)]
    assert refused and set(refused) == {"connection_refused"}
    assert log[u("/faults/429-once.html")] == (200, None)
    errors = first["run"]["errors"]
    for kind in [*expected.values(), "robots_disallowed", "connection_refused"]:
        assert errors.get(kind, 0) >= 1, kind


def test_retry_after_is_honoured(first: dict[str, Any], news_site: NewsSite) -> None:
    times = [t for p, t in news_site.main.hits if p == "/faults/429-once.html"]
    assert len(times) == 2 and times[1] - times[0] >= 0.9


def test_run_row_has_stats(first: dict[str, Any], news_site: NewsSite) -> None:
    run = first["run"]
    assert run["status"] == "done" and run["trigger"] == "test"
    assert run["stats"]["stored"] == len(news_site.expected_urls)
    assert run["stats"]["requests"] >= len(news_site.expected_urls) + 10
    assert run["stats"]["dropped"]["older_than_since"] >= 1  # the 2001 Atom entry and archive sitemap
    assert run["stats"]["dropped"]["duplicate_in_run"] >= 1  # the utm_ variant of story 1
    assert "articles stored" in first["process"].stdout


def test_syndicated_copy_shares_the_story(first: dict[str, Any], news_site: NewsSite) -> None:
    original, copy = (first["articles"][u] for u in news_site.syndicated)
    assert original["id"] != copy["id"] and original["source"] != copy["source"]
    # Both came in one run, fetched concurrently: whichever copy was stored first names the story.
    assert original["story_id"] == copy["story_id"] in {original["id"], copy["id"]}
    others = {row["story_id"] for url, row in first["articles"].items() if url not in news_site.syndicated}
    assert len(others) == len(first["articles"]) - 2  # nothing else was grouped


def test_second_crawl_adds_nothing(first: dict[str, Any], cli_crawl: CliCrawl) -> None:
    done = cli_crawl()
    assert done.returncode == 0, done.stderr
    run = _runs(cli_crawl)[-1]
    assert run["stats"]["stored"] == 0
    assert run["stats"]["dropped"]["already_stored"] >= len(first["articles"])
    assert set(_articles(cli_crawl)) == set(first["articles"])


def test_refresh_with_cap_refetches_only_that_many(first: dict[str, Any], cli_crawl: CliCrawl) -> None:
    done = cli_crawl("--refresh", "--max-articles", "2", "--source", "steppe-herald")
    assert done.returncode == 0, done.stderr
    run = _runs(cli_crawl)[-1]
    assert run["stats"]["stored"] == 2
    after = _articles(cli_crawl)
    assert set(after) == set(first["articles"])
    assert sum(row["run_id"] == run["id"] for row in after.values()) == 2


def test_unknown_source_is_a_clear_error(cli_crawl: CliCrawl) -> None:
    done = cli_crawl("--source", "no-such-outlet")
    assert done.returncode == 2
    assert "unknown source 'no-such-outlet'" in done.stderr and "steppe-herald" in done.stderr
