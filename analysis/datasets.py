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


def read_rusentne(path: Path, mark_other_countries: bool = True) -> list[Example]:
    """RuSentNE's TSV (sentence, entity, entity_tag, entity_pos_start_rel, entity_pos_end_rel, label)."""
    rows = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        need = {"sentence", "entity_tag", "entity_pos_start_rel", "entity_pos_end_rel", "label"}
        if not reader.fieldnames or not need <= set(reader.fieldnames):
            raise AnalysisError(f"{path}: expected a tab-separated header with {sorted(need)}")
        for lineno, row in enumerate(reader, 2):
            try:
                rows.append((row["sentence"], int(row["entity_pos_start_rel"]), int(row["entity_pos_end_rel"]),
                             int(row["label"]), row["entity_tag"]))
            except (ValueError, TypeError) as exc:
                raise AnalysisError(f"{path}:{lineno}: bad offsets or label: {exc}") from exc
    countries: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for sent, s, e, _, tag in rows:
        if tag == "COUNTRY":
            countries[sent].add((s, e))
    out = []
    for sent, s, e, label, tag in rows:
        others = tuple(sorted(countries[sent] - {(s, e)})) if mark_other_countries else ()
        out.append(Example(sent, s, e, label + 1, "ru", others=others, tag=tag, source="rusentne"))
    return out


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
