"""Parsing pages into articles: a pure function of HTML."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from crawler.extract import Extracted, Hints, NotArticle, extract_article, parse_datetime
from crawler.listing import listing_links
from crawler.urls import article_id
from stancewatch.cli import app
from tests.crawler.news_site import article_html, english_text, russian_text

WHEN = datetime(2026, 3, 4, 5, 6, 7)


def test_an_english_article() -> None:
    page = article_html("Grain deal signed", english_text("e1"), published=WHEN, author="Helen Carter",
                        canonical="/news/grain-deal")
    result = extract_article(page, "https://herald.kz/n/1?utm_source=tg")
    assert isinstance(result, Extracted)
    assert result.url == "https://herald.kz/news/grain-deal" and result.id == article_id(result.url)
    assert result.title == "Grain deal signed" and result.authors == ("Helen Carter",)
    assert result.published_at == WHEN and result.language == "en" and result.extractor == "trafilatura"
    assert english_text("e1")[0] in result.text and "All rights reserved" not in result.text
    assert result.description and len(result.content_hash) == 40


def test_a_russian_article_from_cp1251_bytes() -> None:
    page = article_html("Переговоры в Астане", russian_text("r1"), lang="ru", charset=None, published=WHEN)
    result = extract_article(page.encode("cp1251"), "https://vestnik.kz/1", content_type="text/html")
    assert isinstance(result, Extracted)
    assert result.title == "Переговоры в Астане" and result.language == "ru"
    assert russian_text("r1")[0] in result.text


def test_not_articles_are_dropped_with_a_reason() -> None:
    short = article_html("Brief", ["Just one short line of text."])
    result = extract_article(short, "https://a.kz/brief")
    assert isinstance(result, NotArticle) and result.reason == "too_short"
    home = article_html("Home", english_text("home"))
    home_result = extract_article(home, "https://a.kz/")
    assert isinstance(home_result, NotArticle) and home_result.reason == "index_page"
    assert extract_article(b"", "https://a.kz/x") == NotArticle("https://a.kz/x", "no_html",
                                                                "the body is empty or not HTML")
    assert isinstance(extract_article(b"\x00\x01 binary", "https://a.kz/bin"), NotArticle)


def test_fallbacks_title_and_date_from_hints() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in english_text("fallback"))
    page = f"<html><body><div>{paragraphs}</div></body></html>"
    result = extract_article(page, "https://a.kz/story/7", hints=Hints("Feed title", WHEN))
    assert isinstance(result, Extracted)
    assert result.title == "Feed title" and result.published_at == WHEN


def test_parse_datetime_makes_naive_utc() -> None:
    assert parse_datetime("2026-03-04T08:06:07+03:00") == WHEN
    assert parse_datetime("2026-03-04") == datetime(2026, 3, 4)
    assert parse_datetime("yesterday") is None and parse_datetime(None) is None


def test_listing_links_split_articles_and_pages() -> None:
    page = ('<a href="/en/a-1.html">1</a><a href="https://x.kz/en/a-2.html#c">2</a><a href="/section?page=2">n</a>'
            '<a href="ftp://x.kz/en/a-3.html">ftp</a><a href="/about">about</a><a href="/en/a-1.html">dup</a>')
    articles, pages = listing_links(page, "https://x.kz/section", r"/en/a-\d+\.html$", r"page=\d+")
    assert articles == ["https://x.kz/en/a-1.html", "https://x.kz/en/a-2.html"]
    assert pages == ["https://x.kz/section?page=2"]


def test_extract_command_prints_json_lines(tmp_path: Path) -> None:
    plain = tmp_path / "a.html"
    plain.write_text(article_html("Grain deal signed", english_text("cli"), published=WHEN), encoding="utf-8")
    zipped = tmp_path / "b.html.gz"
    zipped.write_bytes(gzip.compress(article_html("Переговоры", russian_text("cli"), lang="ru").encode("koi8-r")))
    short = tmp_path / "c.html"
    short.write_text("<html><body><p>tiny</p></body></html>", encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(plain), str(zipped), str(short), str(tmp_path / "missing")])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["source"] for line in lines] == [str(plain), str(zipped), str(short), str(tmp_path / "missing")]
    assert lines[0]["title"] == "Grain deal signed" and lines[0]["published_at"] == WHEN.isoformat()
    assert lines[0]["extractor"] == "trafilatura" and lines[0]["language"] == "en"
    assert set(lines[0]) >= {"url", "title", "text", "authors", "published_at", "language", "extractor"}
    assert lines[1]["title"] == "Переговоры" and lines[1]["language"] == "ru"
    assert lines[2]["dropped"] == "too_short"
    assert "cannot read" in lines[3]["error"]
