"""The dashboard keeps answering while crawl-like and scoring-like writers write the same warehouse."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dash_fixture import MODEL_ID

from dashboard import data
from warehouse import reader
from warehouse.filters import Filters

# A crawler-like writer (articles) and a scorer-like writer (stance rows), each opening the warehouse for
# one short batch at a time, again and again, as the real ones do.
WRITER = """
import sys, time, uuid, datetime
from warehouse import writer
db, kind, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
end = time.monotonic() + seconds
batches = 0
while time.monotonic() < end:
    with writer(db) as w:
        for _ in range(20):
            aid = uuid.uuid4().hex
            now = datetime.datetime(2026, 1, 1)
            w.con.execute("INSERT INTO articles (id, url, source, title, text, published_at, fetched_at, "
                          "language, content_hash, story_id, extractor) VALUES (?, ?, 'tass.ru', 't', 'x', ?, ?, "
                          "'ru', ?, ?, 'test')", [aid, 'https://x/' + aid, now, now, aid, aid])
            if kind == "score":
                w.con.execute("INSERT INTO article_stance VALUES (?, 'RU', ?, 0.1, 'neutral', 0.5, 1, NULL, ?)",
                              [aid, sys.argv[4], now])
        time.sleep(0.05)  # a batch holds the file a little while, as a real one parsing pages would
    batches += 1
    time.sleep(0.02)
print(batches)
"""


@pytest.mark.slow
def test_queries_succeed_while_two_writers_write(fixture_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "busy.duckdb"
    shutil.copy(fixture_db, db)
    seconds = 8.0
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), kind, str(seconds), MODEL_ID],
                                stdout=subprocess.PIPE, text=True) for kind in ("crawl", "score")]
    served, failures = 0, []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
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
    assert served >= 3 and all(b >= 3 for b in batches), (served, batches)
    with reader(db) as r:
        row = r.fetch_one("dashboard_overview", {"model_id": MODEL_ID})
    assert row is not None and row[0] == 616 + 20 * sum(batches)
