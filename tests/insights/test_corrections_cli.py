"""`stancewatch corrections add|list|export`, and `stancewatch eval` reading an exported gold set with the real
shipped model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.datasets import read_newsmtsc, read_rusentne
from analysis.scoring import score_warehouse
from stancewatch.cli import app
from tests.analysis.fakes import FakeScorer
from tests.analysis.test_scoring import WIRE, article, insert
from warehouse import reader

ROOT = Path(__file__).resolve().parents[2]
MODEL = "fake@1+000000000000"


@pytest.fixture
def db(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    insert(db_path, [article("a1", None, WIRE),
                     article("r1", None, "Россия осудила решение.\tКазахстан поблагодарил Китай.", "ru")])
    score_warehouse(db_path, scorer=FakeScorer(), progress=False)
    monkeypatch.setenv("STANCEWATCH_DB", str(db_path))
    monkeypatch.setenv("USER", "cli-analyst")
    monkeypatch.chdir(db_path.parent.parent)  # no stray ./stancewatch.toml
    return db_path


def _mention_ids(db: Path) -> dict[tuple[str, str], str]:
    with reader(db) as r:
        rows = r.con.execute("SELECT article_id, country, id FROM mentions").fetchall()
    return {(a, c): i for a, c, i in rows}


def test_add_list_and_export(db: Path, tmp_path: Path) -> None:
    ids = _mention_ids(db)
    runner = CliRunner()
    for args in ([ids["a1", "RU"], "neutral", "--note", "quoted"], [ids["a1", "CN"], "negative", "--by", "ana"],
                 [ids["a1", "KZ"], "not_this_country"], [ids["r1", "KZ"], "negative"],
                 [ids["r1", "KZ"], "positive"]):
        res = runner.invoke(app, ["corrections", "add", *args])
        assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["corrections", "list", "--json"])
    assert res.exit_code == 0, res.output
    listed = json.loads(res.output)
    assert {(r["article_id"], r["country"], r["label"], r["analyst"]) for r in listed} == {
        ("a1", "RU", "neutral", "cli-analyst"), ("a1", "CN", "negative", "ana"),
        ("a1", "KZ", "not_this_country", "cli-analyst"), ("r1", "KZ", "positive", "cli-analyst")}
    assert {r["model_id"] for r in listed} == {MODEL}
    history = json.loads(runner.invoke(app, ["corrections", "list", "--json", "--history"]).output)
    assert len(history) == 5
    table = runner.invoke(app, ["corrections", "list"]).output
    assert "superseded" not in table and "quoted" in table

    jsonl, tsv = tmp_path / "gold.jsonl", tmp_path / "gold.tsv"
    res = runner.invoke(app, ["corrections", "export", "--format", "newsmtsc", str(jsonl)])
    assert res.exit_code == 0 and "3 labelled mention(s)" in res.output and "1 marked" in res.output
    assert runner.invoke(app, ["corrections", "export", "--format", "rusentne", str(tsv)]).exit_code == 0
    news = read_newsmtsc(jsonl)
    rus = read_rusentne(tsv)
    assert sorted((x.sentence[x.start:x.end], x.label) for x in news) == [
        ("China", 0), ("Russia", 1), ("Казахстан", 2)]  # classes 0/1/2: negative, neutral, positive
    assert [(x.sentence[x.start:x.end], x.label, x.language) for x in rus] == [
        ("Russia", 1, "en"), ("China", 0, "en"), ("Казахстан", 2, "ru")]
    assert "\t" not in rus[2].sentence  # the article's tab would have split the TSV row


def test_bad_input_is_one_clear_error(db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["corrections", "add", "no-such-mention", "neutral"])
    assert res.exit_code != 0 and "no mention with id 'no-such-mention'" in str(res.exception)
    res = runner.invoke(app, ["corrections", "add", "x", "hostile"])
    assert res.exit_code == 2 and "hostile" in res.output
    res = runner.invoke(app, ["corrections", "list"])
    assert res.exit_code == 0 and "no corrections yet" in res.output


def test_eval_reads_an_exported_gold_set_with_the_shipped_model(db: Path, tmp_path: Path) -> None:
    ids = _mention_ids(db)
    for key, label in ((("a1", "RU"), "negative"), (("a1", "CN"), "positive"), (("r1", "RU"), "negative")):
        assert CliRunner().invoke(app, ["corrections", "add", ids[key], label]).exit_code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("STANCEWATCH_")}
    for fmt, name in (("newsmtsc", "gold.jsonl"), ("rusentne", "gold.tsv")):
        out = tmp_path / name
        assert CliRunner().invoke(app, ["corrections", "export", "--format", fmt, str(out)]).exit_code == 0
        res = subprocess.run([sys.executable, "-m", "stancewatch.cli", "eval", "--format", fmt, str(out), "--json"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stderr
        figures = json.loads(res.stdout.strip().splitlines()[-1])
        assert figures["n"] == 3 and sum(map(sum, figures["confusion"]["matrix"])) == 3
        assert [sum(row) for row in figures["confusion"]["matrix"]] == [2, 0, 1]  # gold: 2 negative, 1 positive
