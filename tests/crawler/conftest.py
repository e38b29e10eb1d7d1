"""Fixtures for crawler tests: the local news site, and a crawl run through the real CLI in a subprocess."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.crawler.news_site import FixtureServer, NewsSite, build_news_site
from tests.crawler.runner import CliCrawl


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def news_site() -> Iterator[NewsSite]:
    """The fixture news site and a robots-blocked second host, served on 127.0.0.1 for a module."""
    main, blocked = FixtureServer(), FixtureServer()
    site = build_news_site(main, blocked, _dead_port())
    main.start()
    blocked.start()
    try:
        yield site
    finally:
        main.stop()
        blocked.stop()


@pytest.fixture(scope="module")
def cli_crawl(news_site: NewsSite, tmp_path_factory: pytest.TempPathFactory) -> CliCrawl:
    """A CLI crawl runner pointed at the fixture site's sources and a fresh warehouse."""
    return CliCrawl(tmp_path_factory.mktemp("crawl"), news_site.sources)
