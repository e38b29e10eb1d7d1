"""Parsing: a pure function from a page's HTML to an article record, or the reason it is not an article.

trafilatura extracts the main text and metadata (its dates come from htmldate); when it returns no text,
trafilatura's baseline (paragraphs, JSON-LD articleBody) and then the meta description stand in; titles
fall back to og:title, <title> and <h1>; dates to htmldate's extensive search and then the feed's date.
The extractor that produced the text is recorded with the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import htmldate
import trafilatura
from trafilatura.utils import load_html

from crawler.charset import decode_html
from crawler.dedupe import content_hash
from crawler.urls import article_id, canonical_url
from languageid import detect_language

EXTRACTOR_MAIN = "trafilatura"
EXTRACTOR_BASELINE = "trafilatura-baseline"
EXTRACTOR_META = "meta-description"
_DATE_PARAMS = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
_SPACE = re.compile(r"[ \t\u00a0]+")
_MIDNIGHT = datetime.min.time()
_INDEX_TYPES = {"website", "object", "profile"}


@dataclass(frozen=True)
class Hints:
    """What the page's feed or sitemap said about it: used only where the page itself says nothing."""

    title: str | None = None
    published_at: datetime | None = None


@dataclass(frozen=True)
class Extracted:
    """An article parsed from one page (no source, run or story yet: those come from the crawl)."""

    id: str
    url: str
    title: str | None
    description: str | None
    text: str
    authors: tuple[str, ...]
    published_at: datetime | None
    language: str | None
    content_hash: str
    extractor: str
    fetched_url: str = ""

    def record(self) -> dict[str, Any]:
        """The fields as a plain dict, for JSON lines and warehouse rows."""
        return {
            "id": self.id, "url": self.url, "title": self.title, "description": self.description,
            "text": self.text, "authors": list(self.authors),
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "language": self.language, "content_hash": self.content_hash, "extractor": self.extractor,
        }


@dataclass(frozen=True)
class NotArticle:
    """A page dropped as not an article, with a short counted reason and a human detail."""

    url: str
    reason: str
    detail: str = field(default="")


def extract_and_sign(page: str | bytes, url: str, **kwargs: Any) -> tuple[Extracted | NotArticle, bytes | None]:
    """extract_article plus the article's MinHash signature, so a worker process does both CPU-bound steps."""
    from crawler.dedupe import signature, signature_bytes

    result = extract_article(page, url, **kwargs)
    return result, signature_bytes(signature(result.text)) if isinstance(result, Extracted) else None


def parse_datetime(value: str | None) -> datetime | None:
    """Parse an ISO-ish date or datetime into naive UTC; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
        except ValueError:
            return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = _SPACE.sub(" ", value.replace("\u00ad", "")).strip()
    return value or None


_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ")


def _headline(tree: Any, title: str | None) -> str | None:
    """The page's headline: its one <h1> when it has exactly one with a few words, else the title stripped
    of a trailing site name (" | Site", " - Site")."""
    h1s = [t for t in (_one_line(_clean(h.text_content())) for h in tree.xpath("//h1")) if t]
    if len(h1s) == 1 and len(h1s[0].split()) >= 3 and len(h1s[0]) <= 300:
        return h1s[0]
    if title:
        for h1 in h1s:
            if title.startswith(h1) and title[len(h1):].startswith(_TITLE_SEPARATORS):
                return h1
    return title


def _one_line(value: str | None) -> str | None:
    return " ".join(value.split()) or None if value else None


def _first(tree: Any, xpath: str) -> str | None:
    for value in tree.xpath(xpath):
        text = _clean(value if isinstance(value, str) else value.text_content())
        if text:
            return text
    return None


def _clean_text(text: str) -> str:
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _authors(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    seen: dict[str, None] = {}
    for part in re.split(r";|\s+\|\s+", raw):
        name = _clean(part)
        if name and len(name) <= 100:
            seen.setdefault(name, None)
    return tuple(seen)


def extract_article(page: str | bytes, url: str, *, min_text_chars: int = 300, content_type: str | None = None,
                    hints: Hints | None = None, favor_precision: bool = False) -> Extracted | NotArticle:
    """Parse one page into an article, or say why it is not one (no_html, no_text, too_short, index_page)."""
    hints = hints or Hints()
    text_html = decode_html(page, content_type)[0] if isinstance(page, bytes) else page
    tree = load_html(text_html) if text_html.strip() else None
    if tree is None:
        return NotArticle(url, "no_html", "the body is empty or not HTML")
    canonical = canonical_url(url, canonical_href=_first(tree, '//link[@rel="canonical"]/@href'))
    extracted = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, favor_precision=favor_precision,
        date_extraction_params=_DATE_PARAMS)
    doc: Any = extracted  # a trafilatura Document (as_dict is off), or None
    body = _clean_text(doc.text or "") if doc is not None else ""
    extractor = EXTRACTOR_MAIN
    description = _clean(doc.description) if doc is not None else None
    description = description or _first(tree, '//meta[@name="description" or @property="og:description"]/@content')
    if len(body) < min_text_chars:
        baseline = _clean_text(trafilatura.baseline(tree)[1] or "")
        if len(baseline) > max(len(body), min_text_chars):
            body, extractor = baseline, EXTRACTOR_BASELINE
        elif not body and description:
            body, extractor = description, EXTRACTOR_META
    pagetype = (doc.pagetype or "").lower() if doc is not None else ""
    parts = urlsplit(canonical)
    if not body:
        return NotArticle(url, "no_text", "no main text found")
    is_home = parts.path in ("", "/") and not parts.query
    if is_home or (pagetype in _INDEX_TYPES and len(body) < 4 * max(min_text_chars, 1)):
        return NotArticle(url, "index_page", f"a home or section page (og:type {pagetype or 'none'})")
    if len(body) < min_text_chars:
        return NotArticle(url, "too_short", f"{len(body)} chars of main text, fewer than {min_text_chars}")
    title = _clean(doc.title) if doc is not None else None
    title = _one_line(_headline(tree, title))
    title = (title or _first(tree, '//meta[@property="og:title"]/@content') or _first(tree, "//title")
             or _first(tree, "//h1") or hints.title)
    published = parse_datetime(doc.date) if doc is not None else None
    if doc is None:  # trafilatura's metadata already ran htmldate with these parameters when it ran at all
        found = htmldate.find_date(text_html, **_DATE_PARAMS)  # type: ignore[arg-type]
        published = parse_datetime(found) if found else None
    if hints.published_at is not None and (published is None or published.time() == _MIDNIGHT):
        # A date without a time is often htmldate's guess from the URL or the text ("in 2026"); the feed's
        # or sitemap's own timestamp is the publisher's word and is kept instead.
        published = hints.published_at
    return Extracted(
        id=article_id(canonical), url=canonical, title=title, description=description, text=body,
        authors=_authors(doc.author if doc is not None else None), published_at=published,
        language=detect_language(f"{title or ''}\n{body}"), content_hash=content_hash(body),
        extractor=extractor, fetched_url=url)
