"""Downloader middlewares: retries with backoff that honour Retry-After, the scheme and address guard, request
counts, the per-domain delay shared through a frontier."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

from crawler.addresses import AddressPolicy
from crawler.urls import is_http_url


def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks us to wait (delta-seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry middleware, waiting before each retry of a 429 or 5xx: Retry-After when the server
    sends one (capped), else exponential backoff (base * 2**attempt)."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("STANCEWATCH_RETRY_BACKOFF_S", 1.0)
        self.max_wait = settings.getfloat("STANCEWATCH_RETRY_MAX_WAIT_S", 60.0)

    def wait_for(self, request: Request, response: Response) -> float:
        """How long to wait before retrying this request."""
        attempt = int(request.meta.get("retry_times", 0))
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        wait = asked if asked is not None else self.backoff_base * (2 ** attempt)
        return float(min(wait, self.max_wait))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        """Retry a retryable status after waiting; hand the response on when retries are spent."""
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        max_times = int(request.meta.get("max_retry_times", self.max_retry_times))
        if int(request.meta.get("retry_times", 0)) >= max_times:
            return response
        store = getattr(self.crawler.spider, "store", None)
        if store is None:
            await asyncio.sleep(self.wait_for(request, response))
        elif await store.stop.sleep(self.wait_for(request, response)):
            return response  # the crawl is stopping: no retry, and no waiting a minute for one
        return self._retry(request, f"HTTP {response.status}") or response


INTERRUPTED = "crawl interrupted"


class AddressRefused(DNSLookupError):
    """A host name resolved to an address the crawl may not reach (raised by GuardedResolver)."""


def policy_from_scrapy(settings: Any) -> AddressPolicy:
    """The policy scrapy_settings() put into a Scrapy settings object."""
    return AddressPolicy.from_settings(settings.getbool("STANCEWATCH_ALLOW_PRIVATE_ADDRESSES"),
                                       settings.getlist("STANCEWATCH_PRIVATE_HOSTS"))


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching DNS resolver, refusing names that resolve to addresses the policy does not allow.

    Checking here, where the connection gets its address, covers every request of the crawl (robots.txt,
    redirects, retries) and closes the gap a separate lookup before the request would leave."""

    policy: AddressPolicy = AddressPolicy()
    # Twisted turns a failed lookup into a bare "no results" error before the spider sees it, so the names
    # refused here are kept (per process: one crawl) for the errback to tell a refusal from a DNS failure.
    refused: ClassVar[dict[str, str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> Self:
        """Build from the crawl's settings (Scrapy's factory hook)."""
        resolver = super().from_crawler(crawler, reactor)
        resolver.policy = policy_from_scrapy(crawler.settings)
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:
        """Resolve name, failing with AddressRefused when it resolves to an address the policy refuses."""

        def guard(address: str) -> str:
            reason = self.policy.resolved_refusal(name, [address])
            if reason is not None:
                self.refused[name.lower().rstrip(".")] = reason
                raise AddressRefused(reason)
            return address

        return super().getHostByName(name, timeout).addCallback(guard)


class GuardMiddleware:
    """Refuses anything but http(s) (a listing may link to ftp:, file: or data:), blocked ports and private
    addresses written as the host (crawler.addresses; names are checked when resolved), and counts requests.

    Redirects and robots.txt fetches pass through here too: a redirect is a new request."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.policy = policy_from_scrapy(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build from the crawler (Scrapy's factory hook)."""
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Count the request, or refuse it when it is not http(s) or its host or port is not one to reach."""
        if not is_http_url(request.url):
            raise IgnoreRequest(f"not an http(s) URL: {request.url[:100]}")
        reason = self.policy.refusal(request.url)
        if reason is not None:
            raise IgnoreRequest(reason)
        store = getattr(self.crawler.spider, "store", None)
        if store is not None:
            if store.stop.requested:
                raise IgnoreRequest(f"{INTERRUPTED}: not fetching {request.url[:100]}")
            store.counters.requests += 1


class SharedDelayMiddleware:
    """Per-domain politeness across every crawler process of a shared frontier: a request waits until it
    takes its host's slot in Redis (crawler.frontier.Frontier.take_slot), so requests to one host start at
    least ``download_delay_s`` apart however many processes fetch it (Scrapy's own delay is per process).

    Last before the download handler, so redirects, retries and robots.txt fetches take a slot too."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.delay = crawler.settings.getfloat("STANCEWATCH_SHARED_DELAY_S", 0.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build from the crawler (Scrapy's factory hook)."""
        return cls(crawler)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Wait for the host's shared slot (no wait without a frontier or a delay)."""
        store = getattr(self.crawler.spider, "store", None)
        frontier = getattr(store, "frontier", None)
        if store is None or frontier is None or self.delay <= 0:
            return
        host = (urlsplit(request.url).hostname or "").lower()
        while (wait := frontier.take_slot(host, self.delay)) > 0:
            if await store.stop.sleep(wait):
                raise IgnoreRequest(f"{INTERRUPTED}: not fetching {request.url[:100]}")
