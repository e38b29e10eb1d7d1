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
    run_scheduler(Path(settings.db), global_args=app_state.child_args(),
                  poll_interval_s=settings.scheduler.poll_interval_s,
                  job_timeout_s=settings.scheduler.job_timeout_s,
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
) -> None:
    """Run the whole product offline: a local demo news site, crawl, score, then the dashboard."""
    from stancewatch.demo.run import run_demo

    run_demo(state(ctx), folder=folder, serve=not no_serve, port=port, articles=articles, model=model,
             echo=out.print)


def register(app: typer.Typer) -> None:
    """Attach scheduler, up and demo to the root app."""
    app.command("scheduler")(scheduler_cmd)
    app.command("up")(up_cmd)
    app.command("demo")(demo_cmd)
