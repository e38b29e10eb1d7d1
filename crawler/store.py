"""The crawl's shared state and its storage: what is known, what was seen, counters, and batched writes.

One CrawlStore serves every spider of a run (they share one process and one reactor thread, so no locks
are needed). Articles and fetch-log rows are buffered and written through the warehouse writer in batches;
a process killed mid-way loses at most the open batch, and re-running upserts rather than duplicates.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from crawler.dedupe import StoryIndex, signature, signature_bytes, signature_from_bytes
from crawler.extract import Extracted
from crawler.runs import abandon_dead_runs, current_owner
from crawler.sources import Source
from warehouse import search, writer
from warehouse.errors import WarehouseError

if TYPE_CHECKING:  # the cluster extra's (redis): imported only by a frontier crawl
    from crawler.frontier import Frontier

log = logging.getLogger(__name__)

ARTICLE_SCHEMA = pa.schema([
    ("id", pa.string()), ("url", pa.string()), ("source", pa.string()), ("title", pa.string()),
    ("description", pa.string()), ("text", pa.string()), ("authors", pa.list_(pa.string())),
    ("published_at", pa.timestamp("us")), ("fetched_at", pa.timestamp("us")), ("language", pa.string()),
    ("content_hash", pa.string()), ("story_id", pa.string()), ("extractor", pa.string()), ("run_id", pa.string()),
])
SIGNATURE_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("story_id", pa.string()), ("content_hash", pa.string()),
    ("minhash", pa.binary()), ("fetched_at", pa.timestamp("us")),
])
FETCH_SCHEMA = pa.schema([
    ("run_id", pa.string()), ("url", pa.string()), ("source", pa.string()), ("fetched_at", pa.timestamp("us")),
    ("http_status", pa.int32()), ("error_kind", pa.string()), ("bytes", pa.int64()),
])


def utcnow() -> datetime:
    """Now, as naive UTC (the warehouse's convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Counters:
    """What a run has done so far; read by the progress display and written to crawl_runs."""

    requests: int = 0
    pages: int = 0
    stored: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)

    def rate(self) -> float:
        """Pages fetched per second since the start."""
        return self.pages / max(time.monotonic() - self.started, 1e-6)


class StopRequest:
    """A crawl's request to stop (its first SIGTERM or Ctrl-C): retry waits end at once, new requests are refused.

    Set and awaited on the reactor's thread only (run_crawl's signal handler hands it over)."""

    def __init__(self) -> None:
        self.requested = False
        self._event: asyncio.Event | None = None

    def set(self) -> None:
        """Ask the crawl to stop: wake every wait."""
        self.requested = True
        if self._event is not None:
            self._event.set()

    async def sleep(self, seconds: float) -> bool:
        """Wait seconds, or less when a stop is asked for meanwhile; True when the wait was cut short."""
        if self.requested:
            return True
        if self._event is None:  # made on first use, inside the running event loop
            self._event = asyncio.Event()
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            return False
        return True


class CrawlStore:
    """Shared state of one crawl run and its batched writes to the warehouse."""

    def __init__(self, db: str | Path, run_id: str, *, refresh: bool, since: datetime | None,
                 max_articles: int | None, batch_size: int = 100, frontier: Frontier | None = None) -> None:
        self.db = db
        self.frontier = frontier  # shared with other crawler processes: claims and visits are cluster-wide
        self.run_id = run_id
        self.refresh = refresh
        self.since = since
        self.max_articles = max_articles
        self.batch_size = batch_size
        self.counters = Counters()
        self.stop = StopRequest()
        self.abandoned: list[str] = []
        self.known: set[str] = set()
        self.claimed: set[str] = set()
        self.stored_ids: set[str] = set()
        self.stories = StoryIndex()
        self._articles: list[dict[str, Any]] = []
        self._signatures: list[dict[str, Any]] = []
        self._fetches: dict[str, dict[str, Any]] = {}

    # -- run bookkeeping ------------------------------------------------------------------------------
    def start(self, sources: list[Source], trigger: str, signatures_since: datetime) -> None:
        """Close runs whose process died as 'abandoned', write this run's 'running' crawl_runs row (with the
        host and process that own it) and the sources; load known ids and story signatures."""
        owner = current_owner()
        with writer(self.db) as w:
            self.abandoned = abandon_dead_runs(w)
            w.execute("crawl_run_start", {"id": self.run_id, "started_at": utcnow(), "trigger": trigger,
                                          "sources": [s.name for s in sources], "host": owner.host,
                                          "pid": owner.pid, "pid_started_at": owner.started_at})
            w.write_batch("crawl_upsert_sources", [s.row() for s in sources])
            self.known = {row[0] for row in w.fetch("crawl_known_ids")}
            self.stories.load(w.fetch("crawl_signatures_since", {"since": signatures_since}))

    def finish(self, status: str) -> None:
        """Flush what is buffered and close the crawl_runs row with the run's statistics."""
        self.flush()
        c = self.counters
        stats = {"requests": c.requests, "pages": c.pages, "stored": c.stored,
                 "dropped": dict(sorted(c.dropped.items())),
                 "seconds": round(time.monotonic() - c.started, 3)}
        with writer(self.db) as w:
            w.execute("crawl_run_finish", {"id": self.run_id, "finished_at": utcnow(), "status": status,
                                           "stats": json.dumps(stats), "errors": json.dumps(dict(c.errors))})

    # -- decisions --------------------------------------------------------------------------------------
    @property
    def full(self) -> bool:
        """True once --max-articles articles are stored (or claimed for fetching) in this run."""
        return self.max_articles is not None and self.counters.stored >= self.max_articles

    def claim(self, aid: str) -> str | None:
        """Claim an article id for fetching; return None, or the reason it is skipped."""
        if aid in self.claimed:
            return "duplicate_in_run"
        if aid in self.known and not self.refresh:
            return "already_stored"
        if self.full:
            return "max_articles"
        if self.frontier is not None and not self.frontier.claim(aid):
            return "duplicate_in_run"  # another process of the crawl has it
        self.claimed.add(aid)
        return None

    def first_visit(self, url: str) -> bool:
        """Whether to request a feed, sitemap or listing URL: always alone, once per round with a frontier."""
        return self.frontier is None or self.frontier.first_visit(url)

    def drop(self, reason: str) -> None:
        """Count a page or link dropped for a reason."""
        self.counters.dropped[reason] += 1

    def error(self, kind: str) -> None:
        """Count an error of a kind."""
        self.counters.errors[kind] += 1

    # -- buffered writes --------------------------------------------------------------------------------
    def log_fetch(self, url: str, source: str | None, status: int | None, error_kind: str | None,
                  size: int | None) -> None:
        """Record one fetch (and count its error, if any); a URL's last attempt in the run wins."""
        if error_kind:
            self.error(error_kind)
        elif status is not None:
            self.counters.pages += 1
        self._fetches[url] = {"run_id": self.run_id, "url": url, "source": source, "fetched_at": utcnow(),
                              "http_status": status, "error_kind": error_kind, "bytes": size}
        if len(self._fetches) >= 5 * self.batch_size:
            self.flush()

    def add_article(self, article: Extracted, source: str, signed: bytes | None = None) -> bool:
        """Assign the story, buffer the article for the next batch; False when it is dropped instead.

        ``signed`` is the text's MinHash signature when a worker process already computed it."""
        if article.id in self.stored_ids:
            self.drop("duplicate_in_run")
            return False
        if article.id in self.known and not self.refresh and article.id not in self.claimed:
            self.drop("already_stored")  # reached under another URL whose canonical is a stored one
            return False
        if self.full:
            self.drop("max_articles")
            return False
        if self.since is not None and article.published_at is not None and article.published_at < self.since:
            self.drop("older_than_since")
            return False
        values = signature_from_bytes(signed) if signed is not None else signature(article.text)
        story = self.stories.assign(article.id, article.content_hash, values)
        now = utcnow()
        self._articles.append({
            "id": article.id, "url": article.url, "source": source, "title": article.title,
            "description": article.description, "text": article.text, "authors": list(article.authors),
            "published_at": article.published_at, "fetched_at": now, "language": article.language,
            "content_hash": article.content_hash, "story_id": story, "extractor": article.extractor,
            "run_id": self.run_id})
        self._signatures.append({"article_id": article.id, "story_id": story,
                                 "content_hash": article.content_hash, "minhash": signature_bytes(values),
                                 "fetched_at": now})
        self.stored_ids.add(article.id)
        self.counters.stored += 1
        if len(self._articles) >= self.batch_size:
            self.flush()
        return True

    def flush(self) -> None:
        """Write buffered articles, signatures and fetch-log rows in one warehouse transaction."""
        if not (self._articles or self._fetches):
            return
        articles, signatures, fetches = self._articles, self._signatures, list(self._fetches.values())
        self._articles, self._signatures, self._fetches = [], [], {}
        with writer(self.db) as w:
            if articles:
                w.write_batch("crawl_upsert_articles", pa.Table.from_pylist(articles, schema=ARTICLE_SCHEMA))
                w.write_batch("crawl_upsert_signatures",
                              pa.Table.from_pylist(signatures, schema=SIGNATURE_SCHEMA))
            if fetches:
                w.write_batch("crawl_insert_fetch_log", pa.Table.from_pylist(fetches, schema=FETCH_SCHEMA))
        if articles:
            self._update_search_index([a["id"] for a in articles])

    def _update_search_index(self, ids: list[str]) -> None:
        """Index the batch just committed. The articles are stored either way: an index left behind here
        (busy, failed) is caught up from the warehouse by its next sync, so the crawl goes on."""
        try:
            search.sync(self.db, ids=ids)
        except WarehouseError as exc:
            self.error("search_index_behind")
            log.warning("search index not updated (it catches up on next use): %s", exc)
