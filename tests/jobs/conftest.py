"""Fixtures for the jobs tests: a small scored warehouse (three outlets, four articles, two models)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from warehouse import writer

SOURCES = [("kz-a", "KZ", "ru"), ("ru-b", "RU", "ru"), ("us-c", "US", "en")]
# id, source, published, language, title, text
ARTICLES = [
    ("a1", "kz-a", datetime(2026, 1, 5, 9), "ru", '=HYPERLINK("http://evil.example","click")',
     "Россия и Казахстан подписали соглашение. Ресей туралы."),
    ("a2", "ru-b", datetime(2026, 2, 10, 12), "ru", "@Новости из Астаны", "Казахстан снова в новостях."),
    ("a3", "us-c", datetime(2026, 3, 1, 18), "en", "+Kazakhstan grows", "Kazakhstan's economy grew, analysts say."),
    ("a4", "us-c", datetime(2026, 3, 2, 18), "en", "@Nothing scored", "An article no model has scored."),
]
# model, article, country, stance
STANCE = [
    ("m-new", "a1", "RU", -0.6), ("m-new", "a1", "KZ", 0.5), ("m-new", "a2", "KZ", -0.2),
    ("m-new", "a3", "KZ", 0.7), ("m-old", "a1", "RU", 0.9),
]
# mention id, article, country, sentence, start
MENTIONS = [
    ("m1", "a1", "RU", "-Россия и Казахстан подписали соглашение.", 1),
    ("m2", "a1", "KZ", "-Россия и Казахстан подписали соглашение.", 10),
    ("m3", "a2", "KZ", "Казахстан снова в новостях.", 0),
    ("m4", "a3", "KZ", "Kazakhstan's economy grew, analysts say.", 0),
]


def build(db: Path) -> None:
    """Create the warehouse at db with the rows above."""
    t = datetime(2026, 3, 5)
    with writer(db) as w:
        con = w.con
        for name, country, lang in SOURCES:
            con.execute("INSERT INTO sources VALUES (?, ?, ?, ?, [], [], NULL, [], true, ?)",
                        [name, f"https://{name}.example/", country, lang, t])
        for aid, source, published, lang, title, text in ARTICLES:
            con.execute("INSERT INTO articles (id, url, source, title, text, authors, published_at, fetched_at, "
                        "language, content_hash, story_id, extractor) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        [aid, f"https://{source}.example/{aid}", source, title, text, ["Анна", "Bob"], published,
                         t, lang, f"h{aid}", f"s{aid}", "trafilatura"])
        con.execute("INSERT INTO models VALUES ('m-old', 'old', '1', 'aaa', ['en'], '{}', ?)", [datetime(2026, 1, 1)])
        con.execute("INSERT INTO models VALUES ('m-new', 'new', '2', 'bbb', ['en','ru'], '{}', ?)",
                    [datetime(2026, 2, 1)])
        for model, aid, country, stance in STANCE:
            label = "critical" if stance < -0.3 else "favourable" if stance > 0.3 else "neutral"
            con.execute("INSERT INTO article_stance VALUES (?, ?, ?, ?, ?, 0.8, 1, ?, ?, 1)",
                        [aid, country, model, stance, label, json.dumps(["evidence"]), t])
        # both models' stances are of aggregation version 1, the version readers see (migration 0009)
        con.execute("INSERT INTO model_aggregation VALUES ('m-old', 1, ?), ('m-new', 1, ?)", [t, t])
        for mid, aid, country, sentence, start in MENTIONS:
            con.execute("INSERT INTO mentions VALUES (?, ?, ?, 0, ?, 0, ?, ?, ?, ?)",
                        [mid, aid, country, sentence, start, start + 6, sentence[start:start + 6], "alias"])
            for model in ("m-new", "m-old"):
                con.execute("INSERT INTO mention_scores VALUES (?, ?, 0.2, 0.3, 0.5, ?)", [mid, model, t])


@pytest.fixture
def scored_db(db_path: Path) -> Path:
    """A warehouse holding the rows above."""
    build(db_path)
    return db_path
