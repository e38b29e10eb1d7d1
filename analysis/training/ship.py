"""Train a route, package a candidate, and replace the shipped folder only when its dev figures are better."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from analysis.model import MODELS_DIR
from analysis.training.fit import fit
from analysis.training.loop import TrainConfig
from analysis.training.package import package
from analysis.training.recipes import DEFAULTS, recipe


def shipped_score(folder: Path) -> float | None:
    """The selection score recorded in a shipped card, or None when nothing is shipped there."""
    card = folder / "card.json"
    if not card.is_file():
        return None
    return float(json.loads(card.read_text(encoding="utf-8")).get("selection_score", -1.0))


def train_and_ship(route: str, *, data: Path, work: Path, cache_dir: Path, budget_min: float,
                   epochs: float | None = None, lr: float | None = None, en_share: int | None = None,
                   freeze_layers: int | None = None, neutral_offset: bool | None = None, version: str = "1",
                   fit: bool = True, force: bool = False,
                   models_dir: Path = MODELS_DIR) -> str:
    """Fit (unless fit=False), package into work/candidate, compare with the shipped card; return a summary.

    Options left None take the route's DEFAULTS (what the shipped model was trained with).
    """
    d = DEFAULTS[route]
    en_share = int(d["en_share"]) if en_share is None else en_share
    r = recipe(route, data, en_share=en_share)
    if fit:
        cfg = TrainConfig(base=r.base, lr=float(d["lr"]) if lr is None else lr,
                          epochs=float(d["epochs"]) if epochs is None else epochs, time_budget_s=budget_min * 60,
                          eval_every=int(d["eval_every"]),
                          freeze_layers=int(d["freeze_layers"]) if freeze_layers is None else freeze_layers,
                          class_weight_power=float(d["class_weight_power"]))
        _fit(route, data, work, cache_dir, cfg, en_share)
    cand_root = work / "candidate"
    card = package(route, data, work, cache_dir, cand_root, version, en_share=en_share,
                   fit_neutral_bias=bool(d.get("fit_neutral_bias", False)) if neutral_offset is None
                   else neutral_offset)
    new, old = float(card["selection_score"]), shipped_score(models_dir / r.folder)
    verdict = f"{r.folder}: candidate dev score {new:.4f} ({card['selection']}); shipped {old}"
    if old is not None and new <= old and not force:
        return verdict + " -> kept the shipped model (use --force to replace it)"
    dest = models_dir / r.folder
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(cand_root / r.folder, dest)
    return verdict + f" -> shipped to {dest}"


def _fit(route: str, data: Path, work: Path, cache_dir: Path, cfg: TrainConfig, en_share: int) -> None:
    fit(route, data, work, cache_dir, cfg, en_share=en_share)
