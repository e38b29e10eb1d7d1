"""The crawler's settings model: how a crawl behaves towards the sites it visits.

The crawler owns it (``run_crawl`` and ``scrapy_settings`` take it); the shell's ``stancewatch.settings.Settings``
composes it as its ``[crawl]`` table. No defaults here: ``stancewatch/defaults.toml`` holds them, commented.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from crawler.addresses import parse_entry

FRONTIER_SCHEMES = ("redis://", "rediss://", "unix://")


def _frontier(value: str) -> str:
    value = value.strip()
    if value and not value.startswith(FRONTIER_SCHEMES):
        raise ValueError("expected a Redis URL such as redis://127.0.0.1:6379/0 (or empty: no shared frontier)")
    return value


def _private_host(value: str) -> str:
    parse_entry(value)  # raises ValueError naming the entry and what was expected
    return value


class CrawlSettings(BaseModel):
    """How the crawler behaves towards the sites it visits."""

    # allow_inf_nan: TOML has inf and nan, and "timeout_s = inf" would otherwise pass as a positive number.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    user_agent: str = Field(min_length=1)
    contact: str
    obey_robots: bool
    concurrent_per_domain: int = Field(ge=1, le=32)
    download_delay_s: float = Field(ge=0)
    autothrottle: bool
    timeout_s: float = Field(gt=0)
    retries: int = Field(ge=0, le=10)
    max_response_mb: float = Field(gt=0)
    min_text_chars: int = Field(ge=0)
    default_since_days: int = Field(ge=1)
    allow_private_addresses: bool = False
    private_hosts: tuple[Annotated[str, AfterValidator(_private_host)], ...] = ()
    # The shared frontier (crawler.frontier): a Redis URL; empty crawls with Scrapy's in-process scheduler.
    frontier: Annotated[str, AfterValidator(_frontier)] = ""
    frontier_idle_s: float = Field(default=5.0, gt=0, le=3600)
