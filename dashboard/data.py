"""Every query the dashboard runs: named SQL in warehouse/queries/dashboard.sql, one read-only connection
per call (never one held in a cached resource, so writers can always get in), results cached briefly.

The warehouse path comes from the shell's settings layers (``stancewatch.layers``, a leaf: the environment's
``STANCEWATCH_DB``, which ``stancewatch dashboard`` sets, wins); the dashboard never imports the settings
models. Which model's scores are shown comes from the models table.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
from pydantic import ValidationError

from insights import trends as trend_modes
from insights.compare import Comparison, Period, compare_warehouse
from insights.coverage import TrendsSettings, expected_daily, period_coverage
from insights.stats import cluster_bootstrap
from stancewatch.errors import SettingsError
from stancewatch.layers import read_layers, warehouse_path
from warehouse import jobs as warehouse_jobs
from warehouse import reader, search
from warehouse.filters import Filters, define_filter_macro
from warehouse.sql import query

TTL_S = 30
READ_TIMEOUT_S = 15.0
GRAINS = ("day", "week", "month")
SPLITS = {"none": "nothing", "outlet_country": "outlet country", "outlet": "outlet", "language": "language"}
# While the warehouse keeps changing (a crawl or scoring run), the stance cube is rebuilt at most this
# often; pages say how old their data is. An unchanged warehouse keeps its cube until it changes.
CUBE_MIN_AGE_S = 60.0
# The Articles page widens its candidate set up to this many articles before it falls back to one query.
MAX_CANDIDATES = 20_000
# A page of articles is first cut from this many of the newest matching stance rows per article it needs
# (most articles have one to three); only if that cannot hold the whole page, from as many as an article can
# have (one per target country). At 1M articles, 'kazakh' page 20: 238 ms at ten a page article, 67 at four.
FIRST_ROWS_PER_ARTICLE = 4
# Up to this many articles matched by a text search, their snapshot rows are found by key first, then
# fetched by row (Snapshot.df); more, and the filters run on every row, which is then faster.
FEW_MATCHES = 100
# A source whose last 7 days average under this share of its previous 21 days' daily volume is flagged.
VOLUME_DROP_RATIO = 0.5


@dataclass(frozen=True)
class Model:
    """The model whose scores a page shows."""

    id: str
    name: str
    version: str
    weights_sha256: str
    aggregation: int | None = None  # the aggregation rules' version of its stances (None: not recorded)

    @property
    def label(self) -> str:
        """Name, version and aggregation version, as every page that shows scores prints it."""
        rules = f" · aggregation v{self.aggregation}" if self.aggregation is not None else ""
        return f"{self.name} {self.version}{rules}"


@dataclass(frozen=True)
class Options:
    """What the filter widgets offer, from the data."""

    countries: tuple[str, ...]
    outlets: tuple[str, ...]
    outlet_countries: tuple[str, ...]
    languages: tuple[str, ...]


def db_path() -> Path:
    """The warehouse file the dashboard reads: the settings' `db`, through the CLI's own layers (defaults,
    ./stancewatch.toml, env STANCEWATCH_DB, which `stancewatch dashboard` sets)."""
    return warehouse_path()


def utcnow() -> datetime:
    """The current time as naive UTC, like every timestamp in the warehouse."""
    return datetime.now(UTC).replace(tzinfo=None)


@cache
def _param_names(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"\$([a-z_]+)", query(name)))


def bind(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Return the subset of params the named query uses (DuckDB rejects extra named parameters)."""
    needed = _param_names(name)
    missing = needed - params.keys()
    if missing:
        raise KeyError(f"query {name!r} needs parameters {sorted(missing)}")
    return {key: params[key] for key in needed}


def run_df(db: str | Path, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one named query on a fresh read-only connection and return a DataFrame."""
    with reader(db, timeout=READ_TIMEOUT_S) as r:
        result: pd.DataFrame = r.df(name, bind(name, params or {}))
    return result


def _filter_params(filters: Filters, model_id: str) -> dict[str, Any]:
    return {**filters.params(), "model_id": model_id}


@st.cache_data(ttl=TTL_S, show_spinner=False)
def models(db: str) -> list[Model]:
    """Every model in the warehouse, newest first."""
    df = run_df(db, "dashboard_models")
    return [Model(str(r.id), str(r.name), str(r.version), str(r.weights_sha256),
                  None if pd.isna(r.aggregation) else int(r.aggregation)) for r in df.itertuples()]


@st.cache_data(ttl=TTL_S, show_spinner=False)
def overview(db: str, model_id: str | None) -> dict[str, Any]:
    """Counts that decide the empty states: articles, sources, stance rows of the model, dates."""
    df = run_df(db, "dashboard_overview", {"model_id": model_id or ""})
    row: dict[str, Any] = df.iloc[0].to_dict()
    for key in ("articles", "sources", "stance_rows", "articles_scored"):
        row[key] = int(row[key])
    return row


@st.cache_data(ttl=TTL_S, show_spinner=False)
def options(db: str, model_id: str | None) -> Options:
    """The values the filter widgets offer: target countries, outlets, outlet countries, languages."""
    countries = run_df(db, "dashboard_target_countries", {"model_id": model_id or ""})
    outlets = run_df(db, "dashboard_source_options")
    languages = run_df(db, "dashboard_languages")
    return Options(
        countries=tuple(countries["country"]),
        outlets=tuple(outlets["name"]),
        outlet_countries=tuple(sorted(set(outlets["country"]))),
        languages=tuple(languages["language"]),
    )


class Snapshot:
    """One model's stance rows joined with their articles' outlet, language and date, in memory.

    The one full join of stance rows with articles the dashboard makes, done when the warehouse changed
    and held in an in-memory DuckDB database (no warehouse connection is kept): ``facts`` has a row per
    article and target country, ``cube`` sums them per day, target, outlet and language, ``meta`` holds
    each article's title and link. Trends, the
    matrix, the article list and counts query these (named dashboard_mem_* queries) in tens of ms.
    """

    def __init__(self, facts: pa.Table, meta: pa.Table, version: tuple[Any, ...],
                 outlet_days: pa.Table | None = None) -> None:
        self.version = version
        self.built_at = utcnow()
        self.built_mono = time.monotonic()
        self.con = duckdb.connect()
        define_filter_macro(self.con)  # the dashboard_mem_* queries filter with the warehouse's macro
        self.con.register("incoming", facts)
        self.con.execute("CREATE TABLE facts AS SELECT *, hash(article_id) AS akey FROM incoming "
                         "ORDER BY published_at DESC NULLS LAST, article_id")
        self.con.unregister("incoming")
        self.con.register("incoming", meta)
        self.con.execute("CREATE TABLE meta AS SELECT * FROM incoming")
        self.con.unregister("incoming")
        if outlet_days is not None:  # articles per outlet and day, scored or not: the coverage's history
            self.con.register("incoming", outlet_days)
            self.con.execute("CREATE TABLE outlet_days AS SELECT * FROM incoming")
            self.con.unregister("incoming")
        self.con.execute(query("dashboard_mem_build_cube"))
        self.rows = facts.num_rows
        found = self.con.execute("SELECT count(DISTINCT target) FROM facts").fetchone()
        self.targets = int(found[0]) if found else 0
        named = self.con.execute("SELECT current_database()").fetchone()
        self.database = str(named[0]) if named else "memory"

    def df(self, name: str, params: dict[str, Any], only: search.Matches | None = None) -> pd.DataFrame:
        """Run a named dashboard_mem_* query on this snapshot (a cursor per call: safe across threads),
        on the articles a text search matched when ``only`` is given."""
        cursor = self.con.cursor()
        try:
            if only is not None:
                # A temporary view named facts, seen by this cursor only, shadows the table: the same
                # named queries (and their filters) then run on the matched articles' rows alone.
                cursor.register("search_keys", pa.table({"akey": only.keys}))
                facts = f"{self.database}.main.facts"
                keyed = f"akey {'NOT IN' if only.exclude else 'IN'} (SELECT akey FROM search_keys)"
                if not only.exclude and len(only.keys) <= FEW_MATCHES:
                    # Few matches lie scattered over the table: find their rows reading only akey, then
                    # fetch those rows by rowid, instead of evaluating every filter on every row first
                    # (at 1M articles: 40 ms instead of 160 ms for 11 matches; slower from about 1,000).
                    keyed = f"rowid IN (SELECT rowid FROM {facts} WHERE {keyed})"
                cursor.execute(f"CREATE TEMP VIEW facts AS SELECT * FROM {facts} WHERE {keyed}")
            result: pd.DataFrame = cursor.execute(query(name), bind(name, params)).df()
        finally:
            cursor.close()
        return result

    def touched(self) -> Snapshot:
        """Mark the snapshot as checked against the warehouse just now."""
        self.built_mono = time.monotonic()
        return self


_snapshots: dict[tuple[str, str], Snapshot] = {}
_builds: dict[tuple[str, str], _Build] = {}
_snapshot_lock = threading.Lock()
# Bumped by clear_cache: a build started before the dashboard itself wrote must not install its snapshot.
_generation = 0
_BUILD_THREAD = "dashboard-snapshot"


@dataclass
class _Build:
    """A snapshot being built in its own thread, for one warehouse version."""

    version: tuple[Any, ...]
    generation: int
    done: threading.Event
    snapshot: Snapshot | None = None
    error: BaseException | None = None


def _run_build(key: tuple[str, str], build: _Build, model_id: str, corrected: bool) -> None:
    """Read the stance rows into a new snapshot and install it, unless clear_cache ran meanwhile."""
    db = key[0]
    try:
        with reader(db, timeout=READ_TIMEOUT_S) as r:
            facts = r.batches("dashboard_stance_facts", {"model_id": model_id, "corrected": corrected}).read_all()
            meta = r.batches("dashboard_article_meta").read_all()
            outlet_days = r.batches("coverage_outlet_days").read_all()
        build.snapshot = Snapshot(facts, meta, build.version, outlet_days)
    except BaseException as exc:  # handed to whoever waits for it; a stale snapshot stays shown meanwhile
        build.error = exc
    with _snapshot_lock:
        if _builds.get(key) is build:
            del _builds[key]
        if build.snapshot is not None and build.generation == _generation:
            _snapshots[key] = build.snapshot
    build.done.set()


def snapshot(db: str, model_id: str, corrected: bool = False) -> Snapshot:
    """The in-memory snapshot of a model's stance rows (with analysts' corrections applied when
    corrected: queries corrections_*), rebuilt when the warehouse changed.

    Shared by every session of the dashboard process (like a cached resource). While writers keep
    changing the warehouse it is rebuilt at most every CUBE_MIN_AGE_S seconds; pages say how old it is.
    A rebuild runs in its own thread and the pages keep the snapshot they have until it is done (a million
    articles take seconds to read); only a first snapshot, or one after clear_cache, is waited for.
    """
    key = (db, model_id + ("#corrected" if corrected else ""))
    version_query = "corrections_stance_version" if corrected else "dashboard_stance_version"
    with _snapshot_lock:
        snap = _snapshots.get(key)
        if snap is not None and time.monotonic() - snap.built_mono < CUBE_MIN_AGE_S:
            return snap
        version_df = run_df(db, version_query, {"model_id": model_id})
        version = tuple(version_df.iloc[0].tolist())
        if snap is not None and snap.version == version:
            return snap.touched()
        build = _builds.get(key)
        if build is None or build.version != version:
            build = _Build(version, _generation, threading.Event())
            _builds[key] = build
            threading.Thread(target=_run_build, args=(key, build, model_id, corrected),
                             name=_BUILD_THREAD, daemon=True).start()
        if snap is not None:
            return snap
    build.done.wait()
    if build.snapshot is None:
        raise build.error or RuntimeError(f"the dashboard snapshot of {db} was not built")
    return build.snapshot


def snapshot_settled(timeout_s: float = 60.0) -> bool:
    """Wait until no snapshot is being built (for tests and benchmarks); False if one still is."""
    deadline = time.monotonic() + timeout_s
    for thread in threading.enumerate():
        if thread.name == _BUILD_THREAD:
            thread.join(max(0.0, deadline - time.monotonic()))
    return not any(t.name == _BUILD_THREAD and t.is_alive() for t in threading.enumerate())


@st.cache_data(ttl=TTL_S, show_spinner=False)
def trend(db: str, model_id: str, filters: Filters, grain: str = "week", split: str = "none",
          mode: str = "plain", per_story: bool = False, corrected: bool = False) -> pd.DataFrame:
    """Mean stance per period, target country and split value, with its cluster-bootstrap 95% interval.

    ``mode`` is one of insights.trends.MODES (plain mean, fixed panel, within outlet); ``per_story``
    counts the wire copies of a story once. Columns: period, target, split_value, group, mean, lo, hi,
    n_articles (stories when per_story), n_outlets, sparse.
    """
    if grain not in GRAINS:
        raise ValueError(f"granularity {grain!r}: expected one of {', '.join(GRAINS)}")
    if split not in SPLITS:
        raise ValueError(f"split {split!r}: expected one of {', '.join(SPLITS)}")
    if mode not in trend_modes.MODES:
        raise ValueError(f"trend mode {mode!r}: expected one of {', '.join(trend_modes.MODES)}")
    name = "coverage_mem_story_trend" if per_story else "dashboard_mem_trend"
    cells = snapshot(db, model_id, corrected).df(name, {**filters.params(), "grain": grain})
    cells["split_value"] = "all" if split == "none" else cells[split].astype(str)
    cells = trend_modes.apply_mode(cells, mode, ["target", "split_value"])
    points = cluster_bootstrap(cells, ["period", "target", "split_value"])
    points["group"] = (points["target"] if split == "none"
                       else points["target"].astype(str) + " · " + points["split_value"].astype(str))
    points["period"] = pd.to_datetime(points["period"])
    return points.sort_values(["group", "period"]).reset_index(drop=True)


def trend_settings() -> TrendsSettings:
    """The [trends] settings (the coverage rule) through the settings layers; a bad value names its key."""
    values, origin = read_layers()
    try:
        return TrendsSettings.model_validate(values.get("trends", {}))
    except ValidationError as exc:
        problems = "; ".join(f"trends.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SettingsError(f"{origin}: {problems}") from None


@st.cache_data(ttl=TTL_S, show_spinner=False)
def coverage(db: str, model_id: str, filters: Filters, grain: str = "week") -> pd.DataFrame:
    """The selection's coverage per period (observed vs expected articles of its outlets, scored or not;
    insights.coverage), over the filters' dates: period, observed, expected, coverage, low."""
    rule = trend_settings()
    counts = snapshot(db, model_id).df("coverage_mem_outlet_days", filters.params())
    daily = expected_daily(counts, rule, until=_last_day(db, model_id))
    if filters.date_from is not None:
        daily = daily[daily["day"] >= pd.Timestamp(filters.date_from)]
    if filters.date_to is not None:
        daily = daily[daily["day"] <= pd.Timestamp(filters.date_to)]
    return period_coverage(daily, grain, rule)


def _last_day(db: str, model_id: str) -> date | None:
    """The last publication day in the warehouse: every outlet's zero days are counted up to it."""
    cursor = snapshot(db, model_id).con.cursor()
    try:
        found = cursor.execute("SELECT max(day) FROM outlet_days").fetchone()
    finally:
        cursor.close()
    return found[0] if found and found[0] is not None else None


@st.cache_data(ttl=TTL_S, show_spinner=False)
def compare(db: str, model_id: str, target: str, before: Period, after: Period,
            outlet_countries: tuple[str, ...] = ()) -> Comparison:
    """What changed toward a target between two periods (insights.compare, read from the warehouse)."""
    return compare_warehouse(db, model_id, target, before, after, outlet_countries)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def matrix(db: str, model_id: str, filters: Filters, corrected: bool = False) -> pd.DataFrame:
    """Outlet country x target country: n, mean_stance, outlets, and share of the outlet country's coverage."""
    df = snapshot(db, model_id, corrected).df("dashboard_mem_matrix", filters.params())
    totals = df.groupby("outlet_country")["n"].transform("sum")
    df["share"] = df["n"] / totals.where(totals > 0, np.nan)
    return df


def data_as_of(db: str, model_id: str) -> datetime:
    """When the figures were taken from the warehouse (UTC)."""
    return snapshot(db, model_id).built_at


@st.cache_data(ttl=TTL_S, show_spinner=False)
def articles(db: str, model_id: str, filters: Filters, limit: int = 50, offset: int = 0,
             corrected: bool = False) -> pd.DataFrame:
    """One page of filtered articles, newest first, with a readable stance summary per article.

    The page comes from the in-memory snapshot (facts, titles and links), narrowed to the articles a
    text search matched on the full-text index (warehouse.search). Only when that index cannot be
    brought up to date (another process is rebuilding it) does a text search scan the warehouse: the
    newest articles passing the article-level filters and the search, then their stance rows; the
    candidate set widens eightfold until the page is full, and filters so selective that it would pass
    MAX_CANDIDATES use the one-query fallback instead.
    """
    params = {**_filter_params(filters, model_id), "limit": int(limit), "offset": int(offset)}
    snap = snapshot(db, model_id, corrected)
    found = _search(db, filters)  # after the snapshot: the index is then synced past every article it holds
    if found is not None:
        only = found if isinstance(found, search.Matches) else None
        most = max(1, len(filters.countries) or snap.targets)  # rows an article can have at most
        per_article = min(FIRST_ROWS_PER_ARTICLE, most)
        wanted = int(offset) + int(limit)
        while True:
            rows = snap.df("dashboard_mem_articles", {**params, "per_article": per_article}, only=only)
            top_rows, top_articles = (int(rows[c].iloc[0]) for c in ("top_rows", "top_articles"))
            if per_article == most or top_rows < wanted * per_article or top_articles > wanted:
                break  # the page is whole (the query's text says why)
            per_article = most
        rows = rows.dropna(subset=["article_id"]).drop(columns=["top_rows", "top_articles"])
        return _with_summary(rows.rename(columns={"article_id": "id"}).reset_index(drop=True))
    else:
        wanted = int(offset) + int(limit)
        k = max(2 * wanted, 100)
        while True:
            candidates = run_df(db, "dashboard_article_candidates", {**params, "k": k})
            ids = list(candidates["id"])
            hits = run_df(db, "dashboard_article_hits", {**params, "ids": ids}) if ids else pd.DataFrame(
                columns=["article_id", "stances"])
            if len(hits) >= wanted or len(candidates) < k:
                break
            if k >= MAX_CANDIDATES:
                return _with_summary(run_df(db, "dashboard_articles", params))
            k = min(k * 8, MAX_CANDIDATES)
        order = {article_id: i for i, article_id in enumerate(ids)}
        hits = hits.assign(rank=hits["article_id"].map(order)).sort_values("rank").iloc[int(offset):wanted]
        page = list(hits["article_id"])
    if not page:
        return _with_summary(pd.DataFrame(columns=["id", "published_at", "outlet", "outlet_country", "language",
                                                   "title", "url", "stances"]))
    rows = run_df(db, "dashboard_article_rows", {"ids": page}).set_index("id")
    rows = rows.loc[page].reset_index()
    rows["stances"] = list(hits["stances"])
    return _with_summary(rows)


def _with_summary(df: pd.DataFrame) -> pd.DataFrame:
    df["stance"] = [", ".join(f"{s['country']} {s['stance']:+.2f} ({s['label']})" for s in stances)
                    for stances in df["stances"]]
    return df


def _search(db: str, filters: Filters) -> search.Matches | bool | None:
    """The text filter's rule (warehouse.search.lookup, which exports share): True without a text search,
    the index's matches, or None when the index is unavailable and the caller scans the warehouse.
    Call it after taking the snapshot the matches will narrow."""
    return search.lookup(db, filters.text, timeout=READ_TIMEOUT_S)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def article_count(db: str, model_id: str, filters: Filters, corrected: bool = False) -> int:
    """How many articles match the filters (from the snapshot, narrowed by the full-text index; from the
    warehouse only when a text search cannot use the index)."""
    if filters == Filters() and not corrected:  # the scoring table knows at once
        return int(run_df(db, "dashboard_scored_count", {"model_id": model_id}).iloc[0]["n"])
    snap = snapshot(db, model_id, corrected)
    found = _search(db, filters)  # after the snapshot: the index is then synced past every article it holds
    if found is not None:
        counted = snap.df("dashboard_mem_article_count", filters.params(),
                          only=found if isinstance(found, search.Matches) else None)
        return int(counted.iloc[0]["n"])
    df = run_df(db, "dashboard_article_count", _filter_params(filters, model_id))
    return int(df.iloc[0]["n"])


@st.cache_data(ttl=TTL_S, show_spinner=False)
def article_detail(db: str, model_id: str, article_id: str) -> dict[str, Any] | None:
    """One article with its stance per country and its evidence (mentions with their probabilities)."""
    params = {"article_id": article_id, "model_id": model_id}
    # One connection for the four lookups: opening one is most of each lookup's time at a million articles.
    with reader(db, timeout=READ_TIMEOUT_S) as r:
        head = r.df("dashboard_article", bind("dashboard_article", params))
        if head.empty:
            return None
        mentions = r.df("dashboard_article_mentions", bind("dashboard_article_mentions", params))
        scores = r.df("dashboard_mention_scores", {"mention_ids": list(mentions["mention_id"])})
        stance = r.df("dashboard_article_stance", bind("dashboard_article_stance", params))
    scores = scores[scores["model_id"] == model_id].drop(columns=["model_id"])
    mentions = mentions.merge(scores, on="mention_id", how="left")
    return {"article": head.iloc[0].to_dict(), "stance": stance, "mentions": mentions}


@st.cache_data(ttl=TTL_S, show_spinner=False)
def source_health(db: str, now: datetime | None = None) -> pd.DataFrame:
    """Per source: last good crawl, 28 daily counts, error rate, recent vs usual volume and a drop flag."""
    df = run_df(db, "dashboard_source_health", {"now": now or utcnow()})
    per_day = [list(map(int, v)) if v is not None else [0] * 28 for v in df["per_day"]]
    df["per_day"] = per_day
    df["recent_per_day"] = [float(np.mean(v[-7:])) for v in per_day]
    df["usual_per_day"] = [float(np.mean(v[:-7])) if len(v) > 7 else 0.0 for v in per_day]
    df["error_rate"] = df["fetch_errors"] / df["fetches"].where(df["fetches"] > 0, np.nan)
    df["volume_drop"] = (df["usual_per_day"] >= 1.0) & (
        df["recent_per_day"] < VOLUME_DROP_RATIO * df["usual_per_day"])
    return df


@st.cache_data(ttl=5, show_spinner=False)
def crawl_runs(db: str, limit: int = 50) -> pd.DataFrame:
    """The latest crawl runs with their stats and errors."""
    return run_df(db, "dashboard_crawl_runs", {"limit": int(limit)})


def jobs(db: str, limit: int = 20) -> pd.DataFrame:
    """The latest jobs (not cached: the page polls them after Crawl now)."""
    return pd.DataFrame(warehouse_jobs.list_jobs(db, limit=limit))


def schedules(db: str) -> pd.DataFrame:
    """Every schedule with its next run (not cached: edits must show at once)."""
    return pd.DataFrame(warehouse_jobs.list_schedules(db))


def default_date_range(overview_row: dict[str, Any]) -> tuple[date | None, date | None]:
    """The span of publication dates in the warehouse, for date pickers' defaults."""
    first, last = overview_row.get("first_published"), overview_row.get("last_published")
    return (pd.Timestamp(first).date() if pd.notna(first) else None,
            pd.Timestamp(last).date() if pd.notna(last) else None)


def clear_cache() -> None:
    """Drop every cached result and cube (after the dashboard itself wrote something)."""
    global _generation
    st.cache_data.clear()
    with _snapshot_lock:
        _snapshots.clear()
        _builds.clear()
        _generation += 1
