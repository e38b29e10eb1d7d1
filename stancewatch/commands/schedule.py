"""Commands: schedule (recurring crawls) and job (request a crawl now, list jobs); the scheduler runs them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from stancewatch.console import console
from stancewatch.context import state
from stancewatch.errors import StancewatchError
from stancewatch.settings import Settings
from warehouse import jobs as wjobs

out = console()
schedule_app = typer.Typer(help="Add, list, pause, resume and remove crawl schedules (cron, in UTC).",
                           no_args_is_help=True)
job_app = typer.Typer(help="Request a crawl job and list jobs (the scheduler runs them).", no_args_is_help=True)


class ScheduleCommandError(StancewatchError):
    """A bad argument to schedule or job."""


def check_sources(settings: Settings, names: list[str]) -> list[str]:
    """Return names if each is a source in the sources file; else raise naming the unknown ones."""
    if not names:
        return []
    from crawler.sources import load_sources

    known = {s.name for s in load_sources(settings.sources_path)}
    unknown = [n for n in names if n not in known]
    if unknown:
        names_known = sorted(known)
        shown = ", ".join(names_known[:8]) + (f", … ({len(names_known)} in all)" if len(names_known) > 8 else "")
        raise ScheduleCommandError(f"unknown source(s) {', '.join(map(repr, unknown))}: not in "
                               f"{settings.sources_path} (known: {shown or 'none'}; see `stancewatch sources list`)")
    return names


def _preview(cron: str, n: int = 3) -> str:
    return ", ".join(f"{t:%Y-%m-%d %H:%M:%S}" for t in wjobs.next_runs(cron, n))


def schedule_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the schedule.")],
    cron: Annotated[str, typer.Option("--cron", help="Cron expression in UTC, e.g. '0 */6 * * *' "
                                      "(a sixth field is seconds).")],
    source: Annotated[list[str] | None, typer.Option("--source", help="Source to crawl; repeat. "
                                                     "Default: all enabled sources.")] = None,
) -> None:
    """Add a crawl schedule and show its next run times."""
    settings = state(ctx).settings
    wjobs.check_cron(cron)  # before reading the sources file: the cheaper error first
    names = check_sources(settings, list(source or []))
    schedule_id = wjobs.add_schedule(settings.db.url, name=name, cron=cron, sources=names)
    out.print(f"schedule {schedule_id} '{name}' added: {', '.join(names) or 'all sources'}, cron '{cron}'")
    out.print(f"next runs (UTC): {_preview(cron)}")


def schedule_list(ctx: typer.Context) -> None:
    """List schedules with their next run times (UTC)."""
    settings = state(ctx).settings
    rows = wjobs.list_schedules(settings.db.url)
    if not rows:
        out.print("no schedules; add one with `stancewatch schedule add NAME --cron '0 */6 * * *'`")
        return
    table = Table(title=f"{len(rows)} schedules (times in UTC)")
    for column in ("id", "name", "cron", "sources", "state", "last run", "next run"):
        table.add_column(column)
    for row in rows:
        nxt = "-" if row["paused"] else f"{row['next_run_at']:%Y-%m-%d %H:%M:%S}"
        last = f"{row['last_run_at']:%Y-%m-%d %H:%M:%S}" if row["last_run_at"] else "never"
        table.add_row(row["id"], row["name"], row["cron"], ", ".join(row["sources"]) or "all",
                      "paused" if row["paused"] else "active", last, nxt)
    out.print(table)


def schedule_remove(ctx: typer.Context, schedule_id: Annotated[str, typer.Argument(help="Schedule id.")]) -> None:
    """Remove a schedule (its past jobs stay)."""
    wjobs.remove_schedule(state(ctx).settings.db.url, schedule_id)
    out.print(f"schedule {schedule_id} removed")


def schedule_pause(ctx: typer.Context, schedule_id: Annotated[str, typer.Argument(help="Schedule id.")]) -> None:
    """Pause a schedule: it stops running until resumed."""
    wjobs.update_schedule(state(ctx).settings.db.url, schedule_id, paused=True)
    out.print(f"schedule {schedule_id} paused")


def schedule_resume(ctx: typer.Context, schedule_id: Annotated[str, typer.Argument(help="Schedule id.")]) -> None:
    """Resume a paused schedule (missed slots while paused run once)."""
    settings = state(ctx).settings
    wjobs.update_schedule(settings.db.url, schedule_id, paused=False)
    cron = next((r["cron"] for r in wjobs.list_schedules(settings.db.url) if r["id"] == schedule_id), None)
    out.print(f"schedule {schedule_id} resumed" + (f"; next runs (UTC): {_preview(cron)}" if cron else ""))


def job_request(
    ctx: typer.Context,
    source: Annotated[list[str] | None, typer.Option("--source", help="Source to crawl; repeat. Default: all.")]
    = None,
) -> None:
    """Queue a crawl-then-score job; a running `stancewatch scheduler` picks it up."""
    settings = state(ctx).settings
    names = check_sources(settings, list(source or []))
    job_id = wjobs.request_crawl(settings.db.url, sources=names, requested_by="cli")
    out.print(f"job {job_id} queued ({', '.join(names) or 'all sources'})")


def job_list(ctx: typer.Context,
             limit: Annotated[int, typer.Option("--limit", help="How many, newest first.")] = 20) -> None:
    """List recent jobs with their state and timings."""
    rows = wjobs.list_jobs(state(ctx).settings.db.url, limit=limit)
    table = Table(title=f"{len(rows)} most recent jobs (times in UTC)")
    for column in ("id", "state", "sources", "requested by", "requested", "started", "finished", "error"):
        table.add_column(column)

    def when(value: datetime | None) -> str:
        return f"{value:%m-%d %H:%M:%S}" if value else "-"

    for row in rows:
        table.add_row(row["id"], row["state"], ", ".join(row["sources"]) or "all", row["requested_by"],
                      when(row["requested_at"]), when(row["started_at"]), when(row["finished_at"]),
                      row["error"] or "")
    out.print(table)


def register(app: typer.Typer) -> None:
    """Attach schedule and job to the root app."""
    schedule_app.command("add")(schedule_add)
    schedule_app.command("list")(schedule_list)
    schedule_app.command("remove")(schedule_remove)
    schedule_app.command("pause")(schedule_pause)
    schedule_app.command("resume")(schedule_resume)
    app.add_typer(schedule_app, name="schedule")
    job_app.command("request")(job_request)
    job_app.command("list")(job_list)
    app.add_typer(job_app, name="job")
