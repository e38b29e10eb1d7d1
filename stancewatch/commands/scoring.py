"""Commands: score, score-text."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from analysis.errors import ScoringError
from stancewatch.context import state

out = Console()


def score(
    ctx: typer.Context,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, help="Score at most this many articles (default: every article not yet scored).")] = None,
    progress: Annotated[bool, typer.Option(
        "--progress/--no-progress", help="Show a progress bar while scoring.")] = True,
) -> None:
    """Score every article the current model has not scored yet and store mentions, scores and stances."""
    from analysis.model import load_scorer
    from analysis.scoring import score_warehouse

    settings = state(ctx).settings
    scorer = load_scorer(settings.model.name, settings.cache_path, settings.model.batch_size)
    summary = score_warehouse(settings.db, scorer=scorer, limit=limit, progress=progress)
    table = Table(title=f"scoring with {summary.model_id}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, value in (("articles read", summary.articles), ("scored", summary.scored),
                         ("skipped", summary.skipped), ("mentions", summary.mentions),
                         ("sentences sent to the model", summary.targets_scored),
                         ("article x country stances", summary.stances)):
        table.add_row(label, str(value))
    table.add_row("seconds", f"{summary.seconds:.1f}")
    table.add_row("articles per second", f"{summary.articles_per_second:.1f}")
    for reason, n in sorted(summary.skipped_reasons.items(), key=lambda kv: -kv[1]):
        table.add_row(f"skipped: {reason}", str(n))
    out.print(table)


def _read_input(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    path = Path(file)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScoringError(f"{path}: cannot read the text to score ({exc}); expected a UTF-8 text file") from exc


def score_text_cmd(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A UTF-8 text file, or - to read standard input.")] = "-",
    country: Annotated[list[str] | None, typer.Option(
        "--country", help="Report only this country (ISO code such as KZ, or EU/NATO; repeatable).")] = None,
    language: Annotated[str | None, typer.Option(
        "--language", help="The text's language (en, ru, uk, kk); default: detected.")] = None,
    model: Annotated[str | None, typer.Option(
        "--model", help="Model name or folder; default: the settings' model.name.")] = None,
) -> None:
    """Score a text's stance toward each country it mentions and print JSON."""
    from analysis.api import score_text
    from analysis.gazetteer import default_gazetteer
    from analysis.model import load_scorer

    text = _read_input(file)
    known = default_gazetteer().countries
    wanted = [c.upper() for c in country] if country else None
    for code in wanted or []:
        if code not in known:
            raise ScoringError(f"--country {code!r}: not a code the gazetteer knows; "
                               f"expected one of {', '.join(sorted(known))}")
    if language is None and text.strip():
        from crawler.language import detect_language

        language = detect_language(text)
    settings = state(ctx).settings
    scorer = load_scorer(model or settings.model.name, settings.cache_path, settings.model.batch_size)
    result = score_text(text, wanted, scorer=scorer, language=language)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the root app."""
    app.command("score")(score)
    app.command("score-text")(score_text_cmd)
