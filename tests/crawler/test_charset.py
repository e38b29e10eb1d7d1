"""Decoding pages whose charset is missing or wrong."""

from __future__ import annotations

import pytest

from crawler.charset import decode_html
from tests.crawler.news_site import article_html, russian_text

PAGE = article_html("Переговоры в Астане", russian_text("charset"), lang="ru", charset=None)


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "utf-8"])
@pytest.mark.parametrize("declared", [None, "utf-8", "windows-1251", "koi8-r", "iso-8859-1"])
def test_cyrillic_decodes_whatever_is_declared(encoding: str, declared: str | None) -> None:
    header = f"text/html; charset={declared}" if declared else "text/html"
    text, used = decode_html(PAGE.encode(encoding), header)
    assert text == PAGE
    assert used == {"cp1251": "cp1251", "koi8-r": "koi8-r", "utf-8": "utf-8"}[encoding]


def test_meta_charset_is_used_when_consistent() -> None:
    page = '<html><head><meta charset="windows-1251"></head><body>' + "Новости дня. " * 20 + "</body></html>"
    assert decode_html(page.encode("cp1251"), None) == (page, "cp1251")


def test_western_pages_and_bom() -> None:
    page = "<p>Café déjà vu, naïve façade.</p>"
    assert decode_html(page.encode("cp1252"), "text/html; charset=iso-8859-1")[0] == page
    assert decode_html(page.encode("cp1252"), None)[0] == page
    assert decode_html(b"\xef\xbb\xbf" + page.encode("utf-8"), "text/html; charset=latin-1") == (page, "utf-8")
    assert decode_html(b"<p>plain ascii</p>", None)[0] == "<p>plain ascii</p>"
