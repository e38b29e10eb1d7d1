"""score_text (the Python API) and the score / score-text commands, with the fake scorer injected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import analysis.model
from analysis.api import score_text
from stancewatch.cli import app
from tests.analysis.fakes import FakeScorer
from tests.analysis.test_scoring import article, insert

TEXT = "Russia condemned the plan. Kazakhstan praised China.\n\nRussia's envoy left."


def test_score_text_shape(fake_scorer: FakeScorer) -> None:
    result = score_text(TEXT, scorer=fake_scorer, language="en")
    assert result["model_id"] == fake_scorer.model_id
    by_code = {c["country"]: c for c in result["countries"]}
    assert set(by_code) == {"RU", "KZ", "CN"}
    ru = by_code["RU"]
    assert ru["name"] == "Russia" and ru["stance"]["mention_count"] == 2 and ru["stance"]["label"] == "critical"
    first = ru["mentions"][0]
    assert TEXT[first["start"]:first["end"]] == "Russia" == first["surface"]
    assert first["sentence"] == "Russia condemned the plan."
    assert first["p_negative"] > first["p_positive"]
    assert by_code["CN"]["stance"]["label"] == "favourable"
    assert result["countries"][0]["country"] == "RU"  # most mentioned first


def test_score_text_filters_and_title(fake_scorer: FakeScorer) -> None:
    only = score_text(TEXT, ["kz"], scorer=fake_scorer)
    assert [c["country"] for c in only["countries"]] == ["KZ"]
    titled = score_text("Nothing here.", scorer=fake_scorer, title="Russia praised")
    assert titled["countries"][0]["mentions"][0]["in_title"] is True
    assert score_text("", scorer=fake_scorer)["countries"] == []


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, db_path: Path) -> FakeScorer:
    scorer = FakeScorer()
    monkeypatch.setattr(analysis.model, "load_scorer", lambda *a, **k: scorer)
    monkeypatch.setenv("STANCEWATCH_DB", str(db_path))
    monkeypatch.chdir(db_path.parent.parent)  # no stray ./stancewatch.toml
    return scorer


def test_score_text_command_reads_stdin_and_file(cli_env: FakeScorer, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["score-text", "-", "--country", "RU", "--language", "en"], input=TEXT)
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert [c["country"] for c in data["countries"]] == ["RU"]
    path = tmp_path / "article.txt"
    path.write_text("Президент России посетил Астану.", encoding="utf-8")
    res = runner.invoke(app, ["score-text", str(path)])
    assert res.exit_code == 0, res.output
    assert {c["country"] for c in json.loads(res.output)["countries"]} == {"RU", "KZ"}


def test_score_text_command_errors(cli_env: FakeScorer, tmp_path: Path) -> None:
    from analysis.errors import AnalysisError

    runner = CliRunner()
    res = runner.invoke(app, ["score-text", "-", "--country", "ZZ"], input=TEXT)
    assert isinstance(res.exception, AnalysisError) and "ZZ" in str(res.exception)
    res = runner.invoke(app, ["score-text", str(tmp_path / "missing.txt")])
    assert isinstance(res.exception, AnalysisError) and "missing.txt" in str(res.exception)


def test_score_command_prints_summary(cli_env: FakeScorer, db_path: Path) -> None:
    insert(db_path, [article("x1", "Russia and China", "China praised Russia."), article("x2", "T", " ")])
    res = CliRunner().invoke(app, ["score", "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "scored" in res.output and "skipped: text is empty" in res.output
    res = CliRunner().invoke(app, ["score", "--no-progress", "--limit", "5"])
    assert res.exit_code == 0 and "articles read" in res.output
