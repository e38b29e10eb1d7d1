"""Readers for the labelled stance data sets (NewsMTSC JSONL, RuSentNE TSV) and the fixed RuSentNE dev split."""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import AnalysisError

LABELS = ("negative", "neutral", "positive")
DEV_SEED = 20231
DEV_SHARE = 0.15


@dataclass(frozen=True)
class Example:
    """One labelled target: label 0 negative, 1 neutral, 2 positive."""

    sentence: str
    start: int
    end: int
    label: int
    language: str
    others: tuple[tuple[int, int], ...] = ()
    tag: str = ""
    source: str = ""
    meta: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


def read_newsmtsc(path: Path, source: str = "newsmtsc") -> list[Example]:
    """NewsMTSC's one-target-per-line JSONL (sentence, from, to, polarity -1/0/1)."""
    out = []
    with Path(path).open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                pol = int(row["polarity"])
                out.append(Example(str(row["sentence"]), int(row["from"]), int(row["to"]), pol + 1, "en",
                                   source=source))
            except (KeyError, ValueError, TypeError) as exc:
                raise AnalysisError(
                    f"{path}:{lineno}: expected JSON with sentence, from, to, polarity (-1/0/1): {exc}"
                ) from exc
    return out


TRANSLATIONS_DIR = Path(__file__).resolve().parent / "training" / "translations"


def read_rusentne(path: Path, mark_other_countries: bool = True) -> list[Example]:
    """RuSentNE's TSV (sentence, entity, entity_tag, entity_pos_start_rel, entity_pos_end_rel, label).

    Our translations of it (analysis/training/translations/<language>.tsv) add three columns: language,
    source_row (the row of RuSentNE's train file translated) and split (train or dev, the source sentence's
    side of our RuSentNE dev split); they are read into Example.language and meta.
    """
    rows = []
    extra: list[dict[str, str]] = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        need = {"sentence", "entity_tag", "entity_pos_start_rel", "entity_pos_end_rel", "label"}
        if not reader.fieldnames or not need <= set(reader.fieldnames):
            raise AnalysisError(f"{path}: expected a tab-separated header with {sorted(need)}")
        for lineno, row in enumerate(reader, 2):
            try:
                rows.append((row["sentence"], int(row["entity_pos_start_rel"]), int(row["entity_pos_end_rel"]),
                             int(row["label"]), row["entity_tag"]))
                extra.append({k: row[k] for k in ("language", "source_row", "split") if row.get(k)})
            except (ValueError, TypeError) as exc:
                raise AnalysisError(f"{path}:{lineno}: bad offsets or label: {exc}") from exc
    countries: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for sent, s, e, _, tag in rows:
        if tag == "COUNTRY":
            countries[sent].add((s, e))
    out = []
    for (sent, s, e, label, tag), meta in zip(rows, extra, strict=True):
        others = tuple(sorted(countries[sent] - {(s, e)})) if mark_other_countries else ()
        language = meta.get("language", "ru")
        source = "rusentne" if language == "ru" else f"rusentne-{language}"
        out.append(Example(sent, s, e, label + 1, language, others=others, tag=tag, source=source, meta=meta))
    return out


def split_rows(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(train, dev): by the rows' own split column where they carry one (translations), else by sentence."""
    if examples and all("split" in x.meta for x in examples):
        return ([x for x in examples if x.meta["split"] == "train"], [x for x in examples if x.meta["split"] == "dev"])
    return split_by_sentence(examples)


def sentence_key(sentence: str) -> str:
    """A short stable id of a sentence (what the dev split lists, instead of the text)."""
    return hashlib.sha1(sentence.encode("utf-8")).hexdigest()[:12]


def split_by_sentence(
    examples: Iterable[Example], share: float = DEV_SHARE, seed: int = DEV_SEED
) -> tuple[list[Example], list[Example]]:
    """Split into (train, dev) with every row of one sentence on the same side; deterministic for a seed."""
    items = list(examples)
    keys = sorted({sentence_key(x.sentence) for x in items})
    rng = random.Random(seed)
    rng.shuffle(keys)
    dev_keys = set(keys[: round(len(keys) * share)])
    train = [x for x in items if sentence_key(x.sentence) not in dev_keys]
    dev = [x for x in items if sentence_key(x.sentence) in dev_keys]
    return train, dev

