"""Command: search (the full-text index the dashboard's text search uses)."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from stancewatch.console import console
from stancewatch.context import state
from warehouse import search

out = console()
app = typer.Typer(help="The full-text index of the articles (kept up to date as crawls write).", no_args_is_help=True)


@app.command("reindex")
def reindex_cmd(
    ctx: typer.Context,
    full: Annotated[bool, typer.Option("--full", help="Rebuild from scratch instead of catching up.")] = False,
) -> None:
    """Bring the search index up to date with the warehouse's articles (or rebuild it with --full)."""
    db = state(ctx).settings.db.url
    started = time.monotonic()
    done = search.sync(db, full=full, timeout=600.0)
    out.print(f"search index {search.index_dir(db)}: {done.articles} articles, up to date "
              f"({time.monotonic() - started:.1f} s)", markup=False, highlight=False)


def register(root: typer.Typer) -> None:
    """Attach the search commands to the root app."""
    root.add_typer(app, name="search")
