"""Fixtures for the dashboard's tests: a small synthetic warehouse, an empty one, and none at all."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the fixture builder beside this file

from dash_fixture import build, build_empty

from dashboard import data


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with synthetic sources, articles, mentions, scores, runs, fetches, a schedule and a job."""
    path = tmp_path_factory.mktemp("dash") / "stancewatch.duckdb"
    build(path)
    return path


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    """A migrated warehouse with no rows."""
    path = tmp_path / "empty.duckdb"
    build_empty(path)
    return path


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test sees the warehouse as it is now, not a result cached by an earlier test."""
    data.clear_cache()
