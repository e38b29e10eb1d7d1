"""Golden tests on real saved pages: fundus' parser test pages and Mozilla Readability's test pages.

Thresholds hold over each whole set (the expected values are other parsers' output, and no generic
extractor matches every page), a little below what the parser measures today, so a regression fails.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from crawler.extract import Extracted, extract_article, parse_datetime

pytestmark = pytest.mark.slow
_WORD = re.compile(r"\w+")


def shingle_f1(got: str, want: str, n: int = 4) -> float:
    """F1 of word 4-gram sets (the article-extraction-benchmark's body metric)."""
    def grams(text: str) -> set[tuple[str, ...]]:
        words = _WORD.findall(text.lower())
        return {tuple(words[i:i + n]) for i in range(max(len(words) - n + 1, 1))} if words else set()
    a, b = grams(got), grams(want)
    if not a or not b:
        return float(a == b)
    overlap = len(a & b)
    return 2 * overlap / (len(a) + len(b))


def _title(text: str | None) -> str:
    text = (text or "").replace("\u00ad", "").replace("\u200b", "")
    for a, b in (("“", '"'), ("”", '"'), ("„", '"'), ("«", '"'), ("»", '"'), ("’", "'"), ("‘", "'")):
        text = text.replace(a, b)
    return " ".join(text.split()).casefold()


@pytest.fixture(scope="module")
def fundus(shared_data: Path) -> list[tuple[dict[str, Any], Extracted | None]]:
    """Every fundus page with its ground truth and the crawler's parse (None when dropped)."""
    folder = shared_data / "fundus-parser-testdata"
    out = []
    for line in (folder / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        result = extract_article(gzip.decompress((folder / row["file"]).read_bytes()), row["url"])
        out.append((row, result if isinstance(result, Extracted) else None))
    return out


def test_fundus_articles_are_kept(fundus: list[tuple[dict[str, Any], Extracted | None]]) -> None:
    kept = sum(result is not None for _, result in fundus)
    assert kept / len(fundus) >= 0.98


def test_fundus_titles(fundus: list[tuple[dict[str, Any], Extracted | None]]) -> None:
    exact = sum(r is not None and _title(r.title) == _title(row["title"]) for row, r in fundus)
    assert exact / len(fundus) >= 0.68


def test_fundus_dates(fundus: list[tuple[dict[str, Any], Extracted | None]]) -> None:
    dated = [(row, r) for row, r in fundus if row.get("publishing_date")]
    day = minute = 0
    for row, r in dated:
        truth = parse_datetime(row["publishing_date"])
        if r is not None and r.published_at is not None and truth is not None:
            day += r.published_at.date() == truth.date()
            minute += abs((r.published_at - truth).total_seconds()) < 60
    assert day / len(dated) >= 0.93
    assert minute / len(dated) >= 0.68


def test_fundus_authors(fundus: list[tuple[dict[str, Any], Extracted | None]]) -> None:
    tp = fp = fn = 0
    for row, r in fundus:
        want = {" ".join(a.split()).casefold() for a in row.get("authors") or []}
        got = {" ".join(a.split()).casefold() for a in (r.authors if r else ())}
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.75


def test_fundus_bodies(fundus: list[tuple[dict[str, Any], Extracted | None]]) -> None:
    scores = [shingle_f1(r.text if r else "", row["body_text"]) for row, r in fundus]
    assert sum(scores) / len(scores) >= 0.80


def test_fundus_languages(fundus: list[tuple[dict[str, Any], Extracted | None]]) -> None:
    by_country = {"de": "de", "at": "de", "us": "en", "uk": "en", "ca": "en", "es": "es", "ru": "ru", "ua": "ru"}
    pairs = [(by_country[row["country"]], r.language) for row, r in fundus
             if r is not None and row["country"] in by_country]
    assert sum(want == got for want, got in pairs) / len(pairs) >= 0.95


@pytest.fixture(scope="module")
def readability(shared_data: Path) -> list[tuple[dict[str, Any], str, Any]]:
    """Every Readability test page: expected metadata, expected article text, the crawler's parse."""
    out = []
    for case in sorted((shared_data / "readability-test-pages" / "pages").iterdir()):
        meta = json.loads((case / "expected-metadata.json").read_text(encoding="utf-8"))
        expected = gzip.decompress((case / "expected.html.gz").read_bytes()).decode("utf-8")
        text = lxml_html.fromstring(expected).text_content() if expected.strip() else ""
        source = gzip.decompress((case / "source.html.gz").read_bytes())
        out.append((meta, text, extract_article(source, f"http://fakehost/test/{case.name}/page.html")))
    return out


def test_readability_bodies_and_titles(readability: list[tuple[dict[str, Any], str, Any]]) -> None:
    articles = [(meta, text, r) for meta, text, r in readability if meta.get("readerable")]
    scores = [shingle_f1(r.text if isinstance(r, Extracted) else "", text) for _, text, r in articles]
    assert sum(scores) / len(scores) >= 0.70
    titled = [(meta, r) for meta, _, r in articles if meta.get("title")]
    hits = sum(isinstance(r, Extracted) and bool(r.title) and _title(r.title) in _title(meta["title"])
               for meta, r in titled)
    assert hits / len(titled) >= 0.65


def test_readability_languages(readability: list[tuple[dict[str, Any], str, Any]]) -> None:
    pairs = [(meta["lang"].split("-")[0].lower(), r.language) for meta, _, r in readability
             if meta.get("lang") and isinstance(r, Extracted)]
    assert sum(want == got for want, got in pairs) / len(pairs) >= 0.85
