"""Metrics for 3-way stance (macro-F1, F1 over positive and negative, accuracy, confusion) and calibration."""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.datasets import LABELS


def confusion(gold: np.ndarray, pred: np.ndarray, k: int = 3) -> np.ndarray:
    """Confusion matrix, rows gold, columns predicted (order negative, neutral, positive)."""
    m = np.zeros((k, k), dtype=np.int64)
    np.add.at(m, (np.asarray(gold, dtype=np.int64), np.asarray(pred, dtype=np.int64)), 1)
    return np.asarray(m)


def f1_per_class(m: np.ndarray) -> np.ndarray:
    """F1 of each class from a confusion matrix (0 where a class is neither gold nor predicted)."""
    tp = np.diag(m).astype(float)
    prec_den = m.sum(axis=0).astype(float)
    rec_den = m.sum(axis=1).astype(float)
    den = prec_den + rec_den
    return np.asarray(np.divide(2 * tp, den, out=np.zeros_like(tp), where=den > 0))


def metrics(gold: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    """macro_f1, f1_pn (mean of the negative and positive F1), accuracy, n and the confusion matrix."""
    m = confusion(gold, pred)
    f1 = f1_per_class(m)
    n = int(m.sum())
    return {
        "macro_f1": float(f1.mean()),
        "f1_pn": float((f1[0] + f1[2]) / 2),
        "accuracy": float(np.trace(m) / n) if n else 0.0,
        "n": n,
        "f1": {lab: float(v) for lab, v in zip(LABELS, f1, strict=True)},
        "confusion": {"labels": list(LABELS), "matrix": m.tolist()},
    }


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of logits / temperature."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def nll(logits: np.ndarray, gold: np.ndarray, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of the gold labels."""
    p = softmax(logits, temperature)
    return float(-np.mean(np.log(np.clip(p[np.arange(len(gold)), gold], 1e-12, None))))


def ece(probs: np.ndarray, gold: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of the top-label confidence, equal-width bins."""
    conf = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == gold).astype(float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for i in range(bins):
        sel = (conf > edges[i]) & (conf <= edges[i + 1]) if i else (conf >= 0) & (conf <= edges[1])
        if sel.any():
            total += sel.mean() * abs(conf[sel].mean() - correct[sel].mean())
    return float(total)


def fit_temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    """The temperature minimising dev NLL (golden-section search on log T in [-3, 3])."""
    lo, hi = -3.0, 3.0
    phi = (np.sqrt(5) - 1) / 2
    a, b = hi - phi * (hi - lo), lo + phi * (hi - lo)
    fa, fb = nll(logits, gold, np.exp(a)), nll(logits, gold, np.exp(b))
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - phi * (hi - lo)
            fa = nll(logits, gold, np.exp(a))
        else:
            lo, a, fa = a, b, fb
            b = lo + phi * (hi - lo)
            fb = nll(logits, gold, np.exp(b))
    return float(np.exp((lo + hi) / 2))


def _resamples(groups: np.ndarray, rounds: int, seed: int) -> list[np.ndarray]:
    """Row indices of each bootstrap round: whole groups drawn with replacement."""
    rng = np.random.default_rng(seed)
    unique, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(unique))]
    return [np.concatenate([members[g] for g in rng.integers(0, len(unique), len(unique))]) for _ in range(rounds)]


def bootstrap_difference(gold: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray, metric: str = "f1_pn",
                         groups: np.ndarray | None = None, rounds: int = 2000, seed: int = 0
                         ) -> dict[str, float]:
    """Paired bootstrap of metric(b) - metric(a): the difference and its 95% interval.

    groups: a group id per row (the sentence): rows of one sentence are resampled together, since they are
    not independent evidence.
    """
    groups = np.arange(len(gold)) if groups is None else np.asarray(groups)
    diffs = [metrics(gold[p], pred_b[p])[metric] - metrics(gold[p], pred_a[p])[metric]
             for p in _resamples(groups, rounds, seed)]
    point = metrics(gold, pred_b)[metric] - metrics(gold, pred_a)[metric]
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return {"difference": float(point), "lo": float(lo), "hi": float(hi)}


def bootstrap_interval(gold: np.ndarray, pred: np.ndarray, metric: str = "f1_pn", groups: np.ndarray | None = None,
                       rounds: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% bootstrap interval of one model's metric (groups as in bootstrap_difference)."""
    groups = np.arange(len(gold)) if groups is None else np.asarray(groups)
    values = [metrics(gold[p], pred[p])[metric] for p in _resamples(groups, rounds, seed)]
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)
