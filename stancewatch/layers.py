"""The settings layers, merged into one mapping: packaged defaults, the user file, paths from the environment, flags.

Order of precedence, lowest first: ``stancewatch/defaults.toml`` (packaged, commented), the user file
(``./stancewatch.toml`` or ``--config PATH``; it overrides only what it sets), the environment
(``STANCEWATCH_DB``, ``STANCEWATCH_SOURCES``: paths only, the warehouse's possibly a DuckLake URL), then
command-line flags (``--db``/``--warehouse``, ``--sources``).

A leaf: it imports no crawler, analysis, dashboard or warehouse code, so the dashboard finds its warehouse
through the same layers as the CLI (``warehouse_path``) without pulling in the settings models
(``stancewatch.settings`` validates the whole mapping; the crawler owns its part of it). It also writes
settings back out as TOML (``to_toml``), for the files the shell generates (the demo's).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from stancewatch.errors import SettingsError

USER_FILE = "stancewatch.toml"
ENV_PATHS = {"db": "STANCEWATCH_DB", "sources": "STANCEWATCH_SOURCES"}


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


def packaged_defaults() -> dict[str, Any]:
    """The packaged defaults (``stancewatch/defaults.toml``) alone."""
    return tomllib.loads((resources.files("stancewatch") / "defaults.toml").read_text(encoding="utf-8"))


def read_layers(config: Path | None = None, *, db: str | Path | None = None, sources: Path | None = None,
                environ: Mapping[str, str] | None = None) -> tuple[dict[str, Any], str]:
    """Merge the layers into one unvalidated mapping; return it with the name of the file it came from."""
    environ = os.environ if environ is None else environ
    data = packaged_defaults()
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
    return data, origin


def warehouse_path(config: Path | None = None, *, environ: Mapping[str, str] | None = None) -> Path:
    """The warehouse file the settings name (the `db` key, through every layer), without the other models.

    A DuckLake URL comes back as a Path of its text, which ``warehouse.location.parse_location`` reads back
    (a Path only folds repeated slashes and a trailing one, which a lake's local data folder does not need):
    readers and writers take either."""
    return Path(warehouse_location(config, environ=environ))


def warehouse_location(config: Path | None = None, *, environ: Mapping[str, str] | None = None) -> str:
    """The warehouse the settings name, as given: a file path or a DuckLake URL (see warehouse.location)."""
    data, origin = read_layers(config, environ=environ)
    value = data.get("db")
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(f"{origin}: key 'db': expected the warehouse file's path or a DuckLake URL "
                            f"(got {value!r})")
    return value


def _toml_value(value: Any, where: str) -> str:
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)  # finite: the settings models refuse inf and nan
    if isinstance(value, str | Path):
        # a JSON string is a TOML basic string, but for DEL, which TOML wants escaped and JSON leaves as is
        return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v, where) for v in value) + "]"
    raise SettingsError(f"{where}: cannot write a {type(value).__name__} to a settings file")


def to_toml(data: Mapping[str, Any], header: str = "") -> str:
    """Write a settings mapping (plain keys, then one level of tables) as TOML that read_layers reads back.

    None is left out: TOML has no null, and a setting that may be None has None as its default."""
    data = {k: v for k, v in data.items() if v is not None}
    lines = [f"# {line}" for line in header.splitlines()]
    tables = {k: v for k, v in data.items() if isinstance(v, Mapping)}
    lines += [f"{key} = {_toml_value(value, key)}" for key, value in data.items() if key not in tables]
    for name, table in tables.items():
        lines.append(f"\n[{name}]")
        for key, value in table.items():
            if value is None:
                continue
            if isinstance(value, Mapping):
                raise SettingsError(f"{name}.{key}: nested tables are not settings")
            lines.append(f"{key} = {_toml_value(value, f'{name}.{key}')}")
    return "\n".join(lines) + "\n"
