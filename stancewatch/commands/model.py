"""Commands: train, eval."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from stancewatch.context import state
from stancewatch.errors import StancewatchError
from stancewatch.options import LabelledFormat

DEFAULT_DATA = Path("../shared/data")


class Split(StrEnum):
    """Which rows of the file to evaluate."""

    all = "all"
    dev = "dev"


class Route(StrEnum):
    """Which model route(s) `train` fits."""

    en = "en"
    multi = "multi"
    multi2 = "multi2"
    all = "all"


def eval_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Labelled file: NewsMTSC JSONL or RuSentNE TSV.")],
    fmt: Annotated[LabelledFormat, typer.Option("--format", help="The file's format.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as one JSON object.")] = False,
    split: Annotated[Split, typer.Option(help="'dev': only RuSentNE's dev split (by sentence, fixed seed).")] = (
        Split.all),
    model: Annotated[str | None, typer.Option(help="Model name or folder; default: settings model.name.")] = None,
) -> None:
    """Score a labelled file and print macro-F1, F1 over positive+negative, accuracy and the confusion matrix."""
    from analysis.dev_eval import evaluate_examples, read_examples
    from analysis.model import load_scorer

    s = state(ctx).settings
    rows = read_examples(fmt.value, file, split.value)
    scorer = load_scorer(model or s.model.name, s.cache_path, s.model.batch_size)
    figs = evaluate_examples(scorer, rows)
    figs["file"] = str(file)
    figs["split"] = split.value
    if as_json:
        typer.echo(json.dumps(figs))
        return
    typer.echo(f"{scorer.model_id} on {file} ({fmt.value}, {split.value}): n={figs['n']}")
    typer.echo(f"macro-F1 {figs['macro_f1']:.4f}  F1(pos+neg) {figs['f1_pn']:.4f}  "
               f"accuracy {figs['accuracy']:.4f}  ECE {figs['ece']:.4f}")
    typer.echo("confusion (rows gold, columns predicted: negative neutral positive)")
    for lab, row in zip(figs["confusion"]["labels"], figs["confusion"]["matrix"], strict=True):
        typer.echo(f"  {lab:<9} " + " ".join(f"{v:>6}" for v in row))
    for tag, m in figs.get("by_tag", {}).items():
        typer.echo(f"  {tag:<13} n={m['n']:<5} macro-F1 {m['macro_f1']:.4f}  F1(pos+neg) {m['f1_pn']:.4f}  "
                   f"accuracy {m['accuracy']:.4f}")


def train_cmd(
    ctx: typer.Context,
    route: Annotated[Route, typer.Option(help="en: MiniLM on NewsMTSC; multi: e5 on RuSentNE + NewsMTSC; "
                                                   "multi2: e5 on RuSentNE, all NewsMTSC and the translations.")] = (
        Route.all),
    data: Annotated[Path, typer.Option(help="Folder holding newsmtsc/ and rusentne-2023/.")] = DEFAULT_DATA,
    work: Annotated[Path, typer.Option(help="Scratch folder for checkpoints and the candidate.")] = Path(
        ".cache/train"),
    budget_min: Annotated[float, typer.Option(help="Wall-clock budget per route, minutes.")] = 60.0,
    epochs: Annotated[float | None, typer.Option(help="Epochs planned (cut to fit the budget); default per route.")] = (
        None),
    lr: Annotated[float | None, typer.Option(help="Peak learning rate (AdamW, linear warmup and decay).")] = None,
    en_share: Annotated[int | None, typer.Option(help="NewsMTSC rows mixed into the multilingual route.")] = None,
    freeze_layers: Annotated[int | None, typer.Option(help="Lowest encoder layers kept frozen.")] = None,
    neutral_offset: Annotated[bool | None, typer.Option(
        "--neutral-offset/--no-neutral-offset", help="Fit a neutral-logit offset on dev; default per route.")] = None,
    version: Annotated[str, typer.Option(help="Version written into the model card.")] = "1",
    skip_fit: Annotated[bool, typer.Option(help="Only package an existing checkpoint in --work.")] = False,
    force: Annotated[bool, typer.Option(help="Replace the shipped model even if its dev figures are better.")] = (
        False),
) -> None:
    """Fine-tune the stance model, export it to ONNX int8, calibrate, and ship it only if dev figures improve."""
    try:
        from analysis.training.ship import train_and_ship
    except ImportError as exc:
        raise StancewatchError(f"training needs the train extra (pip install -e '.[train]'): {exc}") from exc
    s = state(ctx).settings
    routes = ["en", "multi"] if route is Route.all else [route.value]
    for r in routes:
        msg = train_and_ship(r, data=data, work=work, cache_dir=s.cache_path, budget_min=budget_min,
                             epochs=epochs, lr=lr, en_share=en_share, freeze_layers=freeze_layers,
                             neutral_offset=neutral_offset, version=version, fit=not skip_fit,
                             force=force)
        typer.echo(msg)


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the root app."""
    app.command("train")(train_cmd)
    app.command("eval")(eval_cmd)
