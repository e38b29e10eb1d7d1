"""The sources file: outlets as data, validated strictly at load (unknown keys rejected)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import pycountry
import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from crawler.addresses import BAD_PORTS, AddressPolicy
from crawler.errors import SourcesError


def _http_url(value: str) -> str:
    # The parts, not the prefix: "http:///etc/passwd" starts like a URL but names no host.
    if any(ch.isspace() or ord(ch) < 0x20 for ch in value):
        raise ValueError("expected an http:// or https:// URL without spaces or control characters")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"expected an http:// or https:// URL with a valid host and port ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("expected an http:// or https:// URL")
    if not parts.hostname:
        raise ValueError("expected an http:// or https:// URL with a host name")
    if "@" in parts.netloc:
        # http://trusted.example@10.0.0.1/ reads as trusted.example but connects to 10.0.0.1
        raise ValueError("expected an http:// or https:// URL without user name or password")
    if port is not None and port in BAD_PORTS:
        raise ValueError(f"port {port} belongs to another protocol (such as SSH or SMTP); expected a web port")
    return value


def _country(value: str) -> str:
    if len(value) != 2 or pycountry.countries.get(alpha_2=value.upper()) is None or value != value.upper():
        raise ValueError("expected an ISO-3166 alpha-2 country code in capitals, such as KZ")
    return value


def _language(value: str) -> str:
    if pycountry.languages.get(alpha_2=value) is None:
        raise ValueError("expected an ISO-639-1 language code such as ru")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]


class Listing(BaseModel):
    """A section or archive page, with the pattern that article links on it match."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    url: HttpUrl
    link_pattern: str = Field(min_length=1, description="regular expression an article URL matches")
    next_pattern: str | None = Field(default=None, description="regular expression of pagination links")
    max_pages: int = Field(default=3, ge=1, le=100)


class Source(BaseModel):
    """One outlet: where its feeds, sitemaps and listing pages are, and what it is."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    homepage: HttpUrl
    country: Annotated[str, AfterValidator(_country)]
    language: Annotated[str, AfterValidator(_language)]
    feeds: list[HttpUrl] = Field(default_factory=list)
    sitemaps: list[HttpUrl] = Field(default_factory=list)
    listings: list[Listing] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    enabled: bool = True

    def row(self) -> dict[str, Any]:
        """Return this source as a row of the warehouse's sources table."""
        return {
            "name": self.name, "homepage": self.homepage, "country": self.country,
            "language": self.language, "feeds": list(self.feeds), "sitemaps": list(self.sitemaps),
            "listings": [listing.model_dump() for listing in self.listings] or None,
            "tags": list(self.tags), "enabled": self.enabled, "updated_at": datetime.now(UTC).replace(tzinfo=None),
        }


class SourcesFile(BaseModel):
    """The whole sources file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sources: list[Source]


def _where(data: Any, loc: tuple[Any, ...]) -> str:
    """Name the place of an error: the outlet's name where we can find it, else the list index."""
    parts: list[str] = []
    if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
        try:
            name = data["sources"][loc[1]].get("name")
        except (KeyError, IndexError, TypeError, AttributeError):
            name = None
        parts.append(f"sources[{loc[1]}]" + (f" ({name})" if name else ""))
        loc = loc[2:]
    parts.extend(str(p) for p in loc)
    return ".".join(parts) if parts else "(top level)"


def load_sources(path: Path) -> list[Source]:
    """Load and validate a sources file; raise SourcesError naming the file, the key and the problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"{path}: sources file not found") from None
    except yaml.YAMLError as exc:
        raise SourcesError(f"{path}: not valid YAML: {exc}") from None
    try:
        parsed = SourcesFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        what = "unknown key" if first["type"] == "extra_forbidden" else first["msg"].removeprefix("Value error, ")
        extra = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise SourcesError(f"{path}: {_where(data, tuple(first['loc']))}: {what}"
                           f" (got {first.get('input')!r}){extra}") from None
    seen: set[str] = set()
    for index, source in enumerate(parsed.sources):
        if source.name in seen:
            raise SourcesError(f"{path}: sources[{index}].name: duplicate outlet {source.name!r}")
        seen.add(source.name)
    return parsed.sources


def source_urls(source: Source) -> list[tuple[str, str]]:
    """Every URL of a source with the field it is in: (field, url)."""
    urls = [("homepage", source.homepage)]
    urls += [(f"feeds.{i}", u) for i, u in enumerate(source.feeds)]
    urls += [(f"sitemaps.{i}", u) for i, u in enumerate(source.sitemaps)]
    urls += [(f"listings.{i}.url", listing.url) for i, listing in enumerate(source.listings)]
    return urls


def address_problems(sources: list[Source], policy: AddressPolicy, *, resolve: bool = False) -> list[str]:
    """The URLs a crawl would refuse under the address policy (private or loopback hosts, blocked ports),
    each as "sources[i] (name).field: reason"; with resolve, host names are looked up too."""
    problems = []
    for index, source in enumerate(sources):
        for where, url in source_urls(source):
            reason = policy.check(url, resolve=resolve)
            if reason is not None:
                problems.append(f"sources[{index}] ({source.name}).{where}: {reason}")
    return problems
