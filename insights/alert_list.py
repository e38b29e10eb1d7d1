"""Read stored stance-shift alerts (the alerts table, migration 0007) for the CLI and the dashboard.

Kept apart from insights.alerts so the dashboard lists alerts without loading the change-point detector.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from warehouse import reader
from warehouse.filters import Filters


def list_alerts(db: str | Path, model_id: str, filters: Filters | None = None, *,
                timeout: float = 30.0) -> list[dict[str, Any]]:
    """The model's alerts, newest shift week first, as JSON-ready dicts (movers and evidence parsed)."""
    params = (filters or Filters()).params()
    wanted = {key: params[key] for key in ("countries", "outlet_countries", "date_from", "date_to")}
    with reader(db, timeout=timeout) as r:
        rows = r.records("alerts_list", {"model_id": model_id, **wanted})
    return [_plain(row) for row in rows]


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("movers", "evidence"):
            out[key] = json.loads(value) if isinstance(value, str) else value
        elif isinstance(value, (date, datetime)):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out
