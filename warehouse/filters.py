"""The analyst's filters, shared by the dashboard's pages and by exports, as bound query parameters."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import duckdb

from warehouse.errors import MigrationError
from warehouse.sql import migrations

# The migration that defines the passes_filters macro every filtered query calls (the latest one of
# this name wins, should a later migration redefine it).
FILTER_MACRO_MIGRATION = "filter_macro"


def like_literal(text: str) -> str:
    """Escape LIKE's wildcards (% and _) and the escape character itself, so a search for "%" or "50_50"
    matches those characters, not everything (the queries say ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Filters:
    """What an analyst narrows the articles to; an empty field means no restriction.

    Named queries take these as parameters and apply them with the ``passes_filters`` macro (lists
    become NULL when empty, and NULL restricts nothing), so one query serves every combination without
    formatting SQL.
    """

    countries: tuple[str, ...] = ()         # target countries (ISO codes or EU, NATO)
    outlets: tuple[str, ...] = ()           # source names
    outlet_countries: tuple[str, ...] = ()  # ISO codes of the outlets' countries
    languages: tuple[str, ...] = ()         # article languages, ISO-639-1
    date_from: date | None = None           # inclusive, on published_at
    date_to: date | None = None             # inclusive, on published_at
    stance_min: float | None = None         # on article_stance.stance, in [-1, 1]
    stance_max: float | None = None
    text: str | None = None                 # case-insensitive search over title and text

    def __post_init__(self) -> None:
        for name in ("stance_min", "stance_max"):
            value = getattr(self, name)
            if value is not None and not -1.0 <= value <= 1.0:
                raise ValueError(f"filter {name}: expected a number in [-1, 1], got {value}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"filter dates: date_from {self.date_from} is after date_to {self.date_to}")
        if self.stance_min is not None and self.stance_max is not None and self.stance_min > self.stance_max:
            # No row can pass: say so instead of writing an empty export.
            raise ValueError(f"filter stance: stance_min {self.stance_min} is above stance_max {self.stance_max}")

    def params(self) -> dict[str, Any]:
        """Return the bound parameters every filtered named query takes."""
        def listed(values: tuple[str, ...]) -> list[str] | None:
            return list(values) or None

        return {
            "countries": listed(self.countries),
            "outlets": listed(self.outlets),
            "outlet_countries": listed(self.outlet_countries),
            "languages": listed(self.languages),
            "date_from": self.date_from,
            "date_to": self.date_to,
            "stance_min": self.stance_min,
            "stance_max": self.stance_max,
            "text": f"%{like_literal(self.text.strip())}%" if self.text and self.text.strip() else None,
        }

    def as_json(self) -> dict[str, Any]:
        """Return the filters as plain JSON values (for manifests and URL query strings)."""
        data = asdict(self)
        for key in ("date_from", "date_to"):
            data[key] = data[key].isoformat() if data[key] else None
        for key in ("countries", "outlets", "outlet_countries", "languages"):
            data[key] = list(data[key])
        return data


def define_filter_macro(con: duckdb.DuckDBPyConnection) -> None:
    """Define passes_filters in a database the migrations do not build (the dashboard's in-memory
    snapshot), from the same migration text that defines it in the warehouse."""
    found = [m for m in migrations() if m.name == FILTER_MACRO_MIGRATION]
    if not found:
        raise MigrationError(f"no migration named {FILTER_MACRO_MIGRATION}.sql in warehouse/migrations")
    con.execute(found[-1].sql)
