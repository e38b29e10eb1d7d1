"""Links on a section or archive page: article links and pagination links, by the source's patterns."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin

from lxml import html as lxml_html

from crawler.urls import is_http_url


def page_links(page: str, base_url: str) -> list[str]:
    """Every distinct absolute http(s) link on a page, in document order (fragments dropped)."""
    if not page.strip():
        return []
    try:
        tree = lxml_html.fromstring(page)
    except (ValueError, lxml_html.etree.ParserError):
        return []
    seen: dict[str, None] = {}
    for href in tree.xpath("//a/@href"):
        url = urldefrag(urljoin(base_url, str(href).strip()))[0]
        if is_http_url(url):
            seen.setdefault(url, None)
    return list(seen)


def listing_links(page: str, base_url: str, link_pattern: str, next_pattern: str | None) -> tuple[list[str], list[str]]:
    """Split a listing page's links into (article links, next-page links) by the two regular expressions."""
    article_re = re.compile(link_pattern)
    next_re = re.compile(next_pattern) if next_pattern else None
    articles, pages = [], []
    for url in page_links(page, base_url):
        if next_re is not None and next_re.search(url):
            pages.append(url)
        elif article_re.search(url):
            articles.append(url)
    return articles, pages
