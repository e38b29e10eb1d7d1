"""Canonical URLs and article ids."""

from __future__ import annotations

import pytest

from crawler.urls import article_id, canonical_url, is_http_url, url_id


@pytest.mark.parametrize(("raw", "expected"), [
    ("HTTPS://WWW.Example.COM:443/a/b?utm_source=x&id=3&fbclid=1#top", "https://www.example.com/a/b?id=3"),
    ("http://example.com:80/x?gclid=1&utm_medium=y", "http://example.com/x"),
    ("http://example.com:8080//a//b/", "http://example.com:8080/a/b/"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/p?b=2&a=1&yclid=9", "https://example.com/p?b=2&a=1"),
])
def test_canonical_url_normalises(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


def test_rel_canonical_on_the_same_site_wins() -> None:
    url = "https://m.example.com/news/1?utm_campaign=a"
    assert canonical_url(url, canonical_href="/news/one") == "https://m.example.com/news/one"
    assert canonical_url(url, canonical_href="https://www.example.com/news/one") == "https://www.example.com/news/one"


def test_rel_canonical_to_another_site_keeps_our_url() -> None:
    # A syndicated copy names its original; it stays its own article (the story id groups them).
    assert canonical_url("https://partner.kz/a", canonical_href="https://origin.ru/a") == "https://partner.kz/a"
    assert canonical_url("http://127.0.0.1:81/a", canonical_href="http://127.0.0.1:82/a") == "http://127.0.0.1:81/a"
    assert canonical_url("https://a.kz/x", canonical_href="javascript:void(0)") == "https://a.kz/x"


def test_article_id_is_sha1_of_the_canonical_url() -> None:
    assert article_id("https://example.com/") == "b559c7edd3fb67374c1a25e739cdd7edd1d79949"
    assert url_id("https://Example.com/a?utm_source=1") == url_id("https://example.com/a")
    assert url_id("https://example.com/a") != url_id("https://example.com/b")


@pytest.mark.parametrize(("url", "ok"), [
    ("http://a.kz/x", True), ("https://a.kz", True), ("ftp://a.kz/x", False), ("file:///etc/passwd", False),
    ("data:text/html,hi", False), ("javascript:alert(1)", False), ("//a.kz/x", False), ("http:///x", False),
])
def test_only_http_urls(url: str, ok: bool) -> None:
    assert is_http_url(url) is ok


def test_a_canonical_pointing_home_from_an_article_is_ignored() -> None:
    assert canonical_url("https://a.de/artikel-1/", canonical_href="https://a.de/") == "https://a.de/artikel-1/"
    assert canonical_url("https://a.de/?p=12", canonical_href="/") == "https://a.de/?p=12"
