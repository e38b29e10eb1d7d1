"""Issue 15: a real crawl (subprocess, Scrapy over HTTP, DuckDB file) of a hostile fixture site on 127.0.0.1.

The outlet's own server is allowed through crawl.private_hosts (it is on 127.0.0.1 like every fixture);
a second "internal" server stands for the machine's own services and must never be reached. Only loopback
addresses appear here, so a regression could reach nothing beyond this machine; the policy's verdicts on
link-local (169.254.169.254), private and reserved addresses are checked in test_addresses.py.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from tests.crawler.news_site import FixtureServer, Route, article_html, english_text, recent, rss2, russian_text
from tests.crawler.runner import TEST_SETTINGS, CliCrawl
from warehouse import reader

pytestmark = pytest.mark.slow

RUSSIAN_TITLE = "Переговоры о транзите в Астане"


def _bad_byte_page() -> bytes:
    """A UTF-8 Russian article with one invalid byte in the middle of its text."""
    page = article_html(RUSSIAN_TITLE, russian_text("bad-byte"), lang="ru", published=recent(1)).encode("utf-8")
    at = page.index(b"<p>", page.index(b"<article>")) + 200
    while page[at] & 0xC0 == 0x80:  # land between two characters, not inside one
        at += 1
    return page[:at] + b"\xff" + page[at:]


@dataclass
class Hostile:
    """The servers, what the crawl printed, its run row and its fetch log."""

    main: FixtureServer
    internal: FixtureServer
    process: Any
    run: dict[str, Any]
    log: dict[str, tuple[int | None, str | None]]
    articles: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    """One crawl of an outlet whose feed, listing and redirects point at internal addresses."""
    main, internal = FixtureServer(), FixtureServer()
    for path in ("/secret.html", "/redirected-secret.html", "/en/listed-secret.html"):
        internal.html(path, article_html("Internal secret", english_text(path), published=recent(1)))
    internal.routes["/robots.txt"] = Route(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
    main.routes["/robots.txt"] = Route(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
    port = internal.port
    main.routes["/ru/bad-byte.html"] = Route(200, _bad_byte_page(), {"Content-Type": "text/html; charset=utf-8"})
    main.routes["/go-internal.html"] = Route(302, b"", {"Location": internal.url("/redirected-secret.html")})
    main.html("/en/fine.html", article_html("A fine public story", english_text("fine"), published=recent(1)))
    # 5 KB on the wire, 5 MB once inflated: past max_response_mb (0.5) only after decompression.
    bomb = gzip.compress(b"<html><body>" + b"a" * (5 * 1024 * 1024) + b"</body></html>")
    main.routes["/bomb.html"] = Route(200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    items = [
        (main.url("/ru/bad-byte.html"), RUSSIAN_TITLE, recent(1)),
        (main.url("/en/fine.html"), "fine", recent(1)),
        (internal.url("/secret.html"), "another port of this machine", recent(1)),
        (f"http://localhost:{port}/secret.html", "loopback by name", recent(1)),
        (f"http://2130706433:{port}/secret.html", "127.0.0.1 spelt as a number (resolved)", recent(1)),
        (f"http://[::1]:{port}/secret.html", "IPv6 loopback", recent(1)),
        (main.url("/go-internal.html"), "redirects to another port", recent(1)),
        (main.url("/bomb.html"), "a gzip bomb", recent(1)),
    ]
    main.xml("/feed.xml", rss2(items))
    # A protocol-relative link on a listing page resolves to another port of this machine.
    main.html("/section.html", f'<html><body><a href="//127.0.0.1:{port}/en/listed-secret.html">x</a>'
                               f'<a href="/en/fine.html">fine</a></body></html>')
    sources = [{"name": "hostile", "homepage": main.url("/"), "country": "KZ", "language": "en",
                "feeds": [main.url("/feed.xml")],
                "listings": [{"url": main.url("/section.html"), "link_pattern": r"/en/"}]}]
    crawl = CliCrawl(tmp_path_factory.mktemp("hostile"), sources)
    # Only the outlet's own host:port is allowed: the opt-in the tests and the demo use, made narrow.
    settings = TEST_SETTINGS.replace("allow_private_addresses = true",
                                     f'private_hosts = ["127.0.0.1:{main.port}"]')
    assert settings != TEST_SETTINGS
    crawl.config.write_text(settings, encoding="utf-8")
    main.start()
    internal.start()
    try:
        done = crawl("--workers", "0")
        with reader(crawl.db) as r:
            run_id, status, stats, errors = r.con.execute(
                "SELECT id, status, stats, errors FROM crawl_runs").fetchone()
            rows = r.fetch("crawl_fetch_log_for_run", {"run_id": run_id})
            cursor = r.con.execute("SELECT url, title, text, language FROM articles")
            articles = {row[0]: dict(zip(("url", "title", "text", "language"), row, strict=True))
                        for row in cursor.fetchall()}
        yield Hostile(main, internal, done,
                      {"status": status, "stats": json.loads(stats), "errors": json.loads(errors)},
                      {url: (status, kind) for url, _source, status, kind, _size in rows}, articles)
    finally:
        main.stop()
        internal.stop()


def test_no_request_reaches_an_internal_address(hostile: Hostile) -> None:
    # Issue 15 item 2: feed items, listing links, protocol-relative links and redirects reached loopback,
    # private and link-local addresses.
    assert hostile.process.returncode == 0, hostile.process.stderr
    assert hostile.internal.hits == []
    port = hostile.internal.port
    refused = [hostile.internal.url("/secret.html"), f"http://localhost:{port}/secret.html",
               f"http://2130706433:{port}/secret.html", f"http://[::1]:{port}/secret.html",
               hostile.internal.url("/redirected-secret.html"), hostile.internal.url("/en/listed-secret.html")]
    for url in refused:
        assert hostile.log.get(url) == (None, "private_address"), (url, hostile.log)
    assert hostile.run["errors"]["private_address"] == len(refused)
    assert set(hostile.articles) == {hostile.main.url("/ru/bad-byte.html"), hostile.main.url("/en/fine.html")}


def test_a_utf8_page_with_one_bad_byte_is_stored_as_russian(hostile: Hostile) -> None:
    # Issue 15 item 1: the page was decoded whole as cp1252 (mojibake, language NULL).
    article = hostile.articles[hostile.main.url("/ru/bad-byte.html")]
    assert article["title"] == RUSSIAN_TITLE
    assert article["language"] == "ru"
    assert article["text"].count("\ufffd") == 1  # the one bad byte, nothing else
    assert "Ð" not in article["text"] and "заявил" in article["text"]


def test_private_hosts_setting_is_validated(tmp_path_factory: pytest.TempPathFactory) -> None:
    # Issue 15 item 2: a malformed allow-list entry is a clear settings error, not a crawl that allows nothing.
    crawl = CliCrawl(tmp_path_factory.mktemp("bad-allow"), [])
    crawl.config.write_text(TEST_SETTINGS + 'private_hosts = ["127.0.0.1"]\n', encoding="utf-8")
    crawl.sources.write_text(yaml.safe_dump({"sources": []}), encoding="utf-8")
    done = crawl()
    assert done.returncode == 2
    assert "crawl.private_hosts" in done.stderr and "expected host:port" in done.stderr


def test_a_gzip_bomb_is_counted_as_too_large(hostile: Hostile) -> None:
    # Issue 15 item 7: gzip bombs were counted as "ignored" instead of "too_large".
    assert hostile.log[hostile.main.url("/bomb.html")] == (None, "too_large")
    assert "ignored" not in hostile.run["errors"]


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, FixtureServer, CliCrawl]]:
    """A crawl of a 127.0.0.1 outlet without the opt-in (every fetch refused), with --since in the future."""
    server = FixtureServer()
    server.xml("/feed.xml", rss2([(server.url("/a.html"), "a", recent(1))]))
    crawl = CliCrawl(tmp_path_factory.mktemp("refused"), [
        {"name": "local", "homepage": server.url("/"), "country": "KZ", "language": "en",
         "feeds": [server.url("/feed.xml")]}])
    crawl.config.write_text(TEST_SETTINGS.replace("allow_private_addresses = true\n", ""), encoding="utf-8")
    server.start()
    try:
        yield crawl("--since", "2999-01-01", "--workers", "0"), server, crawl
    finally:
        server.stop()


def test_a_crawl_where_every_fetch_fails_is_failed(refused: tuple[Any, FixtureServer, CliCrawl]) -> None:
    # Issue 15 item 7: a crawl where every fetch failed ended "done" with exit 0. (And item 2: without the
    # opt-in, the outlet's own 127.0.0.1 feed is refused, never requested.)
    done, server, crawl = refused
    assert done.returncode == 1, done.stdout + done.stderr
    assert "every fetch failed (private_address 1)" in done.stderr
    assert server.hits == []
    with reader(crawl.db) as r:
        assert r.con.execute("SELECT status FROM crawl_runs").fetchall() == [("failed",)]


def test_crawl_since_a_future_date_warns(refused: tuple[Any, FixtureServer, CliCrawl]) -> None:
    # Issue 15 item 7: `crawl --since` a future date gave no warning.
    done, _server, _crawl = refused
    assert "warning: --since 2999-01-01 is in the future" in done.stderr
