"""The job and schedule contract in warehouse/jobs.py, against a real warehouse file."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from warehouse import jobs
from warehouse.errors import WarehouseError


def test_request_crawl_queues_a_job(db_path: Path) -> None:
    job_id = jobs.request_crawl(db_path, sources=["b", "a", "a"], requested_by="dashboard")
    job = jobs.get_job(db_path, job_id)
    assert job is not None
    assert job["state"] == "queued" and job["sources"] == ["a", "b"] and job["requested_by"] == "dashboard"
    assert job["kind"] == "crawl" and job["started_at"] is None
    assert [j["id"] for j in jobs.list_jobs(db_path)] == [job_id]
    assert jobs.get_job(db_path, "nope") is None


def test_list_jobs_newest_first_and_limited(db_path: Path) -> None:
    ids = [jobs.request_crawl(db_path, sources=[], requested_by="cli") for _ in range(3)]
    listed = [j["id"] for j in jobs.list_jobs(db_path, limit=2)]
    assert listed == ids[::-1][:2]


def test_job_lifecycle(db_path: Path) -> None:
    job_id = jobs.request_crawl(db_path, sources=["x"], requested_by="cli")
    assert [j["id"] for j in jobs.queued_jobs(db_path)] == [job_id]
    assert jobs.start_job(db_path, job_id)
    assert not jobs.start_job(db_path, job_id)  # only a queued job can start
    assert jobs.queued_jobs(db_path) == []
    jobs.finish_job(db_path, job_id, state="failed", error="exit 3", log_tail="boom")
    job = jobs.get_job(db_path, job_id)
    assert job is not None and job["state"] == "failed" and job["error"] == "exit 3" and job["finished_at"]
    with pytest.raises(WarehouseError, match="not one of"):
        jobs.finish_job(db_path, job_id, state="running")


def test_interrupt_running_jobs(db_path: Path) -> None:
    a = jobs.request_crawl(db_path, sources=[], requested_by="cli")
    b = jobs.request_crawl(db_path, sources=[], requested_by="cli")
    jobs.start_job(db_path, a)
    assert jobs.interrupt_running_jobs(db_path, "scheduler stopped") == [a]
    assert jobs.get_job(db_path, a)["state"] == "interrupted"  # type: ignore[index]
    assert jobs.get_job(db_path, b)["state"] == "queued"  # type: ignore[index]


def test_schedules_add_update_remove(db_path: Path) -> None:
    sid = jobs.add_schedule(db_path, name="morning", cron="0  6 * * *", sources=["kz-news"])
    [row] = jobs.list_schedules(db_path)
    assert row["id"] == sid and row["cron"] == "0 6 * * *" and row["sources"] == ["kz-news"]
    assert not row["paused"] and row["next_run_at"].hour == 6
    jobs.update_schedule(db_path, sid, paused=True)
    [row] = jobs.list_schedules(db_path)
    assert row["paused"] and row["next_run_at"] is None and row["cron"] == "0 6 * * *"
    jobs.update_schedule(db_path, sid, cron="*/5 * * * *", sources=[], paused=False)
    [row] = jobs.list_schedules(db_path)
    assert row["cron"] == "*/5 * * * *" and row["sources"] == [] and not row["paused"]
    jobs.remove_schedule(db_path, sid)
    assert jobs.list_schedules(db_path) == []
    with pytest.raises(jobs.ScheduleError, match="no schedule with id 'zzz'"):
        jobs.remove_schedule(db_path, "zzz")
    with pytest.raises(jobs.ScheduleError, match="no schedule with id 'zzz'"):
        jobs.update_schedule(db_path, "zzz", paused=True)


@pytest.mark.parametrize("cron", ["61 * * * *", "every day", "* * *", "", "* * * * * * 2030", "0 6 * * mon-"])
def test_bad_cron_names_the_expression(db_path: Path, cron: str) -> None:
    with pytest.raises(jobs.ScheduleError) as info:
        jobs.add_schedule(db_path, name="x", cron=cron, sources=[])
    assert repr(cron) in str(info.value)
    assert isinstance(info.value, WarehouseError)
    assert not db_path.exists() or jobs.list_schedules(db_path) == []


def test_bad_names_and_sources(db_path: Path) -> None:
    with pytest.raises(jobs.ScheduleError, match="name"):
        jobs.add_schedule(db_path, name=" ", cron="* * * * *", sources=[])
    with pytest.raises(jobs.ScheduleError, match="empty source name"):
        jobs.add_schedule(db_path, name="x", cron="* * * * *", sources=["a", ""])
    with pytest.raises(jobs.ScheduleError, match="string"):
        jobs.request_crawl(db_path, sources="abc", requested_by="cli")  # type: ignore[arg-type]


def test_next_runs() -> None:
    start = datetime(2026, 3, 1, 10, 7)
    assert jobs.next_runs("*/15 * * * *", 3, start) == [
        datetime(2026, 3, 1, 10, 15), datetime(2026, 3, 1, 10, 30), datetime(2026, 3, 1, 10, 45)]
    # a sixth field is seconds, for fast schedules
    two = [start + timedelta(seconds=2), start + timedelta(seconds=4)]
    assert jobs.next_runs("* * * * * */2", 2, start) == two
    assert len(jobs.next_runs("0 0 * * *")) == 5


def test_due_schedule_runs_once_after_downtime(db_path: Path) -> None:
    sid = jobs.add_schedule(db_path, name="m", cron="* * * * *", sources=["a"])
    created = jobs.list_schedules(db_path)[0]["created_at"]
    # the instant it was created no slot is due yet (created + 1 s would cross a minute one time in 60)
    assert jobs.queue_due_schedules(db_path, now=created) == []
    # ten missed minutes: one job, not ten
    later = created + timedelta(minutes=10)
    [job_id] = jobs.queue_due_schedules(db_path, now=later)
    job = jobs.get_job(db_path, job_id)
    assert job is not None and job["schedule_id"] == sid and job["requested_by"] == f"schedule:{sid}"
    assert job["sources"] == ["a"]
    assert jobs.queue_due_schedules(db_path, now=later + timedelta(seconds=5)) == []
    # next slot while the first job still waits: no second job piles up
    assert jobs.queue_due_schedules(db_path, now=later + timedelta(minutes=1)) == []
    jobs.start_job(db_path, job_id)
    assert len(jobs.queue_due_schedules(db_path, now=later + timedelta(minutes=2))) == 1


def test_paused_schedule_is_not_due(db_path: Path) -> None:
    sid = jobs.add_schedule(db_path, name="m", cron="* * * * *", sources=[])
    jobs.update_schedule(db_path, sid, paused=True)
    assert jobs.queue_due_schedules(db_path, now=jobs.utcnow() + timedelta(hours=1)) == []
