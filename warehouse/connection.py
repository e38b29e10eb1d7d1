"""Open the warehouse: one writer at a time (file lock, one short transaction), readers read-only with retries.

DuckDB lets one read-write process or many read-only processes open a file, never both. So nothing here
keeps a connection open for long: a writer takes the lock, opens, writes one batch, commits and closes; a
reader opens read-only for one request and retries with backoff while a writer holds the file.

On a DuckLake (``warehouse.location``) writers take no lock: DuckLake commits concurrently through its
PostgreSQL catalog. When a commit conflicts with another writer's (both changed the same table's rows), the
writer replays its batch (every statement it ran, in order, on a fresh transaction) a few times with
backoff, then raises WarehouseBusy. Replaying is safe because every batch is idempotent (upserts keyed on
ids, guarded updates), the rule every writer already follows.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeAlias

import duckdb
import pyarrow as pa
from filelock import FileLock, Timeout

from warehouse import lake
from warehouse.errors import MigrationError, WarehouseBusy, WarehouseError, WarehouseMissing
from warehouse.location import Location, parse_location
from warehouse.migrate import migrate, pending, rollback
from warehouse.sql import migrations, query

Params: TypeAlias = Sequence[Any] | Mapping[str, Any] | None
Rows: TypeAlias = Sequence[Mapping[str, Any]] | pa.Table
Where: TypeAlias = str | Path | Location

# A DuckLake writer whose commit conflicts replays its batch up to this many times, waiting
# LAKE_RETRY_DELAY_S * 2**attempt (jittered) between tries, before it gives up with WarehouseBusy.
LAKE_COMMIT_ATTEMPTS = 6
LAKE_RETRY_DELAY_S = 0.05


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflict" in text or "could not set" in text)


def _connect(path: Path, *, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    """Connect, retrying with jittered exponential backoff while another process holds the file."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if not _is_lock_conflict(exc):
                raise WarehouseError(f"{path}: cannot open the warehouse: {exc}") from exc
            if time.monotonic() + delay > deadline:
                mode = "read" if read_only else "write"
                raise WarehouseBusy(f"{path}: another process held the warehouse for over {timeout:.0f} s; "
                                    f"could not open it to {mode}") from exc
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 0.25)


class Reader:
    """A read-only view of the warehouse for one request; run named queries through it."""

    def __init__(self, con: duckdb.DuckDBPyConnection, location: Where) -> None:
        self.con = con
        self.location = parse_location(location)

    @property
    def path(self) -> Path:
        """The DuckDB file read (raises for a lake, which has no single file)."""
        return self.location.file

    def _run(self, name: str, params: Params) -> duckdb.DuckDBPyConnection:
        try:
            return self.con.execute(query(name), params)
        except duckdb.Error as exc:
            raise WarehouseError(f"{self.location.label}: query {name!r} failed: {exc}") from exc

    def fetch(self, name: str, params: Params = None) -> list[tuple[Any, ...]]:
        """Run a named query and return all rows as tuples."""
        return self._run(name, params).fetchall()

    def fetch_one(self, name: str, params: Params = None) -> tuple[Any, ...] | None:
        """Run a named query and return its first row, or None."""
        return self._run(name, params).fetchone()

    def records(self, name: str, params: Params = None) -> list[dict[str, Any]]:
        """Run a named query and return rows as dicts keyed by column name."""
        cur = self._run(name, params)
        columns = [d[0] for d in cur.description or []]
        return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]

    def df(self, name: str, params: Params = None) -> Any:
        """Run a named query and return a pandas DataFrame."""
        return self._run(name, params).df()

    def batches(self, name: str, params: Params = None, batch_rows: int = 50_000) -> pa.RecordBatchReader:
        """Run a named query and stream its result as Arrow record batches (for exports)."""
        return self._run(name, params).to_arrow_reader(batch_rows)


class Writer(Reader):
    """The single writer's view: one transaction, committed when the ``writer()`` block ends cleanly."""

    def __init__(self, con: duckdb.DuckDBPyConnection, location: Where) -> None:
        super().__init__(con, location)
        # what this batch wrote, in order, so a lake writer can replay it after a commit conflict
        self.journal: list[tuple[str, Params, pa.Table | None]] = []
        self.replays = 0  # how many times a lake writer replayed this batch after a commit conflict

    def execute(self, name: str, params: Params = None) -> None:
        """Run a named statement."""
        self.journal.append((name, params, None))
        self._run(name, params)

    def write_batch(self, name: str, rows: Rows) -> int:
        """Run a named statement that reads the relation ``batch``, bound to the given rows; return the count.

        Named upserts read ``batch`` (``MERGE INTO t USING (SELECT ... FROM batch) b ON <key> ...``), so a
        whole batch goes in with one statement and re-running it replaces rather than duplicates.
        """
        table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist([dict(r) for r in rows])
        if table.num_rows == 0:
            return 0
        self.journal.append((name, None, table))
        self._run_batch(name, table)
        return int(table.num_rows)

    def _run_batch(self, name: str, table: pa.Table) -> None:
        self.con.register("batch", table)
        try:
            self._run(name, None)
        finally:
            self.con.unregister("batch")

    def replay(self) -> None:
        """Run every statement of this batch again, in order (after a DuckLake commit conflict)."""
        for name, params, table in self.journal:
            if table is None:
                self._run(name, params)
            else:
                self._run_batch(name, table)


def _backoff(attempt: int) -> None:
    time.sleep(LAKE_RETRY_DELAY_S * 2 ** attempt * (0.5 + random.random()))


def _migrate_lake(con: duckdb.DuckDBPyConnection, location: Location) -> None:
    """Migrate a lake; a migration that conflicts with another process's (both migrating a new lake at
    once) is retried, and finds the other's work done."""
    for attempt in range(LAKE_COMMIT_ATTEMPTS):
        try:
            migrate(con, location.label, lake=True)
            return
        except (duckdb.Error, MigrationError) as exc:
            cause = exc.__cause__ if isinstance(exc, MigrationError) else exc
            if not isinstance(cause, duckdb.Error) or not lake.is_conflict(cause):
                if isinstance(exc, MigrationError):
                    raise
                raise MigrationError(f"{location.label}: migrating the lake failed: {exc}") from exc
            rollback(con)
            _backoff(attempt)
    raise WarehouseBusy(f"{location.label}: other writers kept migrating the lake; "
                        f"gave up after {LAKE_COMMIT_ATTEMPTS} tries")


@contextmanager
def _lake_writer(location: Location) -> Iterator[Writer]:
    """A DuckLake writer: no lock; on a commit conflict the batch is replayed, then WarehouseBusy."""
    con = lake.connect(location, read_only=False)
    try:
        _migrate_lake(con, location)
        lake.define_macros(con)
        con.execute("BEGIN TRANSACTION")
        w = Writer(con, location)
        try:
            yield w
        except BaseException:
            rollback(con)
            raise
        for attempt in range(LAKE_COMMIT_ATTEMPTS):
            try:
                con.execute("COMMIT")
                return
            except duckdb.Error as exc:
                rollback(con)
                if not lake.is_conflict(exc):
                    raise WarehouseError(f"{location.label}: commit failed, the batch was not stored: "
                                         f"{exc}") from exc
                last = exc
            if attempt + 1 == LAKE_COMMIT_ATTEMPTS:
                break
            _backoff(attempt)
            con.execute("BEGIN TRANSACTION")
            w.replays += 1
            try:
                w.replay()
            except BaseException:
                rollback(con)
                raise
        raise WarehouseBusy(f"{location.label}: the batch conflicted with other writers' commits "
                            f"{LAKE_COMMIT_ATTEMPTS} times; it was not stored: {last}")
    finally:
        con.close()


@contextmanager
def writer(where: Where, *, timeout: float = 120.0) -> Iterator[Writer]:
    """Open the warehouse to write one batch: migrate if needed, yield a Writer, commit on success.

    ``timeout`` bounds the wait for a file's lock; a lake takes none (its conflicts are retried instead)."""
    location = parse_location(where)
    if location.is_lake:
        with _lake_writer(location) as w:
            yield w
        return
    path = location.file
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(f"{path}.lock")
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise WarehouseBusy(f"{path}: another writer held the lock for over {timeout:.0f} s") from None
    try:
        con = _connect(path, read_only=False, timeout=timeout)
        try:
            migrate(con, str(path))
            con.execute("BEGIN TRANSACTION")
            try:
                yield Writer(con, location)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            try:
                con.execute("COMMIT")
            except duckdb.Error as exc:
                raise WarehouseError(f"{path}: commit failed, the batch was not stored: {exc}") from exc
        finally:
            con.close()
    finally:
        lock.release()


@contextmanager
def reader(where: Where, *, timeout: float = 30.0) -> Iterator[Reader]:
    """Open the warehouse read-only for one request, retrying while a writer holds it (a lake: a snapshot)."""
    location = parse_location(where)
    if location.is_lake:
        con = lake.connect(location, read_only=True)
    else:
        if not location.file.exists():
            raise WarehouseMissing(f"{location.label}: no warehouse here yet; "
                                   "run `stancewatch init` (or a crawl) first")
        con = _connect(location.file, read_only=True, timeout=timeout)
    try:
        waiting = pending(con)
        if location.is_lake and waiting and waiting[0].version == migrations()[0].version:
            # attached (DuckLake made its catalog), but nothing was ever migrated
            raise WarehouseMissing(f"{location.label}: no warehouse in this lake yet; "
                                   "run `stancewatch init` (or a crawl) first")
        if waiting:
            raise MigrationError(f"{location.label}: the warehouse's schema is older than this code; "
                                 "run `stancewatch init` to migrate it")
        if location.is_lake:
            lake.define_macros(con)
        yield Reader(con, location)
    finally:
        con.close()
