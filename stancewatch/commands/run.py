"""Commands that run until stopped and start children: scheduler, up, demo (see stancewatch.supervisor)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stancewatch.console import console
from stancewatch.context import state
from stancewatch.demo.content import DEFAULT_ARTICLES
from warehouse import jobs as wjobs

out = console()


def scheduler_cmd(ctx: typer.Context) -> None:
    """Run the scheduler until stopped (Ctrl-C, SIGTERM or SIGHUP): due schedules and requested jobs, crawl, score."""
    from stancewatch.scheduler import run_scheduler

    app_state = state(ctx)
    settings = app_state.settings
    run_scheduler(settings.db, global_args=app_state.child_args(),
                  poll_interval_s=settings.scheduler.poll_interval_s,
                  job_timeout_s=settings.scheduler.job_timeout_s, cluster=settings.cluster,
                  echo=lambda line: out.print(f"[{wjobs.utcnow():%H:%M:%S}] {line}", highlight=False))


def up_cmd(
    ctx: typer.Context,
    port: Annotated[int | None, typer.Option("--port", help="Dashboard port (default from settings).")] = None,
    no_crawl: Annotated[bool, typer.Option("--no-crawl", help="Do not request a first crawl.")] = False,
) -> None:
    """Create the warehouse if needed, start the scheduler and dashboard, request a first crawl; Ctrl-C stops all."""
    from stancewatch.supervisor import run_up

    run_up(state(ctx), port=port, first_crawl=not no_crawl, echo=out.print)


def demo_cmd(
    ctx: typer.Context,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build the demo warehouse, print its path, exit.")]
    = False,
    port: Annotated[int | None, typer.Option("--port", help="Dashboard port (default from settings).")] = None,
    folder: Annotated[Path, typer.Option("--dir", help="Where the demo's warehouse and files go.")]
    = Path("data/demo"),
    articles: Annotated[int, typer.Option("--articles", help="Articles on the demo site.", min=12, max=5000)]
    = DEFAULT_ARTICLES,
    model: Annotated[str | None, typer.Option("--model", help="Stance model to score with (a registry name; "
                                              "default: model.name from the settings).")] = None,
    cluster: Annotated[bool, typer.Option(
        "--cluster", help="Past one machine, on this one: start a local PostgreSQL, Redis and Ray, crawl with "
                          "--workers crawler processes sharing a Redis frontier and score on --workers Ray "
                          "workers into a DuckLake warehouse; the last line printed is its URL.")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, max=16, help="With --cluster: crawler processes "
                                         "and Ray workers.")] = 2,
    keep_running: Annotated[bool, typer.Option(
        "--keep-running", help="With --cluster --no-serve: keep the cluster up (and its URL usable) after "
                               "printing the URL, until Ctrl-C or SIGTERM.")] = False,
) -> None:
    """Run the whole product offline: a local demo news site, crawl, score, then the dashboard."""
    from stancewatch.demo.run import run_demo

    if keep_running and not (cluster and no_serve):
        raise typer.BadParameter("--keep-running goes with --cluster --no-serve (a served demo runs until "
                                 "stopped anyway)", param_hint="--keep-running")
    run_demo(state(ctx), folder=folder, serve=not no_serve, port=port, articles=articles, model=model,
             echo=out.print, workers=workers if cluster else None, keep_running=keep_running)


def register(app: typer.Typer) -> None:
    """Attach scheduler, up and demo to the root app."""
    app.command("scheduler")(scheduler_cmd)
    app.command("up")(up_cmd)
    app.command("demo")(demo_cmd)
