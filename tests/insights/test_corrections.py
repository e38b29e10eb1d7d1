"""Analyst corrections (issue #12, part 2): stored apart from the model's rows, latest wins, history kept,
the corrected stance made by the aggregation rule, and kept through re-scoring and re-aggregation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from analysis.scoring import score_warehouse
from insights import corrections, stance
from insights.stance import ScoredMention, aggregate
from tests.analysis.fakes import FakeScorer
from tests.analysis.test_scoring import WIRE, article, insert
from warehouse import reader, writer
from warehouse.errors import WarehouseBusy

MODEL = "fake@1+000000000000"


@pytest.fixture
def scored(db_path: Path) -> Path:
    """a1: Russia (condemned), Kazakhstan and China (praised) in one sentence; a2 a second Russia article."""
    insert(db_path, [article("a1", None, WIRE), article("a2", None, "Russia praised the deal. Russia helped.")])
    score_warehouse(db_path, scorer=FakeScorer(), progress=False)
    return db_path


def _mention(db: Path, article_id: str, country: str) -> dict[str, Any]:
    with reader(db) as r:
        cur = r.con.execute("SELECT m.*, ms.p_negative, ms.p_neutral, ms.p_positive FROM mentions m "
                            "JOIN mention_scores ms ON ms.mention_id = m.id "
                            "WHERE m.article_id = ? AND m.country = ? ORDER BY m.start_char", [article_id, country])
        cols = [d[0] for d in cur.description]
        found = cur.fetchone()
        assert found is not None, f"no {country} mention in {article_id}"
        return dict(zip(cols, found, strict=True))


def _table(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with reader(db) as r:
        return r.con.execute(sql).fetchall()


def _model_rows(db: Path) -> list[tuple[Any, ...]]:
    return _table(db, "SELECT * FROM mention_scores ORDER BY mention_id, model_id") + _table(
        db, "SELECT article_id, country, model_id, stance, label FROM article_stance ORDER BY ALL")


def test_a_correction_is_stored_apart_and_the_latest_wins(scored: Path) -> None:
    ru = _mention(scored, "a1", "RU")
    before = _model_rows(scored)
    first = corrections.save(scored, ru["id"], "neutral", analyst="ana", model_id=MODEL, note="reported speech")
    assert first.model_label == "negative" and first.model_id == MODEL and first.country == "RU"
    second = corrections.save(scored, ru["id"], "positive", analyst="bob", model_id=MODEL)
    assert _model_rows(scored) == before  # model rows are never overwritten
    current = corrections.list_corrections(scored)
    assert [(c["id"], c["label"], c["analyst"]) for c in current] == [(second.id, "positive", "bob")]
    history = corrections.list_corrections(scored, history=True)
    assert [(c["label"], c["current"]) for c in history] == [("positive", True), ("neutral", False)]
    assert history[1]["note"] == "reported speech" and history[1]["sentence"] == WIRE


def test_the_corrected_stance_is_the_aggregation_rule_over_the_corrected_mentions(scored: Path) -> None:
    ru = _mention(scored, "a2", "RU")  # the first of a2's two Russia mentions: praised -> the analyst says negative
    other = _table(scored, "SELECT m.sentence, ms.p_negative, ms.p_neutral, ms.p_positive, m.sentence_index, m.surface"
                   " FROM mentions m JOIN mention_scores ms ON ms.mention_id = m.id WHERE m.article_id = 'a2' "
                   "ORDER BY m.start_char")[1]
    corrections.save(scored, ru["id"], "negative", analyst="ana", model_id=MODEL)
    expected = aggregate([
        ScoredMention(ru["sentence"], 1.0, 0.0, 0.0, False, ru["sentence_index"], ru["surface"]),
        ScoredMention(other[0], other[1], other[2], other[3], False, other[4], other[5])])
    row = _table(scored, "SELECT stance, label, confidence, mention_count, dropped, aggregation, "
                 "CAST(evidence AS VARCHAR) FROM article_stance_corrected WHERE article_id = 'a2'")
    assert row == [(expected.stance, expected.label, expected.confidence, 2, False, stance.AGGREGATION_VERSION,
                    row[0][6])]
    assert json.loads(row[0][6]) == expected.evidence
    model = _table(scored, "SELECT stance FROM current_stance WHERE article_id = 'a2'")[0][0]
    assert model > 0 > expected.stance  # the model's row stays as it was


def test_not_this_country_drops_the_country_when_no_mention_remains(scored: Path) -> None:
    kz = _mention(scored, "a1", "KZ")
    corrections.save(scored, kz["id"], corrections.FALSE_MATCH, analyst="ana", model_id=MODEL)
    assert _table(scored, "SELECT country, dropped, stance FROM article_stance_corrected") == [("KZ", True, None)]
    with reader(scored) as r:
        facts = r.records("dashboard_stance_facts", {"model_id": MODEL, "corrected": True})
        plain = r.records("dashboard_stance_facts", {"model_id": MODEL, "corrected": False})
    with_corr = {(f["article_id"], f["target"]) for f in facts}
    without = {(f["article_id"], f["target"]) for f in plain}
    assert without - with_corr == {("a1", "KZ")}


def test_bad_input_is_refused_and_nothing_is_stored(scored: Path) -> None:
    ru = _mention(scored, "a1", "RU")
    with pytest.raises(corrections.CorrectionError, match="expected one of negative, neutral, positive"):
        corrections.save(scored, ru["id"], "hostile", analyst="ana")
    with pytest.raises(corrections.CorrectionError, match="no mention with id 'nope'"):
        corrections.save(scored, "nope", "neutral", analyst="ana")
    with pytest.raises(corrections.CorrectionError, match="analyst"):
        corrections.save(scored, ru["id"], "neutral", analyst=" ")
    assert _table(scored, "SELECT count(*) FROM corrections") == [(0,)]


def test_a_locked_warehouse_says_so_and_keeps_nothing_half_done(scored: Path) -> None:
    ru = _mention(scored, "a1", "RU")
    with writer(scored), pytest.raises(WarehouseBusy, match="another writer held the lock"):
        corrections.save(scored, ru["id"], "neutral", analyst="ana", timeout=0.2)
    assert _table(scored, "SELECT count(*) FROM corrections") == [(0,)]


class ShiftedScorer(FakeScorer):
    """The same model id with different probabilities: a re-scoring after new weights."""

    def score(self, targets: Any) -> np.ndarray:
        """Everything mildly positive."""
        return np.tile(np.asarray([[0.2, 0.3, 0.5]], dtype=np.float32), (len(targets), 1))


def test_corrections_survive_re_scoring_and_follow_the_new_scores(scored: Path) -> None:
    ru = _mention(scored, "a2", "RU")
    saved = corrections.save(scored, ru["id"], "negative", analyst="ana", model_id=MODEL)
    old = _table(scored, "SELECT stance FROM article_stance_corrected WHERE article_id = 'a2'")[0][0]
    with writer(scored) as w:  # what re-scoring a model means: its articles are pending again
        w.con.execute("DELETE FROM article_scoring")
    score_warehouse(scored, scorer=ShiftedScorer(), progress=False)
    assert [c["id"] for c in corrections.list_corrections(scored)] == [saved.id]
    other = ScoredMention("Russia helped.", 0.2, 0.3, 0.5, False, 1, "Russia")
    expected = aggregate([ScoredMention(ru["sentence"], 1.0, 0.0, 0.0, False, 0, "Russia"), other])
    new = _table(scored, "SELECT stance FROM article_stance_corrected WHERE article_id = 'a2'")[0][0]
    assert new == pytest.approx(expected.stance, abs=1e-6) and new != old


def test_a_second_model_and_new_rules_get_corrected_rows_too(scored: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ru = _mention(scored, "a1", "RU")
    corrections.save(scored, ru["id"], "positive", analyst="ana", model_id=MODEL)
    score_warehouse(scored, scorer=FakeScorer("fake@2+000000000000"), progress=False)
    monkeypatch.setattr(stance, "AGGREGATION_VERSION", stance.AGGREGATION_VERSION + 1)
    score_warehouse(scored, scorer=FakeScorer(), progress=False)  # re-aggregates the first model
    rows = _table(scored, "SELECT model_id, aggregation, label FROM article_stance_corrected ORDER BY model_id")
    assert rows == [(MODEL, stance.AGGREGATION_VERSION, "favourable"),
                    ("fake@2+000000000000", stance.AGGREGATION_VERSION - 1, "favourable")]
    with reader(scored) as r:  # the corrected row shows for the model's current version
        facts = r.records("dashboard_stance_facts", {"model_id": MODEL, "corrected": True})
    assert {f["label"] for f in facts if (f["article_id"], f["target"]) == ("a1", "RU")} == {"favourable"}


def test_agreement_per_language_counts_labels_and_false_matches(scored: Path) -> None:
    ru, kz = _mention(scored, "a1", "RU"), _mention(scored, "a1", "KZ")
    cn = _mention(scored, "a1", "CN")
    corrections.save(scored, ru["id"], "negative", analyst="ana", model_id=MODEL)  # the model said negative
    corrections.save(scored, cn["id"], "neutral", analyst="ana", model_id=MODEL)  # the model said positive
    corrections.save(scored, kz["id"], corrections.FALSE_MATCH, analyst="ana", model_id=MODEL)
    assert corrections.agreement(scored, MODEL) == [
        {"language": "en", "n": 2, "agree": 1, "false_matches": 1, "agreement": 0.5}]


def test_model_label_is_the_most_probable_class() -> None:
    assert corrections.model_label(0.5, 0.3, 0.2) == "negative"
    assert corrections.model_label(0.2, 0.3, 0.5) == "positive"
    assert corrections.model_label(0.1, 0.8, 0.1) == "neutral"
