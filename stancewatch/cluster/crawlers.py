"""`stancewatch crawl --frontier URL --processes N`: N crawler processes on this machine sharing a Redis frontier.

The command joins the crawl in progress at that frontier or starts a fresh round (crawler.frontier), then starts
N ``crawl --worker`` children, each in a session of its own (its own crawl_runs row, run id ``<group>-<i>``),
which seed the frontier with the sources' start requests (each URL once per round) and consume it until it has
been empty and idle for ``crawl.frontier_idle_s``. It waits for them and adds up their summaries. A signal stops
every child's tree (stancewatch.supervisor). A child that dies (kill -9) loses the pages it had popped and not
stored; the next run of the same command starts a fresh round and fetches them.
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from crawler.frontier import Frontier
from crawler.run import CrawlSummary
from stancewatch.supervisor import Supervisor

Echo = Callable[[str], object]


def _read_summary(path: Path) -> CrawlSummary | None:
    """A child's summary as it wrote it, or None when it wrote none (it died)."""
    try:
        return CrawlSummary(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def combine(group: str, parts: list[CrawlSummary], died: list[str], interrupted: bool,
            seconds: float) -> CrawlSummary:
    """One summary of the whole crawl from its processes' summaries: counts added up; 'interrupted' on a
    signal; 'failed' when a process died or no page came back at all (but errors did); else 'done'."""
    dropped: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for part in parts:
        dropped.update(part.dropped)
        errors.update(part.errors)
    pages = sum(p.pages for p in parts)
    if interrupted or any(p.status == "interrupted" for p in parts):
        status = "interrupted"
    elif died or (pages == 0 and errors):
        status = "failed"
    else:
        status = "done"
    return CrawlSummary(run_id=group, status=status, requests=sum(p.requests for p in parts), pages=pages,
                        stored=sum(p.stored for p in parts), dropped=dict(dropped), errors=dict(errors),
                        seconds=round(seconds, 3),
                        abandoned=sorted({run for p in parts for run in p.abandoned}))


def crawl_with_frontier(*, child_args: list[str], crawl_args: list[str], frontier_url: str, processes: int,
                        echo: Echo) -> tuple[CrawlSummary, list[CrawlSummary], list[str]]:
    """Run `processes` crawler processes on the frontier; return the combined summary, each process's, and
    the names of those that died without a summary.

    child_args are the global options (warehouse, settings, sources); crawl_args the crawl's own options."""
    frontier = Frontier(frontier_url)  # a clear error now if Redis is not there, before any child starts
    group = f"crawl-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    interrupted = False
    with tempfile.TemporaryDirectory(prefix="stancewatch-crawl-") as tmp, frontier.registered() as fresh:
        echo(f"{'started a fresh crawl round' if fresh else 'joined the crawl in progress'} at {frontier.label}: "
             f"{processes} crawler process{'es' if processes > 1 else ''} here ({group})")
        files = {f"crawler process {i}": Path(tmp) / f"{i}.json" for i in range(1, processes + 1)}
        with Supervisor(echo) as supervisor:
            try:
                procs = {name: supervisor.start_cli(name, [
                    *child_args, "crawl", *crawl_args, "--quiet", "--frontier", frontier_url, "--worker",
                    "--run-id", f"{group}-{i}", "--summary-file", str(path)], quiet=True)
                    for i, (name, path) in enumerate(files.items(), start=1)}
                for proc in procs.values():
                    proc.wait()
            except KeyboardInterrupt:
                interrupted = True
                supervisor.stop_all()  # SIGTERM each child's tree: each closes its run as interrupted
        parts = {name: _read_summary(path) for name, path in files.items()}
    died = [name for name, part in parts.items() if part is None]
    found = [part for part in parts.values() if part is not None]
    return combine(group, found, died, interrupted, time.monotonic() - started), found, died
