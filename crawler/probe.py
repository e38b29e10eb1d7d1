"""Fetch one feed or sitemap URL once, for `stancewatch sources check --online`."""

from __future__ import annotations

import urllib.error
import urllib.request


def probe_url(url: str, user_agent: str, timeout: float) -> tuple[bool, str]:
    """Fetch a URL once; return (ok, a short description: status, type and size, or the error)."""
    if not url.startswith(("http://", "https://")):
        return False, "not an http(s) URL"
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
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
