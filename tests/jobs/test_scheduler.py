"""The scheduler as a real process, with a fast schedule and a fake job command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.processes import kill_tree
from warehouse import jobs, reader, writer

FAKE_JOB = Path(__file__).with_name("fake_job.py")


class SchedulerProcess:
    """A `stancewatch scheduler` subprocess on a test warehouse."""

    def __init__(self, db: Path, tmp: Path, *, timeout_s: float = 60, poll_s: float = 0.2) -> None:
        self.db = db
        self.record = tmp / "record.jsonl"
        self.record.touch()
        self.output = tmp / "scheduler.out"
        config = tmp / "stancewatch.toml"
        config.write_text(f"[scheduler]\npoll_interval_s = {poll_s}\njob_timeout_s = {timeout_s}\n")
        env = {**os.environ, "STANCEWATCH_JOB_COMMAND": f"{sys.executable} {FAKE_JOB}",
               "FAKE_JOB_RECORD": str(self.record)}
        self.proc = subprocess.Popen(
            [sys.executable, "-P", "-c", "from stancewatch.cli import main; main()", "--config", str(config),
             "--db", str(db), "scheduler"],
            stdout=self.output.open("w"), stderr=subprocess.STDOUT, env=env, cwd=tmp, start_new_session=True)
        wait_for(lambda: "scheduler running" in self.output.read_text(), 20, self)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.record.read_text().splitlines()]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=40)


def wait_for(predicate: Callable[[], Any], timeout: float, sched: SchedulerProcess | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    log = sched.output.read_text() if sched else ""
    raise AssertionError(f"condition not met in {timeout} s; scheduler output:\n{log}")


@pytest.fixture
def start(db_path: Path, tmp_path: Path) -> Iterator[Callable[..., SchedulerProcess]]:
    started: list[SchedulerProcess] = []

    def _start(**kwargs: Any) -> SchedulerProcess:
        with writer(db_path):
            pass
        sched = SchedulerProcess(db_path, tmp_path, **kwargs)
        started.append(sched)
        return sched

    yield _start
    for sched in started:  # its jobs run in sessions of their own: killing the scheduler alone leaves them
        kill_tree(sched.proc)


def states(db: Path) -> dict[str, str]:
    return {j["id"]: j["state"] for j in jobs.list_jobs(db, limit=1000)}


@pytest.mark.slow
def test_crash_timeout_and_one_job_per_source(start: Callable[..., SchedulerProcess], db_path: Path) -> None:
    crash = jobs.request_crawl(db_path, sources=["crash"], requested_by="test")
    after_crash = jobs.request_crawl(db_path, sources=["crash-not", "ok"], requested_by="test")
    hang = jobs.request_crawl(db_path, sources=["hang"], requested_by="test")
    slow1 = jobs.request_crawl(db_path, sources=["slow"], requested_by="test")
    slow2 = jobs.request_crawl(db_path, sources=["slow", "other"], requested_by="test")
    sched = start(timeout_s=4)
    wait_for(lambda: all(s in jobs.FINAL_STATES for s in states(db_path).values()), 30, sched)
    final = states(db_path)
    assert final[crash] == "failed" and final[after_crash] == "failed"  # "crash-not" contains "crash"
    assert final[slow1] == final[slow2] == "done"
    assert final[hang] == "failed"
    crashed = jobs.get_job(db_path, crash)
    assert crashed is not None and "exited with status 3" in crashed["error"]
    assert "RuntimeError: boom" in crashed["log_tail"]
    hung = jobs.get_job(db_path, hang)
    assert hung is not None and "timed out after 4 s" in hung["error"]
    assert 4 <= (hung["finished_at"] - hung["started_at"]).total_seconds() < 12
    # the two jobs sharing the source "slow" never overlapped
    one, two = jobs.get_job(db_path, slow1), jobs.get_job(db_path, slow2)
    assert one is not None and two is not None and two["started_at"] >= one["finished_at"]
    # and the scheduler carried on after the crash: a new request still runs
    ok = jobs.request_crawl(db_path, sources=["fine"], requested_by="test")
    wait_for(lambda: states(db_path)[ok] == "done", 15, sched)
    assert sched.stop() == 0


@pytest.mark.slow
def test_a_crawl_killed_on_timeout_leaves_no_run_running(start: Callable[..., SchedulerProcess], db_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 15 item 3: after the scheduler's SIGKILL on timeout the crawl's run stayed 'running' forever.
    monkeypatch.setenv("FAKE_JOB_DB", str(db_path))
    job_id = jobs.request_crawl(db_path, sources=["stubborn"], requested_by="test")
    sched = start(timeout_s=20)  # room for the job to start on a loaded machine before it is killed
    wait_for(lambda: states(db_path)[job_id] in jobs.FINAL_STATES, 60, sched)
    assert any(e["event"] == "running" for e in sched.events()), sched.output.read_text()  # it got that far
    job = jobs.get_job(db_path, job_id)
    assert job is not None and job["state"] == "failed" and "timed out" in job["error"]
    with reader(db_path) as r:
        runs = r.con.execute("SELECT id, status, finished_at FROM crawl_runs").fetchall()
    assert [(run_id, status) for run_id, status, _ in runs] == [(f"crawl-{job_id}", "abandoned")]
    assert runs[0][2] is not None
    pid = next(e["pid"] for e in sched.events() if e["event"] == "running")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert "closed 1 crawl run(s) whose process is gone as abandoned" in sched.output.read_text()
    assert sched.stop() == 0


@pytest.mark.slow
def test_schedules_run_on_time_and_missed_slots_run_once(start: Callable[..., SchedulerProcess],
                                                           db_path: Path) -> None:
    fast = jobs.add_schedule(db_path, name="every 2 s", cron="* * * * * */2", sources=["fast"])
    daily = jobs.add_schedule(db_path, name="daily", cron="0 3 * * *", sources=["daily"])
    # the daily schedule last ran four days ago: it missed four slots while nothing ran
    with writer(db_path) as w:
        w.con.execute("UPDATE schedules SET last_run_at = ? WHERE id = ?",
                      [jobs.utcnow() - timedelta(days=4), daily])
    sched = start()
    time.sleep(7)
    assert sched.stop() == 0
    listed = jobs.list_jobs(db_path, limit=1000)
    fast_jobs = sorted((j for j in listed if j["schedule_id"] == fast), key=lambda j: j["requested_at"])
    daily_jobs = [j for j in listed if j["schedule_id"] == daily]
    assert len(daily_jobs) == 1 and daily_jobs[0]["state"] == "done"
    assert 2 <= len(fast_jobs) <= 5
    for job in fast_jobs[1:]:  # the first slot may have passed while the scheduler was starting
        requested: datetime = job["requested_at"]
        slot = requested.replace(microsecond=0) - timedelta(seconds=requested.second % 2)
        # polled every 0.2 s; the slack is for a loaded test machine
        assert (requested - slot).total_seconds() < 1.5, "queued well after its slot"
        # only the last request may still wait: the stop can come between its queueing and its start
        assert job["state"] in ("done", "interrupted") or (job is fast_jobs[-1] and job["state"] == "queued"), job
        if job["state"] == "done":
            assert (job["started_at"] - job["requested_at"]).total_seconds() < 1.5


@pytest.mark.slow
def test_sigterm_leaves_nothing_running(start: Callable[..., SchedulerProcess], db_path: Path) -> None:
    # a job left 'running' by a scheduler that died is marked interrupted at start
    stale = jobs.request_crawl(db_path, sources=["x"], requested_by="test")
    jobs.start_job(db_path, stale)
    hang = jobs.request_crawl(db_path, sources=["hang"], requested_by="test")
    sched = start()
    assert states(db_path)[stale] == "interrupted"
    wait_for(lambda: any(e["job"] == hang for e in sched.events()), 15, sched)
    queued = jobs.request_crawl(db_path, sources=["hang"], requested_by="test")  # waits: same source
    assert sched.stop() == 0
    final = states(db_path)
    assert final[hang] == "interrupted" and final[queued] == "queued"
    assert "running" not in final.values()
    pid = next(e["pid"] for e in sched.events() if e["job"] == hang)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert "scheduler stopped" in sched.output.read_text()


@pytest.mark.slow
def test_second_scheduler_refuses(start: Callable[..., SchedulerProcess], db_path: Path, tmp_path: Path) -> None:
    sched = start()
    second = subprocess.run(
        [sys.executable, "-P", "-c", "from stancewatch.cli import main; main()", "--db", str(db_path), "scheduler"],
        capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert second.returncode == 2 and "another scheduler is already running" in second.stderr
    assert sched.stop() == 0
    with reader(db_path) as r:
        assert r.con.execute("SELECT count(*) FROM jobs WHERE state = 'running'").fetchone() == (0,)
