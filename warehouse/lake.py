"""DuckLake specifics, in one place: loading the extensions, attaching the lake, and adapting migrations.

DuckLake 0.x (the ducklake extension for duckdb 1.5.5) was measured to lack what a DuckDB file has:
PRIMARY KEY, UNIQUE and CHECK constraints, indexes, INSERT OR REPLACE / ON CONFLICT and sequences. Macros
are stored in its catalog, but a macro whose parameter defaults to an untyped NULL fails to commit and a
macro without defaults stored there breaks every later attach (an internal error loading the catalog), so
no macro goes into the lake. Tables, ALTER TABLE, views (QUALIFY included) and MERGE INTO work.

So the numbered migrations stay the single source, and ``adapt_migration`` rewrites each statement for a
lake: constraints are stripped from CREATE TABLE (the writers' MERGE upserts keep ids unique instead),
CREATE/DROP INDEX are skipped (DuckLake prunes by file statistics), and CREATE MACRO is skipped there and
run instead as a TEMP macro on every connection (``define_macros``), the way the dashboard's in-memory
snapshot defines passes_filters. Only the text of the lake's copy changes; the migrations are not forked.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb

from warehouse.errors import WarehouseError, WarehouseMissing
from warehouse.location import LAKE_ALIAS, Location
from warehouse.sql import migrations

DUCKDB_VERSION = "v1.5.5"  # the extension packages' folder; duckdb is pinned to the same version

_MACRO = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+|TEMPORARY\s+)?MACRO\s+", re.IGNORECASE)
_INDEX = re.compile(r"^\s*(?:CREATE\s+(?:UNIQUE\s+)?INDEX|DROP\s+INDEX)\b", re.IGNORECASE)
_TABLE = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\b", re.IGNORECASE)
_STRING = re.compile(r"'(?:[^']|'')*'")
_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")


def _extension(package: str, name: str) -> Path:
    path = Path(str(resources.files(package))) / "extensions" / DUCKDB_VERSION / f"{name}.duckdb_extension"
    if not path.is_file():
        raise WarehouseError(f"{path}: DuckDB extension file missing; install {package.replace('_', '-')}==1.5.5 "
                             "(pip install -e '.[cluster]')")
    return path


@cache
def _postgres_extension() -> Path:
    """The postgres extension under the file name DuckDB expects (it derives the entry point from the name:
    the package's postgres.duckdb_extension must be loaded as postgres_scanner)."""
    source = _extension("duckdb_extension_postgres", "postgres")
    folder = Path(tempfile.gettempdir()) / f"stancewatch-duckdb-extensions-{os.getuid()}" / DUCKDB_VERSION
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "postgres_scanner.duckdb_extension"
    if not (link.is_symlink() and Path(os.readlink(link)) == source):
        spare = folder / f".postgres_scanner.{os.getpid()}"
        spare.unlink(missing_ok=True)
        spare.symlink_to(source)
        os.replace(spare, link)  # atomic: another process loading at the same moment sees old or new, whole
    return link


def load_extensions(con: duckdb.DuckDBPyConnection) -> None:
    """Load ducklake and postgres from the pinned PyPI packages (nothing can be downloaded)."""
    try:
        con.execute(f"LOAD '{_extension('duckdb_extension_ducklake', 'ducklake')}'")
        con.execute(f"LOAD '{_postgres_extension()}'")
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot load the DuckLake extensions: {exc}") from exc


def connect(location: Location, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A connection to the lake (read-only for readers), with the lake made the default catalog.

    Loading the extensions costs about 0.2-0.4 s per DuckDB instance (measured by scripts/bench_ducklake.py),
    too much for every dashboard request, so each process keeps one in-memory instance per lake and mode
    with the lake attached, and every call gets a cursor of its own: a connection with its own transaction
    (DuckLake's snapshot isolation and commit conflicts work between cursors as between processes). A forked
    child makes its own. The migrations' macros are not defined yet (a table macro binds its tables when
    defined): call ``define_macros`` once the schema is current; close the cursor when done."""
    key = (os.getpid(), location.url, read_only)
    with _instances_lock:
        base = _instances.get(key)
        if base is None:
            base = _attach(location, read_only=read_only)
            _instances[key] = base
    try:
        con = base.cursor()
        con.execute(f"USE {LAKE_ALIAS}")
    except duckdb.Error as exc:
        with _instances_lock:  # a broken instance (its catalog went away): the next call attaches afresh
            _instances.pop(key, None)
        raise WarehouseError(f"{location.label}: cannot use the DuckLake warehouse: "
                             f"{_masked_conninfo(str(exc), location).splitlines()[0]}") from exc
    return con


_instances: dict[tuple[int, str, bool], duckdb.DuckDBPyConnection] = {}
_instances_lock = threading.Lock()


def _attach(location: Location, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB with the extensions loaded and the lake attached."""
    con = duckdb.connect()
    try:
        load_extensions(con)
        con.execute(location.attach_sql(read_only=read_only))
        con.execute(f"USE {LAKE_ALIAS}")
    except duckdb.Error as exc:
        con.close()
        if read_only and "creating a new ducklake is explicitly disabled" in str(exc).lower():
            raise WarehouseMissing(f"{location.label}: no warehouse in this lake yet; "
                                   "run `stancewatch init` (or a crawl) first") from None
        # the error text quotes the conninfo, password and all: say what failed with the masked label
        reason = _masked_conninfo(str(exc), location).splitlines()[0]
        raise WarehouseError(f"{location.label}: cannot open the DuckLake warehouse: {reason}") from exc
    except BaseException:
        con.close()
        raise
    return con


def _masked_conninfo(text: str, location: Location) -> str:
    for key, value in location.conninfo:
        if key in ("password", "sslpassword") and value:
            text = text.replace(value, "***")
    return text


def is_conflict(exc: duckdb.Error) -> bool:
    """Whether a DuckLake commit failed because another writer committed overlapping changes first."""
    text = str(exc).lower()
    return "conflict" in text or "another transaction" in text


def _mask_strings(sql: str) -> tuple[str, list[str]]:
    """The statement with its -- comments dropped and its string literals replaced by numbered
    placeholders (read left to right, so a quote inside a comment or a -- inside a string cannot mislead)."""
    strings: list[str] = []
    out: list[str] = []
    pos = 0
    while pos < len(sql):
        if sql.startswith("--", pos):
            end = sql.find("\n", pos)
            pos = len(sql) if end < 0 else end
        elif sql[pos] == "'":
            match = _STRING.match(sql, pos)
            literal = match.group(0) if match else sql[pos:]
            strings.append(literal)
            out.append(f"\x00{len(strings) - 1}\x00")
            pos += len(literal)
        else:
            out.append(sql[pos])
            pos += 1
    return "".join(out), strings


def _unmask(sql: str, strings: list[str]) -> str:
    return _PLACEHOLDER.sub(lambda m: strings[int(m.group(1))], sql)


def _drop_checks(sql: str) -> str:
    """Remove every CHECK (...) clause, table-level (with its leading comma) or column-level."""
    out = sql
    while True:
        match = re.search(r"(,\s*)?\bCHECK\s*\(", out, re.IGNORECASE)
        if not match:
            return out
        depth, pos = 1, match.end()
        while depth and pos < len(out):
            depth += {"(": 1, ")": -1}.get(out[pos], 0)
            pos += 1
        # a table-level CHECK follows a comma and stands alone; a column-level one keeps the comma after it
        out = out[:match.start()] + ("" if match.group(1) else " ") + out[pos:]


def _strip_constraints(sql: str) -> str:
    sql = re.sub(r",\s*(?:PRIMARY\s+KEY|UNIQUE)\s*\([^)]*\)", "", sql, flags=re.IGNORECASE)
    sql = re.sub(r"\s+(?:PRIMARY\s+KEY|UNIQUE)\b", "", sql, flags=re.IGNORECASE)
    return _drop_checks(sql)


def _statements(sql: str) -> list[str]:
    text, strings = _mask_strings(sql)
    return [_unmask(s.strip(), strings) for s in text.split(";") if s.strip()]


def adapt_migration(sql: str) -> list[str]:
    """The statements of one migration as a lake runs them (see the module docstring for what changes)."""
    adapted: list[str] = []
    for statement in _statements(sql):
        if _INDEX.match(statement) or _MACRO.match(statement):
            continue
        if _TABLE.match(statement):
            masked, strings = _mask_strings(statement)
            statement = _unmask(_strip_constraints(masked), strings)
        adapted.append(statement)
    return adapted


@cache
def macro_statements() -> tuple[str, ...]:
    """Every macro the migrations define, in migration order, as TEMP macros for one connection."""
    found: list[str] = []
    for migration in migrations():
        for statement in _statements(migration.sql):
            if _MACRO.match(statement):
                found.append(_MACRO.sub("CREATE OR REPLACE TEMP MACRO ", statement, count=1))
    return tuple(found)


def define_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Define the migrations' macros on this lake connection (they are not stored in the lake)."""
    for statement in macro_statements():
        con.execute(statement)
