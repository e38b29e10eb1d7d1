"""A small synthetic warehouse for the dashboard's tests, built through the real migrations and writer.

Six outlets in three countries write about five target countries over ten weeks ending today; Kazakh
outlets turn more critical of Russia in the last five weeks; one outlet ('quiet.kz') went silent for the
last week (a volume drop); one outlet has fetch errors; one crawl run failed; there is a schedule and a job.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from warehouse import jobs, writer

MODEL_ID = "m-test-1"
MODEL_NAME = "stancewatch-test"
MODEL_VERSION = "0.0.1"

SOURCES = [  # name, country, language, articles per day
    ("tass.ru", "RU", "ru", 2),
    ("ria.ru", "RU", "ru", 1),
    ("tengrinews.kz", "KZ", "ru", 2),
    ("kazinform.kz", "KZ", "kk", 1),
    ("quiet.kz", "KZ", "ru", 2),
    ("ukrinform.ua", "UA", "uk", 1),
]
TARGETS = {"RU": "Russia", "KZ": "Kazakhstan", "UA": "Ukraine", "US": "the United States", "CN": "China"}
DAYS = 70


def _sha(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()


def _label(stance: float) -> str:
    return "critical" if stance < -0.2 else "favourable" if stance > 0.2 else "neutral"


def build(path: Path, *, now: datetime | None = None) -> dict[str, object]:
    """Write the fixture warehouse at path; return a few facts tests assert on."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    rng = random.Random(7)
    articles, mentions, scores, stances, scoring, fetches = [], [], [], [], [], []
    for day in range(DAYS):
        when = today - timedelta(days=DAYS - 1 - day)
        for source, country, language, per_day in SOURCES:
            if source == "quiet.kz" and day >= DAYS - 7:
                continue
            for k in range(per_day):
                url = f"https://{source}/news/{day}-{k}"
                article_id = _sha(url)
                targets = rng.sample([t for t in TARGETS if t != country], 2)
                title = f"{source} report {day}-{k} on {' and '.join(TARGETS[t] for t in targets)}"
                published = when + timedelta(hours=6 + 3 * k)
                text_parts = []
                for t in targets:
                    base = 0.1
                    if country == "KZ" and t == "RU":
                        base = 0.3 if day < DAYS - 35 else -0.5
                    stance = max(-1.0, min(1.0, base + rng.uniform(-0.3, 0.3)))
                    sentence = f"Officials in {TARGETS[t]} commented on the talks on day {day}."
                    offset = len(title) + 2 + sum(len(p) + 1 for p in text_parts)
                    text_parts.append(sentence)
                    start = offset + sentence.index(TARGETS[t])
                    mention_id = _sha(article_id, t, start)
                    p_pos = max(0.0, stance) * 0.8 + 0.1
                    p_neg = max(0.0, -stance) * 0.8 + 0.1
                    mentions.append({"id": mention_id, "article_id": article_id, "country": t,
                                     "sentence_index": len(text_parts) - 1, "sentence": sentence,
                                     "sentence_start": offset, "start_char": start,
                                     "end_char": start + len(TARGETS[t]), "surface": TARGETS[t],
                                     "alias": TARGETS[t]})
                    scores.append({"mention_id": mention_id, "model_id": MODEL_ID, "p_negative": p_neg,
                                   "p_neutral": 1.0 - p_neg - p_pos, "p_positive": p_pos, "scored_at": now})
                    stances.append({"article_id": article_id, "country": t, "model_id": MODEL_ID,
                                    "stance": stance, "label": _label(stance), "confidence": 0.7,
                                    "mention_count": 1, "evidence": json.dumps([sentence]), "scored_at": now,
                                    "aggregation": 1})
                articles.append({"id": article_id, "url": url, "source": source, "title": title,
                                 "description": None, "text": " ".join(text_parts), "authors": [],
                                 "published_at": published, "fetched_at": published + timedelta(hours=1),
                                 "language": language, "content_hash": _sha("c", url), "story_id": article_id,
                                 "extractor": "trafilatura", "run_id": "run-2"})
                scoring.append({"article_id": article_id, "model_id": MODEL_ID, "status": "scored",
                                "reason": None, "scored_at": now})
                error = "timeout" if source == "ukrinform.ua" and k == 0 and day % 2 == 0 else None
                fetches.append({"run_id": "run-2", "url": url, "source": source,
                                "fetched_at": published + timedelta(hours=1),
                                "http_status": None if error else 200, "error_kind": error, "bytes": 5000})
    with writer(path) as w:
        w.con.executemany(
            "INSERT INTO sources VALUES (?, ?, ?, ?, [], [], NULL, [], true, ?)",
            [(name, f"https://{name}/", country, language, now) for name, country, language, _ in SOURCES])
        w.con.execute("INSERT INTO models VALUES (?, ?, ?, ?, ['en', 'ru'], '{}', ?)",
                      [MODEL_ID, MODEL_NAME, MODEL_VERSION, "ab" * 32, now])
        w.con.execute("INSERT INTO model_aggregation VALUES (?, 1, ?)", [MODEL_ID, now])  # readers see version 1
        w.con.execute(
            "INSERT INTO crawl_runs (id, started_at, finished_at, trigger, status, sources, stats, errors) VALUES "
            "('run-1', $a, $a + INTERVAL 1 HOUR, 'cli', 'failed', NULL, '{}', '{\"timeout\": 3}'),"
            "('run-2', $b, $b + INTERVAL 1 HOUR, 'schedule:x', 'done', NULL, '{\"stored\": 10}', '{}')",
            {"a": now - timedelta(days=3), "b": now - timedelta(days=1)})
        for table, rows in (("articles", articles), ("mentions", mentions), ("mention_scores", scores),
                            ("article_stance", stances), ("article_scoring", scoring), ("fetch_log", fetches)):
            # the named upserts belong to other areas; the fixture inserts directly
            w.con.register("batch", pa.Table.from_pylist(rows))
            w.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM batch")
            w.con.unregister("batch")
    schedule_id = jobs.add_schedule(path, name="every six hours", cron="0 */6 * * *", sources=[])
    job_id = jobs.request_crawl(path, sources=["tass.ru"], requested_by="cli")
    return {"articles": len(articles), "stance_rows": len(stances), "schedule_id": schedule_id,
            "job_id": job_id, "now": now}


def build_empty(path: Path) -> None:
    """Write a migrated warehouse with no rows at all."""
    with writer(path):
        pass
