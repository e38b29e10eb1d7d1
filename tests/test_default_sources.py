"""The packaged sources file: loads, covers the region, and every entry is crawlable as written."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import crawler
from crawler.sources import Source, load_sources

PACKAGED = Path(crawler.__file__).parent / "sources.yaml"

# The fundus csv gives People's Daily only as http; everything else must be https.
HTTP_ALLOWED_HOSTS = {"www.people.com.cn", "www.people.cn"}

KNOWN_TAGS = {"state-affiliated", "state-funded-international", "private", "independent", "exile", "wire",
              "international", "regional", "business"}

# Real article URLs (seen in public pages and code) that each listing's link_pattern must accept.
ARTICLE_EXAMPLES = {
    "kazinform": "https://www.inform.kz/ru/v-kazahstane-razrabotayut-standart-dlya-traditsionnoy-meditsini-b9921a",
    "khabar24": "https://24.kz/ru/news/social/item/683181-falshivye-meduslugi-23-tysyachi-pripisok-na-208-mln-vyyavili-v-kazakhstane",
    "24kg": "https://24.kg/vlast/180278_kto_stanet_oppozitsiey_sadyiru_japarovu/",
    "kaktus": "https://kaktus.media/doc/541289_depytatskaia_gryppa_ata_jyrt_smenila_svoe_nazvanie.html",
    "kun-uz": "https://kun.uz/news/2024/11/15/sos-bolalar-shaharchasi",
    "xinhua-en": "https://english.news.cn/20250914/0d9b6f3974ac42f0bddb5f7051f4abf2/c.html",
    "chinadaily": "https://www.chinadaily.com.cn/a/202503/04/WS67c6793aa310c240449d8d4f.html",
    "globaltimes": "https://www.globaltimes.cn/page/202509/1342863.shtml",
    "eurasianet": "https://eurasianet.org/kazakhstan-mass-wildfire-deaths-provoke-anger-at-corruption",
}

# Pages on the same sites that are not articles: no link_pattern may accept them.
NON_ARTICLES = [
    "https://24.kz/ru/news/social", "https://24.kg/obschestvo/", "https://kun.uz/news/category/jahon",
    "https://www.globaltimes.cn/world/index.html", "https://eurasianet.org/region/kazakhstan",
    "https://www.inform.kz/ru/", "https://kaktus.media/?lable=8&date=2024-01-01&order=time",
]


@pytest.fixture(scope="module")
def sources() -> list[Source]:
    """The packaged default sources, loaded through the same validator the CLI uses."""
    return load_sources(PACKAGED)


def _urls(source: Source) -> list[str]:
    return [*source.feeds, *source.sitemaps, *(listing.url for listing in source.listings)]


def test_enough_enabled_outlets(sources: list[Source]) -> None:
    enabled = [s for s in sources if s.enabled]
    assert len(enabled) >= 30, f"only {len(enabled)} enabled outlets"


def test_covers_the_region_and_international_english(sources: list[Source]) -> None:
    countries = {s.country for s in sources if s.enabled}
    missing = {"KZ", "RU", "UA", "KG", "UZ", "CN", "TR"} - countries
    assert not missing, f"no outlet from {sorted(missing)}"
    international_en = [s.name for s in sources
                        if s.enabled and s.language == "en" and "international" in s.tags
                        and s.country in {"US", "GB", "CZ", "DE"}]
    assert len(international_en) >= 5, international_en
    languages = {s.language for s in sources if s.enabled}
    assert {"ru", "kk", "ky", "uz", "uk", "zh", "tr", "en"} <= languages, sorted(languages)


def test_every_outlet_has_somewhere_to_crawl(sources: list[Source]) -> None:
    empty = [s.name for s in sources if not _urls(s)]
    assert not empty, f"no feed, sitemap or listing: {empty}"


def test_urls_are_https_and_unique(sources: list[Source]) -> None:
    seen: dict[str, str] = {}
    for source in sources:
        for url in [source.homepage, *_urls(source)]:
            parts = urlsplit(url)
            assert parts.scheme == "https" or parts.netloc in HTTP_ALLOWED_HOSTS, f"{source.name}: {url}"
            assert parts.netloc and " " not in url, f"{source.name}: {url}"
        for url in _urls(source):
            key = url.lower().rstrip("/")
            assert key not in seen, f"{url} in both {seen[key]} and {source.name}"
            seen[key] = source.name


def test_tags_come_from_the_documented_vocabulary(sources: list[Source]) -> None:
    for source in sources:
        assert source.tags, f"{source.name} has no tags"
        unknown = set(source.tags) - KNOWN_TAGS
        assert not unknown, f"{source.name}: undocumented tags {sorted(unknown)}"
    header = PACKAGED.read_text(encoding="utf-8").split("sources:", 1)[0]
    assert all(tag in header for tag in KNOWN_TAGS), "every tag is explained in the file's header"


def test_listing_patterns_accept_real_articles_and_reject_section_pages(sources: list[Source]) -> None:
    with_listings = {s.name: s for s in sources if s.listings}
    assert set(with_listings) == set(ARTICLE_EXAMPLES), "each listing has an example article here"
    for name, source in with_listings.items():
        for listing in source.listings:
            pattern = re.compile(listing.link_pattern)
            assert pattern.search(ARTICLE_EXAMPLES[name]), f"{name}: {listing.link_pattern}"
            assert not pattern.search(listing.url), f"{name}: pattern accepts its own listing page"
            for page in NON_ARTICLES:
                assert not pattern.search(page), f"{name}: pattern accepts {page}"


def test_wire_and_state_outlets_are_labelled(sources: list[Source]) -> None:
    by_name = {s.name: s for s in sources}
    for name in ("tass", "ria", "kazinform", "xinhua-en", "anadolu", "kabar", "uza"):
        assert "state-affiliated" in by_name[name].tags, name
    for name in ("tass", "interfax", "reuters", "apnews", "anadolu"):
        assert "wire" in by_name[name].tags, name
