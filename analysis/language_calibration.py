"""Per-language temperatures and the per-language dev figures a model card carries (`dev_by_language`).

A model is surer in some languages than its accuracy there warrants, so each language with dev rows of its
own gets its own temperature, fitted (minimum NLL) on those rows after the card's logit offsets; languages
without dev rows keep the card's pooled `temperature`. A temperature never changes a label (argmax), only
the probabilities, so F1 is the same before and after and only the calibration error moves.

The calibration error after fitting is measured on the rows the temperature was fitted on, which flatters
it; `ece_cross_fitted` is the honest figure: the rows are split by sentence into CALIBRATION_FOLDS folds, each
fold's probabilities use the temperature fitted on the other folds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.evaluation import bootstrap_interval, ece, fit_temperature, metrics, softmax

# The dev sets (names of analysis.dev_eval.dev_sets) whose rows are each language's dev rows.
DEV_SETS_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "en": ("en_rw", "en_mt"), "ru": ("ru",), "kk": ("kk",), "uk": ("uk",), "ky": ("ky",), "uz": ("uz",),
    "tr": ("tr",),
}
LANGUAGE_OF_SET = {name: language for language, names in DEV_SETS_BY_LANGUAGE.items() for name in names}
# What each language's dev rows are, in words (the warehouse's model_quality.dev_set and the dashboard).
DEV_SET_DESCRIPTIONS = {
    "en": "NewsMTSC rw+mt dev", "ru": "RuSentNE dev split",
    **{lang: f"RuSentNE dev, translated by hand ({lang})" for lang in ("kk", "uk", "ky", "uz", "tr")},
}
# Fewer dev rows than this and a language keeps the pooled temperature (a fit on a handful is noise).
MIN_CALIBRATION_ROWS = 100
CALIBRATION_FOLDS = 2


@dataclass(frozen=True)
class LanguageRows:
    """One language's dev rows as scored: logits (offsets applied), gold labels, a group (sentence) per row."""

    logits: np.ndarray
    gold: np.ndarray
    groups: np.ndarray


def language_rows(logits: Mapping[str, np.ndarray], gold: Mapping[str, np.ndarray],
                  groups: Mapping[str, np.ndarray]) -> dict[str, LanguageRows]:
    """Pool the dev sets of each language (DEV_SETS_BY_LANGUAGE) that are present; a language none of whose
    sets is present is left out."""
    out: dict[str, LanguageRows] = {}
    for language, names in DEV_SETS_BY_LANGUAGE.items():
        present = [n for n in names if n in logits]
        if not present:
            continue
        out[language] = LanguageRows(
            np.concatenate([logits[n] for n in present]), np.concatenate([gold[n] for n in present]),
            np.concatenate([np.asarray([f"{n}:{g}" for g in groups[n]]) for n in present]))
    return out


def language_temperatures(rows: Mapping[str, LanguageRows]) -> dict[str, float]:
    """The temperature of each language with at least MIN_CALIBRATION_ROWS dev rows."""
    return {lang: fit_temperature(r.logits, r.gold) for lang, r in rows.items()
            if len(r.gold) >= MIN_CALIBRATION_ROWS}


def fold_of(groups: np.ndarray, folds: int = CALIBRATION_FOLDS) -> np.ndarray:
    """A fold per row, rows of one group (sentence) together: groups sorted, dealt round-robin."""
    unique, inverse = np.unique(groups, return_inverse=True)
    return np.asarray(np.arange(len(unique)) % folds)[inverse]


def cross_fitted_probabilities(r: LanguageRows, folds: int = CALIBRATION_FOLDS) -> np.ndarray:
    """Probabilities of every row with a temperature fitted on the other folds only."""
    fold = fold_of(r.groups, folds)
    out = np.zeros_like(r.logits, dtype=np.float64)
    for k in range(folds):
        held = fold == k
        temperature = fit_temperature(r.logits[~held], r.gold[~held])
        out[held] = softmax(r.logits[held], temperature)
    return out


def language_figures(r: LanguageRows, pooled_temperature: float, temperature: float | None) -> dict[str, Any]:
    """n, F1_PN with its 95% interval (groups resampled together), macro-F1, and the calibration error
    uncalibrated, with the pooled temperature, with the language's own (fitted on these rows) and cross-fitted.

    `ece` is what the product's probabilities show on these rows: the language's own temperature where it
    has one, the pooled one otherwise.
    """
    pred = r.logits.argmax(axis=1)
    m = metrics(r.gold, pred)
    lo, hi = bootstrap_interval(r.gold, pred, "f1_pn", r.groups)
    pooled = ece(softmax(r.logits, pooled_temperature), r.gold)
    out: dict[str, Any] = {
        "n": m["n"], "f1_pn": m["f1_pn"], "f1_pn_lo": lo, "f1_pn_hi": hi, "macro_f1": m["macro_f1"],
        "ece_uncalibrated": ece(softmax(r.logits), r.gold), "ece_pooled_temperature": pooled,
    }
    if temperature is None:
        out.update(temperature=pooled_temperature, ece=pooled, ece_cross_fitted=pooled)
    else:
        out.update(temperature=temperature, ece=ece(softmax(r.logits, temperature), r.gold),
                   ece_cross_fitted=ece(cross_fitted_probabilities(r), r.gold))
    return out


def calibrate_card(card: dict[str, Any], rows: Mapping[str, LanguageRows]) -> dict[str, Any]:
    """The card with `temperature_by_language` refitted on these dev rows and a `dev_by_language` block
    (figures per language, dev_set naming the rows); every other field is kept."""
    pooled = float(card.get("temperature", 1.0))
    temperatures = language_temperatures(rows)
    by_language = {lang: {"dev_set": DEV_SET_DESCRIPTIONS.get(lang, lang),
                          **language_figures(r, pooled, temperatures.get(lang))}
                   for lang, r in sorted(rows.items())}
    method = str(card.get("calibration", {}).get("method", "temperature scaling")).split("; per language")[0]
    return {**card, "temperature_by_language": dict(sorted(temperatures.items())), "dev_by_language": by_language,
            "calibration": {**card.get("calibration", {}), "method": method + (
                "; per language on its own dev rows (analysis.language_calibration, scripts/dev_figures.py "
                f"--calibrate): {', '.join(sorted(temperatures))}" if temperatures else "")}}


def ece_table(folder: str, by_language: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Markdown rows: one per language, ECE uncalibrated, pooled T, own T (fitted rows), own T cross-fitted."""
    return [f"| {folder} | {lang} | {f['n']} | {f['temperature']:.3f} | {f['ece_uncalibrated']:.3f} | "
            f"{f['ece_pooled_temperature']:.3f} | {f['ece']:.3f} | {f['ece_cross_fitted']:.3f} |"
            for lang, f in by_language.items()]


ECE_TABLE_HEAD: Sequence[str] = (
    "| route folder | language | n | T | ECE T=1 | ECE pooled T | ECE own T (fitted rows) | ECE own T (2-fold) |",
    "|---|---|---|---|---|---|---|---|")
