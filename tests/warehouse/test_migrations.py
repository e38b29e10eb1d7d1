"""Migrations: applied in order once, recorded in schema_version, and an older warehouse moves forward."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import warehouse.migrate as migrate_module
from warehouse import reader, writer
from warehouse.errors import MigrationError, WarehouseMissing
from warehouse.migrate import current_version, migrate
from warehouse.sql import Migration, migrations


def _versions(db: Path) -> list[int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [row[0] for row in con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()]
    finally:
        con.close()


def test_a_new_warehouse_gets_every_migration_once(db_path: Path) -> None:
    with writer(db_path):
        pass
    assert _versions(db_path) == [m.version for m in migrations()]


def test_running_the_migrations_twice_is_a_no_op(db_path: Path) -> None:
    with writer(db_path):
        pass
    con = duckdb.connect(str(db_path))
    try:
        assert migrate(con, str(db_path)) == []
        before = con.execute("SELECT version, applied_at FROM schema_version ORDER BY version").fetchall()
        assert migrate(con, str(db_path)) == []
        assert con.execute("SELECT version, applied_at FROM schema_version ORDER BY version").fetchall() == before
    finally:
        con.close()


def test_an_older_warehouse_migrates_forward_and_keeps_its_rows(db_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    real = migrations()
    monkeypatch.setattr(migrate_module, "migrations", lambda: real[:1])  # the code as it was at 0001
    with writer(db_path) as w:
        w.con.execute("INSERT INTO schedules VALUES ('s1', 'nightly', '0 3 * * *', [], false, now(), NULL)")
    assert _versions(db_path) == [real[0].version]

    # A newer release: everything shipped now, plus one more migration that alters a table.
    newer = (*real, Migration(9999, "add_schedule_note", "ALTER TABLE schedules ADD COLUMN note VARCHAR;"))
    monkeypatch.setattr(migrate_module, "migrations", lambda: newer)
    with pytest.raises(MigrationError, match="stancewatch init"), reader(db_path):
        pass
    with writer(db_path) as w:
        assert current_version(w.con) == 9999
        rows = w.con.execute("SELECT id, name, note FROM schedules").fetchall()
    assert rows == [("s1", "nightly", None)]
    assert _versions(db_path) == [m.version for m in newer]


def test_a_failing_migration_is_rolled_back_and_named(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with writer(db_path):
        pass
    broken = (*migrations(), Migration(9998, "broken", "ALTER TABLE no_such_table ADD COLUMN x INTEGER;"))
    monkeypatch.setattr(migrate_module, "migrations", lambda: broken)
    with pytest.raises(MigrationError, match=r"9998_broken\.sql"), writer(db_path):
        pass
    assert 9998 not in _versions(db_path)


def test_a_warehouse_newer_than_the_code_is_refused(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with writer(db_path):
        pass
    monkeypatch.setattr(migrate_module, "migrations", lambda: migrations()[:1])
    if len(migrations()) > 1:
        with pytest.raises(MigrationError, match="newer than this code"), writer(db_path):
            pass
    else:
        con = duckdb.connect(str(db_path))
        con.execute("INSERT INTO schema_version (version, name) VALUES (9997, 'future')")
        con.close()
        with pytest.raises(MigrationError, match="newer than this code"), writer(db_path):
            pass


def test_reading_a_missing_warehouse_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(WarehouseMissing, match="stancewatch init"), reader(tmp_path / "nowhere.duckdb"):
        pass
