"""One typed settings object: packaged defaults, then an optional user file, then paths from the environment.

The layers and their order are ``stancewatch.layers``'s; this module validates the merged mapping into
``Settings``, which composes each part's own model (the crawler owns ``CrawlSettings``).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, ValidationError

from crawler.addresses import ip_literal
from crawler.settings import CrawlSettings
from insights.alert_rules import AlertRules
from insights.coverage import TrendsSettings
from stancewatch.cluster.settings import ClusterSettings
from stancewatch.errors import SettingsError
from stancewatch.layers import read_layers
from warehouse.location import BadLocation, Location, parse_location


class _Strict(BaseModel):
    # allow_inf_nan: TOML has inf and nan, and "timeout_s = inf" would otherwise pass as a positive number.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def _host(value: str) -> str:
    """An address to bind or reach: an IP address or a host name, not empty."""
    if ip_literal(value) is not None:
        return value
    labels = value.removesuffix(".").split(".")
    if not value or len(value) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise ValueError("expected a host name or an IP address, such as 127.0.0.1, 0.0.0.0 or localhost")
    return value


def _location(value: Any) -> Location:
    """The warehouse: a DuckDB file path or a DuckLake URL (warehouse.location)."""
    if not isinstance(value, str | Path | Location):
        raise ValueError("expected a DuckDB file path or a ducklake:postgres:... URL")
    try:
        return parse_location(value)
    except BadLocation as exc:
        raise ValueError(str(exc)) from None


# Written out (config files, child processes) as the string it was given; shown masked (Settings.shown).
WarehouseLocation = Annotated[Location, PlainValidator(_location), PlainSerializer(lambda v: v.url, return_type=str)]


class ModelSettings(_Strict):
    """Which stance model scores articles and where its derived files are cached."""

    name: str = Field(min_length=1)
    batch_size: int = Field(ge=1, le=1024)
    cache_dir: str


class DashboardSettings(_Strict):
    """Where the dashboard listens and whether it asks for a password."""

    host: Annotated[str, AfterValidator(_host)]
    port: int = Field(ge=1, le=65535)
    password_hash: str = Field(repr=False)

    def shown(self) -> dict[str, Any]:
        """These settings for display: the password hash is only said to be set or not (a hash can be
        attacked offline, so it is not printed)."""
        data = self.model_dump()
        data["password_hash"] = "(set)" if self.password_hash else ""
        return data


class SchedulerSettings(_Strict):
    """How the scheduler polls and how long a job may run."""

    poll_interval_s: float = Field(gt=0)
    job_timeout_s: float = Field(gt=0)


class Settings(_Strict):
    """Everything stancewatch can be configured with."""

    db: WarehouseLocation  # a DuckDB file (the default) or a DuckLake URL
    sources: str
    crawl: CrawlSettings
    model: ModelSettings
    dashboard: DashboardSettings
    scheduler: SchedulerSettings
    trends: TrendsSettings
    alerts: AlertRules
    cluster: ClusterSettings = ClusterSettings()  # empty: one machine (stancewatch.cluster.settings)

    @property
    def sources_path(self) -> Path:
        """The sources file in use: the configured one, or the packaged default."""
        if self.sources:
            return Path(self.sources)
        return Path(str(resources.files("crawler") / "sources.yaml"))

    def shown(self) -> dict[str, Any]:
        """The settings as JSON-ready values for `config show`, with secrets left out."""
        data = self.model_dump(mode="json")
        data["db"] = self.db.label  # a lake URL's password is not printed
        data["dashboard"] = self.dashboard.shown()
        return data

    @property
    def cache_path(self) -> Path:
        """The cache folder for derived model files, with ~ expanded."""
        return Path(self.model.cache_dir).expanduser()


def _describe(error: Any) -> str:
    key = ".".join(str(p) for p in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {key!r}"
    if key == "db":  # the message names the location already, password masked; the raw input may hold one
        return f"key 'db': {error['msg'].removeprefix('Value error, ')}"
    return f"key {key!r}: {error['msg'].removeprefix('Value error, ')} (got {error.get('input')!r})"


def load_settings(config: Path | None = None, *, db: str | Path | None = None, sources: Path | None = None,
                  environ: dict[str, str] | None = None) -> Settings:
    """Build the settings from defaults, the user file, the environment and explicit overrides."""
    data, origin = read_layers(config, db=db, sources=sources, environ=environ)
    return validate_settings(data, origin)


def validate_settings(data: dict[str, Any], origin: str) -> Settings:
    """Validate a settings mapping; raise SettingsError naming origin and every bad or unknown key."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise SettingsError(f"{origin}: {problems}") from None
