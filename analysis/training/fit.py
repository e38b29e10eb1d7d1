"""Stage one of training: fine-tune a route's classifier and keep its best dev state (python -m to run alone)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analysis.training.bases import build_classifier, load_base
from analysis.training.loop import TrainConfig, TrainLog, add_run_options, train
from analysis.training.recipes import recipe


def fit(route: str, data: Path, work: Path, cache_dir: Path, cfg: TrainConfig, en_share: int = 2000) -> TrainLog:
    """Train one route into work/<folder>/ (best.pt, train_log.json, recipe.json)."""
    r = recipe(route, data, en_share=en_share)
    out = work / r.folder
    out.mkdir(parents=True, exist_ok=True)
    encoder = load_base(r.base, cache_dir)
    model = build_classifier(r.base, encoder, dropout=cfg.dropout)
    (out / "recipe.json").write_text(json.dumps({
        "route": r.route, "base": r.base, "languages": r.languages, "train_rows": len(r.train),
        "dev_rows": {k: len(v) for k, v in r.dev.items()}, "selection": r.select_doc, "en_share": en_share,
    }, indent=1))
    with (out / "train.log").open("a", encoding="utf-8") as fh:

        def log(msg: str) -> None:
            print(msg, flush=True)
            fh.write(msg + "\n")
            fh.flush()

        log(f"route {route}: {len(r.train)} train rows, dev {({k: len(v) for k, v in r.dev.items()})}")
        return train(model, encoder, r.train, r.dev, r.select, cfg, out, log=log)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry for running a fit in the background."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("route", choices=["en", "multi", "multi2"])
    add_run_options(ap, work=".cache/train", lr=5e-5, budget_min=30.0, eval_every=200, class_weight_power=0.0)
    ap.add_argument("--en-share", type=int, default=2000)
    ap.add_argument("--freeze-layers", type=int, default=0)
    a = ap.parse_args(argv)
    base = "minilm" if a.route == "en" else "e5"
    cfg = TrainConfig(base=base, lr=a.lr, epochs=a.epochs, time_budget_s=a.budget_min * 60,
                      eval_every=a.eval_every, seed=a.seed,
                      freeze_layers=a.freeze_layers, class_weight_power=a.class_weight_power)
    tl = fit(a.route, a.data, a.work, a.cache_dir, cfg, en_share=a.en_share)
    print(json.dumps({"best_step": tl.best_step, "best_score": tl.best_score, "sec_per_step": tl.sec_per_step}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
