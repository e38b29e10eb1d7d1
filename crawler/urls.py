"""Canonical URLs and the article id derived from them: tracking removed, scheme and host normalised."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only track a click; two URLs differing in them are the same article.
_TRACKING = re.compile(
    r"^(utm_[a-z_]*|fbclid|gclid|gclsrc|dclid|msclkid|yclid|ysclid|mc_cid|mc_eid|igshid|_ga|_gl|_hsenc|_hsmi"
    r"|mkt_tok|oly_anon_id|oly_enc_id|vero_id|wickedid|ref_src|ref_url|cmpid|ncid|sr_share|at_medium"
    r"|at_campaign|at_custom\d*|ito|xtor|spm|share|from)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_http_url(url: str) -> bool:
    """True when the URL is absolute http or https with a host: the only kind the crawler fetches."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)


def _site(url: str) -> str:
    """A rough registrable domain: the last two labels of the host (enough to tell mirrors from other sites)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if host.replace(".", "").isdigit() or host == "localhost" or ":" in host:
        return parts.netloc.lower()  # an address, not a domain: the port tells sites apart
    return ".".join(host.split(".")[-2:])


def canonical_url(url: str, *, canonical_href: str | None = None) -> str:
    """Return the canonical form of an article URL.

    A page's rel=canonical (``canonical_href``, resolved against ``url``) wins when it is http(s) and on the
    same registrable site or an obvious mirror; then scheme and host are lowercased, default ports, fragments
    and tracking parameters are dropped, and the remaining query parameters are kept in their order.
    """
    base = url.strip()
    if canonical_href:
        candidate = urljoin(base, canonical_href.strip())
        # A canonical on another site is a syndicated copy naming its original: keeping our own URL keeps
        # every copy as its own article (the story id groups them).
        # A canonical naming the site's home page from an inner page is a CMS misconfiguration: obeying
        # it would merge every article of the site into one.
        points_home = urlsplit(candidate).path in ("", "/") and not urlsplit(candidate).query
        is_home = urlsplit(base).path in ("", "/") and not urlsplit(base).query
        if is_http_url(candidate) and _site(candidate) == _site(base) and (is_home or not points_home):
            base = candidate
    parts = urlsplit(base)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = parts.path or "/"
    path = re.sub(r"/{2,}", "/", path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def article_id(canonical: str) -> str:
    """The article's id: sha1 of its canonical URL, hex."""
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()


def url_id(url: str) -> str:
    """The id a URL would have before its page names its own canonical (for skipping known URLs)."""
    return article_id(canonical_url(url))
