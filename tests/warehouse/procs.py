"""Programs the warehouse tests run as separate processes: a batch writer and a polling reader."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from warehouse import reader, writer

ROWS_PER_BATCH = 50


def batch_rows(batch: int) -> list[dict[str, object]]:
    """The rows of batch number ``batch``: sources named b<batch>-<row>, so a batch is recognisable."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return [
        {"name": f"b{batch:05d}-{row:03d}", "homepage": f"https://example.org/{batch}/{row}", "country": "KZ",
         "language": "ru", "feeds": [], "sitemaps": [], "listings": None, "tags": ["test"], "enabled": True,
         "updated_at": now}
        for row in range(ROWS_PER_BATCH)
    ]


def write_for(db: Path, seconds: float, committed_log: Path) -> None:
    """Write one batch after another for ``seconds``; log each batch number once its commit returned."""
    deadline = time.monotonic() + seconds
    batch = 0
    with committed_log.open("a") as log:
        while time.monotonic() < deadline:
            with writer(db) as w:
                w.write_batch("upsert_sources", batch_rows(batch))
            log.write(f"{batch}\n")
            log.flush()
            batch += 1
            time.sleep(0.02)  # a crawler's pipeline writes a batch, then fetches more pages


def write_then_hang(db: Path, committed: int, started_flag: Path) -> None:
    """Commit ``committed`` batches, then start one more and hang inside its transaction (to be killed)."""
    for batch in range(committed):
        with writer(db) as w:
            w.write_batch("upsert_sources", batch_rows(batch))
    with writer(db) as w:
        w.write_batch("upsert_sources", batch_rows(committed))
        started_flag.write_text("in batch")
        time.sleep(600)


def read_every(db: Path, seconds: float, interval: float, report: Path) -> None:
    """Read the row count every ``interval`` seconds; record every read and every failure."""
    deadline = time.monotonic() + seconds
    reads, failures, counts = 0, [], []
    while time.monotonic() < deadline:
        try:
            with reader(db) as r:
                counts.append(dict(r.fetch("table_counts"))["sources"])
            reads += 1
        except Exception as exc:  # the test asserts there are none, so record rather than die
            failures.append(f"{type(exc).__name__}: {exc}")
        time.sleep(interval)
    report.write_text(json.dumps({"reads": reads, "failures": failures, "counts": counts}))


if __name__ == "__main__":
    role, db_arg, *rest = sys.argv[1:]
    db_file = Path(db_arg)
    if role == "write":
        write_for(db_file, float(rest[0]), Path(rest[1]))
    elif role == "hang":
        write_then_hang(db_file, int(rest[0]), Path(rest[1]))
    elif role == "read":
        read_every(db_file, float(rest[0]), float(rest[1]), Path(rest[2]))
    else:
        raise SystemExit(f"unknown role {role!r}")
