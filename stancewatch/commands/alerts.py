"""Command: alerts (list the stored stance-shift alerts of a model)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table

from stancewatch.console import console
from stancewatch.context import state

out = console()


def alerts_cmd(
    ctx: typer.Context,
    since: Annotated[datetime | None, typer.Option(
        "--since", formats=["%Y-%m-%d"], help="Only shifts in the week of this date (YYYY-MM-DD) or later.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per alert, one per line.")] = False,
    model: Annotated[str | None, typer.Option(
        "--model", help="Model id whose alerts to list (default: the newest model).")] = None,
) -> None:
    """List stance-shift alerts (recomputed after every `stancewatch score`), newest shift first."""
    from insights.alert_list import list_alerts
    from warehouse.filters import Filters
    from warehouse.models import newest_model

    db = state(ctx).settings.db.url
    model_id = model or newest_model(db, scored=True)
    if model_id is None:
        typer.echo(f"{db}: no scored model yet; run `stancewatch score` first", err=True)
        return
    # An alert's week is the Monday of its shift week: a date inside that week still finds it.
    filters = Filters(date_from=(since - timedelta(days=since.weekday())).date() if since else None)
    found = list_alerts(db, model_id, filters)
    if as_json:
        for alert in found:
            typer.echo(json.dumps(alert, ensure_ascii=False, default=str))
        return
    if not found:
        out.print(f"no stance-shift alerts for model {model_id}")
        return
    table = Table(title=f"stance-shift alerts, model {model_id}")
    for column in ("week", "outlet country", "outlet", "target", "before [95% CI]", "after [95% CI]",
                   "articles", "moved most"):
        table.add_column(column)
    for a in found:
        movers = ", ".join(f"{m['outlet']} {m['shift']:+.2f}" for m in a["movers"])
        table.add_row(a["week"], a["outlet_country"], a["outlet"] or "(all)", a["target"],
                      _with_ci(a["before"], a["before_lo"], a["before_hi"]),
                      _with_ci(a["after"], a["after_lo"], a["after_hi"]),
                      f"{a['n_before']} → {a['n_after']}", movers)
    out.print(table)


def _with_ci(mean: float, lo: float | None, hi: float | None) -> str:
    return f"{mean:+.2f}" if lo is None or hi is None else f"{mean:+.2f} [{lo:+.2f}, {hi:+.2f}]"


def register(app: typer.Typer) -> None:
    """Attach the alerts command to the root app."""
    app.command("alerts")(alerts_cmd)
