"""A writer killed with SIGKILL in the middle of a batch loses that batch only."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.warehouse.procs import ROWS_PER_BATCH, batch_rows
from warehouse import reader, writer

ROOT = Path(__file__).resolve().parents[2]


def _names(db: Path) -> list[str]:
    with reader(db) as r:
        return [row[0] for row in r.fetch("list_sources")]


def test_sigkill_mid_batch_keeps_committed_rows_and_drops_the_half_batch(db_path: Path, tmp_path: Path) -> None:
    flag = tmp_path / "in-batch"
    proc = subprocess.Popen([sys.executable, "-m", "tests.warehouse.procs", "hang", str(db_path), "3", str(flag)],
                            cwd=ROOT)
    deadline = time.monotonic() + 60
    while not flag.exists():
        assert proc.poll() is None, "the writer died before reaching its last batch"
        assert time.monotonic() < deadline, "the writer never reached its last batch"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    names = _names(db_path)  # opens cleanly: DuckDB replays or discards its write-ahead log
    per_batch = Counter(name.split("-")[0] for name in names)
    assert per_batch == {f"b{b:05d}": ROWS_PER_BATCH for b in range(3)}

    # The lock died with the process; re-running the lost batch and a committed one adds no duplicates.
    for batch in (3, 3, 1):
        with writer(db_path, timeout=10) as w:
            w.write_batch("upsert_sources", batch_rows(batch))
    names = _names(db_path)
    assert len(names) == len(set(names)) == 4 * ROWS_PER_BATCH
