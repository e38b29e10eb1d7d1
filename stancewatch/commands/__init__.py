"""Command modules: each area of the product registers its own commands on the root app."""

from __future__ import annotations

import typer


def register_all(app: typer.Typer) -> None:
    """Attach every area's commands to the root app."""
    from stancewatch.commands import core, crawl, dashboard, jobs, model, scoring

    for module in (core, crawl, scoring, model, dashboard, jobs):
        module.register(app)
