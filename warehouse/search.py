"""Text search over the articles' titles and texts on a tantivy full-text index beside the warehouse file.

Why tantivy, not DuckDB's fts extension (measured on scripts/bench_dashboard.py's 1,000,000-article
warehouse, two cores shared with other work): fts has no incremental update: ``PRAGMA
create_fts_index`` rebuilds the whole index (65 s at 1M articles, holding the warehouse open for
writing, so no crawl could write meanwhile), and its ``match_bm25`` scores every row of the table on
each query (1.1 s for a word in every article, 0.3 s for a rare one). tantivy is updated per written
batch (100 articles in 35-50 ms on an idle machine, about 0.2 s at a load of 5), builds 1M articles from
scratch in 25 s, and counts a word's matches over 1M articles in a few ms.

The index (folder ``<warehouse>.search``) is derived data: ``sync`` rebuilds it from the articles table
whenever it is missing, of another format, or cannot be reconciled. It records (``state.json``, written
after each index commit) how many articles it holds and the newest ``fetched_at`` it has seen; every
write of an article sets ``fetched_at``, so an index that is behind (a crash between the warehouse's
commit and the index's, a writer that skipped the hook) is detected by comparing that with the
warehouse, and caught up from there (or rebuilt, when the count still differs); re-indexing an article
replaces its one document (keyed by id). The crawler also names the ids of each batch it committed, so
a batch buffered before another crawl's newer one is indexed too. Not detected: an article rewritten,
with a fetched_at older than the newest indexed one, by a writer that does not sync (`stancewatch
search reindex --full` repairs that). A sync reads the articles through one read-only connection, so a
full rebuild (25 s at 1M articles) makes writers wait that long.

Matching, for Russian, Ukrainian, Kazakh and every other language: each word of the query must occur
in the title or text, compared case-folded (Unicode lowercase), as the prefix of a word ("энерг" finds
"энергетика", "ресей" finds "Ресейдің", "укр" finds "УКРАЇНИ") or, for Russian and English, by its
Snowball stem ("России" finds "Россия", "ёлка" finds "елки"). Ukrainian and Kazakh have no Snowball
stemmer in tantivy: the Russian one strips some of their endings too ("Україна" finds "України"), and
prefixes cover the rest.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import tantivy
from filelock import FileLock, Timeout

from warehouse.connection import Reader, reader
from warehouse.errors import WarehouseError
from warehouse.location import parse_location

log = logging.getLogger(__name__)

# Bump when the schema or the analyzers change: an index of another format is rebuilt on next use.
FORMAT = 1
# Documents are keyed for the dashboard's snapshot by DuckDB's hash(id), which another DuckDB version
# may compute differently: an index built by another version is rebuilt.
KEYS = f"duckdb {duckdb.__version__} hash(id)"
SUFFIX = ".search"
STATE_FILE = "state.json"
# The warehouse files' modification times and sizes when the index was last found current: while they
# are the same, nothing was committed since (every commit writes the WAL or, at a checkpoint, the file),
# so a search skips opening the warehouse to compare.
CHECKED_FILE = "checked.json"
# Longer tokens (in UTF-8 bytes: Cyrillic takes two per letter) are not words anyone searches for.
MAX_TOKEN_BYTES = 120
WORDS, STEMS = "sw_words", "sw_stems"
READ_BATCH_ROWS = 10_000
# A search is answered from the matches of the same text on the same index commit when one of the last
# this many searches was it: a page view asks the same search for its count and its page, and paging
# or a second chart asks it again (each at most a few MB of keys).
RECENT_SEARCHES = 16


class SearchUnavailable(WarehouseError):
    """The index could not be brought up to date now (another process holds it, or it cannot be written)."""


@dataclass(frozen=True)
class State:
    """How far the articles table is: the index is current when it recorded the same."""

    articles: int
    last_fetched: datetime | None

    def as_json(self) -> dict[str, Any]:
        """The state as stored in state.json, with the index's format and key function."""
        return {"format": FORMAT, "keys": KEYS, "articles": self.articles,
                "last_fetched": self.last_fetched.isoformat() if self.last_fetched else None}


@dataclass(frozen=True)
class Matches:
    """The articles a search matches, as snapshot keys (hash(id)).

    When most articles match, ``keys`` lists the articles that do NOT match (``exclude``), so that no
    search has to hand over more than half the warehouse's keys.
    """

    keys: pa.Array
    exclude: bool
    count: int


# Opened indexes by folder (with the commit each was opened at) and recent matches: shared by the threads
# of one process (the dashboard's sessions), so guarded by one lock.
_open: dict[Path, tuple[tuple[int, ...], tantivy.Index]] = {}
_recent: OrderedDict[tuple[Path, tuple[int, ...], str], Matches] = OrderedDict()
_cache_lock = threading.Lock()


def index_dir(db: str | Path) -> Path:
    """The index folder of a warehouse file. A DuckLake has none (an index beside a data folder that many
    machines write would need one maintainer): its text search scans the lake (lookup's fallback)."""
    if parse_location(db).is_lake:
        raise SearchUnavailable(f"{parse_location(db).label}: a DuckLake warehouse has no full-text index; "
                                "text search scans the warehouse instead")
    return Path(f"{db}{SUFFIX}")


@cache
def _analyzers() -> tuple[tantivy.TextAnalyzer, tantivy.TextAnalyzer]:
    """The two analyzers: case-folded words (prefix matching) and their Russian then English stems."""
    def base() -> tantivy.TextAnalyzerBuilder:
        return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                .filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES))
                .filter(tantivy.Filter.lowercase()))
    # Each stemmer leaves words of the other script as they are, so one field serves both languages.
    stems = base().filter(tantivy.Filter.stemmer("russian")).filter(tantivy.Filter.stemmer("english"))
    return base().build(), stems.build()


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", tokenizer_name="raw", index_option="basic")  # to replace a document
    builder.add_unsigned_field("akey", fast=True)
    builder.add_text_field("words", tokenizer_name=WORDS, index_option="basic")
    builder.add_text_field("stems", tokenizer_name=STEMS, index_option="basic")
    return builder.build()


def _registered(index: tantivy.Index) -> tantivy.Index:
    words, stems = _analyzers()
    index.register_tokenizer(WORDS, words)
    index.register_tokenizer(STEMS, stems)
    return index


def _read_json(file: Path) -> dict[str, Any] | None:
    """A small JSON file the index keeps, or None when it is missing or unreadable (the index is then
    treated as behind and caught up)."""
    try:
        found: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found


def _read_state(path: Path) -> dict[str, Any] | None:
    return _read_json(path / STATE_FILE)


def _write_state(path: Path, state: State) -> None:
    tmp = path / f"{STATE_FILE}.tmp"
    tmp.write_text(json.dumps(state.as_json()), encoding="utf-8")
    os.replace(tmp, path / STATE_FILE)  # atomic: a reader sees the old state or the new one


def _warehouse_state(r: Reader) -> State:
    row = r.fetch_one("search_state")
    return State(int(row[0]), row[1]) if row else State(0, None)


def _is_current(path: Path, state: State) -> bool:
    return _read_state(path) == state.as_json()


def _stamp(db: str | Path) -> list[int]:
    stamp = []
    for file in (Path(db), Path(f"{db}.wal")):
        try:
            st = file.stat()
        except FileNotFoundError:
            stamp += [0, 0]
        else:
            stamp += [st.st_mtime_ns, st.st_size]
    return stamp


def _checked(path: Path) -> dict[str, Any] | None:
    return _read_json(path / CHECKED_FILE)


def _ensure_current(db: str | Path, path: Path, timeout: float) -> None:
    """Sync the index unless it is known current: by the warehouse files' stamp, else by asking it."""
    recorded = _read_state(path)
    if recorded is not None and _checked(path) == {"stamp": _stamp(db), "state": recorded}:
        return
    with reader(db, timeout=timeout) as r:  # no writer can commit while it is open: the stamp is its state's
        stamp, want = _stamp(db), _warehouse_state(r)
    if not _is_current(path, want):
        sync(db, timeout=timeout)
        return
    tmp = path / f"{CHECKED_FILE}.{os.getpid()}.tmp"
    try:
        tmp.write_text(json.dumps({"stamp": stamp, "state": want.as_json()}), encoding="utf-8")
        os.replace(tmp, path / CHECKED_FILE)
    except OSError:  # a read-only folder: searches just keep asking the warehouse
        tmp.unlink(missing_ok=True)


def _open_for_writing(path: Path) -> tuple[tantivy.Index, bool]:
    """Open the index to update it, or create it afresh (True) when missing or of another format."""
    recorded = _read_state(path)
    compatible = (recorded is not None and recorded.get("format") == FORMAT and recorded.get("keys") == KEYS
                  and tantivy.Index.exists(str(path)))
    if not compatible:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return _registered(tantivy.Index(_schema(), path=str(path))), True
    return _registered(tantivy.Index.open(str(path))), False


def _add(writer: tantivy.IndexWriter, batches: Iterable[pa.RecordBatch], *, replace: bool) -> int:
    added = 0
    for batch in batches:
        cols = batch.to_pydict()
        for aid, akey, title, text in zip(cols["id"], cols["akey"], cols["title"], cols["text"], strict=True):
            if replace:  # applies to documents added before it: re-indexing keeps one document per id
                writer.delete_documents_by_term("id", aid)
            body = f"{title}\n{text}"
            doc = tantivy.Document()
            doc.add_text("id", aid)
            doc.add_unsigned("akey", int(akey))
            doc.add_text("words", body)
            doc.add_text("stems", body)
            writer.add_document(doc)
            added += 1
    return added


def _update(r: Reader, path: Path, want: State, *, full: bool, ids: Sequence[str] = ()) -> None:
    """Catch the index up with the articles written since its recorded state and the given ``ids`` (or
    rebuild it when full, missing, or when catching up leaves it holding another number of articles
    than the warehouse)."""
    index, fresh = _open_for_writing(path)
    recorded = _read_state(path)
    since = None if (full or fresh or recorded is None or recorded.get("last_fetched") is None) else (
        datetime.fromisoformat(recorded["last_fetched"]))
    writer = index.writer(heap_size=100_000_000, num_threads=1 if since is not None else 0)
    if since is None:
        writer.delete_all_documents()
    _add(writer, r.batches("search_articles_since", {"since": since}, READ_BATCH_ROWS), replace=since is not None)
    if ids and since is not None:
        _add(writer, r.batches("search_articles_by_id", {"ids": list(ids)}, READ_BATCH_ROWS), replace=True)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    if index.searcher().num_docs != want.articles:
        if since is None:
            raise WarehouseError(f"{path}: the rebuilt search index holds {index.searcher().num_docs} "
                                 f"articles, the warehouse {want.articles}")
        # Articles written with an older fetched_at than the recorded one (another crawl's buffered
        # batch, a bulk load): catching up by time missed them, so index everything again.
        _update(r, path, want, full=True)
        return
    _write_state(path, want)


def sync(db: str | Path, *, timeout: float = 30.0, full: bool = False, ids: Sequence[str] = ()) -> State:
    """Bring the index up to date with the articles table (catch up, or rebuild when needed or ``full``).

    A writer passes the ``ids`` it just committed: they are re-indexed even when their fetched_at is
    older than the newest the index has seen (a batch another crawl buffered before committing).
    Raises SearchUnavailable when another process held the index for over ``timeout`` seconds.
    """
    if parse_location(db).is_lake:  # nothing to keep up to date (index_dir): writers go on quietly
        return State(0, None)
    path = index_dir(db)
    lock = FileLock(f"{path}.lock")
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise SearchUnavailable(f"{path}: another process held the search index for over {timeout:.0f} s "
                                "(rebuilding it?)") from None
    try:
        # One read-only connection for the state and the rows: no writer can commit in between.
        with reader(db, timeout=max(timeout, 30.0)) as r:
            want = _warehouse_state(r)
            if full or ids or not _is_current(path, want):
                try:
                    _update(r, path, want, full=full, ids=ids)
                except (OSError, ValueError) as exc:  # tantivy reports its I/O and lock errors as these
                    raise SearchUnavailable(f"{path}: cannot update the search index: {exc}") from exc
        return want
    finally:
        lock.release()


def _escape_regex(word: str) -> str:
    return "".join(f"\\{c}" if c in r"\.+*?()|[]{}^$#&-~" else c for c in word)


def words_of(text: str) -> list[str]:
    """The case-folded words a search text looks for (what the index would make of it)."""
    words, _ = _analyzers()
    return list(dict.fromkeys(words.analyze(text)))


def _query(index: tantivy.Index, text: str) -> tantivy.Query | None:
    words, stems = _analyzers()
    schema = index.schema
    clauses = []
    for word in dict.fromkeys(words.analyze(text)):
        either = [(tantivy.Occur.Should, tantivy.Query.regex_query(schema, "words", f"{_escape_regex(word)}.*"))]
        either += [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "stems", stem))
                   for stem in stems.analyze(word)]
        clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(either)))
    return tantivy.Query.boolean_query(clauses) if clauses else None


def _keys(searcher: tantivy.Searcher, query: tantivy.Query, n: int) -> pa.Array:
    if n == 0:
        return pa.array([], pa.uint64())
    # Ordered by the fast field, each hit carries its key: no stored document is read.
    hits = searcher.search(query, n, count=False, order_by_field="akey").hits
    return pa.array([value for value, _ in hits], pa.uint64())


def lookup(db: str | Path, text: str | None, *, timeout: float = 10.0) -> Matches | bool | None:
    """The one rule for a text filter, used by the dashboard and by exports: True when there is no text
    to search (every article passes), the index's ``matches`` otherwise, and None when the index cannot
    be brought up to date now, so the caller scans the warehouse with the filters' substring pattern.

    Call it while holding what the matches will narrow (the dashboard's snapshot, the export's open
    reader): the index is then synced past every article it holds, so a key missing from a list of
    non-matching articles (``Matches.exclude``) really is a match, not an article the index has not seen.
    """
    if text is None or not text.strip():
        return True
    try:
        return matches(db, text, timeout=timeout)
    except SearchUnavailable as exc:
        log.warning("text search scans the warehouse: %s", exc)
        return None


def matches(db: str | Path, text: str, *, timeout: float = 10.0) -> Matches:
    """The articles whose title or text contains every word of ``text`` (see the module's docstring),
    from an index brought up to date with the warehouse first. A text without words matches nothing.

    Raises SearchUnavailable when the index cannot be brought up to date within ``timeout`` seconds.
    """
    path = index_dir(db)
    _ensure_current(db, path, timeout)
    version = _version(path)
    key = (path, version, text)
    with _cache_lock:
        if key in _recent:
            _recent.move_to_end(key)
            return _recent[key]
    found = _search(_opened(path, version), text)
    with _cache_lock:
        _recent[key] = found
        while len(_recent) > RECENT_SEARCHES:
            _recent.popitem(last=False)
    return found


def clear_cache() -> None:
    """Forget the opened indexes and recent matches (for benchmarks that time a first search)."""
    with _cache_lock:
        _open.clear()
        _recent.clear()


def _version(path: Path) -> tuple[int, ...]:
    """Which commit of the index is on disk: tantivy replaces meta.json on every commit."""
    try:
        st = (path / "meta.json").stat()
    except OSError as exc:
        raise SearchUnavailable(f"{path}: cannot open the search index: {exc}") from exc
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _opened(path: Path, version: tuple[int, ...]) -> tantivy.Index:
    """The process's opened index of a folder, reopened only when the index changed on disk."""
    with _cache_lock:
        held = _open.get(path)
        if held is not None and held[0] == version:
            return held[1]
    try:
        index = _registered(tantivy.Index.open(str(path)))
    except ValueError as exc:
        raise SearchUnavailable(f"{path}: cannot open the search index: {exc}") from exc
    with _cache_lock:
        _open[path] = (version, index)
    return index


def _search(index: tantivy.Index, text: str) -> Matches:
    query = _query(index, text)
    if query is None:
        return Matches(pa.array([], pa.uint64()), exclude=False, count=0)
    searcher = index.searcher()
    total = searcher.num_docs
    count = searcher.search(query, 1, count=True).count or 0  # type: ignore[attr-defined]  # not in the stub
    if 2 * count <= total:
        return Matches(_keys(searcher, query, count), exclude=False, count=count)
    rest = tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.all_query()),
                                        (tantivy.Occur.MustNot, query)])
    return Matches(_keys(searcher, rest, total - count), exclude=True, count=count)
