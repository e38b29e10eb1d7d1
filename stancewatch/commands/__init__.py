"""Command modules: each area of the product registers its own commands on the root app."""

from __future__ import annotations

import typer


def register_all(app: typer.Typer) -> None:
    """Attach every area's commands to the root app."""
    from stancewatch.commands import (
        alerts,
        compare,
        core,
        corrections,
        crawl,
        dashboard,
        export,
        model,
        run,
        schedule,
        scoring,
        search,
    )

    for module in (core, crawl, scoring, model, dashboard, export, schedule, run, compare, search, alerts, corrections):
        module.register(app)
