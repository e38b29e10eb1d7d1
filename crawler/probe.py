"""Fetch one feed or sitemap URL once, for `stancewatch sources check --online`."""

from __future__ import annotations

import urllib.error
import urllib.request
from http.client import HTTPMessage
from typing import IO

from crawler.addresses import AddressPolicy


class _Refused(urllib.error.URLError):
    """A redirect to an address the policy refuses."""


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to a URL the address policy allows (a feed may redirect to 127.0.0.1:22)."""

    def __init__(self, policy: AddressPolicy) -> None:
        super().__init__()
        self.policy = policy

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                         headers: HTTPMessage, newurl: str) -> urllib.request.Request | None:
        """The redirected request, unless its URL is refused."""
        reason = self.policy.check(newurl)
        if reason is not None:
            raise _Refused(f"redirected to a refused URL: {reason}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def probe_url(url: str, user_agent: str, timeout: float,
              policy: AddressPolicy | None = None) -> tuple[bool, str]:
    """Fetch a URL once; return (ok, a short description: status, type and size, or the error)."""
    if not url.startswith(("http://", "https://")):
        return False, "not an http(s) URL"
    policy = policy or AddressPolicy()
    reason = policy.check(url)
    if reason is not None:
        return False, reason
    opener = urllib.request.build_opener(_GuardedRedirects(policy))
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(2_000_000)
            kind = response.headers.get("Content-Type", "?")
            looks_xml = body.lstrip()[:200].lower().startswith((b"<?xml", b"<rss", b"<feed", b"<urlset",
                                                                 b"<sitemapindex"))
            verdict = "" if looks_xml else ", not XML"
            return looks_xml, f"{response.status} {kind}, {len(body):,} bytes{verdict}"
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return False, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
