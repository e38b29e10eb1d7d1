"""Run a crawl: every selected source's feeds, sitemaps and listings in one Scrapy process, into the warehouse.

Scrapy's reactor starts once per process, so run_crawl is called once per process (the CLI does; tests
and the scheduler start a fresh process per crawl).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from crawler.errors import CrawlerError
from crawler.settings import CrawlSettings
from crawler.sources import Source
from crawler.spiders import SPIDERS, CrawlSpider
from crawler.store import Counters, CrawlStore


@dataclass
class CrawlSummary:
    """What a run did: its id and status, requests made, articles stored, drops by reason, errors by kind,
    and the earlier runs it closed as abandoned."""

    run_id: str
    status: str
    requests: int = 0
    pages: int = 0
    stored: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    abandoned: list[str] = field(default_factory=list)  # earlier runs this one found dead and closed


def user_agent(crawl: CrawlSettings) -> str:
    """The User-Agent: the configured one, with the contact added inside its comment when set."""
    agent = crawl.user_agent.strip()
    contact = crawl.contact.strip()
    if not contact:
        return agent
    if agent.endswith(")"):
        return f"{agent[:-1]}; {contact})"
    return f"{agent} ({contact})"


def scrapy_settings(crawl: CrawlSettings, overrides: dict[str, Any] | None = None) -> ScrapySettings:
    """Translate stancewatch's crawl settings into Scrapy's: politeness, limits, our middlewares."""
    max_bytes = int(crawl.max_response_mb * 1024 * 1024)
    values: dict[str, Any] = {
        "USER_AGENT": user_agent(crawl),
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "CONCURRENT_REQUESTS": 32,
        # Scrapy starts this many tasks for every callback's output; an article page yields one item, and the
        # default (100) made task churn a large share of the crawl's CPU time.
        "CONCURRENT_ITEMS": 8,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_per_domain,
        "DOWNLOAD_DELAY": crawl.download_delay_s,
        "RANDOMIZE_DOWNLOAD_DELAY": True,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay_s, 1.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl.concurrent_per_domain),
        "DOWNLOAD_TIMEOUT": crawl.timeout_s,
        "DOWNLOAD_MAXSIZE": max_bytes,
        "DOWNLOAD_WARNSIZE": max_bytes // 2,
        "RETRY_ENABLED": crawl.retries > 0,
        "RETRY_TIMES": crawl.retries,
        "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 522, 524, 408],
        "RETRY_GIVE_UP_LOG_LEVEL": "DEBUG",
        "REDIRECT_MAX_TIMES": 10,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "LOG_INSTALL_ROOT_HANDLER": False,
        "HTTPERROR_ALLOW_ALL": False,
        # Only http(s): the other handlers are switched off, and GuardMiddleware refuses other schemes.
        "DOWNLOAD_HANDLERS": {"file": None, "s3": None, "ftp": None, "data": None},
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.middleware.BackoffRetryMiddleware": 550,
            "crawler.middleware.GuardMiddleware": 50,
        },
        "ITEM_PIPELINES": {"crawler.spiders.StorePipeline": 300},
        # Every host name is checked against the address policy when it is resolved (crawler.addresses).
        "TWISTED_DNS_RESOLVER": "crawler.middleware.GuardedResolver",
        "STANCEWATCH_ALLOW_PRIVATE_ADDRESSES": crawl.allow_private_addresses,
        "STANCEWATCH_PRIVATE_HOSTS": list(crawl.private_hosts),
        "STANCEWATCH_RETRY_BACKOFF_S": 1.0,
        "STANCEWATCH_RETRY_MAX_WAIT_S": 60.0,
    }
    if crawl.frontier:
        # imported only for a frontier crawl: redis and scrapy-redis are the cluster extra's
        from crawler.frontier import frontier_scrapy_settings

        values.update(frontier_scrapy_settings(crawl.frontier, crawl.download_delay_s))
        values["DOWNLOADER_MIDDLEWARES"]["crawler.middleware.SharedDelayMiddleware"] = 950
    values.update(overrides or {})
    return ScrapySettings(values)


def _since(since: date | datetime | None, default_days: int) -> datetime:
    if since is None:
        return datetime.now(UTC).replace(tzinfo=None) - timedelta(days=default_days)
    if isinstance(since, datetime):
        return since.astimezone(UTC).replace(tzinfo=None) if since.tzinfo else since
    return datetime.combine(since, datetime.min.time())


def run_crawl(*, db: str | Path, sources: list[Source], crawl: CrawlSettings, since: date | None,
              max_articles: int | None, refresh: bool, trigger: str, progress: bool,
              scrapy_overrides: dict[str, Any] | None = None, run_id: str | None = None,
              workers: int | None = None) -> CrawlSummary:
    """Crawl the given sources into the warehouse once and return what the run did.

    Feeds and sitemaps are followed back to ``since`` (default: ``crawl.default_since_days`` ago); URLs
    already stored are skipped unless ``refresh``; at most ``max_articles`` are stored. The crawl_runs row
    is written 'running' at the start and closed 'done', 'interrupted' or 'failed' at the end ('failed' also
    when every fetch failed: a run that fetched nothing is not done).
    ``workers`` extraction processes parse pages beside the downloading reactor (default: one per CPU,
    at most 4; 0 parses in the crawl process itself).
    """
    if not sources:
        raise CrawlerError("no sources to crawl: the sources file has no enabled source (or none matched)")
    run_id = run_id or f"crawl-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    bound = _since(since, crawl.default_since_days)
    frontier = None
    if crawl.frontier:
        from crawler.frontier import Frontier  # the cluster extra's (redis): only for a frontier crawl

        frontier = Frontier(crawl.frontier)
    store = CrawlStore(db, run_id, refresh=refresh, since=bound, max_articles=max_articles, frontier=frontier)
    store.start(sources, trigger, signatures_since=bound - timedelta(days=30))
    pool = extraction_pool(default_workers() if workers is None else workers)
    settings = scrapy_settings(crawl, scrapy_overrides)
    process = CrawlerProcess(settings)
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))
    close_reasons: list[str] = []

    def closed(spider: Any, reason: str) -> None:
        close_reasons.append(reason)

    kinds = {"feed": [s for s in sources if s.feeds], "sitemap": [s for s in sources if s.sitemaps],
             "listing": [s for s in sources if s.listings]}
    crawlers: list[Crawler] = []
    for kind, chosen in kinds.items():
        if not chosen:
            continue
        crawler = process.create_crawler(SPIDERS[kind])
        crawler.signals.connect(closed, signal=signals.spider_closed)
        process.crawl(crawler, store=store, sources=chosen, min_text_chars=crawl.min_text_chars, pool=pool)
        crawlers.append(crawler)
    status = "failed"
    live = _progress(store.counters) if progress else None
    previous = _install_stop_handlers(process, store)
    # kept referenced here: Scrapy's signals hold their receivers weakly
    watches = frontier.share(crawlers, store, crawl.frontier_idle_s) if frontier is not None else []
    try:
        if live is not None:
            live.start()
        # Our handlers, not Scrapy's: Scrapy's graceful stop waits for every request in flight and every
        # Retry-After sleep (a crawl took 52 s to stop); ours cancels them (see _install_stop_handlers).
        process.start(install_signal_handlers=False)
        interrupted = store.stop.requested or any(r in ("shutdown", "cancelled") for r in close_reasons)
        status = "interrupted" if interrupted else "done"
        if status == "done" and store.counters.pages == 0 and store.counters.errors:
            status = "failed"  # not one response came back: a dead network, a wrong file, all refused
    except KeyboardInterrupt:
        status = "interrupted"
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if live is not None:
            live.stop()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if frontier is not None:
            watches.clear()
            frontier.leave()
        store.finish(status)
    c = store.counters
    return CrawlSummary(run_id=run_id, status=status, requests=c.requests, pages=c.pages, stored=c.stored,
                        dropped=dict(c.dropped), errors=dict(c.errors),
                        seconds=round(time.monotonic() - c.started, 3), abandoned=list(store.abandoned))


def _install_stop_handlers(process: CrawlerProcess, store: CrawlStore) -> dict[int, Any]:
    """Handle SIGTERM and SIGINT: the first stops the crawl at once, a second exits on the spot.

    Stopping: the store's stop request wakes every Retry-After wait and makes the guard refuse new requests;
    Scrapy closes the spiders (reason "shutdown", so the run is closed 'interrupted' with what it stored);
    and every open connection is aborted, again each tenth of a second until the reactor stops, so requests
    in flight (and ones the downloader had queued) end now instead of at their download timeout. A second
    signal exits at once with status 130; the run row is then closed as 'abandoned' by the next crawl."""
    from twisted.internet import reactor as installed
    from twisted.internet import task, tcp

    reactor: Any = installed  # the installed reactor's type is only known at run time

    def abort_connections() -> None:
        for selectable in {*reactor.getReaders(), *reactor.getWriters()}:
            if isinstance(selectable, tcp.Client):
                client: Any = selectable  # Twisted's transports are untyped
                client.abortConnection()

    def stop() -> None:
        store.stop.set()
        process.stop()
        task.LoopingCall(abort_connections).start(0.1)

    def handle(signum: int, frame: Any) -> None:
        if store.stop.requested:
            os._exit(130)
        store.stop.requested = True  # at once, in case the reactor is slow to run stop()
        reactor.callFromThread(stop)

    previous: dict[int, Any] = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous[signum] = signal.signal(signum, handle)
    return previous


def default_workers() -> int:
    """Extraction processes by default: one per CPU, at most 4, none on a single-CPU machine."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 0 if cpus < 2 else min(cpus, 4)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """Make this worker end when the crawl process ends, however it ends (kill -9 included).

    A killed crawl cannot shut its pool down, and its workers would live on, reparented to PID 1, with
    ~150 MB each. On Linux the kernel sends the parent-death signal; elsewhere a watchdog thread notices
    the reparenting."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before the signal was armed
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _worker_init(parent: int) -> None:
    # Ctrl-C and SIGTERM go to the whole process group; the crawl process shuts down and then closes the
    # pool, so workers must not die mid-task on the same signals.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _die_with_parent(parent)


def extraction_pool(workers: int) -> ProcessPoolExecutor | None:
    """A process pool for page extraction, its workers started now (forked before the reactor or any other
    thread exists, so they start instantly with the parser already imported); None for 0 workers.
    The workers end with the crawl process, even when it is killed."""
    if workers <= 0:
        return None
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method), initializer=_worker_init,
                               initargs=(os.getpid(),))
    for future in [pool.submit(int, 0) for _ in range(workers)]:
        future.result()
    return pool


def _progress(counters: Counters) -> Any:
    """A live one-line display of pages, articles, errors and rate (rich refreshes it from its own thread)."""
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    class View:
        def __rich__(self) -> Text:
            errors = sum(counters.errors.values())
            dropped = sum(counters.dropped.values())
            return Text(f"requests {counters.requests:,}  pages {counters.pages:,}  articles {counters.stored:,}  "
                        f"dropped {dropped:,}  errors {errors:,}  {counters.rate():.1f} pages/s")

    console = Console(stderr=True)
    if not console.is_terminal:  # a log file or a job's captured output gets the summary, not frames
        return None
    return Live(View(), console=console, refresh_per_second=4, transient=True)


__all__ = ["CrawlSettings", "CrawlSpider", "CrawlSummary", "run_crawl", "scrapy_settings"]
