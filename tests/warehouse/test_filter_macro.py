"""The analyst's filters have one definition (passes_filters, migration 0006), used by every filtered query,
in the warehouse and in the dashboard's in-memory snapshot alike, with one inclusive end-date rule."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from warehouse import writer
from warehouse.filters import Filters, define_filter_macro
from warehouse.sql import query, query_names

FILTER_PARAMS = tuple(Filters().params())
# Uses of a filter parameter that filter nothing: the article count picks count(*) over count(DISTINCT)
# when exactly one target country is asked for (an article has one stance row per country).
NOT_FILTERS = {("dashboard_mem_article_count", "countries")}


def test_no_query_spells_a_filter_condition_itself() -> None:
    # Every use of a filter parameter is an argument of passes_filters (`name := $name`) or of the
    # filtered_stance table macro built on it; a pasted `$date_to::DATE + 1` or `list_contains($outlets,
    # ...)` would be a second definition.
    users = 0
    for name in query_names():
        sql = query(name)
        rest = re.sub(r"\b[a-z_]+ := \$[a-z_]+", "", re.sub(r"\bfiltered_stance\([^)]*\)", "", sql))
        if rest != sql:
            users += 1
        for param in FILTER_PARAMS:
            if (name, param) not in NOT_FILTERS:
                assert not re.search(rf"\${param}\b", rest), f"query {name}: ${param} is used outside the filters"
    assert users >= 10  # the dashboard's and the exports' filtered queries all bind filters


def _check(con: duckdb.DuckDBPyConnection, published: Any, **filters: Any) -> bool:
    names = ", ".join(f"{key} := ${key}" for key in filters)
    row = con.execute(
        "SELECT passes_filters(target := 'RU', outlet := 'tass', outlet_country := 'RU', language := 'ru', "
        f"published := $published, stance := -0.4, title := 'A 50% rise', body := 'Text' "
        f"{', ' if names else ''}{names})",
        {"published": published, **filters}).fetchone()
    assert row is not None
    return bool(row[0])


CASES: list[tuple[Any, dict[str, Any], bool]] = [
    (datetime(2024, 3, 31, 23, 59, 59), {"date_to": date(2024, 3, 31)}, True),   # date_to is inclusive
    (datetime(2024, 4, 1, 0, 0, 0), {"date_to": date(2024, 3, 31)}, False),
    (date(2024, 3, 31), {"date_to": date(2024, 3, 31)}, True),                    # a day column, same rule
    (date(2024, 4, 1), {"date_to": date(2024, 3, 31)}, False),
    (datetime(2024, 3, 1, 0, 0, 0), {"date_from": date(2024, 3, 1)}, True),
    (datetime(2024, 2, 29, 23, 59), {"date_from": date(2024, 3, 1)}, False),
    (datetime(2024, 3, 5), {"countries": ["KZ", "RU"], "outlets": ["tass"]}, True),
    (datetime(2024, 3, 5), {"countries": ["KZ"]}, False),
    (datetime(2024, 3, 5), {"outlet_countries": ["KZ"]}, False),
    (datetime(2024, 3, 5), {"languages": ["en"]}, False),
    (datetime(2024, 3, 5), {"stance_min": -0.5, "stance_max": -0.4}, True),
    (datetime(2024, 3, 5), {"stance_min": -0.3}, False),
    (datetime(2024, 3, 5), {"stance_max": -0.5}, False),
    (datetime(2024, 3, 5), {"text": Filters(text="50%").params()["text"]}, True),
    (datetime(2024, 3, 5), {"text": Filters(text="50_").params()["text"]}, False),  # _ is not a wildcard
    (datetime(2024, 3, 5), {"countries": None, "date_to": None, "text": None}, True),  # NULL: no restriction
    (None, {"date_from": date(2024, 3, 1)}, False),  # no publication date: outside any date range
]


@pytest.mark.parametrize(("published", "filters", "expected"), CASES)
def test_warehouse_and_in_memory_databases_filter_alike(db_path: Path, published: Any, filters: dict[str, Any],
                                                         expected: bool) -> None:
    with writer(db_path):  # the migrations define the macro in the warehouse file
        pass
    stored = duckdb.connect(str(db_path), read_only=True)
    memory = duckdb.connect()
    define_filter_macro(memory)
    try:
        assert _check(stored, published, **filters) is expected
        assert _check(memory, published, **filters) is expected
    finally:
        stored.close()
        memory.close()


def test_a_filter_given_without_its_column_drops_every_row() -> None:
    # So a query that forgets to pass a column returns nothing (a test notices), not everything.
    con = duckdb.connect()
    define_filter_macro(con)
    for call in ("passes_filters(countries := ['RU'])", "passes_filters(date_to := DATE '2024-01-01')",
                 "passes_filters(stance_min := -1.0)", "passes_filters(text := '%a%')"):
        row = con.execute(f"SELECT coalesce({call}, false)").fetchone()
        assert row == (False,), call
    con.close()
