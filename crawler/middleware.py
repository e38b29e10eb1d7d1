"""Downloader middlewares: retries with backoff that honour Retry-After, the scheme guard, request counts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Self

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

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
        await asyncio.sleep(self.wait_for(request, response))
        return self._retry(request, f"HTTP {response.status}") or response


class GuardMiddleware:
    """Refuses anything but http(s) (a listing may link to ftp:, file: or data:) and counts requests."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build from the crawler (Scrapy's factory hook)."""
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Count the request, or refuse it when it is not http(s)."""
        if not is_http_url(request.url):
            raise IgnoreRequest(f"not an http(s) URL: {request.url[:100]}")
        store = getattr(self.crawler.spider, "store", None)
        if store is not None:
            store.counters.requests += 1
