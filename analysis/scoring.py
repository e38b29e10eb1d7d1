"""Score articles: find country mentions, score each mention's sentence with the stance model, aggregate.

`plan_text` is the pure part (text -> mentions, sentences and model targets); `score_warehouse` runs it over
every article a model has not scored yet, reading through the warehouse reader in chunks and writing each
chunk's results in one short writer transaction. Before that it brings the model's stored stances to the
current aggregation rules (insights.reaggregate.ensure_current: from the stored probabilities, without
running the model). Skip policy: an article that cannot be scored (no text, not
a string) is recorded in article_scoring as 'skipped' with the reason, and the run goes on; a failing model
is an error for the whole run (nothing of the failing chunk is written).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from analysis.columns import find_mentions
from analysis.gazetteer import Gazetteer, Mention, default_gazetteer
from analysis.model import Scorer, Target
from analysis.model_quality import record_quality
from analysis.sentences import Sentence, split_sentences
from insights.corrections import refresh as refresh_corrections
from insights.reaggregate import ensure_current, stance_rows
from insights.stance import ScoredMention
from warehouse import reader, writer

CHUNK_ARTICLES = 200
# Articles longer than this are scored on their first MAX_TEXT_CHARS characters only.
MAX_TEXT_CHARS = 100_000
# How many distinct targets' probabilities are remembered across chunks (wire copies in later chunks).
CACHE_TARGETS = 100_000


def scored_text(title: str | None, text: str) -> str:
    """The text whose offsets mentions carry: title, a blank line, then the article text."""
    return f"{title or ''}\n\n{text}"


@dataclass(frozen=True)
class PlannedMention:
    """A mention in context: its sentence, the model target built from it, and whether it is in the title."""

    mention: Mention
    sentence: Sentence
    sentence_index: int
    target: Target
    in_title: bool

    def key(self) -> tuple[str, int, int, tuple[tuple[int, int], ...], str | None]:
        """What makes two targets identical (wire copies): sentence, offsets, other countries, language."""
        t = self.target
        return (t.sentence, t.start, t.end, t.others, t.language)


def repeated_headline_end(text: str, title_end: int) -> int:
    """Where a body that opens with its own headline stops repeating it (title_end when it does not).

    Extractors keep an article's in-page headline (its h1) as the body's first line, so the headline would
    be scored twice: once as the title (weighted TITLE_WEIGHT) and again as a body sentence.
    """
    title = " ".join(text[:title_end].split())
    body_start = len(text) - len(text[title_end:].lstrip())
    line_end = text.find("\n", body_start)
    line_end = len(text) if line_end < 0 else line_end
    if title and " ".join(text[body_start:line_end].split()) == title:
        return line_end
    return title_end


def plan_text(text: str, *, language: str | None = None, title_end: int = 0,
              countries: Iterable[str] | None = None, gazetteer: Gazetteer | None = None) -> list[PlannedMention]:
    """Mentions in text with their sentences and targets; title_end: where the title part of text ends.

    A first body line that repeats the title is not planned again: the headline counts once, as the title.
    """
    gazetteer = gazetteer or default_gazetteer()
    repeat_end = repeated_headline_end(text, title_end)
    mentions = [m for m in find_mentions(text, language, gazetteer) if not title_end <= m.start < repeat_end]
    if not mentions:
        return []
    wanted = {c.upper() for c in countries} if countries else None
    sentences = split_sentences(text, language)
    planned: list[PlannedMention] = []
    cursor = 0
    for index, sentence in enumerate(sentences):
        inside: list[Mention] = []
        while cursor < len(mentions) and mentions[cursor].start < sentence.end:
            m = mentions[cursor]
            if m.start >= sentence.start:
                inside.append(m)
            cursor += 1
        for m in inside:
            if wanted is not None and m.country.upper() not in wanted:
                continue
            end = min(m.end, sentence.end)
            others = tuple((o.start - sentence.start, min(o.end, sentence.end) - sentence.start)
                           for o in inside if o.country != m.country)
            target = Target(sentence.text, m.start - sentence.start, end - sentence.start, others, language)
            planned.append(PlannedMention(m, sentence, index, target, m.start < title_end))
    return planned


@dataclass
class ScoringSummary:
    """What a scoring run did."""

    model_id: str
    articles: int = 0
    scored: int = 0
    skipped: int = 0
    mentions: int = 0
    targets_scored: int = 0
    stances: int = 0
    reaggregated: int = 0  # stored stances re-made with changed aggregation rules
    seconds: float = 0.0
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    retried_batches: int = 0  # batches scored again because the worker holding them died (scoring on Ray)

    @property
    def articles_per_second(self) -> float:
        """Throughput over the whole run."""
        return self.articles / self.seconds if self.seconds > 0 else 0.0


def _mention_id(article_id: str, m: Mention) -> str:
    return hashlib.sha1(f"{article_id}|{m.country}|{m.start}|{m.end}".encode()).hexdigest()


def _skip_reason(row: dict[str, Any], languages: Sequence[str]) -> str | None:
    text = row.get("text")
    if not isinstance(text, str):
        return "text is missing"
    if not text.strip():
        return "text is empty"
    title = row.get("title")
    if title is not None and not isinstance(title, str):
        return "title is not text"
    if "*" not in languages and row.get("language") not in languages:
        # a model without a catch-all route (e.g. English-only) cannot score this article: skip, not fail
        return f"language {row.get('language')!r} is not one the model scores ({', '.join(languages)})"
    return None


class TargetCache:
    """Probabilities of targets already scored in this run, so identical sentences go to the model once."""

    def __init__(self, scorer: Scorer, limit: int = CACHE_TARGETS) -> None:
        self.scorer = scorer
        self.limit = limit
        self.known: dict[tuple[Any, ...], np.ndarray] = {}
        self.scored = 0

    def probabilities(self, planned: Sequence[PlannedMention]) -> list[np.ndarray]:
        """One (3,) probability row per planned mention; only unseen targets reach the scorer."""
        local: dict[tuple[Any, ...], np.ndarray] = {}
        fresh: dict[tuple[Any, ...], Target] = {}
        for p in planned:
            key = p.key()
            if key in local or key in fresh:
                continue
            hit = self.known.get(key)
            if hit is not None:
                local[key] = hit
            else:
                fresh[key] = p.target
        if fresh:
            # sorted by length so the scorer's batches hold sentences of similar length
            items = sorted(fresh.items(), key=lambda kv: len(kv[1].sentence))
            probs = np.asarray(self.scorer.score([t for _, t in items]), dtype=np.float64)
            if probs.shape != (len(items), 3):
                raise ValueError(f"scorer {self.scorer.model_id} returned shape {probs.shape} "
                                 f"for {len(items)} targets; expected ({len(items)}, 3)")
            scored = {key: row for (key, _), row in zip(items, probs, strict=True)}
            local.update(scored)
            if len(self.known) + len(scored) > self.limit:
                self.known.clear()
            self.known.update(scored)
            self.scored += len(items)
        return [local[p.key()] for p in planned]


def _stance_rows(article_id: str, model_id: str, planned: Sequence[PlannedMention], probs: Sequence[np.ndarray],
                 now: datetime) -> list[dict[str, Any]]:
    scored = ((article_id, p.mention.country, ScoredMention(
        sentence=p.sentence.text, p_negative=float(row[0]), p_neutral=float(row[1]), p_positive=float(row[2]),
        in_title=p.in_title, sentence_index=p.sentence_index, surface=p.mention.surface))
        for p, row in zip(planned, probs, strict=True))
    return stance_rows(scored, model_id=model_id, now=now)


def _model_row(scorer: Scorer, now: datetime) -> dict[str, Any]:
    return {"id": scorer.model_id, "name": scorer.name, "version": scorer.version,
            "weights_sha256": scorer.weights_sha256, "languages": list(scorer.languages),
            "evaluation": json.dumps(scorer.evaluation, ensure_ascii=False, default=str), "created_at": now}


def _score_chunk(rows: Sequence[dict[str, Any]], cache: TargetCache, gazetteer: Gazetteer,
                 summary: ScoringSummary) -> dict[str, list[dict[str, Any]]]:
    """The rows to write for one chunk of articles."""
    model_id = cache.scorer.model_id
    now = datetime.now(UTC).replace(tzinfo=None)
    out: dict[str, list[dict[str, Any]]] = {"mentions": [], "scores": [], "stance": [], "scoring": []}
    plans: list[tuple[str, list[PlannedMention]]] = []
    for row in rows:
        article_id = str(row["id"])
        reason = _skip_reason(row, cache.scorer.languages)
        planned: list[PlannedMention] = []
        if reason is None:
            title = row.get("title") or ""
            text = scored_text(title, row["text"][:MAX_TEXT_CHARS])
            try:
                planned = plan_text(text, language=row.get("language"), title_end=len(title),
                                    gazetteer=gazetteer)
            except Exception as exc:  # a malformed text must not stop the run: skip it with the reason
                reason = f"could not analyse the text: {type(exc).__name__}: {exc}"
        if reason is not None:
            summary.skipped += 1
            summary.skipped_reasons[reason] = summary.skipped_reasons.get(reason, 0) + 1
            out["scoring"].append({"article_id": article_id, "model_id": model_id, "status": "skipped",
                                   "reason": reason, "scored_at": now})
            continue
        plans.append((article_id, planned))
    every = [p for _, plan in plans for p in plan]
    probs = cache.probabilities(every) if every else []
    offset = 0
    for article_id, planned in plans:
        chunk_probs = probs[offset:offset + len(planned)]
        offset += len(planned)
        for p, probs_row in zip(planned, chunk_probs, strict=True):
            mention_id = _mention_id(article_id, p.mention)
            m = p.mention
            out["mentions"].append({
                "id": mention_id, "article_id": article_id, "country": m.country,
                "sentence_index": p.sentence_index, "sentence": p.sentence.text,
                "sentence_start": p.sentence.start, "start_char": m.start, "end_char": m.end,
                "surface": m.surface, "alias": m.alias})
            out["scores"].append({"mention_id": mention_id, "model_id": model_id, "p_negative": float(probs_row[0]),
                                  "p_neutral": float(probs_row[1]), "p_positive": float(probs_row[2]),
                                  "scored_at": now})
        out["stance"].extend(_stance_rows(article_id, model_id, planned, chunk_probs, now))
        out["scoring"].append({"article_id": article_id, "model_id": model_id, "status": "scored",
                               "reason": None if planned else "no country mentions", "scored_at": now})
        summary.scored += 1
        summary.mentions += len(planned)
    summary.stances += len(out["stance"])
    return out


def _write_chunk(db: str | Path, out: dict[str, list[dict[str, Any]]]) -> None:
    """One short writer transaction per chunk: a killed run loses at most this chunk, never duplicates."""
    with writer(db) as w:
        w.write_batch("scoring_upsert_mentions", out["mentions"])
        w.write_batch("scoring_upsert_mention_scores", out["scores"])
        w.write_batch("scoring_upsert_article_stance", out["stance"])
        w.write_batch("scoring_upsert_article_scoring", out["scoring"])


def register_model(db: str | Path, scorer: Scorer) -> int:
    """Record the model (creating/migrating the warehouse) and bring its stored stances to the current
    aggregation rules; return how many were re-made. Runs once per scoring run, before any chunk is written."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with writer(db) as w:  # creates/migrates the warehouse and records the model even if nothing is pending
        w.write_batch("scoring_upsert_model", [_model_row(scorer, now)])
        record_quality(w, scorer, now)  # the model's dev figures per language (analysis.model_quality)
    # Stored stances made with other aggregation rules are re-made first, so this run's rows join a
    # model whose stances are all of one version.
    return ensure_current(db, scorer.model_id)


def score_rows(db: str | Path, rows: Sequence[dict[str, Any]], cache: TargetCache, gazetteer: Gazetteer,
               summary: ScoringSummary) -> None:
    """Score one chunk of article rows (id, title, text, language) and write it in one transaction."""
    out = _score_chunk(rows, cache, gazetteer, summary)
    _write_chunk(db, out)
    summary.articles += len(rows)


def score_warehouse(db: str | Path, *, scorer: Scorer, limit: int | None = None, progress: bool = True,
                    chunk: int = CHUNK_ARTICLES, gazetteer: Gazetteer | None = None) -> ScoringSummary:
    """Score every article the scorer's model has not scored yet (at most limit); idempotent."""
    started = time.monotonic()
    gazetteer = gazetteer or default_gazetteer()
    summary = ScoringSummary(model_id=scorer.model_id)
    cache = TargetCache(scorer)
    summary.reaggregated = register_model(db, scorer)
    with reader(db) as r:
        row = r.fetch_one("scoring_count_pending", {"model_id": scorer.model_id})
    pending = int(row[0]) if row else 0
    total = min(pending, limit) if limit is not None else pending
    bar = _progress(progress)
    task = bar.add_task(f"scoring with {scorer.model_id}", total=total) if bar else None
    after = ""
    try:
        if bar:
            bar.start()
        while summary.articles < total:
            size = min(chunk, total - summary.articles)
            with reader(db) as r:
                rows = r.records("scoring_pending_articles",
                                 {"model_id": scorer.model_id, "after": after, "chunk": size})
            if not rows:
                break
            after = str(rows[-1]["id"])
            score_rows(db, rows, cache, gazetteer, summary)
            if bar is not None and task is not None:
                bar.update(task, advance=len(rows))
    finally:
        if bar:
            bar.stop()
    finish_run(db, scorer.model_id)
    summary.targets_scored = cache.scored
    summary.seconds = time.monotonic() - started
    return summary


def finish_run(db: str | Path, model_id: str) -> None:
    """The step after a run's chunks are written: analysts' corrections follow the model's new scores and rules
    (insights.corrections)."""
    refresh_corrections(db, model_id)


def _progress(enabled: bool) -> Any:
    if not enabled:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    transient=False)

