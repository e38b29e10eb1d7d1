"""The one console script, `stancewatch`: global options, then one command module per area."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from crawler.errors import CrawlerError
from stancewatch.commands import register_all
from stancewatch.console import console
from stancewatch.context import AppState
from stancewatch.errors import StancewatchError
from warehouse.errors import WarehouseError

app = typer.Typer(
    name="stancewatch",
    help="Crawl the region's press, score the stance toward each country it mentions, and chart the trends.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err = console(stderr=True)

# Errors a user can fix: one clear line and exit status 2, never a traceback.
USER_ERRORS: tuple[type[Exception], ...] = (StancewatchError, CrawlerError, WarehouseError)


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", help="Settings file (default ./stancewatch.toml).")] = None,
    db: Annotated[str | None, typer.Option(
        "--db", "--warehouse", metavar="PATH|URL",
        help="Warehouse: a DuckDB file, or a DuckLake URL 'ducklake:postgres:dbname=... host=... data_path=DIR' "
             "(env STANCEWATCH_DB).")] = None,
    sources: Annotated[Path | None, typer.Option("--sources", help="Sources file (env STANCEWATCH_SOURCES).")] = None,
) -> None:
    """Global options shared by every command."""
    ctx.obj = AppState(config=config, db=db, sources=sources)


register_all(app)


def _user_errors() -> tuple[type[Exception], ...]:
    extra: list[type[Exception]] = []
    try:  # analysis is optional at import time for commands that never score
        from analysis.errors import AnalysisError
        extra.append(AnalysisError)
    except ImportError:
        pass
    return USER_ERRORS + tuple(extra)


def main() -> None:
    """Run the CLI, turning user-fixable errors into one line on stderr and exit status 2."""
    try:
        app()  # standalone mode: click handles usage errors, --help and exit codes itself
    except _user_errors() as exc:
        err.print(Text.assemble(("error:", "bold red"), f" {exc}"), highlight=False, soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
