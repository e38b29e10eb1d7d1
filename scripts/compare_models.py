"""Compare two stance models on the pooled dev sets with paired bootstrap intervals (the model card's decision).

Dev sets: NewsMTSC rw and mt dev; RuSentNE dev (our split): all rows, COUNTRY rows, and ru_parallel (the rows
the translations' dev rows translate); and every translated language's dev rows (analysis/training/
translations/). Each set, and the pool of them (ru_country and ru_parallel lie inside ru), gets each model's
macro-F1 and F1 over positive+negative and the difference B - A with a 95% interval (rows of one sentence
resampled together). Both models are scored as they ship (ONNX int8, calibrated).

    .venv/bin/python scripts/compare_models.py stancewatch-e5-small stancewatch-e5-small-v2 [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from analysis.datasets import sentence_key
from analysis.dev_eval import dev_sets
from analysis.evaluation import bootstrap_difference, metrics
from analysis.model import Target, load_scorer


def main(argv: list[str] | None = None) -> int:
    """Print the table; optionally write it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--cache-dir", type=Path, default=Path("~/.cache/stancewatch").expanduser())
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    sets = dev_sets()
    preds: dict[str, dict[str, np.ndarray]] = {}
    for name in (args.a, args.b):
        scorer = load_scorer(name, args.cache_dir)
        preds[name] = {k: scorer.score([Target(x.sentence, x.start, x.end, x.others, x.language) for x in v])
                       .argmax(1) for k, v in sets.items()}
    table = {}
    pooled_sets = [k for k in sets if k not in ("ru_country", "ru_parallel")]  # both are inside ru already
    rows = {**sets, "pooled": [x for k in pooled_sets for x in sets[k]]}
    for name in (args.a, args.b):
        preds[name]["pooled"] = np.concatenate([preds[name][k] for k in pooled_sets])
    print(f"{'set':12} {'n':>5}  {'A macro':>8} {'B macro':>8}  {'A F1pn':>7} {'B F1pn':>7}  "
          f"{'B-A F1pn [95% CI]':>26}  {'B-A macro [95% CI]':>26}")
    for k, examples in rows.items():
        gold = np.array([x.label for x in examples])
        groups = np.array([f"{x.language}:{sentence_key(x.sentence)}" for x in examples])
        a, b = preds[args.a][k], preds[args.b][k]
        ma, mb = metrics(gold, a), metrics(gold, b)
        d_pn = bootstrap_difference(gold, a, b, "f1_pn", groups)
        d_mac = bootstrap_difference(gold, a, b, "macro_f1", groups)
        table[k] = {"n": len(examples), "a": {"macro_f1": ma["macro_f1"], "f1_pn": ma["f1_pn"]},
                    "b": {"macro_f1": mb["macro_f1"], "f1_pn": mb["f1_pn"]}, "f1_pn_diff": d_pn,
                    "macro_f1_diff": d_mac}
        print(f"{k:12} {len(examples):5d}  {ma['macro_f1']:8.4f} {mb['macro_f1']:8.4f}  {ma['f1_pn']:7.4f} "
              f"{mb['f1_pn']:7.4f}  {d_pn['difference']:+.4f} [{d_pn['lo']:+.4f}, {d_pn['hi']:+.4f}]  "
              f"{d_mac['difference']:+.4f} [{d_mac['lo']:+.4f}, {d_mac['hi']:+.4f}]")
    if args.json:
        args.json.write_text(json.dumps({"a": args.a, "b": args.b, "sets": table}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
