"""Open the warehouse: one writer at a time (file lock, one short transaction), readers read-only with retries.

DuckDB lets one read-write process or many read-only processes open a file, never both. So nothing here
keeps a connection open for long: a writer takes the lock, opens, writes one batch, commits and closes; a
reader opens read-only for one request and retries with backoff while a writer holds the file.
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

from warehouse.errors import MigrationError, WarehouseBusy, WarehouseError, WarehouseMissing
from warehouse.migrate import migrate, pending
from warehouse.sql import query

Params: TypeAlias = Sequence[Any] | Mapping[str, Any] | None
Rows: TypeAlias = Sequence[Mapping[str, Any]] | pa.Table


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

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path) -> None:
        self.con = con
        self.path = path

    def _run(self, name: str, params: Params) -> duckdb.DuckDBPyConnection:
        try:
            return self.con.execute(query(name), params)
        except duckdb.Error as exc:
            raise WarehouseError(f"{self.path}: query {name!r} failed: {exc}") from exc

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

    def execute(self, name: str, params: Params = None) -> None:
        """Run a named statement."""
        self._run(name, params)

    def write_batch(self, name: str, rows: Rows) -> int:
        """Run a named statement that reads the relation ``batch``, bound to the given rows; return the count.

        Named upserts read ``batch`` (``INSERT OR REPLACE INTO t BY NAME SELECT ... FROM batch``), so a
        whole batch goes in with one statement and re-running it replaces rather than duplicates.
        """
        table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist([dict(r) for r in rows])
        if table.num_rows == 0:
            return 0
        self.con.register("batch", table)
        try:
            self._run(name, None)
        finally:
            self.con.unregister("batch")
        return int(table.num_rows)


@contextmanager
def writer(path: str | Path, *, timeout: float = 120.0) -> Iterator[Writer]:
    """Open the warehouse to write one batch: migrate if needed, yield a Writer, commit on success."""
    path = Path(path)
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
                yield Writer(con, path)
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
def reader(path: str | Path, *, timeout: float = 30.0) -> Iterator[Reader]:
    """Open the warehouse read-only for one request, retrying while a writer holds it."""
    path = Path(path)
    if not path.exists():
        raise WarehouseMissing(f"{path}: no warehouse here yet; run `stancewatch init` (or a crawl) first")
    con = _connect(path, read_only=True, timeout=timeout)
    try:
        if pending(con):
            raise MigrationError(f"{path}: the warehouse's schema is older than this code; "
                                 "run `stancewatch init` to migrate it")
        yield Reader(con, path)
    finally:
        con.close()
