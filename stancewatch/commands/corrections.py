"""Commands: corrections list, export, add (analysts' corrections of mentions; insights.corrections)."""

from __future__ import annotations

import getpass
import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from insights import corrections
from stancewatch.console import console
from stancewatch.context import state
from stancewatch.options import LabelledFormat
from warehouse.models import newest_model

out = console()
app = typer.Typer(help="Analysts' corrections of mentions: a gold set `eval` and `train` read.", no_args_is_help=True)


class Label(StrEnum):
    """What an analyst can say of a mention."""

    negative = "negative"
    neutral = "neutral"
    positive = "positive"
    not_this_country = corrections.FALSE_MATCH


def _who(by: str | None) -> str:
    """The analyst: --by, else $USER, else the login name."""
    if by and by.strip():
        return by.strip()
    return os.environ.get("USER") or getpass.getuser()


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the corrections as a JSON array.")] = False,
    history: Annotated[bool, typer.Option("--history", help="Every correction made, not only those in force.")]
    = False,
) -> None:
    """List the corrections in force (the latest per mention), newest first."""
    rows = corrections.list_corrections(state(ctx).settings.db.url, history=history)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, default=str, indent=2))
        return
    if not rows:
        typer.echo("no corrections yet (set a mention's label on the dashboard's Articles page, or "
                   "`stancewatch corrections add`)")
        return
    table = Table(title=f"{len(rows)} correction(s)" + (" (history)" if history else ""))
    for column in ("when", "analyst", "article", "country", "mention", "model said", "analyst says", "note"):
        table.add_column(column)
    for r in rows:
        table.add_row(f"{r['corrected_at']:%Y-%m-%d %H:%M}", r["analyst"], r["article_id"][:12], r["country"],
                      r["surface"] or "(mention no longer stored)", r["model_label"] or "-",
                      r["label"] + ("" if r["current"] else " (superseded)"), r["note"] or "")
    out.print(table)


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The labelled file to write.")],
    fmt: Annotated[LabelledFormat, typer.Option("--format", help="NewsMTSC JSONL or RuSentNE TSV.")],
) -> None:
    """Write the corrections in force as a labelled file that `stancewatch eval` and `train` read."""
    done = corrections.export(state(ctx).settings.db.url, fmt.value, file)
    typer.echo(f"{done.path}: {done.rows} labelled mention(s) ({done.format}); {done.false_matches} marked "
               "'not this country' left out (no class to learn)")


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    mention_id: Annotated[str, typer.Argument(help="The mention's id (mentions export, dashboard evidence).")],
    label: Annotated[Label, typer.Argument(help="The analyst's label, or not_this_country for a false match.")],
    by: Annotated[str | None, typer.Option("--by", help="Who corrects (default: $USER).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Why, for the next reader.")] = None,
    model: Annotated[str | None, typer.Option(
        "--model", help="Model id whose label is recorded beside the correction (default: the newest).")] = None,
) -> None:
    """Correct one mention's label (kept beside the model's, which is never changed)."""
    db = state(ctx).settings.db.url
    made = corrections.save(db, mention_id, label.value, analyst=_who(by),
                            model_id=model or newest_model(db), note=note)
    typer.echo(f"correction {made.id}: {made.country} mention in article {made.article_id} is {made.label} "
               f"(model said {made.model_label or 'nothing'}), by {made.analyst}")


def register(root: typer.Typer) -> None:
    """Attach the corrections commands to the root app."""
    root.add_typer(app, name="corrections")
