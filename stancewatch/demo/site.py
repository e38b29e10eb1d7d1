"""Serve the demo's outlets on 127.0.0.1, one threaded HTTP server (one port) per outlet.

Each outlet has a home page, an RSS 2.0 feed of its 40 newest articles, a Google News sitemap of the last
two days, a sitemap index of monthly sitemaps reaching back to its first article, a robots.txt that allows
everything, and the article pages themselves. Pages are rendered from ``content.Article`` records.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

from stancewatch.demo.content import Article, Outlet

FEED_ITEMS = 40
NEWS_SITEMAP_DAYS = 2


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def article_page(article: Article, base: str) -> str:
    """An article page: masthead, navigation, the article with its dates and byline, footer."""
    outlet = article.outlet
    url = base + article.path
    body = "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    when = _iso(article.published)
    return f"""<!DOCTYPE html>
<html lang="{outlet.language}"><head><meta charset="utf-8">
<title>{escape(article.title)} — {escape(outlet.title)}</title>
<link rel="canonical" href="{escape(url)}">
<meta property="og:type" content="article"><meta property="og:title" content="{escape(article.title)}">
<meta property="og:url" content="{escape(url)}">
<meta name="author" content="{escape(article.author)}">
<meta property="article:published_time" content="{when}">
<meta name="description" content="{escape(article.paragraphs[0][:160])}">
</head><body>
<header><div class="masthead"><a href="/">{escape(outlet.title)}</a></div>
<nav><a href="/">Home</a> <a href="/feed.xml">RSS</a></nav></header>
<main><article>
<h1>{escape(article.title)}</h1>
<p class="byline">{escape(article.author)} · <time datetime="{when}">{article.published:%Y-%m-%d %H:%M}</time></p>
{body}
</article></main>
<footer><p>{escape(outlet.title)} is a fictional outlet of the stancewatch demo. Every text here was generated
for the demo.</p></footer>
</body></html>"""


def home_page(outlet: Outlet, articles: list[Article]) -> str:
    """The outlet's home page: links to its 30 newest articles."""
    links = "".join(f'<li><a href="{a.path}">{escape(a.title)}</a></li>' for a in articles[-30:][::-1])
    return (f'<!DOCTYPE html><html lang="{outlet.language}"><head><meta charset="utf-8">'
            f"<title>{escape(outlet.title)}</title></head><body><h1>{escape(outlet.title)}</h1>"
            f"<ul>{links}</ul></body></html>")


def rss(outlet: Outlet, articles: list[Article], base: str) -> str:
    """An RSS 2.0 feed of the newest articles."""
    items = "".join(
        f"<item><title>{escape(a.title)}</title><link>{escape(base + a.path)}</link>"
        f"<guid>{escape(base + a.path)}</guid><pubDate>{format_datetime(a.published.replace(tzinfo=UTC))}</pubDate>"
        f"</item>" for a in articles[-FEED_ITEMS:][::-1])
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(outlet.title)}'
            f"</title><link>{escape(base)}/</link><description>{escape(outlet.title)}</description>{items}"
            "</channel></rss>")


def sitemap_index(months: list[str], base: str, last: dict[str, datetime]) -> str:
    """A sitemap index pointing at one sitemap per month."""
    parts = "".join(f"<sitemap><loc>{escape(base)}/sitemap-{m}.xml</loc><lastmod>{_iso(last[m])}</lastmod></sitemap>"
                    for m in months)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{parts}</sitemapindex>')


def urlset(articles: list[Article], base: str) -> str:
    """A plain sitemap of article URLs with their last-modified dates."""
    urls = "".join(f"<url><loc>{escape(base + a.path)}</loc><lastmod>{_iso(a.published)}</lastmod></url>"
                   for a in articles)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')


def news_sitemap(outlet: Outlet, articles: list[Article], base: str) -> str:
    """A Google News sitemap of the given (recent) articles."""
    urls = "".join(
        f"<url><loc>{escape(base + a.path)}</loc><news:news><news:publication><news:name>{escape(outlet.title)}"
        f"</news:name><news:language>{outlet.language}</news:language></news:publication>"
        f"<news:publication_date>{_iso(a.published)}</news:publication_date><news:title>{escape(a.title)}"
        f"</news:title></news:news></url>" for a in articles)
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>')


@dataclass
class OutletSite:
    """One outlet's pages, keyed by path, rendered once for its base URL."""

    outlet: Outlet
    base: str
    pages: dict[str, tuple[str, bytes]]

    @property
    def feed(self) -> str:
        """The outlet's RSS feed URL."""
        return f"{self.base}/feed.xml"

    @property
    def sitemaps(self) -> list[str]:
        """The outlet's sitemap URLs: the index and the news sitemap."""
        return [f"{self.base}/sitemap.xml", f"{self.base}/news-sitemap.xml"]


def render(outlet: Outlet, articles: list[Article], base: str, now: datetime | None = None) -> OutletSite:
    """Render every page of one outlet for the given base URL (http://127.0.0.1:PORT)."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    own = [a for a in articles if a.outlet.name == outlet.name]
    html, xml = "text/html; charset=utf-8", "application/xml; charset=utf-8"
    pages: dict[str, tuple[str, bytes]] = {
        "/": (html, home_page(outlet, own).encode()),
        "/robots.txt": ("text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n"),
        "/feed.xml": (xml, rss(outlet, own, base).encode()),
        # the last two days, and never empty (an empty news sitemap counts as a source error)
        "/news-sitemap.xml": (xml, news_sitemap(outlet, [
            a for i, a in enumerate(own)
            if a.published >= now - timedelta(days=NEWS_SITEMAP_DAYS) or i >= len(own) - 3], base).encode()),
    }
    by_month: dict[str, list[Article]] = {}
    for article in own:
        by_month.setdefault(f"{article.published:%Y-%m}", []).append(article)
        pages[article.path] = (html, article_page(article, base).encode())
    months = sorted(by_month)
    pages["/sitemap.xml"] = (xml, sitemap_index(months[::-1], base,
                                                {m: by_month[m][-1].published for m in months}).encode())
    for month, items in by_month.items():
        pages[f"/sitemap-{month}.xml"] = (xml, urlset(items, base).encode())
    return OutletSite(outlet, base, pages)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: OutletSite | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        site = self.server.site
        page = site.pages.get(self.path.split("?", 1)[0]) if site else None
        if page is None:
            self.send_error(404)
            return
        content_type, body = page
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the crawler keeps its own log
        pass


@contextmanager
def serve(outlets: tuple[Outlet, ...], articles: list[Article], host: str = "127.0.0.1") -> Iterator[list[OutletSite]]:
    """Serve every outlet on its own free port of host; yield the rendered sites; stop on exit."""
    servers: list[_Server] = []
    sites: list[OutletSite] = []
    try:
        for outlet in outlets:
            server = _Server((host, 0), _Handler)
            servers.append(server)
            base = f"http://{host}:{server.server_address[1]}"
            server.site = render(outlet, articles, base)
            sites.append(server.site)
            threading.Thread(target=server.serve_forever, name=f"demo-{outlet.name}", daemon=True).start()
        yield sites
    finally:
        for server in servers:
            with suppress(Exception):
                server.shutdown()
            server.server_close()


def sources_yaml(sites: list[OutletSite]) -> str:
    """The demo's sources file, pointing at the running servers."""
    lines = ["# The stancewatch demo's fictional outlets, served on 127.0.0.1 by `stancewatch demo`.", "sources:"]
    for site in sites:
        o = site.outlet
        lines += [f"  - name: {o.name}", f"    homepage: {site.base}/", f"    country: {o.country}",
                  f"    language: {o.language}", f"    feeds: [{site.feed}]",
                  f"    sitemaps: [{', '.join(site.sitemaps)}]", "    tags: [demo]"]
    return "\n".join(lines) + "\n"
