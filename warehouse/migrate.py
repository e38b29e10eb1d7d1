"""Apply numbered migrations in order and record each in schema_version (on a DuckDB file or a DuckLake)."""

from __future__ import annotations

import contextlib

import duckdb

from warehouse.errors import MigrationError
from warehouse.lake import adapt_migration
from warehouse.sql import Migration, migrations

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    applied_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
)
"""


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """Return the highest applied migration, 0 for a new file or lake.

    Asked directly, not through information_schema, which on a lake reads the whole catalog (tens of ms per
    request). A missing table fails the statement; callers ask outside an open transaction (or once the
    migrations made the table), so nothing else is aborted with it."""
    try:
        row = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    except duckdb.CatalogException:
        return 0
    return int(row[0]) if row else 0


def pending(con: duckdb.DuckDBPyConnection) -> list[Migration]:
    """Return the migrations not yet applied to this connection's database."""
    have = current_version(con)
    known = migrations()
    if known and have > known[-1].version:
        raise MigrationError(f"the warehouse is at schema version {have}, newer than this code "
                             f"({known[-1].version}): upgrade stancewatch")
    return [m for m in known if m.version > have]


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction, if any (a failed COMMIT leaves none open, and saying so would hide
    the error that matters)."""
    with contextlib.suppress(duckdb.TransactionException):
        con.execute("ROLLBACK")


def migrate(con: duckdb.DuckDBPyConnection, label: str, *, lake: bool = False) -> list[int]:
    """Apply pending migrations, each in its own transaction; return the versions applied.

    On a DuckLake (``lake``) each migration runs as ``warehouse.lake.adapt_migration`` rewrites it."""
    for statement in adapt_migration(_VERSION_TABLE) if lake else [_VERSION_TABLE]:
        con.execute(statement)
    applied: list[int] = []
    for migration in pending(con):
        try:
            con.execute("BEGIN TRANSACTION")
            for statement in adapt_migration(migration.sql) if lake else [migration.sql]:
                con.execute(statement)
            con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)",
                        [migration.version, migration.name])
            con.execute("COMMIT")
        except duckdb.Error as exc:
            rollback(con)
            raise MigrationError(f"{label}: migration {migration.version:04d}_{migration.name}.sql "
                                 f"failed: {exc}") from exc
        applied.append(migration.version)
    return applied
