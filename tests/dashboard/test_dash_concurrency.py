"""The dashboard keeps answering while crawl-like and scoring-like writers write the same warehouse."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dash_fixture import MODEL_ID

from dashboard import data
from warehouse import reader
from warehouse.filters import Filters

# A crawler-like writer (articles) and a scorer-like writer (stance rows), each opening the warehouse for
# one short batch at a time, again and again, as the real ones do. How many rounds the dashboard serves
# meanwhile is a speed figure: scripts/bench_dash_concurrency.py measures it, this test does not.
WRITER = Path(__file__).resolve().parents[2] / "scripts" / "busy_writer.py"
BATCHES = 12


@pytest.mark.slow
def test_queries_succeed_while_two_writers_write(fixture_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "busy.duckdb"
    shutil.copy(fixture_db, db)
    writers = [subprocess.Popen([sys.executable, str(WRITER), str(db), kind, str(BATCHES), MODEL_ID],
                                stdout=subprocess.PIPE, text=True, cwd=WRITER.parents[1])
               for kind in ("crawl", "score")]
    rounds, served, failures = 0, 0, []
    try:
        # query for as long as either writer is still writing (and at least once), however fast that is
        while rounds == 0 or any(w.poll() is None for w in writers):
            rounds += 1
            data.clear_cache()  # every round reads the file again
            try:
                assert data.overview(str(db), MODEL_ID)["articles"] >= 616
                assert not data.trend(str(db), MODEL_ID, Filters(countries=("RU",)), "week", "none").empty
                assert not data.matrix(str(db), MODEL_ID, Filters()).empty
                assert not data.articles(str(db), MODEL_ID, Filters(), 20, 0).empty
                assert not data.source_health(str(db)).empty
                served += 1
            except Exception as exc:
                failures.append(repr(exc))
    finally:
        outputs = [w.communicate(timeout=60)[0] for w in writers]
    batches = [int(o.strip() or 0) for o in outputs]
    print(f"served {served} rounds of five page queries while writers committed {batches} batches")
    assert failures == []
    assert batches == [BATCHES, BATCHES] and served == rounds
    with reader(db) as r:
        row = r.fetch_one("dashboard_overview", {"model_id": MODEL_ID})
    assert row is not None and row[0] == 616 + 20 * sum(batches)
