"""The product on a DuckLake, end to end: `stancewatch --warehouse URL init`, the crawler's store and the scorer
writing into the lake, `status --json` counting it, and bad URLs refused clearly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analysis.scoring import score_warehouse
from crawler.extract import Extracted
from crawler.sources import load_sources
from crawler.store import CrawlStore
from tests.analysis.fakes import FakeScorer
from tests.services import lake_url, postgres  # noqa: F401  (fixtures)
from warehouse import reader

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "crawler" / "sources.yaml"


def stancewatch(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user does, in a process of its own, with no settings file or warehouse variable."""
    env = {k: v for k, v in os.environ.items() if k not in ("STANCEWATCH_DB", "STANCEWATCH_SOURCES")}
    return subprocess.run([sys.executable, "-m", "stancewatch.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _article(i: int, source: str) -> Extracted:
    text = (f"Astana and Moscow signed a new agreement on day {i}. Kazakhstan welcomed the talks, "
            "while critics in Russia said little about them.")
    return Extracted(id=f"{i:040x}", url=f"https://{source}.example/a/{i}", title=f"Kazakhstan and Russia, day {i}",
                     description=None, text=text, authors=(), published_at=datetime(2026, 3, 1) + timedelta(days=i),
                     language="en", content_hash=f"{i:064x}", extractor="test")


def _crawl(url: str, run_id: str, ids: range) -> None:
    sources = load_sources(SOURCES)[:2]
    store = CrawlStore(url, run_id, refresh=False, since=None, max_articles=None, batch_size=4)
    store.start(sources, "test", datetime.now(UTC).replace(tzinfo=None) - timedelta(days=365))
    for i in ids:
        store.add_article(_article(i, sources[i % 2].name), sources[i % 2].name)
        store.log_fetch(f"https://x.example/{i}", sources[i % 2].name, 200, None, 100)
    store.finish("done")


def test_init_crawl_store_scoring_and_status_json_on_a_lake(lake_url: str) -> None:  # noqa: F811
    done = stancewatch("--warehouse", lake_url, "--sources", str(SOURCES), "init")
    assert done.returncode == 0, done.stderr
    assert "ducklake:postgres:" in done.stdout and "sources loaded" in done.stdout

    _crawl(lake_url, "run-1", range(10))
    _crawl(lake_url, "run-2", range(5, 15))  # a second crawl that meets five stored articles again
    scorer = FakeScorer()
    first = score_warehouse(lake_url, scorer=scorer, progress=False, chunk=4)
    again = score_warehouse(lake_url, scorer=scorer, progress=False, chunk=4)  # nothing left: idempotent
    assert first.articles == 15 and again.articles == 0

    status = stancewatch("--warehouse", lake_url, "status", "--json")
    assert status.returncode == 0, status.stderr
    info = json.loads(status.stdout)
    assert info["backend"] == "ducklake" and info["warehouse"] == lake_url.replace("'", "")
    with reader(lake_url) as r:
        ids = [i for i, in r.con.execute("SELECT id FROM articles").fetchall()]
        stance = r.con.execute("SELECT count(*), count(DISTINCT (article_id, country, model_id)) "
                               "FROM article_stance").fetchone()
        mentions = r.con.execute("SELECT count(*), count(DISTINCT id) FROM mentions").fetchone()
        runs = r.con.execute("SELECT id, status FROM crawl_runs ORDER BY id").fetchall()
    assert len(ids) == len(set(ids)) == 15
    assert stance is not None and mentions is not None and stance[0] == stance[1] > 0 and mentions[0] == mentions[1]
    assert runs == [("run-1", "done"), ("run-2", "done")]
    counts = info["counts"]
    assert counts["articles"] == 15 and counts["crawl_runs"] == 2
    assert counts["article_stance"] == stance[0] and counts["mentions"] == mentions[0]
    assert counts["sources"] == len(load_sources(SOURCES))

    # the option after the command works too, and the file default is untouched
    same = stancewatch("status", "--json", "--warehouse", lake_url)
    assert same.returncode == 0 and json.loads(same.stdout)["counts"] == counts


def test_a_bad_warehouse_url_is_one_clear_line_without_the_password() -> None:
    done = stancewatch("--db", "ducklake:postgres:dbname=sw host=127.0.0.1 password=hunter2", "status")
    assert done.returncode == 2
    assert "expected exactly one data_path=<folder>" in done.stderr and "ducklake:postgres:dbname=sw" in done.stderr
    assert "hunter2" not in done.stderr + done.stdout and "Traceback" not in done.stderr


def test_an_unreachable_catalog_names_the_lake_and_hides_the_password(tmp_path: Path) -> None:
    url = f"ducklake:postgres:dbname=sw host=127.0.0.1 port=1 user=postgres password=hunter2 data_path={tmp_path}"
    done = stancewatch("--warehouse", url, "status")
    assert done.returncode == 2, done.stdout
    assert "cannot open the DuckLake warehouse" in done.stderr and "password=***" in done.stderr
    assert "hunter2" not in done.stderr + done.stdout


def test_config_show_masks_a_lake_password() -> None:
    done = stancewatch("--warehouse", "ducklake:postgres:dbname=sw password=hunter2 data_path=/srv/lake",
                       "config", "show")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)["db"]
    assert shown == "ducklake:postgres:dbname=sw password=*** data_path=/srv/lake/"


def test_child_processes_get_a_lake_url_unchanged_and_a_file_made_absolute(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from stancewatch.context import AppState

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STANCEWATCH_DB", raising=False)
    url = "ducklake:postgres:dbname=sw host=db.example port=5432 password='a b' data_path=/srv/lake/"
    lake = AppState(db=url).child_args()
    assert lake[:2] == ["--db", url]
    assert AppState(db="w.duckdb").child_args()[:2] == ["--db", str(tmp_path / "w.duckdb")]
