"""Where the warehouse lives: one DuckDB file (the default) or a DuckLake with its catalog in PostgreSQL.

A location is written as a plain file path, or as
``ducklake:postgres:<libpq key=value conninfo> data_path=<folder>``, for example
``ducklake:postgres:dbname=stancewatch host=127.0.0.1 port=54329 user=postgres data_path=/srv/lake/``.
``data_path=`` is one more key=value in the conninfo: it is taken out and given to ATTACH as DATA_PATH (the
folder, reachable by every machine, that holds the lake's Parquet files); the rest is PostgreSQL's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from warehouse.errors import WarehouseError

LAKE_PREFIX = "ducklake:postgres:"
LAKE_ALIAS = "lake"  # the name the lake is attached under in every connection
EXAMPLE = ("ducklake:postgres:dbname=stancewatch host=127.0.0.1 port=5432 user=postgres "
           "data_path=/srv/lake/")

# libpq's connection keywords (PostgreSQL 15): a key outside this set is a typo, said so at parse time rather
# than as a connection failure later.
_LIBPQ_KEYS = frozenset({
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "channel_binding", "connect_timeout",
    "client_encoding", "options", "application_name", "fallback_application_name", "keepalives",
    "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout", "replication",
    "gssencmode", "sslmode", "requiressl", "sslcompression", "sslcert", "sslkey", "sslpassword", "sslrootcert",
    "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version", "ssl_max_protocol_version",
    "krbsrvname", "gsslib", "service", "target_session_attrs",
})
_SECRET_KEYS = frozenset({"password", "sslpassword"})
# key = value, the value bare (no spaces) or single-quoted with \' and \\ escapes, as libpq reads it
_PAIR = re.compile(r"\s*([A-Za-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']*)")


class BadLocation(WarehouseError):
    """A warehouse location that is neither a file path nor a well-formed DuckLake URL."""


@dataclass(frozen=True)
class Location:
    """A parsed warehouse location: a DuckDB file, or a DuckLake (PostgreSQL catalog plus a data folder)."""

    path: Path | None = None                        # the DuckDB file (None for a lake)
    conninfo: tuple[tuple[str, str], ...] = ()      # the lake's libpq key/value pairs, in the order given
    data_path: str = ""                             # the lake's data folder, ending in '/'

    @property
    def is_lake(self) -> bool:
        """Whether this is a DuckLake rather than a DuckDB file."""
        return self.path is None

    @property
    def file(self) -> Path:
        """The DuckDB file; raise BadLocation for a lake (code that only works on files asks for it)."""
        if self.path is None:
            raise BadLocation(f"{self.label}: is a DuckLake warehouse; this needs a DuckDB file")
        return self.path

    def _conninfo(self, *, hide_secrets: bool) -> str:
        parts = []
        for key, value in self.conninfo:
            shown = "***" if hide_secrets and key in _SECRET_KEYS else value
            parts.append(f"{key}={_quote(shown)}")
        return " ".join(parts)

    @property
    def url(self) -> str:
        """The location as given to --db (passwords included): what a child process is handed."""
        if self.path is not None:
            return str(self.path)
        return f"{LAKE_PREFIX}{self._conninfo(hide_secrets=False)} data_path={_quote(self.data_path)}"

    @property
    def label(self) -> str:
        """The location for messages: the file path, or the lake URL with any password masked."""
        if self.path is not None:
            return str(self.path)
        return f"{LAKE_PREFIX}{self._conninfo(hide_secrets=True)} data_path={_quote(self.data_path)}"

    def __str__(self) -> str:
        return self.label

    def resolved(self) -> Location:
        """The same location with a file path or a local data folder made absolute (for other processes)."""
        if self.path is not None:
            return Location(path=self.path.resolve())
        if "://" in self.data_path:
            return self
        return Location(conninfo=self.conninfo, data_path=_folder(str(Path(self.data_path).resolve())))

    def attach_sql(self, *, read_only: bool = False) -> str:
        """The ATTACH statement for a lake (ATTACH takes no bound parameters: quotes are doubled)."""
        if self.path is not None:
            raise BadLocation(f"{self.label}: is a DuckDB file, not a DuckLake; nothing to attach")
        target = f"{LAKE_PREFIX}{self._conninfo(hide_secrets=False)}".replace("'", "''")
        options = [f"DATA_PATH '{self.data_path.replace(chr(39), chr(39) * 2)}'"]
        if read_only:
            options.append("READ_ONLY")
        return f"ATTACH '{target}' AS {LAKE_ALIAS} ({', '.join(options)})"


def _quote(value: str) -> str:
    if value and not re.search(r"[\s'\\]", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _unquote(value: str) -> str:
    if value.startswith("'"):
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _folder(value: str) -> str:
    return value if value.endswith("/") else value + "/"


def _masked(value: str) -> str:
    """The raw text of a location for an error message, with any password value masked."""
    return re.sub(r"((?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)", r"\1***", value)


def _parse_lake(value: str) -> Location:
    shown = _masked(value)
    body = value[len(LAKE_PREFIX):]
    pairs: list[tuple[str, str]] = []
    pos = 0
    while pos < len(body):
        if not body[pos:].strip():
            break
        match = _PAIR.match(body, pos)
        if not match:
            raise BadLocation(f"{shown}: expected key=value pairs after {LAKE_PREFIX!r} "
                              f"(near {_masked(body[pos:].strip()[:30])!r}), e.g. {EXAMPLE}")
        pairs.append((match.group(1).lower(), _unquote(match.group(2))))
        pos = match.end()
    data_paths = [v for k, v in pairs if k == "data_path"]
    conninfo = tuple((k, v) for k, v in pairs if k != "data_path")
    unknown = sorted({k for k, _ in conninfo} - _LIBPQ_KEYS)
    if unknown:
        raise BadLocation(f"{shown}: unknown PostgreSQL connection key(s) {', '.join(unknown)}; "
                          f"expected libpq keys such as dbname, host, port, user (and data_path=)")
    if len(data_paths) != 1 or not data_paths[0]:
        raise BadLocation(f"{shown}: expected exactly one data_path=<folder> for the lake's data files, "
                          f"e.g. {EXAMPLE}")
    if not any(k in ("dbname", "service") for k, _ in conninfo):
        raise BadLocation(f"{shown}: expected dbname=<PostgreSQL database> holding the lake's catalog, "
                          f"e.g. {EXAMPLE}")
    return Location(conninfo=conninfo, data_path=_folder(data_paths[0]))


def parse_location(value: str | Path | Location) -> Location:
    """Parse a warehouse location: a Location as is, a DuckLake URL, or else a DuckDB file path."""
    if isinstance(value, Location):
        return value
    if isinstance(value, Path):
        return Location(path=value)
    text = value.strip()
    if not text:
        raise BadLocation("the warehouse location is empty: expected a DuckDB file path or a DuckLake URL "
                          f"such as {EXAMPLE}")
    if text.lower().startswith("ducklake:"):
        if not text.lower().startswith(LAKE_PREFIX):
            raise BadLocation(f"{_masked(text)}: only DuckLake catalogs in PostgreSQL are supported; "
                              f"expected {LAKE_PREFIX}<conninfo> data_path=<folder>, e.g. {EXAMPLE}")
        return _parse_lake(LAKE_PREFIX + text[len(LAKE_PREFIX):])
    return Location(path=Path(text))


def may_exist(where: str | Path | Location) -> bool:
    """Whether there may be a warehouse there: a DuckDB file that exists, or any lake (only connecting tells
    whether a lake was initialised; its reader raises WarehouseMissing when not)."""
    location = parse_location(where)
    return location.is_lake or location.file.exists()


def sidecar(where: str | Path | Location, suffix: str) -> Path:
    """A file beside the warehouse, for locks and indexes: ``<file><suffix>`` for a DuckDB file, and
    ``<data folder>/stancewatch<suffix>`` for a lake (its one place on disk; shared by the machines that
    share the data folder, so an OS lock there serialises only where that file system supports it)."""
    location = parse_location(where)
    if location.path is not None:
        return Path(f"{location.path}{suffix}")
    if "://" in location.data_path:
        raise BadLocation(f"{location.label}: the data path is not a local folder; no file can go beside it")
    folder = Path(location.data_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"stancewatch{suffix}"
