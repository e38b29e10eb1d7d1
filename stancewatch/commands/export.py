"""Command: export (filtered articles, stance rows or mentions, with a manifest)."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Annotated

import typer

from stancewatch.console import console
from stancewatch.context import state
from stancewatch.errors import StancewatchError
from warehouse import reader
from warehouse.export import FORMATS, LEVELS, export, format_from_suffix
from warehouse.filters import Filters

out = console()


class ExportCommandError(StancewatchError):
    """A bad argument to export."""


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


def check_countries(db: str | Path, filters: Filters) -> None:
    """Refuse --country and --outlet-country codes that cannot match anything, as reversed dates are refused:
    a typo ("RUS", "Russia") would otherwise write an empty export that looks like "no such articles"."""
    import pycountry

    def iso(code: str) -> bool:
        return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None

    bad_outlets = [c for c in filters.outlet_countries if not iso(c)]
    if bad_outlets:
        raise ExportCommandError(f"--outlet-country {', '.join(map(repr, bad_outlets))}: expected an ISO 3166 "
                               "alpha-2 code such as KZ")
    if not filters.countries:
        return
    with reader(db) as r:  # targets such as EU or NATO are not ISO codes but are in the stance rows
        targets = {str(row[0]) for row in r.fetch("export_target_countries")}
    unknown = [c for c in filters.countries if not iso(c) and c not in targets]
    if unknown:
        extra = sorted(t for t in targets if not iso(t))
        raise ExportCommandError(f"--country {', '.join(map(repr, unknown))}: expected an ISO 3166 alpha-2 code "
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
        raise ExportCommandError(str(exc)) from None
    check_countries(settings.db.url, filters)
    manifest = export(settings.db.url, filters, level=level, fmt=chosen, out=out_file, code_version=code_version(),
                      model_id=model_id)
    model = manifest.models[0]["id"] if manifest.models else "none"
    out.print(f"{manifest.rows:,} rows ({level}) written to {out_file} ({chosen}, {manifest.bytes:,} bytes, "
              f"sha256 {manifest.sha256[:16]}…, model {model}); manifest {out_file}.manifest.json",
              markup=False, highlight=False)
    for note in manifest.notes:
        out.print(f"note: {note}")




def register(app: typer.Typer) -> None:
    """Attach export to the root app."""
    app.command("export")(export_cmd)
