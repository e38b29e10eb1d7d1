"""A small, consistent warehouse batch (sources, articles, a model, mentions, scores, stances) written through
the named upserts, for the DuckLake tests; also run as a program by the concurrent-writer test."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from warehouse import writer

MODEL_ID = "test-model@1"
T0 = datetime(2026, 3, 2, 12, 0, 0)


def _id(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()


def source_rows(prefix: str, n: int) -> list[dict[str, Any]]:
    """n outlets named <prefix>-<i>, alternating between Kazakh and Russian ones."""
    return [{"name": f"{prefix}-{i}", "homepage": f"https://{prefix}-{i}.example/", "country": ("KZ", "RU")[i % 2],
             "language": "ru", "feeds": [f"https://{prefix}-{i}.example/rss"], "sitemaps": [], "listings": None,
             "tags": ["test"], "enabled": True, "updated_at": T0} for i in range(n)]


def article_rows(prefix: str, n: int, title: str = "Astana and Moscow") -> list[dict[str, Any]]:
    """n articles of the outlets source_rows(prefix, 2) gives, a day apart."""
    return [{"id": _id(prefix, i), "url": f"https://{prefix}-{i % 2}.example/a/{i}", "source": f"{prefix}-{i % 2}",
             "title": f"{title} {i}", "description": None, "text": f"Kazakhstan and Russia talked, day {i}.",
             "authors": ["A. Writer"], "published_at": T0 + timedelta(days=i), "fetched_at": T0 + timedelta(days=40),
             "language": "ru", "content_hash": _id("text", prefix, i), "story_id": _id(prefix, i), "extractor": "test",
             "run_id": f"run-{prefix}"} for i in range(n)]


def write_everything(where: str | Path, prefix: str, n: int, title: str = "Astana and Moscow") -> None:
    """Write outlets, n articles and one model's scores of them (two countries each) in one batch."""
    articles = article_rows(prefix, n, title)
    mentions, scores, stances, scoring = [], [], [], []
    for a in articles:
        for k, country in enumerate(("KZ", "RU")):
            mid = _id(a["id"], country)
            mentions.append({"id": mid, "article_id": a["id"], "country": country, "sentence_index": 0,
                             "sentence": a["text"], "sentence_start": 0, "start_char": k * 11,
                             "end_char": k * 11 + 6, "surface": country, "alias": country})
            scores.append({"mention_id": mid, "model_id": MODEL_ID, "p_negative": 0.2 + 0.5 * k,
                           "p_neutral": 0.2, "p_positive": 0.6 - 0.5 * k, "scored_at": T0})
            stances.append({"article_id": a["id"], "country": country, "model_id": MODEL_ID,
                            "stance": 0.4 - 0.8 * k, "label": ("favourable", "critical")[k], "confidence": 0.7,
                            "mention_count": 1, "evidence": json.dumps([a["text"]]), "scored_at": T0,
                            "aggregation": 1})
        scoring.append({"article_id": a["id"], "model_id": MODEL_ID, "status": "scored", "reason": None,
                        "scored_at": T0})
    with writer(where) as w:
        w.write_batch("upsert_sources", source_rows(prefix, 2))
        w.write_batch("crawl_upsert_articles", articles)
        w.write_batch("scoring_upsert_model", [{"id": MODEL_ID, "name": "test", "version": "1",
                                                "weights_sha256": "0" * 64, "languages": ["ru"],
                                                "evaluation": "{}", "created_at": T0}])
        w.execute("aggregation_record", {"model_id": MODEL_ID, "aggregation": 1, "since": T0})
        w.write_batch("scoring_upsert_mentions", mentions)
        w.write_batch("scoring_upsert_mention_scores", scores)
        w.write_batch("scoring_upsert_article_stance", stances)
        w.write_batch("scoring_upsert_article_scoring", scoring)


def main() -> None:
    """Program: write_for URL PREFIX BATCHES START_AT: wait until START_AT (epoch s), then write BATCHES
    batches of outlets named PREFIX-<batch>-<i>, each also updating the shared outlet 'shared'; print the
    number of replays the lake writer needed as JSON."""
    url, prefix, batches, start_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    time.sleep(max(0.0, start_at - time.time()))
    replays = 0
    for batch in range(batches):
        rows = source_rows(f"{prefix}-{batch}", 5)
        shared = {**source_rows("shared", 1)[0], "name": "shared", "homepage": f"https://{prefix}.example/{batch}"}
        with writer(url) as w:
            w.write_batch("upsert_sources", [*rows, shared])
        replays += w.replays
    print(json.dumps({"replays": replays}))


if __name__ == "__main__":
    main()
