"""`stancewatch demo`: serve the demo site, crawl it, score it, then open the dashboard on the result.

The demo gets its own folder (default ./data/demo) with its own warehouse, sources file and settings file,
so it never touches the user's warehouse. Each run starts from an empty warehouse: the site's ports change
from run to run, and with them the article URLs (and ids). Politeness delays are off for the local site.

``--cluster`` builds the same warehouse past one machine, on this one: a local PostgreSQL, Redis and Ray
(``stancewatch.cluster.local``, data under ``<demo folder>/cluster``), N crawler processes sharing the Redis
frontier, N Ray workers scoring, into a DuckLake warehouse. The services live as long as the demo: with
``--no-serve`` they stop after the URL is printed, unless ``--keep-running`` keeps them (and the URL usable)
until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from stancewatch.cluster.settings import ClusterSettings
from stancewatch.context import AppState
from stancewatch.demo import site as demo_site
from stancewatch.demo.content import OUTLETS, generate
from stancewatch.layers import packaged_defaults, to_toml
from stancewatch.settings import Settings, validate_settings
from stancewatch.supervisor import Echo, LaunchError, Supervisor
from warehouse import reader
from warehouse.location import parse_location

DAYS = 180
# The local demo site needs no politeness: no delays, more connections, quick timeouts.
DEMO_CRAWL = {"obey_robots": True, "download_delay_s": 0, "autothrottle": False, "concurrent_per_domain": 8,
              "retries": 1, "timeout_s": 20, "default_since_days": DAYS + 10}
HEADER = "Written by `stancewatch demo` from the settings it ran with; it is rewritten on every run."


def demo_settings(app_state: AppState, db: Path | str, sources: Path, model_name: str | None = None,
                  private_hosts: list[str] | None = None, cluster: ClusterSettings | None = None) -> Settings:
    """The demo's settings: the packaged defaults with its own warehouse and sources, no delays, the user's
    model and dashboard address, no password, the demo site's own host:port pairs allowed although they
    are on 127.0.0.1, and the demo's cluster (if any), so a scheduler on these settings uses it too."""
    user = app_state.settings
    defaults = packaged_defaults()
    data = {**defaults, "db": str(db), "sources": str(sources),
            # The crawler refuses private addresses; the demo's servers, and only they, are allowed.
            "crawl": {**defaults["crawl"], **DEMO_CRAWL, "private_hosts": list(private_hosts or [])},
            "model": {**user.model.model_dump(), "name": model_name or user.model.name},
            "dashboard": {**user.dashboard.model_dump(), "password_hash": ""},
            "cluster": (cluster or ClusterSettings()).model_dump()}
    return validate_settings(data, "the demo's settings")


def _fresh(db: Path) -> None:
    for path in (db, Path(f"{db}.wal"), Path(f"{db}.lock")):
        path.unlink(missing_ok=True)


def summary(db: Path | str) -> dict[str, int]:
    """Row counts of the demo warehouse's main tables."""
    with reader(db) as r:
        return {name: int(n) for name, n in r.fetch("table_counts")}


class _Say:
    """Where the demo's messages go: its echo until the warehouse is printed, then stderr, so that the printed
    path or URL stays the last line of stdout while a --keep-running demo waits and stops."""

    def __init__(self, echo: Echo) -> None:
        self.echo = echo
        self.printed = False

    def __call__(self, line: str) -> None:
        if self.printed:
            print(line, file=sys.stderr, flush=True)
        else:
            self.echo(line)

    def result(self, where: str) -> None:
        """Print the warehouse's path or URL, plain and unwrapped: scripts read it from the last line."""
        print(where, flush=True)
        self.printed = True


@contextmanager
def _warehouse(folder: Path, workers: int | None,
               say: _Say) -> Iterator[tuple[str, ClusterSettings | None, Callable[[], bool]]]:
    """The demo's empty warehouse: a fresh DuckDB file, or (workers given) a fresh local cluster's DuckLake;
    with a function that restarts the cluster's Ray head if its node died (a no-op without a cluster)."""
    if workers is None:
        db = folder / "stancewatch.duckdb"
        _fresh(db)
        yield str(db), None, lambda: False
        return
    from stancewatch.cluster.local import local_cluster

    with local_cluster(folder / "cluster", workers, say) as cluster:
        yield cluster.warehouse, cluster.settings, cluster.revive_ray


def _step(supervisor: Supervisor, args: list[str], *, what: str, say: _Say, rerun: bool,
          revive: Callable[[], bool] = lambda: False) -> None:
    """Run one step; on a cluster rerun it once if it failed: a crawler or scoring process that died leaves
    its work in the shared frontier or unscored, and the rerun finishes exactly that (batches are idempotent).
    A Ray node that died with the step is restarted first, on the same address."""
    try:
        supervisor.run_cli(args, what=what)
    except LaunchError as exc:
        if not rerun:
            raise
        if revive():
            say("the local Ray node had died: restarted it")
        say(f"{exc}; rerunning it once to finish what was left")
        supervisor.run_cli(args, what=what)


def run_demo(app_state: AppState, *, folder: Path, serve: bool, port: int | None, articles: int,
             echo: Echo, model: str | None = None, workers: int | None = None,
             keep_running: bool = False) -> None:
    """Build the demo warehouse from a local demo site (on a local cluster with workers crawler processes and
    Ray workers when workers is given); then serve the dashboard on it unless told not to."""
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    sources_file = folder / "sources.yaml"
    config = folder / "stancewatch.toml"
    say = _Say(echo)
    started = time.monotonic()
    stories = generate(total=articles, days=DAYS)
    with demo_site.serve(OUTLETS, stories) as sites, Supervisor(say) as supervisor, \
            _warehouse(folder, workers, say) as (db, cluster, revive):
        try:
            _build_and_serve(app_state, supervisor, say, db=db, cluster=cluster, revive=revive, sites=sites,
                             stories=len(stories), since=min(story.published for story in stories).date(),
                             sources_file=sources_file, config=config, model=model, started=started,
                             serve=serve, port=port, keep_running=keep_running)
        finally:
            supervisor.stop_all()  # the steps and the dashboard stop before the cluster they use


def _build_and_serve(app_state: AppState, supervisor: Supervisor, say: _Say, *, db: str,
                     cluster: ClusterSettings | None, revive: Callable[[], bool],
                     sites: list[demo_site.OutletSite], stories: int, since: date,
                     sources_file: Path, config: Path, model: str | None, started: float, serve: bool,
                     port: int | None, keep_running: bool) -> None:
    sources_file.write_text(demo_site.sources_yaml(sites), encoding="utf-8")
    hosts = [site.base.removeprefix("http://") for site in sites]
    settings = demo_settings(app_state, db, sources_file, model, hosts, cluster)
    config.write_text(to_toml(settings.model_dump(mode="json"), header=HEADER), encoding="utf-8")
    say(f"demo site: {stories} articles from {len(OUTLETS)} fictional outlets on "
        f"{', '.join(s.base for s in sites[:2])}, …")
    # the demo's own warehouse and sources, named on the command line: they beat STANCEWATCH_DB and
    # STANCEWATCH_SOURCES, so the user's warehouse is never written, whatever the environment says
    base = ["--config", str(config), "--db", db, "--sources", str(sources_file)]
    supervisor.run_cli([*base, "init"], what="creating the demo warehouse", quiet=True)
    crawl = [*base, "crawl", "--since", since.isoformat(), "--trigger", "demo", "--quiet"]
    score = [*base, "score"]
    on = ""
    if cluster is not None:
        crawl += cluster.crawl_args()
        score += cluster.score_args()
        on = f" with {cluster.workers} crawler processes sharing {cluster.frontier}"
    say(f"crawling the demo site (since {since}){on}…")
    _step(supervisor, crawl, what="crawling the demo site", say=say, rerun=cluster is not None)
    say("scoring the crawled articles" + (f" on Ray ({cluster.workers} workers)…" if cluster else "…"))
    _step(supervisor, score, what="scoring the demo articles", say=say, rerun=cluster is not None, revive=revive)
    counts = summary(db)
    label = parse_location(db).label  # a lake's URL with any password masked
    say(f"demo warehouse ready in {time.monotonic() - started:.0f} s: {counts.get('articles', 0)} "
        f"articles, {counts.get('mentions', 0)} mentions, {counts.get('article_stance', 0)} "
        "article-country stances")
    if counts.get("article_stance", 0) == 0:
        raise LaunchError(f"{label}: the demo crawl and scoring produced no stance rows; see the output above")
    if not serve:
        say.result(db)
        if keep_running and cluster is not None:
            say("the local cluster stays up, and the URL above usable, until Ctrl-C or SIGTERM")
            supervisor.serve()  # no children: waits for the signal
        return
    host, chosen = settings.dashboard.host, port or settings.dashboard.port
    address = supervisor.start_dashboard(db, host, chosen, "")
    say(f"demo dashboard at {address}  (warehouse {label}; Ctrl-C stops the demo)")
    supervisor.serve()
