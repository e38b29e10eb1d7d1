"""Job requests and crawl schedules: the dashboard and the CLI write them, the scheduler runs them.

A job is "crawl these sources, then score what is new"; its state goes queued -> running -> done | failed |
interrupted. A schedule is a cron expression (five fields, or six with seconds last, as croniter reads them)
evaluated in UTC, with the sources it crawls (empty: every enabled source). Every time here is naive UTC,
like every other timestamp in the warehouse.

Source names are not checked here: the warehouse does not know the sources file; the CLI checks them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from croniter import CroniterError, croniter

from warehouse.connection import reader, writer
from warehouse.errors import WarehouseError

JOB_STATES = ("queued", "running", "done", "failed", "interrupted")
FINAL_STATES = ("done", "failed", "interrupted")


class ScheduleError(WarehouseError):
    """A schedule was given a bad cron expression, name or sources, or does not exist."""


def utcnow() -> datetime:
    """Return the current time as naive UTC, the warehouse's convention."""
    return datetime.now(UTC).replace(tzinfo=None)


def _new_id(length: int) -> str:
    return uuid.uuid4().hex[:length]


def _sources(sources: Sequence[str] | None) -> list[str]:
    if isinstance(sources, str):  # a lone string would otherwise become a list of letters
        raise ScheduleError(f"sources: expected a list of source names, got the string {sources!r}")
    names = [s.strip() for s in (sources or [])]
    if any(not s for s in names):
        raise ScheduleError(f"sources: empty source name in {list(sources or [])!r}")
    return sorted(set(names))


def check_cron(cron: str) -> str:
    """Return the cron expression stripped, or raise ScheduleError saying what is wrong with it."""
    expr = " ".join(cron.split()) if isinstance(cron, str) else ""
    fields = len(expr.split())
    if fields not in (5, 6):
        raise ScheduleError(
            f"cron expression {cron!r}: expected 5 fields (minute hour day-of-month month day-of-week) "
            f"or 6 (the same, then seconds), got {fields}; e.g. '0 */6 * * *' for every six hours")
    try:
        croniter(expr, datetime(2000, 1, 1)).get_next(datetime)
    except (CroniterError, ValueError, KeyError) as exc:
        raise ScheduleError(f"cron expression {cron!r} is not valid: {exc}") from None
    return expr


def next_runs(cron: str, n: int = 5, start: datetime | None = None) -> list[datetime]:
    """Return the next n run times (naive UTC) of a cron expression after start (default now)."""
    expr = check_cron(cron)
    it = croniter(expr, start or utcnow())
    return [it.get_next(datetime) for _ in range(n)]


def next_run_after(cron: str, after: datetime) -> datetime:
    """Return the first run time of a cron expression strictly after the given time."""
    result: datetime = croniter(check_cron(cron), after).get_next(datetime)
    return result


def _job_row(row: dict[str, Any]) -> dict[str, Any]:
    if isinstance(row.get("args"), str):
        row["args"] = json.loads(row["args"])
    row["sources"] = list(row.get("sources") or [])
    return row


def _insert_job(w: Any, *, sources: list[str], requested_by: str, schedule_id: str | None,
                args: dict[str, Any] | None, now: datetime) -> str:
    job_id = _new_id(12)
    w.execute("insert_job", {
        "id": job_id, "kind": "crawl", "sources": sources, "args": json.dumps(args or {}, sort_keys=True),
        "requested_at": now, "requested_by": requested_by, "schedule_id": schedule_id,
    })
    return job_id


def request_crawl(db: str | Path, *, sources: list[str], requested_by: str,
                  args: dict[str, Any] | None = None) -> str:
    """Queue a crawl-then-score job for the given sources (empty: all enabled); return its id."""
    if not requested_by.strip():
        raise WarehouseError("request_crawl: requested_by must name who asked (dashboard, cli, ...)")
    names = _sources(sources)
    with writer(db) as w:
        return _insert_job(w, sources=names, requested_by=requested_by, schedule_id=None, args=args,
                           now=utcnow())


def list_jobs(db: str | Path, limit: int = 50) -> list[dict[str, Any]]:
    """Return the most recent jobs, newest first."""
    with reader(db) as r:
        return [_job_row(row) for row in r.records("list_jobs", {"limit": int(limit)})]


def get_job(db: str | Path, job_id: str) -> dict[str, Any] | None:
    """Return one job as a dict, or None if there is no such job."""
    with reader(db) as r:
        rows = r.records("get_job", {"id": job_id})
    return _job_row(rows[0]) if rows else None


def add_schedule(db: str | Path, *, name: str, cron: str, sources: list[str]) -> str:
    """Add a schedule (cron in UTC; empty sources: all enabled) and return its id."""
    if not name or not name.strip():
        raise ScheduleError("schedule name: expected a non-empty name")
    expr = check_cron(cron)
    names = _sources(sources)
    schedule_id = _new_id(8)
    with writer(db) as w:  # one writer at a time: the check and the insert cannot interleave with another add
        taken = w.fetch("schedule_by_name", {"name": name.strip()})
        if taken:
            raise ScheduleError(f"schedule name {name.strip()!r}: already used by schedule {taken[0][0]}; "
                                "expected a new name (see `stancewatch schedule list`)")
        w.execute("insert_schedule", {"id": schedule_id, "name": name.strip(), "cron": expr,
                                      "sources": names, "created_at": utcnow()})
    return schedule_id


def update_schedule(db: str | Path, schedule_id: str, *, cron: str | None = None,
                    sources: list[str] | None = None, paused: bool | None = None) -> None:
    """Change a schedule's cron, sources or paused flag; None leaves a field as it is."""
    expr = check_cron(cron) if cron is not None else None
    names = _sources(sources) if sources is not None else None
    with writer(db) as w:
        found = w.fetch("update_schedule", {"id": schedule_id, "cron": expr, "set_sources": names is not None,
                                            "sources": names, "paused": paused})
    if not found:
        raise ScheduleError(f"no schedule with id {schedule_id!r} (see `stancewatch schedule list`)")


def remove_schedule(db: str | Path, schedule_id: str) -> None:
    """Delete a schedule; its past jobs stay in the jobs table."""
    with writer(db) as w:
        found = w.fetch("delete_schedule", {"id": schedule_id})
    if not found:
        raise ScheduleError(f"no schedule with id {schedule_id!r} (see `stancewatch schedule list`)")


def list_schedules(db: str | Path) -> list[dict[str, Any]]:
    """Return every schedule, oldest first, each with its next run time (None while paused)."""
    with reader(db) as r:
        rows = r.records("list_schedules")
    for row in rows:
        row["sources"] = list(row.get("sources") or [])
        row["next_run_at"] = None if row["paused"] else next_run_after(
            row["cron"], max(row["last_run_at"] or row["created_at"], utcnow()))
    return rows


# --- what the scheduler calls -------------------------------------------------------------------------


def queue_due_schedules(db: str | Path, now: datetime | None = None) -> list[str]:
    """Queue one job for each schedule that came due since it last ran; return the new job ids.

    A schedule is due when its first cron time after its last run (or its creation) has passed. Its last
    run then becomes now, so after downtime a schedule that missed many slots runs once, not once per
    slot. A schedule whose previous job is still queued gets no second one.
    """
    now = now or utcnow()
    with reader(db) as r:  # most polls find nothing due: look before taking the write lock
        due = [row for row in r.records("list_schedules") if not row["paused"]
               and next_run_after(row["cron"], row["last_run_at"] or row["created_at"]) <= now]
    created: list[str] = []
    if not due:
        return created
    with writer(db) as w:
        for row in due:
            pending = w.fetch_one("schedule_has_pending_job", {"id": row["id"]})
            if not (pending and pending[0]):
                created.append(_insert_job(w, sources=list(row["sources"] or []),
                                           requested_by=f"schedule:{row['id']}", schedule_id=row["id"],
                                           args=None, now=now))
            w.execute("mark_schedule_run", {"id": row["id"], "now": now})
    return created


def queued_jobs(db: str | Path) -> list[dict[str, Any]]:
    """Return the jobs waiting to run, oldest request first."""
    with reader(db) as r:
        return [_job_row(row) for row in r.records("queued_jobs")]


def start_job(db: str | Path, job_id: str) -> bool:
    """Mark a queued job running; return False if it was no longer queued."""
    with writer(db) as w:
        return bool(w.fetch("start_job", {"id": job_id, "now": utcnow()}))


def finish_job(db: str | Path, job_id: str, *, state: str, error: str | None = None,
               log_tail: str | None = None) -> None:
    """Record a job's final state (done, failed or interrupted), its error and the tail of its log."""
    if state not in FINAL_STATES:
        raise WarehouseError(f"finish_job: state {state!r} is not one of {', '.join(FINAL_STATES)}")
    with writer(db) as w:
        w.execute("finish_job", {"id": job_id, "state": state, "now": utcnow(), "error": error,
                                 "log_tail": log_tail})


def interrupt_running_jobs(db: str | Path, reason: str) -> list[str]:
    """Mark every job still 'running' as interrupted (a scheduler died); return their ids."""
    with writer(db) as w:
        return [row[0] for row in w.fetch("interrupt_running_jobs", {"now": utcnow(), "reason": reason})]
