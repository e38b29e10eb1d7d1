"""Apply numbered migrations in order and record each in schema_version."""

from __future__ import annotations

import duckdb

from warehouse.errors import MigrationError
from warehouse.sql import Migration, migrations

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    applied_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
)
"""


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """Return the highest applied migration, 0 for a new file."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def pending(con: duckdb.DuckDBPyConnection) -> list[Migration]:
    """Return the migrations not yet applied to this connection's database."""
    have = current_version(con)
    known = migrations()
    if known and have > known[-1].version:
        raise MigrationError(f"the warehouse is at schema version {have}, newer than this code "
                             f"({known[-1].version}): upgrade stancewatch")
    return [m for m in known if m.version > have]


def migrate(con: duckdb.DuckDBPyConnection, label: str) -> list[int]:
    """Apply pending migrations, each in its own transaction; return the versions applied."""
    con.execute(_VERSION_TABLE)
    applied: list[int] = []
    for migration in pending(con):
        try:
            con.execute("BEGIN TRANSACTION")
            con.execute(migration.sql)
            con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)",
                        [migration.version, migration.name])
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise MigrationError(f"{label}: migration {migration.version:04d}_{migration.name}.sql "
                                 f"failed: {exc}") from exc
        applied.append(migration.version)
    return applied
