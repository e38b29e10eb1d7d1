"""A writer process and a reader process share one warehouse file."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.warehouse.procs import ROWS_PER_BATCH
from warehouse import reader, writer

ROOT = Path(__file__).resolve().parents[2]


def _spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "tests.warehouse.procs", *args], cwd=ROOT)


@pytest.mark.slow
def test_reader_never_fails_while_a_writer_commits_batches_for_20_s(db_path: Path, tmp_path: Path) -> None:
    with writer(db_path):  # create and migrate first, so the reader's first open finds a file
        pass
    committed_log, report = tmp_path / "committed.txt", tmp_path / "reads.json"
    write = _spawn("write", str(db_path), "20", str(committed_log))
    read = _spawn("read", str(db_path), "21", "0.05", str(report))
    assert write.wait(timeout=120) == 0
    assert read.wait(timeout=120) == 0

    reads = json.loads(report.read_text())
    assert reads["failures"] == []
    # The reads overlapped the commits: the reader saw the count change. (A count of reads, > 100 in 21 s, was a
    # speed figure: a fresh-clone run on a busy machine read 37 times, and a busy machine is no defect.)
    assert len(set(reads["counts"])) >= 3, "the reader should have read while the writer committed"
    assert reads["counts"] == sorted(reads["counts"]), "a reader saw the row count go backwards"
    assert all(count % ROWS_PER_BATCH == 0 for count in reads["counts"]), "a reader saw a half batch"

    batches = [int(line) for line in committed_log.read_text().split()]
    assert len(batches) > 20
    with reader(db_path) as r:
        names = [row[0] for row in r.fetch("list_sources")]
    per_batch = Counter(name.split("-")[0] for name in names)
    assert set(per_batch) == {f"b{b:05d}" for b in batches}
    assert set(per_batch.values()) == {ROWS_PER_BATCH}
    assert len(names) == len(set(names))
