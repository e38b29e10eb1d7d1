"""Article stance rows from mention probabilities, and re-aggregation of a model's stored probabilities.

`stance_rows` is the one place an article_stance row is made: scoring calls it with the model's fresh
probabilities, `reaggregate` with the probabilities stored in mention_scores (the model is not run again),
and anything that changes a mention's probabilities (an analyst's correction) can call it the same way.
Rows carry the version of the rules that made them (insights.stance.AGGREGATION_VERSION).

`ensure_current` is what `stancewatch score` runs first: when a model's recorded version (model_aggregation)
is not the code's, it re-aggregates every stored mention probability of the model in batches, each its own
short writer transaction, then in one last transaction makes the new version the model's current one and
deletes the old rows. Readers use the view current_stance, so until that switch they keep seeing the
complete old version; a run killed half-way leaves the old version current, and the next run redoes the
batches (upserts keyed on the version: nothing is duplicated).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from insights import stance
from insights.stance import ScoredMention
from warehouse import reader, writer

# Articles re-aggregated per batch (one read and one writer transaction each): each read scans the
# mentions after the last batch, so batches are large (20,000 articles: about 60,000 mention rows).
CHUNK_ARTICLES = 20_000


def stance_rows(mentions: Iterable[tuple[str, str, ScoredMention]], *, model_id: str,
                now: datetime) -> list[dict[str, Any]]:
    """One article_stance row per (article, country) from (article id, country, scored mention) triples.

    Mentions keep their given order within an article and country (it breaks ties among the evidence);
    rows come sorted by article, then country, stamped with the current AGGREGATION_VERSION.
    """
    grouped: dict[tuple[str, str], list[ScoredMention]] = {}
    for article_id, country, mention in mentions:
        grouped.setdefault((article_id, country), []).append(mention)
    version = stance.AGGREGATION_VERSION  # read at call time: the rules aggregate() applies now
    rows = []
    for (article_id, country), scored in sorted(grouped.items()):
        s = stance.aggregate(scored)
        rows.append({"article_id": article_id, "country": country, "model_id": model_id, "stance": s.stance,
                     "label": s.label, "confidence": s.confidence, "mention_count": s.mention_count,
                     "evidence": json.dumps(s.evidence, ensure_ascii=False), "scored_at": now,
                     "aggregation": version})
    return rows


def _scored(row: Mapping[str, Any]) -> tuple[str, str, ScoredMention]:
    """A stored mention with its probabilities (query aggregation_mention_probabilities) as a triple."""
    return (str(row["article_id"]), str(row["country"]), ScoredMention(
        sentence=str(row["sentence"]), p_negative=float(row["p_negative"]), p_neutral=float(row["p_neutral"]),
        p_positive=float(row["p_positive"]), in_title=bool(row["in_title"]),
        sentence_index=int(row["sentence_index"]), surface=str(row["surface"])))


def recorded_version(db: str | Path, model_id: str) -> int | None:
    """The aggregation version the model's shown stances were made with; None when none is recorded."""
    with reader(db) as r:
        row = r.fetch_one("aggregation_of_model", {"model_id": model_id})
    return int(row[0]) if row else None


def reaggregate(db: str | Path, model_id: str, *, chunk: int = CHUNK_ARTICLES) -> int:
    """Re-aggregate every stored mention probability of the model with the current rules, make that
    version current and drop the model's other versions; return the stance rows written."""
    version = stance.AGGREGATION_VERSION
    written = 0
    after = ""
    while True:
        with reader(db) as r:
            found = r.records("aggregation_mention_probabilities",
                              {"model_id": model_id, "after": after, "chunk": chunk})
        if not found:
            break
        after = str(found[-1]["article_id"])
        rows = stance_rows((_scored(row) for row in found), model_id=model_id,
                           now=datetime.now(UTC).replace(tzinfo=None))
        with writer(db) as w:
            written += w.write_batch("scoring_upsert_article_stance", rows)
    _switch(db, model_id, version)
    return written


def _switch(db: str | Path, model_id: str, version: int) -> None:
    """Make version the model's current one and drop its other versions, in one transaction: readers see
    the old version whole or the new one whole."""
    with writer(db) as w:
        w.execute("aggregation_record", {"model_id": model_id, "aggregation": version,
                                         "since": datetime.now(UTC).replace(tzinfo=None)})
        w.execute("aggregation_drop_other_versions", {"model_id": model_id, "aggregation": version})


def ensure_current(db: str | Path, model_id: str, *, chunk: int = CHUNK_ARTICLES) -> int:
    """Bring the model's stored stances to the current AGGREGATION_VERSION (re-aggregating when its
    recorded version differs, or none is recorded); return the stance rows re-aggregated."""
    if recorded_version(db, model_id) == stance.AGGREGATION_VERSION:
        return 0
    return reaggregate(db, model_id, chunk=chunk)
