"""One typed settings object: packaged defaults, then an optional user file, then paths from the environment.

Order of precedence, lowest first: ``stancewatch/defaults.toml`` (packaged, commented), the user file
(``./stancewatch.toml`` or ``--config PATH``; it overrides only what it sets), the environment
(``STANCEWATCH_DB``, ``STANCEWATCH_SOURCES``: paths only), then command-line flags (``--db``, ``--sources``).
"""

from __future__ import annotations

import os
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from crawler.addresses import ip_literal, parse_entry
from stancewatch.errors import SettingsError

USER_FILE = "stancewatch.toml"
ENV_PATHS = {"db": "STANCEWATCH_DB", "sources": "STANCEWATCH_SOURCES"}


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


def _private_host(value: str) -> str:
    parse_entry(value)  # raises ValueError naming the entry and what was expected
    return value


class CrawlSettings(_Strict):
    """How the crawler behaves towards the sites it visits."""

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

    db: Path
    sources: str
    crawl: CrawlSettings
    model: ModelSettings
    dashboard: DashboardSettings
    scheduler: SchedulerSettings

    @property
    def sources_path(self) -> Path:
        """The sources file in use: the configured one, or the packaged default."""
        if self.sources:
            return Path(self.sources)
        return Path(str(resources.files("crawler") / "sources.yaml"))

    def shown(self) -> dict[str, Any]:
        """The settings as JSON-ready values for `config show`, with secrets left out."""
        data = self.model_dump(mode="json")
        data["dashboard"] = self.dashboard.shown()
        return data

    @property
    def cache_path(self) -> Path:
        """The cache folder for derived model files, with ~ expanded."""
        return Path(self.model.cache_dir).expanduser()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError(f"{path}: settings file not found") from None
    except IsADirectoryError:
        raise SettingsError(f"{path}: is a folder; expected a settings file") from None
    except UnicodeDecodeError as exc:  # TOML is UTF-8 by definition; tomllib raises this, not a TOML error
        raise SettingsError(f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
                            "expected a TOML file saved as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(error: Any) -> str:
    key = ".".join(str(p) for p in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {key!r}"
    return f"key {key!r}: {error['msg'].removeprefix('Value error, ')} (got {error.get('input')!r})"


def load_settings(config: Path | None = None, *, db: Path | None = None, sources: Path | None = None,
                  environ: dict[str, str] | None = None) -> Settings:
    """Build the settings from defaults, the user file, the environment and explicit overrides."""
    environ = dict(os.environ) if environ is None else environ
    data = tomllib.loads((resources.files("stancewatch") / "defaults.toml").read_text(encoding="utf-8"))
    origin = "packaged defaults"
    user_file = config if config is not None else (Path(USER_FILE) if Path(USER_FILE).exists() else None)
    if user_file is not None:
        data = _merge(data, _read_toml(user_file))
        origin = str(user_file)
    for key, variable in ENV_PATHS.items():
        if environ.get(variable):
            data[key] = environ[variable]
    if db is not None:
        data["db"] = str(db)
    if sources is not None:
        data["sources"] = str(sources)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise SettingsError(f"{origin}: {problems}") from None
