"""The one rule for "the newest model": newest by creation time; with scored, the newest with stance rows."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from warehouse import reader, writer
from warehouse.models import newest_model


def test_newest_model_and_newest_scored_model(db_path: Path) -> None:
    with writer(db_path):  # creates and migrates the warehouse
        pass
    assert newest_model(db_path) is None and newest_model(db_path, scored=True) is None
    with writer(db_path) as w:
        con = w.con
        con.execute("INSERT INTO sources VALUES ('o', 'https://o.example/', 'KZ', 'en', [], [], NULL, [], true, ?)",
                    [datetime(2026, 1, 1)])
        con.execute("INSERT INTO articles (id, url, source, title, text, published_at, fetched_at, content_hash, "
                    "story_id, extractor) VALUES ('a1', 'https://o.example/1', 'o', 't', 'x', ?, ?, 'h', 's', 't')",
                    [datetime(2026, 1, 2), datetime(2026, 1, 2)])
        for model_id, created in (("old-scored", datetime(2026, 1, 1)), ("new-unscored", datetime(2026, 2, 1))):
            con.execute("INSERT INTO models VALUES (?, 'm', '1', 'sha', ['en'], '{}', ?)", [model_id, created])
        con.execute("INSERT INTO model_aggregation VALUES ('old-scored', 1, ?)", [datetime(2026, 1, 1)])
        con.execute("INSERT INTO article_stance VALUES ('a1', 'RU', 'old-scored', 0.5, 'favourable', 0.5, 1, ?, ?, 1)",
                    [json.dumps([]), datetime(2026, 1, 3)])
    assert newest_model(db_path) == "new-unscored"
    assert newest_model(db_path, scored=True) == "old-scored"
    with reader(db_path) as r:  # an open reader serves too (the export reads inside its own)
        assert newest_model(r) == "new-unscored"
