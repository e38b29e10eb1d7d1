"""The full-text index kept up to date by real crawls (the CLI in a subprocess) of the local fixture site."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawler.news_site import FixtureServer, build_news_site
from tests.crawler.runner import CliCrawl
from warehouse import reader, search

pytestmark = pytest.mark.slow


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliCrawl]:
    """One crawl of the fixture site into a fresh warehouse (the crawler's own hook writes the index)."""
    main, blocked = FixtureServer(), FixtureServer()
    site = build_news_site(main, blocked, _dead_port())
    main.start()
    blocked.start()
    try:
        runner = CliCrawl(tmp_path_factory.mktemp("search-crawl"), site.sources)
        done = runner("--trigger", "test")
        assert done.returncode == 0, done.stderr
        yield runner
    finally:
        main.stop()
        blocked.stop()


def _warehouse(db: Path) -> tuple[int, str, dict[str, str]]:
    with reader(db) as r:
        count, last = r.con.execute("SELECT count(*), max(fetched_at) FROM articles").fetchone() or (0, None)
        texts = dict(r.con.execute("SELECT id, lower(coalesce(title, '') || ' ' || text) FROM articles").fetchall())
    return int(count), last.isoformat(), texts


def _recorded(db: Path) -> dict[str, object]:
    state: dict[str, object] = json.loads((search.index_dir(db) / search.STATE_FILE).read_text(encoding="utf-8"))
    return state


def _ids(db: Path, text: str) -> set[str]:
    found = search.matches(db, text)
    with reader(db) as r:
        keyed = dict(r.con.execute("SELECT hash(id), id FROM articles").fetchall())
    keys = {int(k) for k in found.keys.to_pylist()}
    return {aid for key, aid in keyed.items() if (key in keys) != found.exclude}


def test_the_crawl_leaves_the_index_holding_every_stored_article(crawl: CliCrawl) -> None:
    count, last, _ = _warehouse(crawl.db)
    assert count > 10
    # No search ran yet: the crawler's hook brought the index this far, batch by batch.
    assert _recorded(crawl.db) == {"format": search.FORMAT, "keys": search.KEYS, "articles": count,
                                   "last_fetched": last}


@pytest.mark.parametrize("word", ["нефтепровод", "пошлин", "kazakhstan", "pipeline"])
def test_a_search_finds_exactly_the_crawled_articles_with_the_word(crawl: CliCrawl, word: str) -> None:
    _, _, texts = _warehouse(crawl.db)
    # Every article with a word starting so is found; the stems may add inflected forms, but of the same stem.
    expected = {aid for aid, text in texts.items() if re.search(rf"(?<!\w){word}", text)}
    found = _ids(crawl.db, word)
    assert expected and expected <= found
    stem = word[:-2]
    assert all(re.search(rf"(?<!\w){stem}", texts[aid]) for aid in found)


def test_a_refreshing_recrawl_keeps_one_document_per_article(crawl: CliCrawl) -> None:
    before = _ids(crawl.db, "kazakhstan")
    done = crawl("--trigger", "test", "--refresh")
    assert done.returncode == 0, done.stderr
    count, last, _ = _warehouse(crawl.db)
    assert _recorded(crawl.db)["articles"] == count and _recorded(crawl.db)["last_fetched"] == last
    assert search.matches(crawl.db, "kazakhstan").count == len(before)
    assert _ids(crawl.db, "kazakhstan") == before
