"""The shared crawl frontier in Redis: crawler processes on one or many machines share one request queue, one
seen-URL set, one set of claimed article ids and one per-domain delay.

The queues are scrapy-redis's (its scheduler, one priority queue per spider kind, kept across processes:
``SCHEDULER_PERSIST``); everything else is ours, under ``stancewatch:frontier:``:

- ``seen``: feed, sitemap and listing URLs already requested in this round (so start requests seeded by every
  process, and pages linked from two places, are fetched once);
- ``claimed``: article ids some process has taken to fetch (the store's in-run duplicate check, cluster-wide);
- ``worker:<host>:<pid>``: each live process's heartbeat (expires on its own; on the same host a dead pid is
  dropped at once), saying whether it has work in hand;
- ``slot:<host name>``: the per-domain politeness slot, taken with ``SET NX PX <delay>``.

A round: the first process to start when no live process is registered clears every key and starts a fresh
round, so a rerun after a crash (kill -9 included) re-seeds the sources and fetches what was popped but never
stored (stored articles are skipped as usual); a process started while others are live joins their round.
A process ends once every queue has been empty and no process has had work for ``frontier_idle_s``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import redis
from scrapy import signals
from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider

from crawler.errors import CrawlerError
from crawler.runs import Owner, current_owner, is_dead

if TYPE_CHECKING:
    from crawler.store import CrawlStore

log = logging.getLogger(__name__)

PREFIX = "stancewatch:frontier:"
QUEUE_KEY = PREFIX + "%(spider)s:requests"
DUPEFILTER_KEY = PREFIX + "%(spider)s:dupefilter"  # scrapy-redis's, unused: every request is dont_filter
SEEN_KEY = PREFIX + "seen"  # feed, sitemap and listing URLs requested this round
CLAIMED_KEY = PREFIX + "claimed"  # article ids taken to fetch this round
HEARTBEAT_S = 0.5  # how often a process says it is alive (and whether it is busy)
WORKER_TTL_MS = 10_000  # a process silent this long is gone, wherever it ran
POLL_S = 0.25  # how often an idle process looks at the shared queue for work
# Requests one process holds at a time (Scrapy's CONCURRENT_REQUESTS, 32 alone): it takes no more off the shared
# queue than it can start soon, so the others get their share and a killed process loses at most this many.
CONCURRENT_REQUESTS = 8
LOCK_TTL_MS = 15_000
LOCK_WAIT_S = 30.0


def frontier_scrapy_settings(url: str, delay_s: float) -> dict[str, Any]:
    """The Scrapy settings that make a crawl use the frontier at url: its scheduler and queues, and the
    per-domain delay taken through Redis instead of per process."""
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        # Kept when a process closes: the others (and latecomers) still consume the queue. Rounds are
        # cleared by Frontier.begin_round instead.
        "SCHEDULER_PERSIST": True,
        # Not the FIFO queue: its pop blocks the reactor while it waits; this one returns at once.
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
        "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER_KEY,
        # scrapy-redis reads Scrapy's own setting, whose default (Scrapy's in-memory filter) it cannot build.
        # Our requests skip it (dont_filter: the store and the seen set decide), retries and redirects too.
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
        "CONCURRENT_REQUESTS": CONCURRENT_REQUESTS,
        "REDIS_URL": url,
        # the delay is the cluster's (SharedDelayMiddleware); Scrapy's own would add a second one per process
        "DOWNLOAD_DELAY": 0,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "STANCEWATCH_SHARED_DELAY_S": delay_s,
    }


def masked(url: str) -> str:
    """The URL for messages: a password in it replaced by ***."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


class FrontierError(CrawlerError):
    """The shared frontier could not be reached or used (the message names its URL)."""


@dataclass(frozen=True)
class Worker:
    """A crawler process registered in the frontier: where it runs and whether it has work in hand."""

    id: str
    host: str
    pid: int
    started_at: float
    busy: bool


class Frontier:
    """One process's handle on the shared frontier at a Redis URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.label = masked(url)
        try:
            self.redis: redis.Redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=30,
                                                           socket_connect_timeout=10)
            self.redis.ping()
        except (redis.RedisError, ValueError) as exc:
            raise FrontierError(f"frontier {self.label}: cannot reach Redis there ({exc}); expected a running "
                                "redis-server at a URL such as redis://127.0.0.1:6379/0") from None
        self.owner = current_owner()
        self.worker_id = f"{self.owner.host}:{self.owner.pid}"

    # -- the round -----------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        key, deadline = PREFIX + "lock", time.monotonic() + LOCK_WAIT_S
        while not self.redis.set(key, self.worker_id, nx=True, px=LOCK_TTL_MS):
            if time.monotonic() > deadline:
                raise FrontierError(f"frontier {self.label}: another process has held its lock for over "
                                    f"{LOCK_WAIT_S:.0f} s")
            time.sleep(0.05)
        try:
            yield
        finally:
            if self.redis.get(key) == self.worker_id:
                self.redis.delete(key)

    def begin_round(self) -> bool:
        """Join the crawl in progress, or start a fresh round when no live process is registered (clearing
        the queues and sets a dead crawl left); register this process; True for a fresh round."""
        with self._lock():
            fresh = not self.workers()
            if fresh:
                keys = list(self.redis.scan_iter(match=PREFIX + "*"))
                stale = [k for k in keys if k != PREFIX + "lock"]
                if stale:
                    self.redis.delete(*stale)
            self.beat(busy=False)
        return fresh

    def beat(self, busy: bool) -> None:
        """Say this process is alive, and whether it has work in hand."""
        value = json.dumps({"host": self.owner.host, "pid": self.owner.pid, "started_at": self.owner.started_at,
                            "busy": busy})
        self.redis.set(PREFIX + f"worker:{self.worker_id}", value, px=WORKER_TTL_MS)

    def leave(self) -> None:
        """Unregister this process (it has stopped consuming)."""
        with contextlib.suppress(redis.RedisError):
            self.redis.delete(PREFIX + f"worker:{self.worker_id}")

    @contextlib.contextmanager
    def registered(self) -> Iterator[bool]:
        """begin_round, then keep this process registered (not busy) from a thread until the block ends;
        yields whether the round is fresh. For the command that starts the crawler processes."""
        fresh = self.begin_round()
        stop = threading.Event()

        def keep_alive() -> None:
            while not stop.wait(HEARTBEAT_S):
                with contextlib.suppress(redis.RedisError):
                    self.beat(busy=False)

        thread = threading.Thread(target=keep_alive, name="frontier-heartbeat", daemon=True)
        thread.start()
        try:
            yield fresh
        finally:
            stop.set()
            thread.join()
            self.leave()

    def workers(self) -> list[Worker]:
        """The live processes registered in the frontier; a same-host one whose process is gone is dropped."""
        found = []
        for key in self.redis.scan_iter(match=PREFIX + "worker:*"):
            raw = self.redis.get(key)
            if raw is None:
                continue
            try:
                data = json.loads(raw)
                worker = Worker(key.removeprefix(PREFIX + "worker:"), str(data["host"]), int(data["pid"]),
                                float(data["started_at"]), bool(data["busy"]))
            except (ValueError, KeyError, TypeError):
                self.redis.delete(key)  # not ours to understand: a heartbeat from another version
                continue
            if worker.id != self.worker_id and is_dead(Owner(worker.host, worker.pid, worker.started_at)):
                self.redis.delete(key)  # killed (kill -9 leaves its heartbeat until it expires)
                continue
            found.append(worker)
        return found

    # -- work ----------------------------------------------------------------------------------------------
    def queued(self) -> int:
        """Requests waiting in every spider's shared queue."""
        return sum(int(self.redis.zcard(key)) for key in self.redis.scan_iter(match=QUEUE_KEY % {"spider": "*"}))

    def cluster_idle(self) -> bool:
        """True when no request is queued and no live process has work in hand."""
        return self.queued() == 0 and not any(w.busy for w in self.workers())

    def first_visit(self, url: str) -> bool:
        """Mark a feed, sitemap or listing URL requested in this round; False if some process already did."""
        return bool(self.redis.sadd(SEEN_KEY, url))

    def claim(self, article_id: str) -> bool:
        """Claim an article id for fetching in this round; False if some process already has."""
        return bool(self.redis.sadd(CLAIMED_KEY, article_id))

    def take_slot(self, host: str, delay_s: float) -> float:
        """Take the domain's politeness slot for delay_s; 0 when taken, else the seconds until it frees."""
        key = PREFIX + f"slot:{host}"
        if self.redis.set(key, self.worker_id, nx=True, px=max(1, round(delay_s * 1000))):
            return 0.0
        left = int(self.redis.pttl(key))
        return max(left, 1) / 1000  # -2 (just expired) or -1: look again at once

    def share(self, crawlers: list[Crawler], store: CrawlStore, idle_s: float) -> list[IdleWatch]:
        """Hook a crawl's spiders onto this frontier (share_frontier); keep the result referenced."""
        return share_frontier(self, crawlers, store, idle_s)


class IdleWatch:
    """Keeps a spider of a shared-frontier crawl open while the cluster has work: its own queue may be empty
    while another process is about to push requests (a feed it is parsing). It closes once every queue has
    been empty and no process busy for idle_s (scrapy-redis's idle close, judged cluster-wide)."""

    def __init__(self, frontier: Frontier, idle_s: float, store: CrawlStore) -> None:
        self.frontier = frontier
        self.idle_s = idle_s
        self.store = store
        self.idle_since: float | None = None

    def on_idle(self, spider: Any) -> None:
        """Scrapy's spider_idle handler: raise DontCloseSpider until the cluster has been idle long enough."""
        if self.store.stop.requested or self.store.full:
            return
        try:
            idle = self.frontier.cluster_idle()
        except redis.RedisError as exc:
            self.store.error("frontier_unreachable")
            log.warning("frontier %s unreachable, closing this crawler process: %s", self.frontier.label, exc)
            return
        now = time.monotonic()
        if not idle:
            self.idle_since = None
            raise DontCloseSpider
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_s:
            raise DontCloseSpider


def _busy(crawlers: list[Crawler]) -> bool:
    """Whether any of this process's spiders has work in hand (or has not opened yet)."""
    for crawler in crawlers:
        engine = crawler.engine
        if engine is None:
            return True  # not started: it will seed or consume soon
        try:
            if not engine.spider_is_idle():
                return True
        except (RuntimeError, AttributeError):  # its spider is closed (or closing): no work here
            continue
    return False


def share_frontier(frontier: Frontier, crawlers: list[Crawler], store: CrawlStore,
                   idle_s: float) -> list[IdleWatch]:
    """Hook a crawl onto the shared frontier: each spider's idle close waits for the cluster, an idle process
    looks at the shared queue every POLL_S (Scrapy's engine looks every 5 s), and a heartbeat says whether
    this process has work in hand."""
    from twisted.internet import task

    # Process-wide, and this process crawls one frontier only: the interval at which the engine asks an
    # empty scheduler again, which for a shared queue is how soon another process's requests are picked up.
    ExecutionEngine._SLOT_HEARTBEAT_INTERVAL = POLL_S
    watches = []
    for crawler in crawlers:
        watch = IdleWatch(frontier, idle_s, store)
        crawler.signals.connect(watch.on_idle, signal=signals.spider_idle)
        watches.append(watch)

    def beat() -> None:
        try:
            frontier.beat(busy=_busy(crawlers))
        except redis.RedisError:
            store.error("frontier_unreachable")

    task.LoopingCall(beat).start(HEARTBEAT_S)
    return watches
