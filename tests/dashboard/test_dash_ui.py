"""Filters in the URL and the password hash: pure parts of ui and auth."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard import auth, ui
from warehouse.filters import Filters


def test_filters_round_trip_through_the_query_string() -> None:
    filters = Filters(countries=("RU", "KZ"), outlets=("tass.ru",), outlet_countries=("KZ",), languages=("ru",),
                      date_from=date(2024, 1, 1), date_to=date(2024, 2, 1), stance_min=-0.5, stance_max=0.25,
                      text="gas")
    query = ui.query_from_filters(filters)
    assert query["country"] == ["RU", "KZ"] and query["from"] == ["2024-01-01"]
    parsed, problems = ui.filters_from_query(query)
    assert parsed == filters and problems == []
    assert ui.query_from_filters(Filters()) == {}


def test_bad_query_values_are_dropped_with_a_reason() -> None:
    parsed, problems = ui.filters_from_query({"from": ["yesterday"], "smin": ["-3"], "country": ["RU", "RU", " "]})
    assert parsed == Filters(countries=("RU",))
    assert any("from='yesterday'" in p for p in problems) and any("smin" in p for p in problems)
    parsed, problems = ui.filters_from_query({"from": ["2024-02-01"], "to": ["2024-01-01"]})
    assert parsed.date_from is None and problems


def test_password_hash_verifies_and_rejects() -> None:
    line = auth.hash_password("s3cret", iterations=1000)
    scheme, iterations, salt, digest = line.split("$")
    assert scheme == "pbkdf2_sha256" and iterations == "1000" and salt and digest
    assert auth.verify_password("s3cret", line) and not auth.verify_password("S3cret", line)
    assert auth.hash_password("s3cret", iterations=1000) != line  # fresh salt each time
    with pytest.raises(auth.PasswordHashError, match="pbkdf2_sha256"):
        auth.verify_password("x", "plain-text")
    with pytest.raises(ValueError):
        auth.hash_password("")


def test_period_end_and_point_filters() -> None:
    assert ui.period_end(date(2024, 3, 4), "week") == date(2024, 3, 10)  # Monday to Sunday
    assert ui.period_end(date(2024, 2, 1), "month") == date(2024, 2, 29)
    assert ui.period_end(date(2024, 12, 1), "month") == date(2024, 12, 31)
    assert ui.period_end(date(2024, 5, 5), "day") == date(2024, 5, 5)
    base = Filters(countries=("RU", "KZ"), languages=("ru",), stance_min=-0.5)
    point = ui.point_filters(base, target="KZ", split="outlet_country", split_value="RU",
                             period=date(2024, 3, 4), grain="week")
    assert point == Filters(countries=("KZ",), outlet_countries=("RU",), languages=("ru",), stance_min=-0.5,
                            date_from=date(2024, 3, 4), date_to=date(2024, 3, 10))
    assert ui.point_filters(base, target="RU", split="none", split_value="all", period=date(2024, 3, 4),
                            grain="day").outlet_countries == ()
