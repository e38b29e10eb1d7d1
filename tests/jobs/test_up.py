"""`stancewatch up`: warehouse, scheduler and dashboard start together and stop together on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.jobs.sources_file import SOURCES
from tests.processes import kill_tree
from warehouse import jobs

FAKE_JOB = Path(__file__).with_name("fake_job.py")


@pytest.mark.slow
def test_up_starts_everything_and_ctrl_c_stops_it(tmp_path: Path, db_path: Path, free_port: int) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES)
    config = tmp_path / "stancewatch.toml"
    config.write_text("[scheduler]\npoll_interval_s = 0.2\njob_timeout_s = 60\n")
    out = tmp_path / "up.out"
    env = {**os.environ, "STANCEWATCH_JOB_COMMAND": f"{sys.executable} {FAKE_JOB}",
           "FAKE_JOB_RECORD": str(tmp_path / "record.jsonl")}
    proc = subprocess.Popen(
        [sys.executable, "-P", "-c", "from stancewatch.cli import main; main()", "--config", str(config),
         "--db", str(db_path), "--sources", str(sources), "up", "--port", str(free_port)],
        stdout=out.open("w"), stderr=subprocess.STDOUT, env=env, cwd=tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while "stancewatch is up" not in out.read_text():
            assert proc.poll() is None, out.read_text()
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(0.3)
        assert f"http://127.0.0.1:{free_port}" in out.read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{free_port}/_stcore/health", timeout=10) as response:
            assert response.status == 200
        # the first crawl was queued and the scheduler ran it
        deadline = time.monotonic() + 30
        while not [j for j in jobs.list_jobs(db_path) if j["requested_by"] == "up" and j["state"] == "done"]:
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0, out.read_text()
    finally:  # the scheduler, its jobs and the dashboard too, however the test ended
        kill_tree(proc)
    text = out.read_text()
    assert "all stopped" in text and "Traceback" not in text
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{free_port}/_stcore/health", timeout=2)
    assert "running" not in {j["state"] for j in jobs.list_jobs(db_path)}
