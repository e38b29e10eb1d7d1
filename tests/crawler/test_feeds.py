"""Feed and sitemap parsing."""

from __future__ import annotations

import gzip
from datetime import datetime

import pytest

from crawler.feeds import FeedError, parse_feed, parse_sitemap
from tests.crawler.news_site import atom, news_sitemap, rss1, rss2, sitemap_index

ITEMS = [("http://a.kz/1", "Один", datetime(2026, 3, 1, 10, 30)), ("http://a.kz/2", "Two", datetime(2026, 3, 2))]


@pytest.mark.parametrize("build", [rss2, rss1, atom])
def test_feed_kinds(build: object) -> None:
    entries = parse_feed(build(ITEMS).encode())  # type: ignore[operator]
    assert [(e.url, e.title, e.published_at) for e in entries] == ITEMS


def test_rss2_rfc822_dates_with_offsets_become_utc() -> None:
    body = (b'<rss version="2.0"><channel><item><link>http://a/1</link>'
            b"<pubDate>Tue, 03 Jun 2025 09:39:21 +0300</pubDate></item></channel></rss>")
    assert parse_feed(body)[0].published_at == datetime(2025, 6, 3, 6, 39, 21)


def test_news_sitemap_index_and_gzip() -> None:
    entries = parse_sitemap(gzip.compress(news_sitemap(ITEMS).encode()))
    assert [(e.url, e.published_at, e.is_sitemap) for e in entries] == [(u, d, False) for u, _, d in ITEMS]
    index = parse_sitemap(sitemap_index([("http://a.kz/s1.xml", datetime(2026, 1, 5))]).encode())
    assert index[0].is_sitemap and index[0].published_at == datetime(2026, 1, 5)


def test_plain_urlset_uses_lastmod() -> None:
    body = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://a/x</loc>'
            b"<lastmod>2026-02-03T04:05:06+01:00</lastmod></url><url><loc>http://a/y</loc></url></urlset>")
    entries = parse_sitemap(body)
    assert entries[0].published_at == datetime(2026, 2, 3, 3, 5, 6) and entries[1].published_at is None


@pytest.mark.parametrize(("body", "kind"), [
    (rss2(ITEMS)[:200].encode(), "bad_xml"),
    (b"<!DOCTYPE html><html><body>hi</body></html>", "not_a_feed"),
    (b"", "not_a_feed"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "not_a_feed"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><rss><channel>'
     b"<item><link>&e;</link></item></channel></rss>", None),
])
def test_broken_documents_raise_a_counted_kind(body: bytes, kind: str | None) -> None:
    if kind is None:  # external entities are never resolved
        entries = parse_feed(body)
        assert all("root:" not in e.url for e in entries)
        return
    with pytest.raises(FeedError) as caught:
        parse_feed(body)
    assert caught.value.kind == kind


def test_empty_feed_is_empty() -> None:
    assert parse_feed(rss2([]).encode()) == []
    with pytest.raises(FeedError):
        parse_sitemap(rss2([]).encode())
