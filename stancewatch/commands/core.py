"""Commands for the warehouse and configuration: init, status, sources, config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from crawler.addresses import AddressPolicy
from crawler.errors import SourcesError
from crawler.sources import Source, address_problems, load_sources
from stancewatch.console import console
from stancewatch.context import state
from stancewatch.settings import Settings
from warehouse import reader, writer
from warehouse.errors import WarehouseMissing
from warehouse.location import Location
from warehouse.migrate import current_version

out = console()
sources_app = typer.Typer(help="List and check the sources file.", no_args_is_help=True)
config_app = typer.Typer(help="Show and check the settings in force.", no_args_is_help=True)


def init(ctx: typer.Context) -> None:
    """Create or migrate the warehouse and load the sources file into it."""
    settings = state(ctx).settings
    sources = load_sources(settings.sources_path)  # validate fully before writing anything
    with writer(settings.db) as w:
        version = current_version(w.con)
        w.write_batch("upsert_sources", [s.row() for s in sources])
    out.print(f"warehouse {settings.db.label} at schema version {version}; "
              f"{len(sources)} sources loaded from {settings.sources_path}")


def _size(location: Location) -> str:
    """The file's size; a lake's data folder's Parquet files' total (its catalog lives in PostgreSQL)."""
    if location.is_lake:
        folder = Path(location.data_path)
        files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
        size = float(sum(p.stat().st_size for p in files))
    else:
        size = float(location.file.stat().st_size)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}" if unit != "B" else f"{int(size)} B"
        size /= 1024
    return ""


def status(ctx: typer.Context,
           as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
           db: Annotated[str | None, typer.Option("--db", "--warehouse", metavar="PATH|URL",
                                                  help="Warehouse file or DuckLake URL (as the global --db).")] = None,
           ) -> None:
    """Show row counts, the last crawl and scoring runs, the warehouse path and size, and the model in use."""
    if db is not None:  # `status --db X` as well as `--db X status`: the later, nearer one wins
        state(ctx).use_db(db)
    settings = state(ctx).settings
    try:
        with reader(settings.db) as r:
            counts = {name: n for name, n in r.fetch("table_counts")}
            crawl = r.records("last_crawl_run")
            scoring = r.records("last_scoring")
            version = r.fetch_one("schema_version")
    except WarehouseMissing:
        out.print(f"no warehouse at {settings.db.label} yet: run `stancewatch init`")
        raise typer.Exit(1) from None
    if crawl and isinstance(crawl[0].get("stats"), str):
        crawl[0]["stats"] = json.loads(crawl[0]["stats"])  # stored as JSON text; shown as the object it is
    info: dict[str, Any] = {
        "warehouse": settings.db.label, "backend": "ducklake" if settings.db.is_lake else "duckdb",
        "size": _size(settings.db),
        "schema_version": version[0] if version else 0, "model": settings.model.name,
        "counts": counts,
        "last_crawl": crawl[0] if crawl else None, "last_scoring": scoring[0] if scoring else None,
    }
    if as_json:
        out.print_json(json.dumps(info, default=str))
        return
    table = Table(title=f"{settings.db.label} ({info['size']}, schema v{info['schema_version']})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    out.print(table)
    last, sc = (crawl[0] if crawl else None), (scoring[0] if scoring else None)
    out.print("last crawl: " + (f"{last['started_at']} {last['status']} ({last['trigger']})" if last else "never"))
    out.print("last scoring: " + (f"{sc['last_scored']} by {sc['model_id']}: {sc['scored']} scored, "
                                  f"{sc['skipped']} skipped" if sc else "never"))
    out.print(f"model in use: {settings.model.name}")


def sources_list(ctx: typer.Context,
                 as_json: Annotated[bool, typer.Option("--json", help="One JSON object per source.")] = False,
                 ) -> None:
    """List the outlets in the sources file."""
    settings = state(ctx).settings
    sources = load_sources(settings.sources_path)
    if as_json:
        for s in sources:
            typer.echo(json.dumps(s.model_dump(mode="json"), ensure_ascii=False))
        return
    table = Table(title=f"{len(sources)} sources in {settings.sources_path}")
    # a name is what `crawl --source` takes: never cut or wrapped, however narrow the terminal (the table is
    # drawn as wide as it needs and the lines left long rather than cropped)
    widest = max((len(s.name) for s in sources), default=4)
    table.add_column("name", no_wrap=True, min_width=widest)
    for column in ("country", "lang", "feeds", "sitemaps", "listings", "tags", "enabled"):
        table.add_column(column)
    for s in sources:
        table.add_row(s.name, s.country, s.language, str(len(s.feeds)), str(len(s.sitemaps)),
                      str(len(s.listings)), ",".join(s.tags), "yes" if s.enabled else "no")
    out.print(table, width=max(out.width, widest + 60), crop=False)


def sources_check(ctx: typer.Context,
                  online: Annotated[bool, typer.Option("--online", help="Fetch each feed once.")] = False) -> None:
    """Validate the sources file and the addresses it names; with --online, also resolve host names and fetch
    each feed and sitemap once and report its state."""
    settings = state(ctx).settings
    sources = load_sources(settings.sources_path)
    # A URL the crawl would refuse (a private or loopback host, a port such as 22) is an error here, not a
    # surprise in the fetch log; --online also looks host names up.
    problems = address_problems(sources, address_policy(settings), resolve=online)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SourcesError(f"{settings.sources_path}: {problems[0]}{more}")
    out.print(f"{settings.sources_path}: {len(sources)} sources, valid")
    if online:
        failures = _check_online(settings, sources)
        if failures:
            raise typer.Exit(1)


def _check_online(settings: Settings, sources: list[Source]) -> int:
    """Fetch every feed and sitemap once; print a table; return the number that failed."""
    from crawler.probe import probe_url

    table = Table(title="feeds and sitemaps")
    for column in ("source", "url", "result"):
        table.add_column(column)
    failures = 0
    for source in sources:
        for url in [*source.feeds, *source.sitemaps]:
            ok, detail = probe_url(url, settings.crawl.user_agent, settings.crawl.timeout_s,
                                   policy=address_policy(settings))
            failures += not ok
            table.add_row(source.name, url, Text(detail, style="green" if ok else "red"))
    out.print(table)
    out.print(f"{failures} failed")
    return failures


def address_policy(settings: Settings) -> AddressPolicy:
    """The crawl's address policy from the settings (what `crawl` and `sources check` refuse)."""
    return AddressPolicy.from_settings(settings.crawl.allow_private_addresses, settings.crawl.private_hosts)


def config_show(ctx: typer.Context) -> None:
    """Print the settings in force, after defaults, the user file and the environment (no password hash)."""
    settings = state(ctx).settings
    out.print_json(json.dumps(settings.shown()))


def config_check(ctx: typer.Context) -> None:
    """Validate the settings; exit non-zero with a clear error if they are wrong."""
    settings = state(ctx).settings
    out.print(f"settings valid; warehouse {settings.db.label}, sources {settings.sources_path}")


def register(app: typer.Typer) -> None:
    """Attach init, status, sources and config to the root app."""
    app.command()(init)
    app.command()(status)
    sources_app.command("list")(sources_list)
    sources_app.command("check")(sources_check)
    config_app.command("show")(config_show)
    config_app.command("check")(config_check)
    app.add_typer(sources_app, name="sources")
    app.add_typer(config_app, name="config")
