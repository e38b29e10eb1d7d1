"""Fixtures for the analysis tests: the packaged gazetteer and a fake scorer."""

from __future__ import annotations

import pytest

from analysis.gazetteer import Gazetteer, default_gazetteer
from tests.analysis.fakes import FakeScorer

# lang_cases holds the asserts of the test_lang_*.py files: rewrite them so a failure shows the values
pytest.register_assert_rewrite("tests.analysis.lang_cases")


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    """The packaged gazetteer (loaded once)."""
    return default_gazetteer()


@pytest.fixture
def fake_scorer() -> FakeScorer:
    """A fresh fake scorer that counts its calls."""
    return FakeScorer()
