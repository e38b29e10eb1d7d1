"""Evaluating a scorer on a labelled file (NewsMTSC JSONL or RuSentNE TSV), optionally on our dev split only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from analysis.datasets import Example, read_newsmtsc, read_rusentne, sentence_key, split_rows
from analysis.errors import AnalysisError
from analysis.evaluation import ece, metrics
from analysis.model import RoutedScorer, Scorer, Target

FORMATS = ("newsmtsc", "rusentne")
# The shared data folder beside the checkout (../shared/data), where the dev sets' source files lie.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def read_examples(fmt: str, path: Path, split: str = "all") -> list[Example]:
    """Rows of a file; split 'dev' keeps RuSentNE's dev split (by sentence, fixed seed; a translation's rows by
    their source sentence), 'all' keeps every row."""
    if not Path(path).is_file():
        raise AnalysisError(f"{path}: no such file")
    if fmt == "newsmtsc":
        rows = read_newsmtsc(path)
    elif fmt == "rusentne":
        rows = read_rusentne(path)
        if split == "dev":
            rows = split_rows(rows)[1]
        elif split == "train":
            rows = split_rows(rows)[0]
    else:
        raise AnalysisError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if split not in ("all", "dev", "train"):
        raise AnalysisError(f"unknown split {split!r}; expected all, dev or train")
    if not rows:
        raise AnalysisError(f"{path}: no labelled rows")
    return rows


def evaluate_examples(scorer: Scorer, rows: list[Example]) -> dict[str, Any]:
    """Figures of a scorer on examples: metrics, ECE, and by entity tag where rows carry one (RuSentNE)."""
    targets = [Target(x.sentence, x.start, x.end, x.others, x.language) for x in rows]
    probs = scorer.score(targets)
    gold = np.array([x.label for x in rows])
    pred = probs.argmax(axis=1)
    out = metrics(gold, pred)
    out["ece"] = ece(probs, gold)
    out["model_id"] = scorer.model_id
    tags = sorted({x.tag for x in rows if x.tag})
    if tags:
        out["by_tag"] = {}
        for tag in tags:
            sel = np.array([x.tag == tag for x in rows])
            m = metrics(gold[sel], pred[sel])
            out["by_tag"][tag] = {k: m[k] for k in ("macro_f1", "f1_pn", "accuracy", "n")}
    return out


def dev_sets(data: Path = SHARED_DATA) -> dict[str, list[Example]]:
    """Every dev set by name: NewsMTSC rw and mt dev, RuSentNE dev (all, COUNTRY), each translated language's
    dev rows, and ru_parallel (the Russian source rows of the translated dev rows: kk/uk against ru on the
    same sentences)."""
    from analysis.training.recipes import translations  # training code is only needed for its data layout

    rusentne = data / "rusentne-2023" / "train_data.csv"
    ru = read_examples("rusentne", rusentne, split="dev")
    sets = {"en_rw": read_examples("newsmtsc", data / "newsmtsc" / "hf_splits" / "rw" / "dev.jsonl"),
            "en_mt": read_examples("newsmtsc", data / "newsmtsc" / "hf_splits" / "mt" / "dev.jsonl"),
            "ru": ru, "ru_country": [x for x in ru if x.tag == "COUNTRY"]}
    translated = translations()
    for language, (_, dev) in translated.items():
        sets[language] = dev
    if "kk" in translated:
        source = read_examples("rusentne", rusentne)
        sets["ru_parallel"] = [source[int(x.meta["source_row"])] for x in translated["kk"][1]]
    return sets


def dev_ids(rows: list[Example]) -> list[str]:
    """Sorted sentence ids of rows (what the model card's rusentne_dev_ids.txt lists)."""
    return sorted({sentence_key(x.sentence) for x in rows})


def route_figures(scorer: RoutedScorer) -> dict[str, Any]:
    """The dev figures recorded in the cards of a scorer's routes."""
    return scorer.evaluation
