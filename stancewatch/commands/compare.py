"""Command: compare (what changed toward a target between two periods)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from insights.compare import Comparison, Period, compare_warehouse, parse_period
from stancewatch.console import console
from stancewatch.context import state
from stancewatch.errors import StancewatchError
from warehouse import reader
from warehouse.models import newest_model

out = console()


class CompareCommandError(StancewatchError):
    """A bad argument to compare."""


def _period(text: str, option: str) -> Period:
    try:
        return parse_period(text, what=option)
    except ValueError as exc:
        raise CompareCommandError(str(exc)) from None


def _model(db: str, model_id: str | None) -> str:
    """The given model, checked, or the newest in the warehouse."""
    with reader(db) as r:
        if model_id is None:
            latest = newest_model(r)
            if latest is None:
                raise CompareCommandError(f"{db}: no model in the warehouse yet; run `stancewatch score` first")
            return latest
        if not r.records("export_model", {"model_id": model_id}):
            raise CompareCommandError(f"--model-id {model_id!r}: no such model in {db}")
    return model_id


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.3f}"


def _interval(lo: float | None, hi: float | None) -> str:
    return f"[{lo:+.3f}, {hi:+.3f}]" if lo is not None and hi is not None else "(no interval: too few outlets)"


def _print(result: Comparison) -> None:
    where = f" by outlets in {', '.join(result.outlet_countries)}" if result.outlet_countries else ""
    out.print(f"stance toward {result.target}{where}", markup=False, highlight=False)
    for name, side in (("before", result.before), ("after", result.after)):
        out.print(f"  {name} {side.period}: mean {_signed(side.mean)} 95% CI {_interval(side.lo, side.hi)}, "
                  f"{side.n_articles} articles, {side.n_outlets} outlets", markup=False, highlight=False)
    out.print(f"change within outlets: {_signed(result.difference)} 95% CI {_interval(result.lo, result.hi)} "
              f"({result.n_outlets_both} outlets in both periods); plain difference {_signed(result.plain_difference)}",
              markup=False, highlight=False)
    table = Table(title="outlets contributing most")
    for column in ("outlet", "n before", "n after", "mean before", "mean after", "change", "contribution", "status"):
        table.add_column(column)
    for r in result.outlets.head(10).itertuples():
        table.add_row(str(r.outlet), str(r.n_before), str(r.n_after), _signed(r.mean_before), _signed(r.mean_after),
                      _signed(r.change), _signed(r.contribution), str(r.status))
    out.print(table)
    moved = Table(title="sentences whose scores moved most (after period, against the outlet's before mean)")
    for column in ("published", "outlet", "score", "moved", "sentence"):
        moved.add_column(column)
    for r in result.sentences.itertuples():
        moved.add_row(f"{r.published_at:%Y-%m-%d}", str(r.outlet), _signed(r.score), _signed(r.moved), str(r.sentence))
    out.print(moved)


def compare_cmd(
    ctx: typer.Context,
    target: Annotated[str, typer.Option("--target", help="Target country (ISO code, or EU, NATO).")],
    before: Annotated[str, typer.Option("--before", help="First period, FROM:TO (YYYY-MM-DD, inclusive).")],
    after: Annotated[str, typer.Option("--after", help="Second period, FROM:TO (YYYY-MM-DD, inclusive).")],
    outlet_country: Annotated[list[str] | None, typer.Option(
        "--outlet-country", help="Only outlets of this country (ISO code); repeat.")] = None,
    model_id: Annotated[str | None, typer.Option("--model-id", help="Model whose scores to compare "
                                                 "(default: the newest in the warehouse).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """What changed toward a target between two periods: the difference with its 95% interval (a bootstrap
    over outlets), the outlets contributing most and the sentences whose scores moved most."""
    db = str(state(ctx).settings.db)
    first, second = _period(before, "--before"), _period(after, "--after")
    chosen = _model(db, model_id)
    result = compare_warehouse(db, chosen, target.strip().upper(), first, second,
                               tuple(c.strip().upper() for c in outlet_country or []))
    if as_json:
        typer.echo(json.dumps({"model_id": chosen, **result.as_json()}, ensure_ascii=False))
    else:
        _print(result)


def register(app: typer.Typer) -> None:
    """Attach compare to the root app."""
    app.command("compare")(compare_cmd)
