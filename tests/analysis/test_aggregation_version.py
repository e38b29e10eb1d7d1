"""Issue 14, fault 5: a change to the aggregation rules reaches stored stances.

Stances are keyed on the model and the aggregation version; `score` (score_warehouse) re-aggregates the
stored mention probabilities when the version changed, without running the model; readers (dashboard,
exports) see only the model's current version, and say which it is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analysis.scoring import score_warehouse
from dashboard import data
from insights import reaggregate, stance
from tests.analysis.fakes import FakeScorer
from tests.analysis.test_scoring import WIRE, article, insert
from warehouse import reader
from warehouse.export import export
from warehouse.filters import Filters
from warehouse.sql import query

COLUMNS = "article_id, country, stance, label, confidence, mention_count, CAST(evidence AS VARCHAR)"


@pytest.fixture
def scored(db_path: Path, fake_scorer: FakeScorer) -> Path:
    insert(db_path, [
        article("a1", "Kazakhstan and Russia", WIRE),
        article("a2", "Wire copy", WIRE),
        article("a3", "Ничего", "Россия осудила решение. Казахстан поблагодарил Китай.", "ru"),
        article("a5", "Weather", "It rained all day in the valley."),
    ])
    score_warehouse(db_path, scorer=fake_scorer, progress=False)
    return db_path


def _rows(db: Path, table: str = "current_stance") -> dict[tuple[str, str], tuple[Any, ...]]:
    with reader(db) as r:
        found = r.con.execute(f"SELECT {COLUMNS} FROM {table} ORDER BY article_id, country").fetchall()
    return {(row[0], row[1]): row[2:] for row in found}


def _versions(db: Path) -> list[tuple[str, int]]:
    with reader(db) as r:
        return r.con.execute("SELECT DISTINCT model_id, aggregation FROM article_stance ORDER BY ALL").fetchall()


def test_new_rules_re_aggregate_stored_rows_without_running_the_model(
        scored: Path, fake_scorer: FakeScorer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    model_id = fake_scorer.model_id
    before = _rows(scored)
    assert _versions(scored) == [(model_id, 1)]
    assert before[("a1", "RU")][1] == "critical" and before[("a3", "CN")][1] == "favourable"

    # A threshold change, with the version bump the docstring rule asks for.
    monkeypatch.setattr(stance, "THRESHOLD", 0.95)
    monkeypatch.setattr(stance, "AGGREGATION_VERSION", 2)
    again = FakeScorer(model_id=model_id)
    summary = score_warehouse(scored, scorer=again, progress=False)

    assert again.calls == 0 and summary.articles == 0  # nothing new to score: the model was not run
    after = _rows(scored)
    assert summary.reaggregated == len(after) == len(before)
    assert {label for _, label, *_ in after.values()} == {"neutral"}  # no stance reaches +-0.95
    # only the rules changed: the stance values and evidence are those of the same probabilities
    assert {k: (v[0], v[4]) for k, v in after.items()} == {k: (v[0], v[4]) for k, v in before.items()}
    assert _versions(scored) == [(model_id, 2)]  # the old version's rows are gone, not merely hidden

    models = data.models(str(scored))
    assert models[0].aggregation == 2 and models[0].label == "fake 1 · aggregation v2"
    out = tmp_path / "stance.jsonl"
    manifest = export(scored, Filters(), level="stance", fmt="jsonl", out=out, code_version="t")
    assert manifest.models[0]["aggregation"] == 2
    assert json.loads((tmp_path / "stance.jsonl.manifest.json").read_text())["models"][0]["aggregation"] == 2
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(exported) == len(after) and {row["label"] for row in exported} == {"neutral"}

    # The same version again: nothing to do.
    third = FakeScorer(model_id=model_id)
    assert score_warehouse(scored, scorer=third, progress=False).reaggregated == 0 and third.calls == 0


def test_re_aggregating_unchanged_rules_gives_back_the_stored_rows(scored: Path, fake_scorer: FakeScorer) -> None:
    # The stored-probabilities path and the scoring path make the same rows (same order, weights, evidence).
    before = _rows(scored)
    assert reaggregate.reaggregate(scored, fake_scorer.model_id, chunk=1) == len(before)
    assert _rows(scored) == before and _versions(scored) == [(fake_scorer.model_id, 1)]


def test_a_half_done_re_aggregation_is_not_shown(scored: Path, fake_scorer: FakeScorer,
                                                 monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    model_id = fake_scorer.model_id
    before = _rows(scored)
    monkeypatch.setattr(stance, "THRESHOLD", 0.95)
    monkeypatch.setattr(stance, "AGGREGATION_VERSION", 2)

    def killed(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt("killed before the switch")

    # The batches of version 2 are stored, then the run dies before it switches the model to them.
    monkeypatch.setattr(reaggregate, "_switch", killed)
    with pytest.raises(KeyboardInterrupt):
        reaggregate.ensure_current(scored, model_id)
    assert _versions(scored) == [(model_id, 1), (model_id, 2)]
    assert _rows(scored) == before  # readers still see version 1, whole
    assert data.models(str(scored))[0].aggregation == 1
    assert data.overview(str(scored), model_id)["stance_rows"] == len(before)
    article_id = next(iter(before))[0]  # an article's detail shows its version-1 rows once, not both versions
    shown = data.article_detail(str(scored), model_id, article_id)["stance"]  # type: ignore[index]
    assert sorted(shown["country"]) == sorted(c for a, c in before if a == article_id)
    assert [(c, s) for c, s in zip(shown["country"], shown["stance"], strict=True)] == [
        (c, before[article_id, c][0]) for c in shown["country"]]
    with reader(scored) as r:  # `stancewatch status` counts what readers see, not both versions
        assert dict(r.con.execute(query("table_counts")).fetchall())["article_stance"] == len(before)
    manifest = export(scored, Filters(), level="stance", fmt="csv", out=tmp_path / "s.csv", code_version="t")
    assert manifest.rows == len(before) and manifest.models[0]["aggregation"] == 1

    monkeypatch.undo()
    monkeypatch.setattr(stance, "THRESHOLD", 0.95)
    monkeypatch.setattr(stance, "AGGREGATION_VERSION", 2)
    assert reaggregate.ensure_current(scored, model_id) == len(before)  # the next run finishes the job
    assert _versions(scored) == [(model_id, 2)] and len(_rows(scored)) == len(before)


def test_a_new_model_starts_at_the_current_version(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stance, "AGGREGATION_VERSION", 7)
    insert(db_path, [article("b1", "Russia", "Russia praised the plan.")])
    scorer = FakeScorer(model_id="fake@7+x")
    summary = score_warehouse(db_path, scorer=scorer, progress=False)
    assert summary.reaggregated == 0 and scorer.calls == 1
    assert reaggregate.recorded_version(db_path, "fake@7+x") == 7
    assert _versions(db_path) == [("fake@7+x", 7)] and len(_rows(db_path)) == 1


def test_a_warehouse_from_before_versions_keeps_its_stances_as_version_one(db_path: Path) -> None:
    # Migration 0009 on a warehouse scored before it: the rows stay, marked version 1 and shown.
    import duckdb

    from warehouse.migrate import migrate
    from warehouse.sql import migrations

    db_path.parent.mkdir(parents=True)
    con = duckdb.connect(str(db_path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)")
    for m in migrations():
        if m.version < 9:
            con.execute(m.sql)
            con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [m.version, m.name])
    con.execute("INSERT INTO models VALUES ('old', 'old', '1', 'x', [], '{}', TIMESTAMP '2026-01-01')")
    con.execute("INSERT INTO article_stance VALUES ('a', 'RU', 'old', -0.5, 'critical', 0.6, 2, '[]', "
                "TIMESTAMP '2026-01-01')")
    assert 9 in migrate(con, str(db_path))
    con.close()
    assert _versions(db_path) == [("old", 1)] and list(_rows(db_path)) == [("a", "RU")]
    assert reaggregate.recorded_version(db_path, "old") == 1
