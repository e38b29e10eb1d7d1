"""The one-pass recipe: read a fine-tuned encoder's hidden states, pool target spans, fit a linear head.

No fine-tuning: the shipped int8 encoder of a marked-text folder (default e5-en-v2) is reused as it is, with two
more graph outputs (its last LayerNorm and its pooler; analysis.onepass.extend_outputs), and is not copied.
Unmarked train sentences run through it once each; each target's features (the parts in FEATURE_CHOICES) feed
a multinomial logistic regression fit on train rows only (NewsMTSC train, RuSentNE train split, the kk/uk
translation train rows). Features, L2 strength and class weighting are chosen on a held-out tenth of train
(split by sentence); temperatures (pooled and per language) are fitted on dev. Features are cached under --work.

    .venv/bin/python -m analysis.training.onepass --source e5-en-v2 --dest e5-onepass
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from analysis.datasets import Example, read_newsmtsc, sentence_key
from analysis.dev_eval import SHARED_DATA, dev_sets
from analysis.encoders.files import sha256_file
from analysis.evaluation import ece, fit_temperature, metrics, softmax
from analysis.model import MODELS_DIR, OnePassRoute, Target, open_route
from analysis.onepass import DESIGN, FEATURE_PARTS, LinearHead
from analysis.training.recipes import (
    TRAINED_TRANSLATIONS,
    newsmtsc_files,
    rel_path,
    rusentne_file,
    rusentne_splits,
    translations,
)

HIDDEN_NODE = "LayerNormalization"
POOLER_NODE = "Tanh"
# Feature sets tried (each a list of FEATURE_PARTS), L2 strengths and class-weight powers (0: natural mix). A
# first, wider grid (L2 1e-4..1e-2, powers 0 and 0.5) scored best at the weakest L2 and showed no gain from
# class weighting (analysis/models/README.md), so the grid was narrowed to fit on two shared cores.
FEATURE_CHOICES = (("pooled", "span_mean"), ("pooled", "cls", "span_mean", "sentence_mean"))
L2_CHOICES = (1e-5, 1e-4)
CLASS_WEIGHT_POWERS = (0.0,)
HOLDOUT_SHARE = 0.1
SEED = 11
LANGUAGE_DEV_SETS = {"en": ("en_rw", "en_mt"), "ru": ("ru",), "kk": ("kk",), "uk": ("uk",), "ky": ("ky",),
                     "uz": ("uz",), "tr": ("tr",)}
MIN_CALIBRATION_ROWS = 100


def output_names(path: Path) -> dict[str, str]:
    """The encoder graph's tensors a one-pass route reads: its last LayerNorm ("hidden") and pooler ("pooled")."""
    import onnx

    graph = onnx.load(str(path)).graph
    norms = [n.output[0] for n in graph.node if n.op_type == HIDDEN_NODE]
    tanhs = [n.output[0] for n in graph.node if n.op_type == POOLER_NODE]
    if not norms or not tanhs:
        raise ValueError(f"{path}: expected LayerNormalization and Tanh (pooler) nodes in the encoder graph")
    return {"hidden": norms[-1], "pooled": tanhs[-1]}


def train_rows(data: Path) -> list[Example]:
    """Every train row: NewsMTSC train, the RuSentNE train split, the kk and uk translation train rows."""
    rows = read_newsmtsc(newsmtsc_files(data)["train"]) + rusentne_splits(data)[0]
    for language, (train, _) in translations().items():
        if language in TRAINED_TRANSLATIONS:
            rows.extend(train)
    return rows


def cached_features(route: OnePassRoute, rows: list[Example], path: Path) -> np.ndarray:
    """Feature rows of examples through the route, cached in path (keyed by the rows and the encoder)."""
    key = sha256_text("\n".join(f"{x.sentence}\t{x.start}\t{x.end}" for x in rows)
                      + route.card["encoder_from"]["weights_sha256"] + ",".join(route.parts))
    if path.is_file():
        saved = np.load(path)
        if str(saved["key"]) == key:
            return np.asarray(saved["features"])
    t0 = time.monotonic()
    feats = route.features([Target(x.sentence, x.start, x.end, (), x.language) for x in rows])
    print(f"features of {len(rows)} rows in {time.monotonic() - t0:.0f} s -> {path}", flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, key=key, features=feats)
    return feats


def sha256_text(text: str) -> str:
    """Hex sha256 of a text."""
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def columns(parts: tuple[str, ...], hidden: int) -> np.ndarray:
    """Column indices of the chosen parts in a full feature row (all FEATURE_PARTS in order)."""
    return np.concatenate([np.arange(FEATURE_PARTS.index(p) * hidden, (FEATURE_PARTS.index(p) + 1) * hidden)
                           for p in parts])


def fit_head(x: np.ndarray, y: np.ndarray, l2: float, weight_power: float) -> LinearHead:
    """Multinomial logistic regression on standardised features (L-BFGS, L2 on the weights)."""
    from scipy.optimize import minimize

    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    z = ((x - mean) / scale).astype(np.float64)
    counts = np.bincount(y, minlength=3).astype(np.float64)
    w_class = (counts.sum() / (3 * np.maximum(counts, 1))) ** weight_power
    sample = w_class[y] / w_class[y].mean()
    n, f = z.shape
    onehot = np.eye(3)[y]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[: 3 * f].reshape(3, f), theta[3 * f :]
        logits = z @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        nll = -(sample * np.log(p[np.arange(n), y] + 1e-12)).sum() / n
        g = (p - onehot) * sample[:, None] / n
        grad_w = g.T @ z + 2 * l2 * w
        return float(nll + l2 * (w**2).sum()), np.concatenate([grad_w.ravel(), g.sum(axis=0)])

    res = minimize(loss, np.zeros(3 * f + 3), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    w, b = res.x[: 3 * f].reshape(3, f), res.x[3 * f :]
    return LinearHead(mean.astype(np.float32), scale.astype(np.float32), w.astype(np.float32),
                      b.astype(np.float32))


def holdout_score(rows: list[Example], gold: np.ndarray, pred: np.ndarray) -> float:
    """What the hyper-parameters are chosen by: mean of English macro-F1 and non-English F1_pn on held-out train."""
    en = np.array([x.language == "en" for x in rows])
    return float((metrics(gold[en], pred[en])["macro_f1"] + metrics(gold[~en], pred[~en])["f1_pn"]) / 2)


def choose(rows: list[Example], x: np.ndarray, hidden: int, log: Any = print) -> dict[str, Any]:
    """The feature set, L2 and class weighting with the best held-out score (a tenth of train, by sentence)."""
    rng = random.Random(SEED)
    keys = sorted({sentence_key(r.sentence) for r in rows})
    held = set(rng.sample(keys, int(len(keys) * HOLDOUT_SHARE)))
    mask = np.array([sentence_key(r.sentence) in held for r in rows])
    y = np.array([r.label for r in rows])
    held_rows = [r for r, m in zip(rows, mask, strict=True) if m]
    trials: list[dict[str, Any]] = []
    for parts in FEATURE_CHOICES:
        cols = columns(parts, hidden)
        for l2 in L2_CHOICES:
            for power in CLASS_WEIGHT_POWERS:
                head = fit_head(x[~mask][:, cols], y[~mask], l2, power)
                score = holdout_score(held_rows, y[mask], head.logits(x[mask][:, cols]).argmax(1))
                trials.append({"features": list(parts), "l2": l2, "class_weight_power": power, "score": score})
                log(f"held-out {parts} l2={l2} power={power}: {score:.4f}")
    best = max(trials, key=lambda t: float(t["score"]))
    return {"best": best, "trials": trials, "holdout_rows": int(mask.sum()), "holdout_share": HOLDOUT_SHARE,
            "seed": SEED}


def build(source: str, dest_name: str, data: Path, work: Path, cache_dir: Path, log: Any = print) -> dict[str, Any]:
    """Build analysis/models/<dest_name>/ from the shipped folder source; return its card."""
    src, dest = MODELS_DIR / source, MODELS_DIR / dest_name
    dest.mkdir(parents=True, exist_ok=True)
    src_card = json.loads((src / "card.json").read_text(encoding="utf-8"))
    encoder_sha = sha256_file(src / "model.onnx")
    card: dict[str, Any] = {
        "name": f"stancewatch-{dest_name}", "version": "1", "design": DESIGN, "route": "onepass",
        "languages": ["*"], "base": src_card["base"], "max_len": int(src_card.get("max_len", 128)),
        "encoder_from": {"folder": source, "weights_sha256": encoder_sha},
        "outputs": output_names(src / "model.onnx"),
        "features": list(FEATURE_PARTS), "temperature": 1.0, "labels": src_card.get("labels"),
    }
    (dest / "card.json").write_text(json.dumps(card))
    route = open_route(dest, cache_dir)
    assert isinstance(route, OnePassRoute)
    hidden = int(route.encoder.word_embeddings.shape[1])
    rows = train_rows(data)
    x = cached_features(route, rows, work / f"{dest_name}-train.npz")
    sets = dev_sets(data)
    dev_x = {k: cached_features(route, v, work / f"{dest_name}-dev-{k}.npz") for k, v in sets.items()}
    choice = choose(rows, x, hidden, log)
    best = choice["best"]
    cols = columns(tuple(best["features"]), hidden)
    y = np.array([r.label for r in rows])
    head = fit_head(x[:, cols], y, best["l2"], best["class_weight_power"])
    measured = measure_head(sets, {k: head.logits(v[:, cols]) for k, v in dev_x.items()}, log)
    files = [rusentne_file(data), newsmtsc_files(data)["train"]]
    files += [Path(__file__).resolve().parent / "translations" / f"{k}.tsv" for k in TRAINED_TRANSLATIONS]
    head_card = head.to_card()
    card.update({
        # The route's identity: the shared encoder and this head together.
        "weights_sha256": sha256_text(encoder_sha + json.dumps(head_card, sort_keys=True)),
        "features": best["features"], "head": head_card,
        "hyperparameters": {"head": "multinomial logistic regression, standardised features, L-BFGS",
                            "l2": best["l2"], "class_weight_power": best["class_weight_power"]},
        "selection": choice,
        "data": [{"file": rel_path(p), "sha256": sha256_file(p)} for p in files],
        "train_rows": len(rows),
        **measured,
    })
    (dest / "card.json").write_text(json.dumps(card, indent=1, ensure_ascii=False))
    if (src / "NOTICE").is_file():
        shutil.copy(src / "NOTICE", dest / "NOTICE")
    return card


def measure_head(sets: dict[str, list[Example]], logits: dict[str, np.ndarray], log: Any = print) -> dict[str, Any]:
    """A one-pass route's card figures from its logits on every dev set (analysis.dev_eval.dev_sets): temperatures
    fitted on dev (pooled, and per language with enough rows), and each set's metrics and ECE before and after."""
    gold = {k: np.array([r.label for r in v]) for k, v in sets.items()}
    pooled_sets = [k for k in sets if k not in ("ru_country", "ru_parallel")]
    temp = fit_temperature(np.concatenate([logits[k] for k in pooled_sets]),
                           np.concatenate([gold[k] for k in pooled_sets]))
    by_language = {}
    for lang, names in LANGUAGE_DEV_SETS.items():
        names = tuple(k for k in names if k in sets)
        if names and sum(len(sets[k]) for k in names) >= MIN_CALIBRATION_ROWS:
            by_language[lang] = fit_temperature(np.concatenate([logits[k] for k in names]),
                                                np.concatenate([gold[k] for k in names]))
    dev: dict[str, Any] = {}
    for k in sets:
        lang = next((lg for lg, names in LANGUAGE_DEV_SETS.items() if k in names), "ru")
        m = metrics(gold[k], logits[k].argmax(1))
        m["ece_before"] = ece(softmax(logits[k]), gold[k])
        m["ece_after"] = ece(softmax(logits[k], by_language.get(lang, temp)), gold[k])
        dev[k] = m
        log(f"dev {k}: macro_f1 {m['macro_f1']:.4f} f1_pn {m['f1_pn']:.4f} ECE {m['ece_before']:.4f} -> "
            f"{m['ece_after']:.4f}")
    return {"temperature": temp, "temperature_by_language": by_language,
            "calibration": {"method": "temperature scaling, NLL on the pooled dev sets; per language on its own "
                                      "dev rows: " + ", ".join(sorted(by_language))},
            "dev": dev}


def main(argv: list[str] | None = None) -> int:
    """Build a one-pass folder from the command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default="e5-en-v2", help="shipped marked-text folder whose encoder is reused")
    ap.add_argument("--dest", default="e5-onepass")
    ap.add_argument("--data", type=Path, default=SHARED_DATA)
    ap.add_argument("--work", type=Path, default=Path(".cache/h6"))
    ap.add_argument("--cache-dir", type=Path, default=Path("~/.cache/stancewatch").expanduser())
    a = ap.parse_args(argv)
    build(a.source, a.dest, a.data, a.work, a.cache_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
