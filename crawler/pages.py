"""Read one page for `stancewatch extract`: a saved HTML file (gzipped or not) or a URL fetched once."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from crawler.errors import CrawlerError
from crawler.urls import is_http_url


@dataclass(frozen=True)
class Page:
    """A page's bytes with where they came from."""

    origin: str
    url: str
    body: bytes
    content_type: str | None = None


def read_file(path: Path, url: str | None = None) -> Page:
    """Read a saved page; gzip is recognised by its magic bytes, whatever the file is called."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise CrawlerError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as exc:
            raise CrawlerError(f"{path}: looks gzipped but does not decompress: {exc}") from None
    return Page(str(path), url or path.resolve().as_uri(), body)


def fetch_url(url: str, *, user_agent: str, timeout: float, max_bytes: int) -> Page:
    """Fetch one http(s) URL, reading at most max_bytes."""
    if not is_http_url(url):
        raise CrawlerError(f"{url}: only http:// and https:// URLs are fetched")
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise CrawlerError(f"{url}: larger than the {max_bytes:,}-byte limit (max_response_mb)")
            return Page(url, response.geturl(), body, response.headers.get("Content-Type"))
    except urllib.error.HTTPError as exc:
        raise CrawlerError(f"{url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise CrawlerError(f"{url}: {getattr(exc, 'reason', exc)}") from None
