"""Scrapy settings, retries with backoff, failure kinds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.middleware import retry_after_seconds
from crawler.run import scrapy_settings, user_agent
from crawler.spiders import failure_kind
from stancewatch.settings import load_settings


def test_settings_carry_politeness() -> None:
    crawl = load_settings(environ={}).crawl.model_copy(update={"contact": "mailto:ops@example.org"})
    settings = scrapy_settings(crawl)
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == crawl.concurrent_per_domain
    assert settings.getfloat("DOWNLOAD_DELAY") == crawl.download_delay_s
    assert settings.getint("DOWNLOAD_MAXSIZE") == int(crawl.max_response_mb * 1024 * 1024)
    assert settings.getint("RETRY_TIMES") == crawl.retries and 429 in settings.getlist("RETRY_HTTP_CODES")
    assert settings.get("USER_AGENT").endswith("; mailto:ops@example.org)")
    assert user_agent(crawl.model_copy(update={"user_agent": "bot/1", "contact": "x@y"})) == "bot/1 (x@y)"
    assert settings.getdict("DOWNLOAD_HANDLERS")["file"] is None


def test_retry_after_header_forms() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30)), now=now) == 30.0
    assert retry_after_seconds(b"garbage") is None and retry_after_seconds(None) is None


def _failure(exc: Exception) -> Failure:
    try:
        raise exc
    except Exception:
        return Failure()


@pytest.mark.parametrize(("exc", "kind"), [
    (IgnoreRequest("Forbidden by robots.txt"), "robots_disallowed"),
    (IgnoreRequest("max redirections reached"), "redirect_loop"),
    (ConnectionRefusedError(), "connection_refused"),
    (TimeoutError(), "timeout"),
    (ValueError("weird"), "other"),
])
def test_failure_kinds(exc: Exception, kind: str) -> None:
    assert failure_kind(_failure(exc))[0] == kind


def test_http_error_kind_carries_the_status() -> None:
    response = HtmlResponse("http://a/x", status=503, body=b"", request=Request("http://a/x"))
    assert failure_kind(_failure(HttpError(response, "ignored"))) == ("http_503", 503)
