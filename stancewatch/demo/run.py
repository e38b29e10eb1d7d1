"""`stancewatch demo`: serve the demo site, crawl it, score it, then open the dashboard on the result.

The demo gets its own folder (default ./data/demo) with its own warehouse, sources file and settings file,
so it never touches the user's warehouse. Each run starts from an empty warehouse: the site's ports change
from run to run, and with them the article URLs (and ids). Politeness delays are off for the local site.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stancewatch.context import AppState
from stancewatch.demo import site as demo_site
from stancewatch.demo.content import OUTLETS, generate
from stancewatch.layers import packaged_defaults, to_toml
from stancewatch.settings import Settings, validate_settings
from stancewatch.supervisor import Echo, LaunchError, Supervisor
from warehouse import reader

DAYS = 180
# The local demo site needs no politeness: no delays, more connections, quick timeouts.
DEMO_CRAWL = {"obey_robots": True, "download_delay_s": 0, "autothrottle": False, "concurrent_per_domain": 8,
              "retries": 1, "timeout_s": 20, "default_since_days": DAYS + 10}
HEADER = "Written by `stancewatch demo` from the settings it ran with; it is rewritten on every run."


def demo_settings(app_state: AppState, db: Path, sources: Path, model_name: str | None = None,
                  private_hosts: list[str] | None = None) -> Settings:
    """The demo's settings: the packaged defaults with its own warehouse and sources, no delays, the user's
    model and dashboard address, no password, and the demo site's own host:port pairs allowed although they
    are on 127.0.0.1."""
    user = app_state.settings
    defaults = packaged_defaults()
    data = {**defaults, "db": str(db), "sources": str(sources),
            # The crawler refuses private addresses; the demo's servers, and only they, are allowed.
            "crawl": {**defaults["crawl"], **DEMO_CRAWL, "private_hosts": list(private_hosts or [])},
            "model": {**user.model.model_dump(), "name": model_name or user.model.name},
            "dashboard": {**user.dashboard.model_dump(), "password_hash": ""}}
    return validate_settings(data, "the demo's settings")


def _fresh(db: Path) -> None:
    for path in (db, Path(f"{db}.wal"), Path(f"{db}.lock")):
        path.unlink(missing_ok=True)


def summary(db: Path) -> dict[str, int]:
    """Row counts of the demo warehouse's main tables."""
    with reader(db) as r:
        return {name: int(n) for name, n in r.fetch("table_counts")}


def run_demo(app_state: AppState, *, folder: Path, serve: bool, port: int | None, articles: int,
             echo: Echo, model: str | None = None) -> None:
    """Build the demo warehouse from a local demo site; then serve the dashboard on it unless told not to."""
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "stancewatch.duckdb"
    sources_file = folder / "sources.yaml"
    config = folder / "stancewatch.toml"
    _fresh(db)
    started = time.monotonic()
    stories = generate(total=articles, days=DAYS)
    with demo_site.serve(OUTLETS, stories) as sites:
        sources_file.write_text(demo_site.sources_yaml(sites), encoding="utf-8")
        hosts = [site.base.removeprefix("http://") for site in sites]
        settings = demo_settings(app_state, db, sources_file, model, hosts)
        config.write_text(to_toml(settings.model_dump(mode="json"), header=HEADER), encoding="utf-8")
        echo(f"demo site: {len(stories)} articles from {len(OUTLETS)} fictional outlets on "
             f"{', '.join(s.base for s in sites[:2])}, …")
        # the demo's own warehouse and sources, named on the command line: they beat STANCEWATCH_DB and
        # STANCEWATCH_SOURCES, so the user's warehouse is never written, whatever the environment says
        base = ["--config", str(config), "--db", str(db), "--sources", str(sources_file)]
        with Supervisor(echo) as supervisor:
            supervisor.run_cli([*base, "init"], what="creating the demo warehouse", quiet=True)
            since = (datetime.now(UTC) - timedelta(days=DAYS + 5)).date().isoformat()
            echo(f"crawling the demo site (since {since})…")
            supervisor.run_cli([*base, "crawl", "--since", since, "--trigger", "demo", "--quiet"],
                               what="crawling the demo site")
            echo("scoring the crawled articles…")
            supervisor.run_cli([*base, "score"], what="scoring the demo articles")
            counts = summary(db)
            echo(f"demo warehouse ready in {time.monotonic() - started:.0f} s: {counts.get('articles', 0)} "
                 f"articles, {counts.get('mentions', 0)} mentions, {counts.get('article_stance', 0)} "
                 "article-country stances")
            if counts.get("article_stance", 0) == 0:
                raise LaunchError(f"{db}: the demo crawl and scoring produced no stance rows; see the output above")
            if not serve:
                print(db, flush=True)  # plain and unwrapped: scripts read the path from the last line
                return
            host, chosen = settings.dashboard.host, port or settings.dashboard.port
            address = supervisor.start_dashboard(db, host, chosen, "")
            echo(f"demo dashboard at {address}  (warehouse {db}; Ctrl-C stops the demo)")
            supervisor.serve()
