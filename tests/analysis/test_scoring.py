"""score_warehouse with an injected fake scorer into a real DuckDB warehouse; plan_text on its own."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from analysis.scoring import plan_text, repeated_headline_end, score_warehouse, scored_text
from tests.analysis.fakes import FakeScorer
from warehouse import reader, writer

WIRE = "Russia condemned the decision of Kazakhstan, while China praised it."


def article(article_id: str, title: str | None, text: str, language: str = "en") -> dict[str, Any]:
    return {"id": article_id, "url": f"https://example.test/{article_id}", "source": "test", "title": title,
            "text": text, "language": language, "fetched_at": datetime(2026, 1, 1), "content_hash": article_id,
            "story_id": article_id, "extractor": "test"}


def insert(db: Path, rows: list[dict[str, Any]]) -> None:
    with writer(db) as w:
        for r in rows:
            w.con.execute(
                "INSERT INTO articles (id, url, source, title, text, language, fetched_at, content_hash, story_id,"
                " extractor) VALUES ($id, $url, $source, $title, $text, $language, $fetched_at, $content_hash,"
                " $story_id, $extractor)", r)


def counts(db: Path) -> dict[str, int]:
    with reader(db) as r:
        return {t: r.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
                for t in ("mentions", "mention_scores", "article_stance", "article_scoring", "models")}


@pytest.fixture
def warehouse_with_articles(db_path: Path) -> Path:
    insert(db_path, [
        article("a1", "Kazakhstan and Russia", WIRE),
        article("a2", "Wire copy", WIRE),  # the same body sentence: scored once
        article("a3", "Ничего", "Россия осудила решение. Казахстан поблагодарил Китай.", "ru"),
        article("a4", "Empty", "   "),      # malformed: skipped with a reason
        article("a5", "Weather", "It rained all day in the valley."),  # no country: scored, no stance
    ])
    return db_path


def test_scores_writes_and_skips(warehouse_with_articles: Path, fake_scorer: FakeScorer) -> None:
    db = warehouse_with_articles
    summary = score_warehouse(db, scorer=fake_scorer, progress=False, chunk=2)
    assert (summary.articles, summary.scored, summary.skipped) == (5, 4, 1)
    assert summary.skipped_reasons == {"text is empty": 1}
    with reader(db) as r:
        scoring = dict(r.con.execute("SELECT article_id, status || ':' || coalesce(reason, '') "
                                     "FROM article_scoring").fetchall())
        stance = {(a, c): (s, label, n) for a, c, s, label, n in r.con.execute(
            "SELECT article_id, country, stance, label, mention_count FROM article_stance").fetchall()}
        model = r.con.execute("SELECT id, name, weights_sha256 FROM models").fetchall()
        mention = r.con.execute("SELECT sentence, sentence_start, start_char, end_char, surface, alias "
                                "FROM mentions WHERE article_id = 'a3' ORDER BY start_char LIMIT 1").fetchone()
        evidence = r.con.execute("SELECT evidence FROM article_stance WHERE article_id = 'a1' AND country = 'RU'"
                                 ).fetchone()
    assert scoring["a4"] == "skipped:text is empty"
    assert scoring["a5"] == "scored:no country mentions"
    assert scoring["a1"] == "scored:"
    assert model == [(fake_scorer.model_id, "fake", "0" * 64)]
    # a1: title "Kazakhstan and Russia" (neutral, weighted x2) + body; the fake marks the sentence negative
    assert stance[("a1", "RU")][1] == "critical" and stance[("a1", "RU")][2] == 2
    assert stance[("a3", "CN")][1] == "favourable"
    assert ("a5", "RU") not in stance and ("a4", "RU") not in stance
    # offsets point into title + blank line + text
    text = scored_text("Ничего", "Россия осудила решение. Казахстан поблагодарил Китай.")
    sentence, sentence_start, start, end, surface, alias = mention
    assert text[start:end] == surface == "Россия" and alias == "Россия"
    assert text[sentence_start:sentence_start + len(sentence)] == sentence
    assert json.loads(evidence[0])[0]["sentence"] == WIRE


def test_identical_sentences_scored_once(warehouse_with_articles: Path, fake_scorer: FakeScorer) -> None:
    score_warehouse(warehouse_with_articles, scorer=fake_scorer, progress=False, chunk=1)
    keys = [(t.sentence, t.start, t.end, t.others, t.language) for t in fake_scorer.seen]
    assert len(keys) == len(set(keys))
    assert sum(1 for t in fake_scorer.seen if t.sentence == WIRE) == 3  # Russia, Kazakhstan, China: once each


def test_rerun_is_idempotent_and_new_model_rescores(warehouse_with_articles: Path, fake_scorer: FakeScorer) -> None:
    db = warehouse_with_articles
    score_warehouse(db, scorer=fake_scorer, progress=False)
    before = counts(db)
    again = score_warehouse(db, scorer=fake_scorer, progress=False)
    assert again.articles == 0 and counts(db) == before
    newer = FakeScorer(model_id="fake@2+111111111111")
    summary = score_warehouse(db, scorer=newer, progress=False)
    after = counts(db)
    assert summary.articles == 5
    assert after["mentions"] == before["mentions"]  # mentions do not depend on the model
    assert after["mention_scores"] == 2 * before["mention_scores"]
    assert after["article_stance"] == 2 * before["article_stance"]
    assert after["models"] == 2


def test_limit(warehouse_with_articles: Path, fake_scorer: FakeScorer) -> None:
    first = score_warehouse(warehouse_with_articles, scorer=fake_scorer, progress=False, limit=2)
    assert first.articles == 2
    rest = score_warehouse(warehouse_with_articles, scorer=fake_scorer, progress=False)
    assert rest.articles == 3


def test_language_the_model_cannot_score_is_skipped(db_path: Path, fake_scorer: FakeScorer) -> None:
    insert(db_path, [article("d1", "Russland", "Russland und China.", "de"), article("d2", "Russia", "Russia.")])
    summary = score_warehouse(db_path, scorer=fake_scorer, progress=False)
    assert (summary.scored, summary.skipped) == (1, 1)
    assert list(summary.skipped_reasons) == ["language 'de' is not one the model scores (en, ru)"]
    catch_all = FakeScorer(model_id="fake@3+x")
    catch_all.languages = ["en", "*"]  # a catch-all route scores every language
    again = score_warehouse(db_path, scorer=catch_all, progress=False)
    assert (again.scored, again.skipped) == (2, 0)


def test_failing_model_writes_nothing_of_its_chunk(warehouse_with_articles: Path) -> None:
    class Broken(FakeScorer):
        def score(self, targets):  # type: ignore[no-untyped-def]
            raise RuntimeError("model exploded")

    with pytest.raises(RuntimeError, match="exploded"):
        score_warehouse(warehouse_with_articles, scorer=Broken(), progress=False, chunk=10)
    assert counts(warehouse_with_articles)["article_scoring"] == 0


def test_plan_text_targets_mark_other_countries() -> None:
    text = "Russia condemned Kazakhstan. Moscow and the Kremlin."
    planned = plan_text(text, language="en")
    first = planned[0].target
    assert first.sentence == "Russia condemned Kazakhstan."
    assert first.sentence[first.start:first.end] == "Russia"
    assert [first.sentence[s:e] for s, e in first.others] == ["Kazakhstan"]
    assert first.language == "en"
    # same-country mentions are not "others"
    moscow = planned[2].target
    assert moscow.others == ()
    assert [p.sentence_index for p in planned] == [0, 0, 1, 1]
    assert [p.mention.country for p in plan_text(text, countries=["KZ"])] == ["KZ"]


def test_plan_text_title_flag() -> None:
    text = scored_text("China and Russia", "Russia spoke.")
    planned = plan_text(text, title_end=len("China and Russia"))
    assert [p.in_title for p in planned] == [True, True, False]


def test_a_body_that_opens_with_its_headline_scores_the_headline_once() -> None:
    title = "Russia  and China sign a deal"
    text = scored_text(title, "Russia and China sign a deal\nChina praised the deal. Russia agreed.")
    planned = plan_text(text, title_end=len(title))
    assert [(p.mention.country, p.in_title) for p in planned] == [
        ("RU", True), ("CN", True), ("CN", False), ("RU", False)]
    assert repeated_headline_end(text, len(title)) == text.index("\nChina praised")
    # Only a whole first line that is the headline is skipped: a body that merely starts like it is scored.
    other = scored_text(title, "Russia and China sign a deal, officials said in Beijing.")
    assert repeated_headline_end(other, len(title)) == len(title)
    assert sum(not p.in_title for p in plan_text(other, title_end=len(title))) == 3
