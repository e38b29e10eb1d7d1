"""The model's dev figures per language as warehouse rows (table model_quality, migration 0010).

A routed model scores each language with one route folder, so a language's figures are those of the folder
that scores it (its card's `dev_by_language`, written by scripts/dev_figures.py --calibrate), never another
folder's. A language no route measured gets no row: the dashboard calls it unmeasured.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from analysis.model import ANY_LANGUAGE, Scorer
from warehouse import Writer

FIGURES = ("n", "f1_pn", "f1_pn_lo", "f1_pn_hi", "macro_f1", "ece")


def _scoring_folder(language: str, routes: dict[str, dict[str, Any]]) -> str | None:
    """The folder that scores a language, by the same rule as RoutedScorer.route_for."""
    for folder, entry in routes.items():
        if language in entry.get("languages", []):
            return folder
    for folder, entry in routes.items():
        if ANY_LANGUAGE in entry.get("languages", []):
            return folder
    return next(iter(routes)) if len(routes) == 1 else None


def quality_rows(scorer: Scorer, now: datetime) -> list[dict[str, Any]]:
    """One row per language the model has dev figures for (model_quality's columns)."""
    routes = {str(folder): entry for folder, entry in scorer.evaluation.items()
              if isinstance(entry, dict) and isinstance(entry.get("dev_by_language"), dict)}
    measured = sorted({lang for entry in routes.values() for lang in entry["dev_by_language"]})
    rows = []
    for language in measured:
        folder = _scoring_folder(language, routes)
        figures = routes[folder]["dev_by_language"].get(language) if folder is not None else None
        if folder is None or not isinstance(figures, dict) or any(k not in figures for k in FIGURES):
            continue
        rows.append({"model_id": scorer.model_id, "language": language, "route": folder,
                     "dev_set": str(figures.get("dev_set", language)), "n": int(figures["n"]),
                     **{k: float(figures[k]) for k in FIGURES if k != "n"},
                     "ece_cross_fitted": (float(figures["ece_cross_fitted"])
                                          if figures.get("ece_cross_fitted") is not None else None),
                     "recorded_at": now})
    return rows


def record_quality(w: Writer, scorer: Scorer, now: datetime) -> int:
    """Replace the model's model_quality rows with its cards' figures, in the writer's transaction."""
    w.execute("quality_delete_model", {"model_id": scorer.model_id})
    return w.write_batch("quality_insert", quality_rows(scorer, now))
