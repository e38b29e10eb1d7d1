"""Analyst corrections: store them, re-make the corrected article stances, read them back as a gold set.

An analyst sets a mention's label (negative, neutral, positive) or marks it "not_this_country" (a false
match). A correction is a new row of the corrections table (migration 0008): the model's rows are never
changed, every correction is kept, and the latest per mention is the one in force.

Stance "with corrections": for each (article, country) with a corrected mention and for each model that
scored it, the stance is aggregated again with THE aggregation rule (insights.reaggregate.stance_rows)
from the model's stored probabilities, a relabelled mention's probabilities replaced by the analyst's
label as a one-hot vector and a false match left out; when no mention of the country remains, the row
says the country is dropped. These rows (article_stance_corrected) are re-made in the same writer
transaction that saves a correction, and after every scoring run for the scored model (`refresh`), so
they always follow the model's current scores and aggregation version.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from insights import stance
from insights.reaggregate import stance_rows
from insights.stance import ScoredMention
from warehouse import Reader, Writer, reader, writer
from warehouse.errors import WarehouseError

LABELS = ("negative", "neutral", "positive")
FALSE_MATCH = "not_this_country"
CHOICES = (*LABELS, FALSE_MATCH)
FORMATS = ("newsmtsc", "rusentne")
# NewsMTSC's polarity and RuSentNE's label for each analyst label (analysis.datasets reads them).
POLARITY = {"negative": -1, "neutral": 0, "positive": 1}
# The one-hot probabilities (negative, neutral, positive) an analyst's label stands for.
ONE_HOT = {"negative": (1.0, 0.0, 0.0), "neutral": (0.0, 1.0, 0.0), "positive": (0.0, 0.0, 1.0)}


class CorrectionError(WarehouseError):
    """A correction named an unknown mention or label, or an export could not be written."""


@dataclass(frozen=True)
class Correction:
    """One stored correction."""

    id: str
    mention_id: str
    article_id: str
    country: str
    analyst: str
    corrected_at: datetime
    model_id: str | None
    model_label: str | None
    label: str
    note: str | None


def model_label(p_negative: float, p_neutral: float, p_positive: float) -> str:
    """The model's label for a mention: its most probable class (ties: negative, then neutral)."""
    probs = (p_negative, p_neutral, p_positive)
    return LABELS[max(range(3), key=lambda i: (probs[i], -i))]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def save(db: str | Path, mention_id: str, label: str, *, analyst: str, model_id: str | None = None,
         note: str | None = None, timeout: float = 120.0, now: datetime | None = None) -> Correction:
    """Store a correction of one mention and re-make its article's corrected stances, in one short writer
    transaction; raise CorrectionError for an unknown mention or label (nothing is stored then)."""
    if label not in CHOICES:
        raise CorrectionError(f"correction label {label!r}: expected one of {', '.join(CHOICES)}")
    if not analyst.strip():
        raise CorrectionError("a correction needs the analyst's name (dashboard login, --by or $USER)")
    with writer(db, timeout=timeout) as w:
        found = w.records("corrections_mention", {"mention_id": mention_id, "model_id": model_id})
        if not found:
            raise CorrectionError(f"{db}: no mention with id {mention_id!r} (see the Articles page's evidence "
                                  "or `stancewatch export --level mentions`)")
        m = found[0]
        scored = m["p_negative"] is not None
        correction = Correction(
            id=uuid.uuid4().hex, mention_id=mention_id, article_id=str(m["article_id"]), country=str(m["country"]),
            analyst=analyst.strip(), corrected_at=now or _now(), model_id=model_id if scored else None,
            model_label=model_label(m["p_negative"], m["p_neutral"], m["p_positive"]) if scored else None,
            label=label, note=note.strip() if note and note.strip() else None)
        w.execute("corrections_insert", {
            "id": correction.id, "mention_id": mention_id, "article_id": correction.article_id,
            "country": correction.country, "start_char": int(m["start_char"]), "end_char": int(m["end_char"]),
            "analyst": correction.analyst, "corrected_at": correction.corrected_at, "model_id": correction.model_id,
            "model_label": correction.model_label, "label": label, "note": correction.note})
        _remake(w, [correction.article_id], None)
    return correction


def _scored(row: Mapping[str, Any]) -> ScoredMention:
    label = row["corrected_label"]
    p = ONE_HOT[label] if label in ONE_HOT else (row["p_negative"], row["p_neutral"], row["p_positive"])
    return ScoredMention(sentence=str(row["sentence"]), p_negative=float(p[0]), p_neutral=float(p[1]),
                         p_positive=float(p[2]), in_title=bool(row["in_title"]),
                         sentence_index=int(row["sentence_index"]), surface=str(row["surface"]))


def corrected_rows(mentions: Sequence[Mapping[str, Any]], *, now: datetime) -> list[dict[str, Any]]:
    """article_stance_corrected rows from scored mentions (query corrections_article_probabilities): one per
    model, article and country with a correction in force; the stance by the aggregation rule."""
    groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for row in mentions:
        groups.setdefault((str(row["model_id"]), str(row["article_id"]), str(row["country"])), []).append(row)
    out: list[dict[str, Any]] = []
    for (model_id, article_id, country), rows in sorted(groups.items()):
        if all(r["corrected_label"] is None for r in rows):
            continue  # nothing corrected here: the model's own row stands
        kept = [(article_id, country, _scored(r)) for r in rows if r["corrected_label"] != FALSE_MATCH]
        if kept:
            made = stance_rows(kept, model_id=model_id, now=now)
            out.extend({**row, "dropped": False} for row in made)
        else:
            out.append({"article_id": article_id, "country": country, "model_id": model_id,
                        "aggregation": stance.AGGREGATION_VERSION, "dropped": True, "stance": None, "label": None,
                        "confidence": None, "mention_count": 0, "evidence": None, "scored_at": now})
    return out


def _remake(w: Writer, article_ids: list[str], model_id: str | None) -> int:
    """Re-make the corrected stances of the articles (one model, or every model when None)."""
    found = w.records("corrections_article_probabilities", {"article_ids": article_ids, "model_id": model_id})
    rows = corrected_rows(found, now=_now())
    w.execute("corrections_delete_corrected", {"article_ids": article_ids, "model_id": model_id})
    return w.write_batch("corrections_upsert_corrected", rows)


def refresh(db: str | Path, model_id: str, *, chunk: int = 2_000) -> int:
    """Re-make the corrected stances of every corrected article for a model (after it scored or
    re-aggregated), a chunk of articles per writer transaction; return the rows written."""
    with reader(db) as r:
        ids = [str(row[0]) for row in r.fetch("corrections_corrected_articles")]
    written = 0
    for start in range(0, len(ids), chunk):
        with writer(db) as w:
            written += _remake(w, ids[start:start + chunk], model_id)
    return written


def list_corrections(db: str | Path, *, history: bool = False) -> list[dict[str, Any]]:
    """The corrections in force (every correction made with history), newest first."""
    with reader(db) as r:
        return r.records("corrections_list", {"history": history})


def of_article(r: Reader, article_id: str) -> list[dict[str, Any]]:
    """The corrections in force on an article's mentions (with how often each was corrected)."""
    return r.records("corrections_of_article", {"article_id": article_id})


@dataclass(frozen=True)
class Exported:
    """What an export of the corrections wrote."""

    path: Path
    format: str
    rows: int
    false_matches: int  # corrections with no label to train on (not this country), left out


def _one_line(text: str) -> str:
    """Tabs and line breaks become spaces (same length: the offsets still hold), as TSV and JSONL lines need."""
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def export(db: str | Path, fmt: str, out: Path) -> Exported:
    """Write the labelled corrections as a file `stancewatch eval` / `train` read: NewsMTSC JSONL or
    RuSentNE TSV (analysis.datasets); false matches have no class and are left out (counted)."""
    if fmt not in FORMATS:
        raise CorrectionError(f"export format {fmt!r}: expected one of {', '.join(FORMATS)}")
    with reader(db) as r:
        rows = r.records("corrections_labelled_mentions")
        found = r.fetch_one("corrections_false_matches")
    false_matches = int(found[0]) if found else 0
    if fmt == "newsmtsc":
        text = "".join(json.dumps({
            "sentence": _one_line(str(x["sentence"])), "from": int(x["start_in_sentence"]),
            "to": int(x["end_in_sentence"]), "polarity": POLARITY[str(x["label"])],
            "language": x["language"], "article_id": x["article_id"], "country": x["country"],
            "correction_id": x["correction_id"]}, ensure_ascii=False) + "\n" for x in rows)
    else:
        buf = io.StringIO()
        tsv = csv.writer(buf, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar=None, lineterminator="\n")
        tsv.writerow(["sentence", "entity", "entity_tag", "entity_pos_start_rel", "entity_pos_end_rel", "label",
                      "language"])
        for x in rows:
            tsv.writerow([_one_line(str(x["sentence"])), _one_line(str(x["surface"])), "COUNTRY",
                          int(x["start_in_sentence"]), int(x["end_in_sentence"]), POLARITY[str(x["label"])],
                          x["language"]])
        text = buf.getvalue()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CorrectionError(f"{out}: cannot write the corrections export: {exc}") from exc
    return Exported(out, fmt, len(rows), false_matches)


def agreement(db: str | Path, model_id: str) -> list[dict[str, Any]]:
    """Per article language: corrections with a label (n), how many the model's label agrees with, the
    share, and the false matches; for the mentions the model scored."""
    with reader(db) as r:
        rows = r.records("corrections_agreement_rows", {"model_id": model_id})
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        cell = table.setdefault(str(row["language"]), {"language": str(row["language"]), "n": 0, "agree": 0,
                                                       "false_matches": 0})
        if row["label"] == FALSE_MATCH:
            cell["false_matches"] += 1
            continue
        cell["n"] += 1
        cell["agree"] += model_label(row["p_negative"], row["p_neutral"], row["p_positive"]) == row["label"]
    for cell in table.values():
        cell["agreement"] = cell["agree"] / cell["n"] if cell["n"] else None
    return [table[k] for k in sorted(table)]
