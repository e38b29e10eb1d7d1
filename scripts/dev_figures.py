"""Dev figures of one stance model, as it ships: per language and per entity kind, with calibration error.

Every dev set of analysis.dev_eval.dev_sets (NewsMTSC rw/mt dev, RuSentNE dev, the translated languages' dev
rows, ru_parallel) gets n, macro-F1, F1 over positive+negative and the expected calibration error (10 bins,
on the calibrated probabilities the product stores), with a 95% bootstrap interval on F1_PN (rows of one
sentence resampled together). Entity kinds: RuSentNE's tags (COUNTRY, NATIONALITY, PERSON, ...) over the
Russian and translated rows; NewsMTSC's targets are people and count as PERSON. Prints a markdown table for
the model card; --json writes the figures.

    .venv/bin/python scripts/dev_figures.py stancewatch-e5-small-v2 [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from analysis.datasets import Example, sentence_key
from analysis.dev_eval import dev_sets
from analysis.evaluation import bootstrap_interval, ece, metrics
from analysis.model import Target, load_scorer

# The sets each entity kind is pooled over: RuSentNE rows in Russian and in translation; NewsMTSC as PERSON.
KIND_SETS = ("ru", "kk", "uk", "ky", "uz", "tr")
NEWSMTSC_SETS = ("en_rw", "en_mt")


def figures(examples: list[Example], probs: np.ndarray) -> dict[str, Any]:
    """n, macro-F1, F1_PN with its 95% interval, and ECE of scored examples."""
    gold = np.array([x.label for x in examples])
    pred = probs.argmax(axis=1)
    m = metrics(gold, pred)
    groups = np.array([f"{x.language}:{sentence_key(x.sentence)}" for x in examples])
    lo, hi = bootstrap_interval(gold, pred, "f1_pn", groups)
    return {"n": len(examples), "macro_f1": m["macro_f1"], "f1_pn": m["f1_pn"], "f1_pn_lo": lo, "f1_pn_hi": hi,
            "ece": ece(probs, gold)}


def main(argv: list[str] | None = None) -> int:
    """Score every dev set with the model and print the per-language and per-kind tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--cache-dir", type=Path, default=Path("~/.cache/stancewatch").expanduser())
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    scorer = load_scorer(args.model, args.cache_dir)
    sets = dev_sets()
    probs = {k: scorer.score([Target(x.sentence, x.start, x.end, x.others, x.language) for x in v])
             for k, v in sets.items()}
    by_set = {k: figures(v, probs[k]) for k, v in sets.items()}

    kinds: dict[str, tuple[list[Example], list[np.ndarray]]] = {}
    for name in (*KIND_SETS, *NEWSMTSC_SETS):
        for example, p in zip(sets.get(name, []), probs.get(name, np.zeros((0, 3))), strict=True):
            kind = "PERSON" if name in NEWSMTSC_SETS else example.tag or "?"
            rows, ps = kinds.setdefault(kind, ([], []))
            rows.append(example)
            ps.append(p)
    by_kind = {kind: figures(rows, np.stack(ps)) for kind, (rows, ps) in sorted(kinds.items())}

    print(f"model {scorer.model_id}\n")
    print("| dev set | n | macro-F1 | F1_PN [95% CI] | ECE |\n|---|---|---|---|---|")
    for name, f in by_set.items():
        print(f"| {name} | {f['n']} | {f['macro_f1']:.3f} | {f['f1_pn']:.3f} [{f['f1_pn_lo']:.3f}, "
              f"{f['f1_pn_hi']:.3f}] | {f['ece']:.3f} |")
    print(f"\n| entity kind (pooled over {', '.join(KIND_SETS)}; NewsMTSC as PERSON) | n | macro-F1 | "
          "F1_PN [95% CI] | ECE |\n|---|---|---|---|---|")
    for kind, f in by_kind.items():
        print(f"| {kind} | {f['n']} | {f['macro_f1']:.3f} | {f['f1_pn']:.3f} [{f['f1_pn_lo']:.3f}, "
              f"{f['f1_pn_hi']:.3f}] | {f['ece']:.3f} |")
    if args.json:
        args.json.write_text(json.dumps({"model_id": scorer.model_id, "sets": by_set, "kinds": by_kind}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
