"""Commands: score, score-text."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from filelock import FileLock, Timeout
from rich.table import Table

from analysis.errors import ScoringError
from stancewatch.console import console
from stancewatch.context import state
from warehouse.location import sidecar

if TYPE_CHECKING:
    from analysis.scoring import ScoringSummary
    from stancewatch.settings import Settings

out = console()


def score(
    ctx: typer.Context,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, help="Score at most this many articles (default: every article not yet scored).")] = None,
    progress: Annotated[bool, typer.Option(
        "--progress/--no-progress", help="Show a progress bar while scoring.")] = True,
    ray_address: Annotated[str | None, typer.Option(
        "--ray", help="Score on the Ray cluster at this address (auto, host:port or ray://host:port); "
                      "default: the settings' cluster.ray_address (empty: score in this process).")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Ray workers to score with (default: the settings' cluster.workers).")] = None,
) -> None:
    """Score every article the current model has not scored yet and store mentions, scores and stances."""
    settings = state(ctx).settings
    address = settings.cluster.ray_address if ray_address is None else ray_address.strip()
    with scoring_lock(settings.db.url):
        if address:
            summary = _score_on_ray(settings, address, workers or settings.cluster.workers, limit, progress)
        else:
            from analysis.model import load_scorer
            from analysis.scoring import score_warehouse

            scorer = load_scorer(settings.model.name, settings.cache_path, settings.model.batch_size)
            summary = score_warehouse(settings.db.url, scorer=scorer, limit=limit, progress=progress)
        # Alerts follow the stance rows: replace this model's alerts while still holding the scoring lock.
        from insights.alerts import recompute

        alerts = recompute(settings.db.url, summary.model_id, settings.alerts)
    table = Table(title=f"scoring with {summary.model_id}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, value in (("articles read", summary.articles), ("scored", summary.scored),
                         ("skipped", summary.skipped), ("mentions", summary.mentions),
                         ("sentences sent to the model", summary.targets_scored),
                         ("article x country stances", summary.stances),
                         ("stored stances re-aggregated (new aggregation rules)", summary.reaggregated)):
        table.add_row(label, str(value))
    table.add_row("seconds", f"{summary.seconds:.1f}")
    table.add_row("articles per second", f"{summary.articles_per_second:.1f}")
    if summary.retried_batches:
        table.add_row("batches scored again (their Ray worker died)", str(summary.retried_batches))
    for reason, n in sorted(summary.skipped_reasons.items(), key=lambda kv: -kv[1]):
        table.add_row(f"skipped: {reason}", str(n))
    table.add_row("stance-shift alerts (`stancewatch alerts`)", str(alerts.alerts))
    out.print(table)


def _score_on_ray(settings: Settings, address: str, workers: int, limit: int | None,
                  progress: bool) -> ScoringSummary:
    """Fan the pending articles out to Ray workers at address, with a progress bar when asked."""
    from analysis.ray_scoring import score_on_ray

    def run(on_batch: Callable[[int, int], None] | None) -> ScoringSummary:
        return score_on_ray(settings.db.url, address=address, workers=workers, model_name=settings.model.name,
                            cache_dir=settings.cache_path, batch_size=settings.model.batch_size, limit=limit,
                            on_batch=on_batch)

    if not progress:
        return run(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=out) as bar:
        task = bar.add_task(f"scoring on Ray at {address} with {workers} workers", total=None)
        return run(lambda done, total: bar.update(task, completed=done, total=total))


@contextmanager
def scoring_lock(db: str | Path) -> Iterator[None]:
    """Hold the warehouse's scoring lock, waiting (and saying so) while another `score` run holds it.

    Two runs at once would each read the same pending articles and score them all twice over; the second
    waits instead, then finds only what is still unscored. The lock is an OS file lock, so a run killed with
    SIGKILL releases it with its process."""
    lock = FileLock(sidecar(db, ".score.lock"))  # a lake's lock lies in its data folder
    try:
        lock.acquire(timeout=0)
    except Timeout:
        typer.echo(f"another `stancewatch score` is scoring {db}; waiting for it to finish "
                   f"(lock {lock.lock_file})", err=True)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _read_input(file: str, limit: int) -> str:
    """Read at most limit + 1 characters: enough to tell an over-long text without holding all of it."""
    if file == "-":
        return sys.stdin.read(limit + 1)
    path = Path(file)
    try:
        with path.open(encoding="utf-8") as fh:
            return fh.read(limit + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise ScoringError(f"{path}: cannot read the text to score ({exc}); expected a UTF-8 text file") from exc


def _within_limit(text: str, file: str, limit: int, truncate: bool) -> str:
    """The text to score: refused when longer than limit (the cut warehouse scoring makes), or cut with --truncate."""
    if len(text) <= limit:
        return text
    if truncate:
        typer.echo(f"note: scoring only the first {limit:,} characters of {_name(file)}", err=True)
        return text[:limit]
    # Scoring time and output grow with the text: 20 MB ran for ten minutes and 4.7 GB before it was killed.
    raise ScoringError(f"{_name(file)}: longer than {limit:,} characters, the most score-text scores (the same "
                       "limit warehouse scoring applies to an article); split the text, or pass --truncate to "
                       "score its first part")


def _name(file: str) -> str:
    return "standard input" if file == "-" else file


def score_text_cmd(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A UTF-8 text file, or - to read standard input.")] = "-",
    country: Annotated[list[str] | None, typer.Option(
        "--country", help="Report only this country (ISO code such as KZ, or EU/NATO; repeatable).")] = None,
    language: Annotated[str | None, typer.Option(
        "--language", help="The text's language (en, ru, uk, kk); default: detected.")] = None,
    model: Annotated[str | None, typer.Option(
        "--model", help="Model name or folder; default: the settings' model.name.")] = None,
    truncate: Annotated[bool, typer.Option(
        "--truncate", help="Score only the first part of a text over the size limit instead of refusing it.")]
    = False,
) -> None:
    """Score a text's stance toward each country it mentions and print JSON."""
    from analysis.api import score_text
    from analysis.gazetteer import default_gazetteer
    from analysis.model import load_scorer
    from analysis.scoring import MAX_TEXT_CHARS

    text = _within_limit(_read_input(file, MAX_TEXT_CHARS), file, MAX_TEXT_CHARS, truncate)
    known = default_gazetteer().countries
    wanted = [c.upper() for c in country] if country else None
    for code in wanted or []:
        if code not in known:
            raise ScoringError(f"--country {code!r}: not a code the gazetteer knows; "
                               f"expected one of {', '.join(sorted(known))}")
    if language is None and text.strip():
        from languageid import detect_language

        language = detect_language(text)
    settings = state(ctx).settings
    scorer = load_scorer(model or settings.model.name, settings.cache_path, settings.model.batch_size)
    result = score_text(text, wanted, scorer=scorer, language=language)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the root app."""
    app.command("score")(score)
    app.command("score-text")(score_text_cmd)
