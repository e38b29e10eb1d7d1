"""Commands: crawl, extract."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.table import Table

from crawler.errors import CrawlerError
from crawler.extract import Extracted, extract_article
from crawler.pages import fetch_url, read_file
from crawler.run import CrawlSummary, run_crawl, user_agent
from crawler.settings import CrawlSettings
from crawler.sources import load_sources
from stancewatch.console import console
from stancewatch.context import state

out = console()


def _parse_since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise CrawlerError(f"--since {value!r}: expected a date as YYYY-MM-DD") from None


def crawl(
    ctx: typer.Context,
    source: Annotated[list[str] | None, typer.Option(
        "--source", help="Crawl only this outlet (by name; repeatable). Default: every enabled source.")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Follow feeds and sitemaps back to this date (YYYY-MM-DD); default: "
                        "crawl.default_since_days ago.")] = None,
    max_articles: Annotated[int | None, typer.Option(
        "--max-articles", min=1, help="Stop after storing this many articles.")] = None,
    refresh: Annotated[bool, typer.Option(
        "--refresh", help="Fetch and re-extract articles that are already stored.")] = False,
    trigger: Annotated[str, typer.Option(
        "--trigger", help="What started this run, recorded in crawl_runs (cli, schedule:<id>, job:<id>).")] = "cli",
    quiet: Annotated[bool, typer.Option("--quiet", help="No live progress line.")] = False,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=0, help="Extraction processes beside the downloader (default: one per CPU, at most 4; "
                                 "0: extract in the crawl process).")] = None,
    frontier: Annotated[str | None, typer.Option(
        "--frontier", help="A Redis URL (redis://host:port/0): crawl with a frontier shared by every crawler "
                           "process using it, on this machine or others (default: crawl.frontier; empty: "
                           "one process, no Redis).")] = None,
    processes: Annotated[int, typer.Option(
        "--processes", min=1, max=256, help="Crawler processes to start on this machine (needs a frontier).")] = 1,
    worker: Annotated[bool, typer.Option("--worker", hidden=True,
                                         help="Consume the frontier in this process (the command's children).")
                      ] = False,
    run_id: Annotated[str | None, typer.Option("--run-id", hidden=True, help="This run's crawl_runs id.")] = None,
    summary_file: Annotated[Path | None, typer.Option(
        "--summary-file", hidden=True, help="Write the run's summary here as JSON (for the parent command).")] = None,
) -> None:
    """Crawl the sources' feeds, sitemaps and listing pages into the warehouse, then print a summary.

    With --frontier, --processes crawler processes share a Redis frontier (queue, seen URLs, per-domain delay);
    the same command on another machine joins the same crawl. Exit status: 0 done, 1 failed (with a frontier:
    also when a crawler process died; a rerun fetches what it lost), 130 interrupted (Ctrl-C or SIGTERM: the
    run is closed as interrupted).
    """
    app_state = state(ctx)
    settings = app_state.settings
    crawl_settings = _with_frontier(settings.crawl, frontier)
    if processes > 1 and not crawl_settings.frontier:
        raise CrawlerError(f"--processes {processes}: several crawler processes need a shared frontier: give "
                           "--frontier redis://host:port/0 (or set crawl.frontier)")
    if worker and not crawl_settings.frontier:
        raise CrawlerError("--worker consumes a shared frontier: give --frontier redis://host:port/0")
    all_sources = load_sources(settings.sources_path)
    if source:
        by_name = {s.name: s for s in all_sources}
        unknown = [name for name in source if name not in by_name]
        if unknown:
            raise CrawlerError(f"unknown source {', '.join(map(repr, unknown))} (not in {settings.sources_path}); "
                               f"known: {', '.join(sorted(by_name))}")
        chosen = [by_name[name] for name in dict.fromkeys(source)]
    else:
        chosen = [s for s in all_sources if s.enabled]
    bound = _parse_since(since)
    if bound is not None and bound > datetime.now(UTC).date():
        # Feeds and sitemaps hold nothing published after today: such a crawl stores nothing.
        typer.echo(f"warning: --since {bound.isoformat()} is in the future (today is "
                   f"{datetime.now(UTC).date().isoformat()}, UTC); entries older than it are skipped, so this "
                   "crawl will store nothing", err=True)
    if crawl_settings.frontier and not worker:
        from stancewatch.cluster.crawlers import crawl_with_frontier  # the cluster extra's (redis)

        options = [arg for name in dict.fromkeys(source or []) for arg in ("--source", name)]
        options += ["--since", since] if since else []
        options += ["--max-articles", str(max_articles)] if max_articles else []
        options += ["--refresh"] if refresh else []
        options += ["--workers", str(workers)] if workers is not None else []
        summary, parts, died = crawl_with_frontier(
            child_args=app_state.child_args(), crawl_args=[*options, "--trigger", trigger],
            frontier_url=crawl_settings.frontier, processes=processes, echo=lambda m: typer.echo(m, err=True))
        for part in parts:
            typer.echo(f"{part.run_id}: {part.status}, {part.pages:,} pages, {part.stored:,} articles", err=True)
        for name in died:
            typer.echo(f"warning: {name} died before it finished; the pages it had taken are fetched by the "
                       "next run of this command", err=True)
    else:
        summary = run_crawl(db=settings.db.url, sources=chosen, crawl=crawl_settings, since=bound,
                            max_articles=max_articles, refresh=refresh, trigger=trigger, progress=not quiet,
                            workers=workers, run_id=run_id)
        if summary_file is not None:
            summary_file.write_text(json.dumps(asdict(summary)), encoding="utf-8")
    _print_summary(summary)
    if summary.abandoned:
        typer.echo(f"note: closed {len(summary.abandoned)} earlier run(s) whose process was gone as abandoned: "
                   f"{', '.join(summary.abandoned)}", err=True)
    if summary.status == "failed":
        if summary.pages == 0:
            typer.echo(f"error: every fetch failed ({_kinds(summary.errors)}); nothing was crawled", err=True)
        raise typer.Exit(1)
    if summary.status == "interrupted":
        raise typer.Exit(130)


def _with_frontier(crawl: CrawlSettings, frontier: str | None) -> CrawlSettings:
    """The crawl settings with --frontier in place of crawl.frontier (validated the same way)."""
    if frontier is None:
        return crawl
    try:
        return CrawlSettings.model_validate({**crawl.model_dump(), "frontier": frontier})
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise CrawlerError(f"--frontier {frontier!r}: {reason}") from None


def _kinds(errors: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n:,}" for kind, n in sorted(errors.items(), key=lambda kv: -kv[1]))


def _print_summary(summary: CrawlSummary) -> None:
    table = Table(title=f"crawl {summary.run_id}: {summary.status}")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("requests", f"{summary.requests:,}")
    table.add_row("pages fetched", f"{summary.pages:,}")
    table.add_row("articles stored", f"{summary.stored:,}")
    for reason, n in sorted(summary.dropped.items()):
        table.add_row(f"dropped: {reason}", f"{n:,}")
    for kind, n in sorted(summary.errors.items()):
        table.add_row(f"error: {kind}", f"{n:,}")
    rate = summary.pages / summary.seconds if summary.seconds else 0.0
    table.add_row("seconds", f"{summary.seconds:.1f} ({rate:.1f} pages/s)")
    out.print(table)


def extract(
    ctx: typer.Context,
    pages: Annotated[list[str], typer.Argument(help="Saved HTML files (gzipped or not) or http(s) URLs.")],
    url: Annotated[str | None, typer.Option(
        "--url", help="The page's original URL, for a single saved file (used for its canonical URL).")] = None,
    min_text_chars: Annotated[int | None, typer.Option(
        "--min-text-chars", help="Override crawl.min_text_chars for this run.")] = None,
) -> None:
    """Print, for each page, the article record the crawler would store, as one JSON object per line."""
    settings = state(ctx).settings
    minimum = settings.crawl.min_text_chars if min_text_chars is None else min_text_chars
    for item in pages:
        record: dict[str, Any] = {"source": item}
        try:
            if item.startswith(("http://", "https://")):
                page = fetch_url(item, user_agent=user_agent(settings.crawl), timeout=settings.crawl.timeout_s,
                                 max_bytes=int(settings.crawl.max_response_mb * 1024 * 1024))
                content_type = page.content_type
            else:
                page = read_file(Path(item), url if len(pages) == 1 else None)
                content_type = None
            result = extract_article(page.body, page.url, min_text_chars=minimum, content_type=content_type)
        except CrawlerError as exc:
            record["error"] = str(exc)
        else:
            if isinstance(result, Extracted):
                fields = result.record()
                record.update({k: fields[k] for k in ("url", "title", "text", "authors", "published_at",
                                                       "language", "extractor", "description", "id")})
            else:
                record.update({"url": result.url, "dropped": result.reason, "detail": result.detail})
        typer.echo(json.dumps(record, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the root app."""
    app.command("crawl")(crawl)
    app.command("extract")(extract)
