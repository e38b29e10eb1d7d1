"""Spiders, one per kind of source entry (feed, sitemap, listing); no class per site.

Every spider shares the run's CrawlStore: it asks the store before fetching an article (known, already
claimed, over the cap), records each fetch in the fetch log, and yields extracted articles to the storage
pipeline. Fetch failures of every kind land in the errback and are logged with a counted kind.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Executor
from datetime import datetime
from functools import partial
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.addresses import BLOCKED_PORT, PRIVATE_ADDRESS, host_port
from crawler.extract import Extracted, Hints, extract_and_sign
from crawler.feeds import Entry, FeedError, parse_feed, parse_sitemap
from crawler.listing import listing_links
from crawler.middleware import AddressRefused, GuardedResolver
from crawler.sources import Listing, Source
from crawler.store import CrawlStore
from crawler.urls import is_http_url, url_id


def failure_kind(failure: Failure) -> tuple[str, int | None]:
    """Name a failed fetch: (error kind, HTTP status when there was a response)."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", status
    name = type(exc).__name__
    message = str(exc).lower()
    if isinstance(exc, AddressRefused) or PRIVATE_ADDRESS in message:
        return "private_address", None
    if BLOCKED_PORT in message:
        return "blocked_port", None
    if isinstance(exc, IgnoreRequest):
        if "maxsize" in message:  # a compressed body that inflates past DOWNLOAD_MAXSIZE (a gzip bomb)
            return "too_large", None
        if "robots.txt" in message:
            return "robots_disallowed", None
        if "redirect" in message:
            return "redirect_loop", None
        if "http(s)" in message:
            return "bad_scheme", None
        return "ignored", None
    if "ConnectionRefused" in name:
        return "connection_refused", None
    if "Timeout" in name or "TimedOut" in name:
        return "timeout", None
    if "Cancel" in name or "maxsize" in message or "max size" in message:
        return "too_large", None
    if "DNS" in name or "Resolve" in name:
        request = getattr(failure, "request", None)
        parsed = host_port(request.url) if request is not None else None
        if parsed is not None and parsed[0].lower() in GuardedResolver.refused:
            return "private_address", None  # the name resolved, to an address the crawl may not reach
        return "dns", None
    if "DataLoss" in name or "ConnectionLost" in name or "ConnectionDone" in name or "ResponseFailed" in name:
        return "connection_lost", None
    if "UnsupportedURLScheme" in name:
        return "bad_scheme", None
    return "other", None


class CrawlSpider(scrapy.Spider):
    """What every kind shares: the store, article requests and parsing, the errback."""

    kind = "base"

    def __init__(self, *, store: CrawlStore, sources: list[Source], min_text_chars: int,
                 favor_precision: bool = False, pool: Executor | None = None, **kwargs: Any) -> None:
        super().__init__(name=f"stancewatch-{self.kind}", **kwargs)
        self.store = store
        self.sources = sources
        self.min_text_chars = min_text_chars
        self.favor_precision = favor_precision
        self.pool = pool

    # -- helpers ------------------------------------------------------------------------------------------
    def _meta_request(self, url: str, callback: Any, source: Source, *, once: bool = True,
                      **cb_kwargs: Any) -> scrapy.Request | None:
        if not is_http_url(url):
            self.store.drop("bad_scheme")
            return None
        if once and not self.store.first_visit(url):
            self.store.drop("already_requested")  # by a process of the shared frontier (this one included)
            return None
        # dont_filter: the store decides what is a duplicate; Scrapy's filter would also silently swallow
        # the second hop of a redirect loop instead of letting it fail as one.
        return scrapy.Request(url, callback=callback, errback=self.on_error, dont_filter=True,
                              cb_kwargs={"source": source, **cb_kwargs}, meta={"source": source.name})

    def article_request(self, url: str, source: Source, hints: Hints | None = None) -> scrapy.Request | None:
        """A request for an article page, or None when the store says skip it (counted)."""
        if not is_http_url(url):
            self.store.drop("bad_scheme")
            return None
        reason = self.store.claim(url_id(url))
        if reason is not None:
            self.store.drop(reason)
            return None
        return self._meta_request(url, self.parse_article, source, once=False, hints=hints or Hints())

    def entry_requests(self, entries: list[Entry], source: Source) -> Iterator[scrapy.Request]:
        """Article requests for feed or sitemap entries, skipping those dated before --since."""
        since = self.store.since
        for entry in entries:
            if since is not None and entry.published_at is not None and entry.published_at < since:
                self.store.drop("older_than_since")
                continue
            request = self.article_request(entry.url, source, Hints(entry.title, entry.published_at))
            if request is not None:
                yield request

    def log_ok(self, response: Response, source: Source, error_kind: str | None = None) -> None:
        """Record a fetched response in the fetch log."""
        self.store.log_fetch(response.url, source.name, response.status, error_kind, len(response.body))

    # -- callbacks ----------------------------------------------------------------------------------------
    async def parse_article(self, response: Response, source: Source,
                            hints: Hints) -> AsyncIterator[dict[str, Any]]:
        """Extract an article from a fetched page (in a worker process when there is a pool) and hand it
        to the storage pipeline."""
        self.log_ok(response, source)
        if self.store.full:
            self.store.drop("max_articles")
            raise CloseSpider("max_articles")
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        call = partial(extract_and_sign, response.body, response.url, min_text_chars=self.min_text_chars,
                       content_type=content_type, hints=hints, favor_precision=self.favor_precision)
        if self.pool is None:
            result, signed = call()
        else:
            # Extraction is CPU-bound and Scrapy runs on one thread: a process pool spreads it over cores
            # while the reactor keeps downloading.
            result, signed = await asyncio.wrap_future(self.pool.submit(call))
        if isinstance(result, Extracted):
            yield {"article": result, "source": source.name, "signature": signed}
        else:
            self.store.drop(result.reason)

    def on_error(self, failure: Failure) -> None:
        """Record a failed fetch with its kind; the crawl goes on."""
        request = getattr(failure, "request", None)
        kind, status = failure_kind(failure)
        if self.store.stop.requested and status is None:
            kind = "interrupted"  # aborted or refused because the crawl is stopping, not the site's fault
        url = request.url if request is not None else "?"
        source = request.meta.get("source") if request is not None else None
        response = getattr(failure.value, "response", None)
        size = len(response.body) if response is not None else None
        self.store.log_fetch(url, source, status, kind, size)

    def _xml(self, response: Response, source: Source, parse: Any) -> list[Entry] | None:
        try:
            entries: list[Entry] = parse(response.body)
        except FeedError as exc:
            self.log_ok(response, source, exc.kind)
            return None
        if not entries:
            self.log_ok(response, source, "empty_feed")
            return None
        self.log_ok(response, source)
        return entries


class FeedSpider(CrawlSpider):
    """RSS 2.0, RSS 1.0 and Atom feeds: every entry (dated after --since) is an article to fetch."""

    kind = "feed"

    async def start(self) -> Any:  # type: ignore[override]
        """One request per feed of every source."""
        for source in self.sources:
            for feed in source.feeds:
                request = self._meta_request(feed, self.parse_feed, source)
                if request is not None:
                    yield request

    def parse_feed(self, response: Response, source: Source) -> Iterator[scrapy.Request]:
        """Parse a feed and request its entries' pages."""
        entries = self._xml(response, source, parse_feed)
        if entries:
            yield from self.entry_requests(entries, source)


class SitemapSpider(CrawlSpider):
    """Sitemap indexes and urlsets, Google News sitemaps included; children and URLs dated before --since
    are not followed, so a crawl does not walk years of archive."""

    kind = "sitemap"

    async def start(self) -> Any:  # type: ignore[override]
        """One request per sitemap of every source."""
        for source in self.sources:
            for sitemap in source.sitemaps:
                request = self._meta_request(sitemap, self.parse_sitemap, source, depth=0)
                if request is not None:
                    yield request

    def parse_sitemap(self, response: Response, source: Source, depth: int) -> Iterator[scrapy.Request]:
        """Parse a sitemap: follow recent child sitemaps of an index, request recent pages of a urlset."""
        entries = self._xml(response, source, parse_sitemap)
        if not entries:
            return
        since: datetime | None = self.store.since
        pages = [e for e in entries if not e.is_sitemap]
        for child in (e for e in entries if e.is_sitemap):
            if since is not None and child.published_at is not None and child.published_at < since:
                self.store.drop("older_than_since")
                continue
            if depth >= 3:  # an index of indexes of indexes is a loop or a trap
                self.store.drop("sitemap_too_deep")
                continue
            request = self._meta_request(child.url, self.parse_sitemap, source, depth=depth + 1)
            if request is not None:
                yield request
        yield from self.entry_requests(pages, source)


class ListingSpider(CrawlSpider):
    """Section and archive pages: links matching the source's link_pattern are articles; links matching
    next_pattern are followed up to max_pages pages."""

    kind = "listing"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen_pages: set[str] = set()

    async def start(self) -> Any:  # type: ignore[override]
        """One request per listing page of every source."""
        for source in self.sources:
            for listing in source.listings:
                self.seen_pages.add(listing.url)
                request = self._meta_request(listing.url, self.parse_listing, source, listing=listing, page=1)
                if request is not None:
                    yield request

    def parse_listing(self, response: Response, source: Source, listing: Listing,
                      page: int) -> Iterator[scrapy.Request]:
        """Request the page's article links and, within max_pages, its next pages."""
        self.log_ok(response, source)
        text = response.text if hasattr(response, "text") else ""
        articles, next_pages = listing_links(text, response.url, listing.link_pattern, listing.next_pattern)
        for url in articles:
            request = self.article_request(url, source)
            if request is not None:
                yield request
        if page >= listing.max_pages:
            return
        for url in next_pages:
            if url in self.seen_pages:
                continue
            self.seen_pages.add(url)
            request = self._meta_request(url, self.parse_listing, source, listing=listing, page=page + 1)
            if request is not None:
                yield request


SPIDERS: dict[str, type[CrawlSpider]] = {"feed": FeedSpider, "sitemap": SitemapSpider, "listing": ListingSpider}


class StorePipeline:
    """Item pipeline: hand each extracted article to the run's store, which batches the writes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        """Build from the crawler (Scrapy's factory hook)."""
        return cls(crawler)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        """Store the article (the store decides about duplicates, the cap and --since)."""
        store: CrawlStore = self.crawler.spider.store  # type: ignore[union-attr]
        store.add_article(item["article"], item["source"], item.get("signature"))
        return item
