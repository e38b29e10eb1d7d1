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


def _with_bad_byte(page: str) -> bytes:
    body = page.encode("utf-8")
    at = body.index("Астане".encode()) + 2  # inside the word, between two Cyrillic letters
    return body[:at] + b"\xff" + body[at:]


@pytest.mark.parametrize("header", ["text/html; charset=utf-8", "text/html", None])
def test_one_bad_byte_keeps_a_utf8_page_utf8(header: str | None) -> None:
    # Issue 15 item 1: one invalid byte in a UTF-8 Russian page used to send the whole page to cp1252.
    page = article_html("Переговоры в Астане", russian_text("bad-byte"), lang="ru", charset="utf-8")
    text, used = decode_html(_with_bad_byte(page), header)
    assert used == "utf-8"
    assert text.count("\ufffd") == 1  # the bad byte, and only it, is replaced
    assert text.replace("\ufffd", "") == page


def test_a_page_that_contains_the_replacement_character_itself_is_not_miscounted() -> None:
    # Issue 15 item 1: U+FFFD the page really contains is text, not a decoding failure.
    page = "<p>" + "Новости дня. " * 5 + "\ufffd</p>"
    body = page.encode("utf-8") + b"\xff"
    text, used = decode_html(body, "text/html; charset=utf-8")
    assert used == "utf-8" and text == page + "\ufffd"


def test_single_byte_cyrillic_declared_utf8_is_still_recognised() -> None:
    # Issue 15 item 1: the lenient UTF-8 path must not swallow a page that is really cp1251.
    text, used = decode_html(PAGE.encode("cp1251"), "text/html; charset=utf-8")
    assert (text, used) == (PAGE, "cp1251")
