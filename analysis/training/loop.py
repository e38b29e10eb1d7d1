"""The fine-tuning loop: length-bucketed batches, AdamW with linear warmup/decay, dev selection, a time budget."""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import BertForSequenceClassification

from analysis.datasets import Example
from analysis.dev_eval import SHARED_DATA
from analysis.encoders.base import BaseEncoder
from analysis.encoders.marking import mark
from analysis.evaluation import metrics


@dataclass
class TrainConfig:
    """Hyper-parameters of one run (recorded in the model card)."""

    base: str
    lr: float = 5e-5
    epochs: float = 3.0
    batch_size: int = 16
    max_len: int = 128
    warmup: float = 0.1
    weight_decay: float = 0.01
    dropout: float = 0.1
    seed: int = 13
    eval_every: int = 200
    freeze_layers: int = 0
    # Loss weight per class = (n / (3 n_class)) ** class_weight_power: 0 is plain CE; 0.5 softens the
    # RuSentNE neutral majority (72%) so that the rarer polar labels, which F1 over pos+neg scores, are learned.
    class_weight_power: float = 0.0
    time_budget_s: float = 3600.0
    threads: int = 2


@dataclass
class TrainLog:
    """What happened: steps, timing, dev figures at each evaluation, the selected step."""

    steps_planned: int = 0
    steps_done: int = 0
    seconds: float = 0.0
    sec_per_step: float = 0.0
    best_step: int = 0
    best_score: float = -1.0
    evals: list[dict[str, Any]] = field(default_factory=list)


def encode_examples(encoder: BaseEncoder, examples: Sequence[Example], max_len: int) -> list[list[int]]:
    """Token ids of each example's marked sentence."""
    texts = [mark(x.sentence, x.start, x.end, x.others) for x in examples]
    return encoder.encode(texts, max_len=max_len)


def bucket_batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffle, sort within chunks of 50 batches by length (less padding), then shuffle the batches."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    chunk = batch_size * 50
    batches: list[list[int]] = []
    for c in range(0, len(idx), chunk):
        part = sorted(idx[c : c + chunk], key=lambda i: lengths[i])
        batches.extend(part[b : b + batch_size] for b in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def pad_batch(ids: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad id lists into (ids, attention mask) tensors."""
    width = max(len(x) for x in ids)
    arr = torch.full((len(ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for i, row in enumerate(ids):
        arr[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
    return arr, mask


def optimiser(model: torch.nn.Module, cfg: TrainConfig, plan: dict[str, int]) -> tuple[
        list[torch.nn.Parameter], torch.optim.AdamW, torch.optim.lr_scheduler.LambdaLR]:
    """AdamW (no decay on biases and norms) with linear warmup and decay to plan["total"] steps (read at each
    step, so a run may shorten its plan), over the parameters that require gradients."""
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim >= 2]
    no_decay = [p for p in params if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr)

    def lr_lambda(step: int) -> float:
        warm = max(1, int(plan["total"] * cfg.warmup))
        if step < warm:
            return (step + 1) / warm
        return max(0.0, (plan["total"] - step) / max(1, plan["total"] - warm))

    return params, opt, torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)


def update(loss: torch.Tensor, params: list[torch.nn.Parameter], opt: torch.optim.Optimizer,
           sched: torch.optim.lr_scheduler.LRScheduler) -> None:
    """One optimiser step on loss: backward, gradients clipped to norm 1, step, schedule advanced, cleared."""
    # torch leaves Tensor.backward unannotated
    loss.backward()  # type: ignore[no-untyped-call]
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)


def add_run_options(ap: argparse.ArgumentParser, work: str, lr: float, budget_min: float, eval_every: int,
                    class_weight_power: float) -> None:
    """The options every training command takes: data, work and cache folders, schedule, seed, loss weights."""
    ap.add_argument("--data", type=Path, default=SHARED_DATA)
    ap.add_argument("--work", type=Path, default=Path(work))
    ap.add_argument("--cache-dir", type=Path, default=Path("~/.cache/stancewatch").expanduser())
    ap.add_argument("--lr", type=float, default=lr)
    ap.add_argument("--epochs", type=float, default=3.0)
    ap.add_argument("--budget-min", type=float, default=budget_min)
    ap.add_argument("--eval-every", type=int, default=eval_every)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--class-weight-power", type=float, default=class_weight_power)


def class_loss(labels: Sequence[int], power: float, log: Callable[[str], None] = print) -> torch.nn.CrossEntropyLoss:
    """Cross-entropy with class weights (n / (3 n_class)) ** power of the train labels."""
    counts = np.bincount(np.array(labels), minlength=3).astype(float)
    weights = (counts.sum() / (3 * np.maximum(counts, 1))) ** power
    log(f"class counts {counts.astype(int).tolist()}, loss weights {np.round(weights, 3).tolist()}")
    return torch.nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))


@torch.no_grad()
def predict_logits(model: BertForSequenceClassification, ids: Sequence[Sequence[int]], pad_id: int,
                   batch_size: int = 64) -> np.ndarray:
    """Logits for every id list, in input order (batches sorted by length)."""
    model.eval()  # type: ignore[no-untyped-call]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = np.zeros((len(ids), 3), dtype=np.float32)
    for b in range(0, len(order), batch_size):
        sel = order[b : b + batch_size]
        arr, mask = pad_batch([ids[i] for i in sel], pad_id)
        logits = model(input_ids=arr, attention_mask=mask, token_type_ids=torch.zeros_like(arr)).logits
        out[sel] = logits.numpy()
    return out


def train(
    model: BertForSequenceClassification,
    encoder: BaseEncoder,
    train_set: Sequence[Example],
    dev_sets: Mapping[str, Sequence[Example]],
    select: Callable[[dict[str, dict[str, Any]]], float],
    cfg: TrainConfig,
    out_dir: Path,
    log: Callable[[str], None] = print,
) -> TrainLog:
    """Fine-tune, evaluating on dev every cfg.eval_every steps; the best state goes to out_dir/best.pt."""
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    if cfg.freeze_layers:
        # Freezing the embeddings and the lowest layers stops backpropagation below them: cheaper steps.
        for p in model.bert.embeddings.parameters():
            p.requires_grad_(False)
        for layer in model.bert.encoder.layer[: cfg.freeze_layers]:
            for p in layer.parameters():
                p.requires_grad_(False)
    rng = random.Random(cfg.seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    train_ids = encode_examples(encoder, train_set, cfg.max_len)
    labels = [x.label for x in train_set]
    dev_ids = {k: encode_examples(encoder, v, cfg.max_len) for k, v in dev_sets.items()}
    dev_gold = {k: np.array([x.label for x in v]) for k, v in dev_sets.items()}
    steps_per_epoch = (len(train_ids) + cfg.batch_size - 1) // cfg.batch_size
    tl = TrainLog(steps_planned=int(steps_per_epoch * cfg.epochs))
    plan = {"total": tl.steps_planned}
    params, opt, sched = optimiser(model, cfg, plan)
    lossf = class_loss(labels, cfg.class_weight_power, log)
    t0 = time.monotonic()
    eval_s = 0.0
    eval_cost = 30.0  # seconds per dev evaluation until one has been measured
    t10 = 0.0
    step = 0

    def evaluate() -> None:
        nonlocal eval_s, eval_cost
        te = time.monotonic()
        figs = {}
        for k in dev_sets:
            pred = predict_logits(model, dev_ids[k], encoder.pad_id).argmax(axis=1)
            m = metrics(dev_gold[k], pred)
            figs[k] = {x: m[x] for x in ("macro_f1", "f1_pn", "accuracy", "n")}
        score = select(figs)
        eval_cost = time.monotonic() - te
        eval_s += eval_cost
        entry = {"step": step, "score": round(score, 4), "elapsed_s": round(time.monotonic() - t0, 1), **figs}
        tl.evals.append(entry)
        log(json.dumps(entry))
        if score > tl.best_score:
            tl.best_score, tl.best_step = score, step
            state = {k: v for k, v in model.state_dict().items() if "word_embeddings" not in k}
            torch.save(state, out_dir / "best.pt")
        model.train()

    model.train()
    done = False
    epoch = 0
    while not done:
        for batch in bucket_batches([len(x) for x in train_ids], cfg.batch_size, rng):
            arr, mask = pad_batch([train_ids[i] for i in batch], encoder.pad_id)
            y = torch.tensor([labels[i] for i in batch])
            logits = model(input_ids=arr, attention_mask=mask, token_type_ids=torch.zeros_like(arr)).logits
            loss = lossf(logits, y)
            update(loss, params, opt, sched)
            step += 1
            train_s = time.monotonic() - t0 - eval_s
            if step == 10:
                t10 = train_s
            if step == 50 or (step > 50 and step % cfg.eval_every == 0):
                # Fit the plan to the time budget once the real speed of this shared machine is known (the
                # first steps are slow while threads warm up); later checks cut or stretch it as the load moves,
                # never beyond the planned epochs.
                per = (train_s - t10) / (step - 10)
                evals_left = max(0, plan["total"] - step) // cfg.eval_every + 1
                left = cfg.time_budget_s - (time.monotonic() - t0) - evals_left * eval_cost
                affordable = min(tl.steps_planned, step + int(left / per))
                if affordable != plan["total"]:
                    plan["total"] = max(step + 1, affordable)
                    log(f"time budget: {per:.2f} s/step; plan now {plan['total']} steps")
            if step % 10 == 0:
                log(f"step {step}/{plan['total']} loss {loss.item():.4f} lr {sched.get_last_lr()[0]:.2e} "
                    f"{train_s / step:.2f} s/step")
            if step % cfg.eval_every == 0:
                evaluate()
            if step >= plan["total"] or time.monotonic() - t0 > cfg.time_budget_s:
                done = True
                break
        epoch += 1
    if not tl.evals or tl.evals[-1]["step"] != step:
        evaluate()
    tl.steps_done = step
    tl.seconds = round(time.monotonic() - t0, 1)
    tl.sec_per_step = round((tl.seconds - eval_s) / max(1, step), 3)
    (out_dir / "train_log.json").write_text(json.dumps({"config": asdict(cfg), "log": asdict(tl)}, indent=1))
    return tl
