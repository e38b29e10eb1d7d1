"""Commands: export, schedule, job, scheduler, up, demo."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stancewatch.console import console
from stancewatch.context import AppState, state
from stancewatch.errors import StancewatchError
from stancewatch.settings import Settings
from warehouse import jobs as wjobs
from warehouse import reader
from warehouse.export import FORMATS, LEVELS, export, format_from_suffix
from warehouse.filters import Filters

out = console()
schedule_app = typer.Typer(help="Add, list, pause, resume and remove crawl schedules (cron, in UTC).",
                           no_args_is_help=True)
job_app = typer.Typer(help="Request a crawl job and list jobs (the scheduler runs them).", no_args_is_help=True)


class JobsCommandError(StancewatchError):
    """A bad argument to export, schedule or job."""


def code_version() -> str:
    """Return the package version, with the git commit when run from a checkout."""
    try:
        version = metadata.version("stancewatch")
    except metadata.PackageNotFoundError:
        version = "unknown"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=Path(__file__).parent,
                                capture_output=True, text=True, timeout=5, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{version}+g{commit}" if commit else version


def global_args(app_state: AppState) -> list[str]:
    """Return the global options a child stancewatch process needs to see the same warehouse and settings."""
    settings = app_state.settings
    args = ["--db", str(Path(settings.db).resolve())]
    if settings.sources:
        args += ["--sources", str(Path(settings.sources).resolve())]
    if app_state.config is not None:
        args += ["--config", str(app_state.config.resolve())]
    return args


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
        raise JobsCommandError(f"unknown source(s) {', '.join(map(repr, unknown))}: not in "
                               f"{settings.sources_path} (known: {shown or 'none'}; see `stancewatch sources list`)")
    return names


# --- export ---------------------------------------------------------------------------------------------


def check_countries(db: Path, filters: Filters) -> None:
    """Refuse --country and --outlet-country codes that cannot match anything, as reversed dates are refused:
    a typo ("RUS", "Russia") would otherwise write an empty export that looks like "no such articles"."""
    import pycountry

    def iso(code: str) -> bool:
        return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None

    bad_outlets = [c for c in filters.outlet_countries if not iso(c)]
    if bad_outlets:
        raise JobsCommandError(f"--outlet-country {', '.join(map(repr, bad_outlets))}: expected an ISO 3166 "
                               "alpha-2 code such as KZ")
    if not filters.countries:
        return
    with reader(db) as r:  # targets such as EU or NATO are not ISO codes but are in the stance rows
        targets = {str(row[0]) for row in r.fetch("export_target_countries")}
    unknown = [c for c in filters.countries if not iso(c) and c not in targets]
    if unknown:
        extra = sorted(t for t in targets if not iso(t))
        raise JobsCommandError(f"--country {', '.join(map(repr, unknown))}: expected an ISO 3166 alpha-2 code "
                               f"such as KZ{', or one of ' + ', '.join(extra) if extra else ''} "
                               f"(the targets in {db})")

def export_cmd(
    ctx: typer.Context,
    out_file: Annotated[Path, typer.Option("--out", help="File to write; FILE.manifest.json goes beside it.")],
    fmt: Annotated[str | None, typer.Option("--format", help=f"One of {', '.join(FORMATS)} "
                                            "(default: from the --out suffix).")] = None,
    level: Annotated[str, typer.Option("--level", help=f"One of {', '.join(LEVELS)}: article rows, "
                                       "article x country stance rows, or mentions with their sentences.")]
    = "stance",
    country: Annotated[list[str] | None, typer.Option("--country", help="Target country (ISO code); repeat.")]
    = None,
    outlet: Annotated[list[str] | None, typer.Option("--outlet", help="Source name; repeat.")] = None,
    outlet_country: Annotated[list[str] | None, typer.Option("--outlet-country",
                                                             help="Outlet's country (ISO code); repeat.")] = None,
    language: Annotated[list[str] | None, typer.Option("--language", help="Article language; repeat.")] = None,
    date_from: Annotated[datetime | None, typer.Option("--from", formats=["%Y-%m-%d"],
                                                       help="Published on or after, YYYY-MM-DD.")] = None,
    date_to: Annotated[datetime | None, typer.Option("--to", formats=["%Y-%m-%d"],
                                                     help="Published on or before, YYYY-MM-DD.")] = None,
    stance_min: Annotated[float | None, typer.Option("--stance-min", help="Lowest stance, in [-1, 1].")] = None,
    stance_max: Annotated[float | None, typer.Option("--stance-max", help="Highest stance, in [-1, 1].")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Text in the title or body.")] = None,
    model_id: Annotated[str | None, typer.Option("--model-id", help="Model whose scores to export "
                                                 "(default: the newest in the warehouse).")] = None,
) -> None:
    """Export filtered articles, stance rows or mentions to CSV, Parquet, JSON Lines or Excel, with a manifest."""
    settings = state(ctx).settings
    chosen = fmt or format_from_suffix(out_file)

    def day(value: datetime | None) -> date | None:
        return value.date() if value else None

    def upper(values: list[str] | None) -> tuple[str, ...]:
        return tuple(v.upper() for v in values or [])

    try:
        filters = Filters(countries=upper(country), outlets=tuple(outlet or []),
                          outlet_countries=upper(outlet_country), languages=tuple(language or []),
                          date_from=day(date_from), date_to=day(date_to), stance_min=stance_min,
                          stance_max=stance_max, text=search)
    except ValueError as exc:
        raise JobsCommandError(str(exc)) from None
    check_countries(settings.db, filters)
    manifest = export(settings.db, filters, level=level, fmt=chosen, out=out_file, code_version=code_version(),
                      model_id=model_id)
    model = manifest.models[0]["id"] if manifest.models else "none"
    out.print(f"{manifest.rows:,} rows ({level}) written to {out_file} ({chosen}, {manifest.bytes:,} bytes, "
              f"sha256 {manifest.sha256[:16]}…, model {model}); manifest {out_file}.manifest.json",
              markup=False, highlight=False)
    for note in manifest.notes:
        out.print(f"note: {note}")


# --- schedules ------------------------------------------------------------------------------------------


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
    schedule_id = wjobs.add_schedule(settings.db, name=name, cron=cron, sources=names)
    out.print(f"schedule {schedule_id} '{name}' added: {', '.join(names) or 'all sources'}, cron '{cron}'")
    out.print(f"next runs (UTC): {_preview(cron)}")


def schedule_list(ctx: typer.Context) -> None:
    """List schedules with their next run times (UTC)."""
    settings = state(ctx).settings
    rows = wjobs.list_schedules(settings.db)
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
    wjobs.remove_schedule(state(ctx).settings.db, schedule_id)
    out.print(f"schedule {schedule_id} removed")


def schedule_pause(ctx: typer.Context, schedule_id: Annotated[str, typer.Argument(help="Schedule id.")]) -> None:
    """Pause a schedule: it stops running until resumed."""
    wjobs.update_schedule(state(ctx).settings.db, schedule_id, paused=True)
    out.print(f"schedule {schedule_id} paused")


def schedule_resume(ctx: typer.Context, schedule_id: Annotated[str, typer.Argument(help="Schedule id.")]) -> None:
    """Resume a paused schedule (missed slots while paused run once)."""
    settings = state(ctx).settings
    wjobs.update_schedule(settings.db, schedule_id, paused=False)
    cron = next((r["cron"] for r in wjobs.list_schedules(settings.db) if r["id"] == schedule_id), None)
    out.print(f"schedule {schedule_id} resumed" + (f"; next runs (UTC): {_preview(cron)}" if cron else ""))


# --- jobs -----------------------------------------------------------------------------------------------


def job_request(
    ctx: typer.Context,
    source: Annotated[list[str] | None, typer.Option("--source", help="Source to crawl; repeat. Default: all.")]
    = None,
) -> None:
    """Queue a crawl-then-score job; a running `stancewatch scheduler` picks it up."""
    settings = state(ctx).settings
    names = check_sources(settings, list(source or []))
    job_id = wjobs.request_crawl(settings.db, sources=names, requested_by="cli")
    out.print(f"job {job_id} queued ({', '.join(names) or 'all sources'})")


def job_list(ctx: typer.Context,
             limit: Annotated[int, typer.Option("--limit", help="How many, newest first.")] = 20) -> None:
    """List recent jobs with their state and timings."""
    rows = wjobs.list_jobs(state(ctx).settings.db, limit=limit)
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


# --- long-running ---------------------------------------------------------------------------------------


def scheduler_cmd(ctx: typer.Context) -> None:
    """Run the scheduler until stopped (Ctrl-C or SIGTERM): due schedules and requested jobs, crawl then score."""
    from stancewatch.scheduler import run_scheduler

    app_state = state(ctx)
    settings = app_state.settings
    run_scheduler(Path(settings.db), global_args=global_args(app_state),
                  poll_interval_s=settings.scheduler.poll_interval_s,
                  job_timeout_s=settings.scheduler.job_timeout_s,
                  echo=lambda line: out.print(f"[{wjobs.utcnow():%H:%M:%S}] {line}", highlight=False))


def up_cmd(
    ctx: typer.Context,
    port: Annotated[int | None, typer.Option("--port", help="Dashboard port (default from settings).")] = None,
    no_crawl: Annotated[bool, typer.Option("--no-crawl", help="Do not request a first crawl.")] = False,
) -> None:
    """Create the warehouse if needed, start the scheduler and dashboard, request a first crawl; Ctrl-C stops all."""
    from stancewatch.jobs_launch import run_up

    run_up(state(ctx), port=port, first_crawl=not no_crawl, echo=out.print)


def demo_cmd(
    ctx: typer.Context,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build the demo warehouse, print its path, exit.")]
    = False,
    port: Annotated[int | None, typer.Option("--port", help="Dashboard port (default from settings).")] = None,
    folder: Annotated[Path, typer.Option("--dir", help="Where the demo's warehouse and files go.")]
    = Path("data/demo"),
    articles: Annotated[int, typer.Option("--articles", help="Articles on the demo site.", min=12, max=5000)]
    = 360,
    model: Annotated[str | None, typer.Option("--model", help="Stance model to score with (a registry name; "
                                              "default: model.name from the settings).")] = None,
) -> None:
    """Run the whole product offline: a local demo news site, crawl, score, then the dashboard."""
    from stancewatch.demo.run import run_demo

    run_demo(state(ctx), folder=folder, serve=not no_serve, port=port, articles=articles, model=model,
             echo=out.print)


def register(app: typer.Typer) -> None:
    """Attach export, schedule, job, scheduler, up and demo to the root app."""
    app.command("export")(export_cmd)
    schedule_app.command("add")(schedule_add)
    schedule_app.command("list")(schedule_list)
    schedule_app.command("remove")(schedule_remove)
    schedule_app.command("pause")(schedule_pause)
    schedule_app.command("resume")(schedule_resume)
    app.add_typer(schedule_app, name="schedule")
    job_app.command("request")(job_request)
    job_app.command("list")(job_list)
    app.add_typer(job_app, name="job")
    app.command("scheduler")(scheduler_cmd)
    app.command("up")(up_cmd)
    app.command("demo")(demo_cmd)
