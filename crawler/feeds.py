"""Parse feeds and sitemaps (pure functions of their bytes): RSS 2.0, RSS 1.0, Atom; sitemap indexes,
urlsets and Google News sitemaps.

Each parser returns entries with a URL and, where the document gives one, a date, so the crawl can stop
at --since without fetching years of archive. A document that is not what it should be raises FeedError
with a counted kind: bad_xml (malformed), not_a_feed (HTML or another XML vocabulary).
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from lxml import etree

from crawler.extract import parse_datetime

_FEED_ROOTS = {"rss", "rdf", "feed", "channel"}
_SITEMAP_ROOTS = {"urlset", "sitemapindex"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
_MAX_GUNZIP = 50 * 1024 * 1024


class FeedError(Exception):
    """A feed or sitemap that cannot be used; ``kind`` is the counted error kind."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Entry:
    """One link from a feed or sitemap, with what the document says about it."""

    url: str
    published_at: datetime | None = None
    title: str | None = None
    is_sitemap: bool = False


def _local(tag: Any) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(element: Any, *names: str) -> str | None:
    for child in element:
        if _local(child.tag) in names and child.text and child.text.strip():
            return str(child.text).strip()
    return None


def _date(value: str | None) -> datetime | None:
    """RFC 822 (RSS) or ISO 8601 (Atom, RSS 1.0 dc:date, sitemaps) into naive UTC."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return parse_datetime(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def maybe_gunzip(body: bytes, limit: int = _MAX_GUNZIP) -> bytes:
    """Un-gzip a .xml.gz body (sitemaps are often served so), refusing to inflate past ``limit`` bytes."""
    if body[:2] != b"\x1f\x8b":
        return body
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise FeedError("too_large", f"gzipped document inflates past {limit} bytes")
    return data


def _root(body: bytes) -> Any:
    body = maybe_gunzip(body)
    head = body.lstrip()[:512].lower()
    if not head:
        raise FeedError("not_a_feed", "empty document")
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        raise FeedError("not_a_feed", "an HTML page where a feed or sitemap was expected")
    try:
        return etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise FeedError("bad_xml", f"malformed XML: {exc}") from None


def _atom_link(entry: Any) -> str | None:
    fallback = None
    for child in entry:
        if _local(child.tag) != "link":
            continue
        href, rel = child.get("href"), child.get("rel", "alternate")
        if href and rel == "alternate":
            return str(href).strip()
        fallback = fallback or href
    return str(fallback).strip() if fallback else None


def parse_feed(body: bytes) -> list[Entry]:
    """Return the entries of an RSS 2.0, RSS 1.0 or Atom feed (an empty list for an empty feed)."""
    root = _root(body)
    kind = _local(root.tag)
    if kind not in _FEED_ROOTS:
        raise FeedError("not_a_feed", f"XML root <{kind}> is not rss, rdf:RDF or feed")
    entries: list[Entry] = []
    for element in root.iter():
        name = _local(element.tag)
        if name == "item":  # RSS 2.0 (inside channel) and RSS 1.0 (beside it)
            link = _child_text(element, "link") or element.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
            guid = _child_text(element, "guid")
            link = link or (guid if guid and guid.startswith("http") else None)
            when = _date(_child_text(element, "pubdate", "date", "published", "updated"))
            if link:
                entries.append(Entry(link, when, _child_text(element, "title")))
        elif name == "entry":  # Atom
            link = _atom_link(element)
            when = _date(_child_text(element, "published", "issued", "updated", "modified"))
            if link:
                entries.append(Entry(link, when, _child_text(element, "title")))
    return entries


def parse_sitemap(body: bytes) -> list[Entry]:
    """Return a sitemap's entries: child sitemaps (is_sitemap) of an index, or page URLs of a urlset,
    dated by news:publication_date where present, else lastmod."""
    root = _root(body)
    kind = _local(root.tag)
    if kind not in _SITEMAP_ROOTS:
        raise FeedError("not_a_feed", f"XML root <{kind}> is not urlset or sitemapindex")
    entries: list[Entry] = []
    for element in root:
        name = _local(element.tag)
        if name not in ("url", "sitemap"):
            continue
        loc = _child_text(element, "loc")
        if not loc:
            continue
        when, title = None, None
        for news in element:
            if _local(news.tag) == "news":
                when = _date(_child_text(news, "publication_date"))
                title = _child_text(news, "title")
        when = when or _date(_child_text(element, "lastmod"))
        entries.append(Entry(loc, when, title, is_sitemap=name == "sitemap"))
    return entries
