"""Two `stancewatch score` runs at once (real processes, the real model, one DuckDB file) score each article once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from filelock import FileLock

from warehouse import reader, writer

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["Russia and Kazakhstan signed a grain deal in Astana.", "China praised Turkey for the new rail link.",
         "Ukraine condemned the shelling; Russia denied it.", "Kazakhstan will export more wheat to China.",
         "The US and the EU discussed sanctions on Russia."]


def _insert(db: Path) -> None:
    with writer(db) as w:
        for i, text in enumerate(TEXTS):
            w.con.execute(
                "INSERT INTO articles (id, url, source, title, text, language, fetched_at, content_hash, story_id,"
                " extractor) VALUES ($id, $url, 'test', $title, $text, 'en', $fetched_at, $id, $id, 'test')",
                {"id": f"a{i}", "url": f"https://example.test/a{i}", "title": f"Story {i}", "text": text,
                 "fetched_at": datetime(2026, 1, 1)})


def _scored(stdout: str) -> int:
    match = re.search(r"^\W*scored\W+(\d+)", stdout, re.MULTILINE)
    assert match, stdout
    return int(match.group(1))


@pytest.mark.slow
def test_two_score_runs_at_once_score_each_article_once(tmp_path: Path, db_path: Path) -> None:
    # Issue 15 item 6: two runs at once each did all the work; now the second waits for the first.
    _insert(db_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STANCEWATCH_")}
    env.update(COLUMNS="200", PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "stancewatch.cli", "--db", str(db_path), "score", "--no-progress"]
    # Holding the lock here makes both runs meet it: they start "at once" whatever the machine's speed.
    held = FileLock(f"{db_path}.score.lock")
    held.acquire()
    errs = [tmp_path / f"score-{i}.err" for i in (0, 1)]
    procs = [subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=err.open("w"),
                              text=True) for err in errs]
    try:
        deadline = time.monotonic() + 120
        while not all("waiting for it to finish" in err.read_text() for err in errs):
            assert all(p.poll() is None for p in procs), [e.read_text() for e in errs]
            assert time.monotonic() < deadline, [e.read_text() for e in errs]
            time.sleep(0.1)
    finally:
        held.release()
    outs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e.read_text() for e in errs]
    assert sorted(_scored(out) for out in outs) == [0, len(TEXTS)]
    with reader(db_path) as r:
        rows = r.con.execute("SELECT article_id, count(*) FROM article_scoring GROUP BY 1").fetchall()
    assert sorted(rows) == [(f"a{i}", 1) for i in range(len(TEXTS))]
