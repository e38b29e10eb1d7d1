"""Scoring on a real local Ray cluster with the real shipped model into real DuckDB files (slow).

Every run is compared with a local `score_warehouse` run over a copy of the same unscored warehouse: the same
mention ids, stance labels and scoring statuses, no duplicate keys, also after a Ray worker is killed with
SIGKILL mid-run and after the driver itself is killed and the run is started again.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from analysis.model import load_scorer
from analysis.ray_scoring import ScoringWorker, _register, score_on_ray
from analysis.scoring import ScoringSummary, score_warehouse
from stancewatch.cluster.ray_cluster import LocalRay
from tests.analysis.test_end_to_end import CACHE, DEFAULT, _shipped
from tests.analysis.test_scoring import article, insert
from tests.processes import kill_tree
from tests.services import lake_url, postgres, ray_cluster
from warehouse import reader

__all__ = ["lake_url", "postgres", "ray_cluster"]  # the fixtures, imported for pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not _shipped(DEFAULT), reason=f"{DEFAULT}'s trained weights are not shipped")]

CHUNK = 4
STANCEWATCH = str(Path(sys.executable).with_name("stancewatch"))  # the installed command
SENTENCES = [
    ("en", "{a} condemned the decision of {b}, calling it a provocation."),
    ("en", "{a} and {b} signed a trade agreement that officials called a success."),
    ("en", "Talks between {a} and {b} ended without progress."),
    ("en", "{a} thanked {b} for its generous humanitarian aid."),
    ("ru", "{a} осудила действия {b}."),
    ("ru", "{a} и {b} подписали соглашение о сотрудничестве."),
]
EN = ["Russia", "Kazakhstan", "China", "Ukraine", "Turkey", "the United States"]
RU = [("Россия", "России"), ("Казахстан", "Казахстана"), ("Китай", "Китая"), ("Украина", "Украины")]


def _articles(n: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        language, template = SENTENCES[i % len(SENTENCES)]
        if language == "en":
            a, b = EN[i % len(EN)], EN[(i + 1 + i // len(EN)) % len(EN)]
            body = template.format(a=a, b=b) + f" The meeting took place on day {i}."
        else:
            a, b = RU[i % len(RU)][0], RU[(i + 1) % len(RU)][1]
            body = template.format(a=a, b=b) + f" Встреча прошла в день {i}."
        rows.append(article(f"r{i:03d}", f"Report {i}", body, language))
    rows.append(article("r900", "Blank", "   "))  # malformed: skipped with its reason, the run goes on
    rows.append(article("r901", "Weather", "It rained all day in the valley."))  # no country: scored
    return rows


@pytest.fixture(scope="module")
def unscored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse file with articles and no scores: each test scores its own copy."""
    db = tmp_path_factory.mktemp("template") / "stancewatch.duckdb"
    insert(db, _articles(30))
    return db


def _copy(db: Path, to: Path) -> Path:
    to.mkdir(parents=True, exist_ok=True)
    shutil.copy(db, to / db.name)
    return to / db.name


def _state(db: str | Path) -> dict[str, Any]:
    """What a scoring run leaves, keyed so that a duplicate or a missing row shows."""
    with reader(db) as r:
        con = r.con
        state = {
            "mentions": sorted(con.execute("SELECT id, article_id, country FROM mentions").fetchall()),
            "scores": sorted(con.execute("SELECT mention_id, model_id FROM mention_scores").fetchall()),
            "stance": sorted(con.execute(
                "SELECT article_id, country, model_id, label, mention_count FROM article_stance").fetchall()),
            "scoring": sorted(con.execute(
                "SELECT article_id, model_id, status, coalesce(reason, '') FROM article_scoring").fetchall()),
            "models": sorted(con.execute("SELECT id FROM models").fetchall()),
        }
    return state


@pytest.fixture(scope="module")
def local(unscored: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[ScoringSummary, dict[str, Any]]:
    """A plain local run over a copy: the reference every Ray run must equal."""
    db = _copy(unscored, tmp_path_factory.mktemp("local"))
    summary = score_warehouse(db, scorer=load_scorer(DEFAULT, CACHE), progress=False, chunk=CHUNK)
    return summary, _state(db)


def _assert_same(db: Path, summary: ScoringSummary, local: tuple[ScoringSummary, dict[str, Any]]) -> None:
    reference_summary, reference = local
    state = _state(db)
    for key, rows in state.items():
        assert len(rows) == len(set(rows)), f"duplicate {key} rows"
        assert rows == reference[key], f"{key} differ from the local run"
    assert (summary.scored, summary.skipped, summary.mentions) == (
        reference_summary.scored, reference_summary.skipped, reference_summary.mentions)
    assert summary.skipped_reasons == reference_summary.skipped_reasons == {"text is empty": 1}


def _workers(cluster: LocalRay) -> list[psutil.Process]:
    """The cluster's scoring actors (Ray titles an actor's process `ray::ScoringWorker...`)."""
    found = []
    for proc in cluster.processes():
        with contextlib.suppress(psutil.Error):
            if proc.name().startswith("ray::ScoringWorker") or " ".join(proc.cmdline()).startswith(
                    "ray::ScoringWorker"):
                found.append(proc)
    return found


def test_two_ray_workers_equal_a_local_run(ray_cluster: LocalRay, unscored: Path, tmp_path: Path,
                                           local: tuple[ScoringSummary, dict[str, Any]]) -> None:
    db = _copy(unscored, tmp_path)
    seen: list[tuple[int, int]] = []
    summary = score_on_ray(db, address=ray_cluster.address, workers=2, model_name=DEFAULT, cache_dir=CACHE,
                           chunk=CHUNK, on_batch=lambda done, total: seen.append((done, total)))
    _assert_same(db, summary, local)
    assert summary.articles == 32 and summary.retried_batches == 0
    assert seen[-1] == (32, 32) and len(seen) == 8  # 32 articles in batches of 4
    assert _workers(ray_cluster) == []  # the run's actors are gone with it
    again = score_on_ray(db, address=ray_cluster.address, workers=2, model_name=DEFAULT, cache_dir=CACHE,
                         chunk=CHUNK)
    assert again.articles == 0 and _state(db) == local[1]  # a rerun has nothing left to do


def test_a_worker_killed_mid_run_loses_nothing(ray_cluster: LocalRay, unscored: Path, tmp_path: Path,
                                               local: tuple[ScoringSummary, dict[str, Any]]) -> None:
    db = _copy(unscored, tmp_path)
    killed: list[int] = []

    def kill_one(done: int, total: int) -> None:
        if killed:
            return
        workers = _workers(ray_cluster)
        assert len(workers) == 2, [w.name() for w in workers]
        workers[0].send_signal(signal.SIGKILL)
        killed.append(workers[0].pid)

    summary = score_on_ray(db, address=ray_cluster.address, workers=2, model_name=DEFAULT, cache_dir=CACHE,
                           chunk=CHUNK, on_batch=kill_one)
    assert killed and summary.retried_batches >= 1
    _assert_same(db, summary, local)


def test_registration_replaces_a_worker_that_died_before_it_answered(ray_cluster: LocalRay, unscored: Path,
                                                                      tmp_path: Path) -> None:
    # A CI run had the pool's first actor die (Ray lost its process) before it ran register: the run failed
    # instead of going on with a fresh worker, as it does for a batch.
    import ray

    db = _copy(unscored, tmp_path)
    ray.init(address=ray_cluster.address, log_to_driver=False)
    made: list[Any] = []

    def fresh() -> Any:
        made.append(ray.remote(num_cpus=1, max_restarts=0)(ScoringWorker).remote(str(db), DEFAULT, str(CACHE), 8, 1))
        return made[-1]

    try:
        dead = fresh()
        ray.kill(dead)
        pool = [dead]
        model_id, _ = _register(pool, fresh, DEFAULT)
        assert len(made) == 2 and pool[0] is made[1]
    finally:
        for actor in made:
            ray.kill(actor)
        ray.shutdown()
    with reader(db) as r:
        assert r.con.execute("SELECT count(*) FROM models WHERE id = ?", [model_id]).fetchone() == (1,)


def test_a_rerun_after_a_killed_driver_finishes_the_rest(ray_cluster: LocalRay, unscored: Path, tmp_path: Path,
                                                         local: tuple[ScoringSummary, dict[str, Any]]) -> None:
    db = _copy(unscored, tmp_path)
    # a driver of its own (the command's batches of 200 would hold all 32 articles in one)
    driver = (f"from analysis.ray_scoring import score_on_ray; from pathlib import Path; "
              f"score_on_ray({str(db)!r}, address={ray_cluster.address!r}, workers=2, model_name={DEFAULT!r}, "
              f"cache_dir=Path({str(CACHE)!r}), chunk={CHUNK})")
    cmd = [sys.executable, "-c", driver]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 240
        written = 0
        while written == 0 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
            # the writer may hold the file for a moment: try again on the next turn
            with contextlib.suppress(Exception), reader(db, timeout=2) as r:
                row = r.con.execute("SELECT count(*) FROM article_scoring").fetchone()
                written = int(row[0]) if row else 0
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        assert 0 < written < 32
    finally:
        kill_tree(proc)
    # the driver's actors die with it: the rerun scores only what is left, and the result is the local one
    rest = score_on_ray(db, address=ray_cluster.address, workers=2, model_name=DEFAULT, cache_dir=CACHE,
                        chunk=CHUNK)
    assert 0 < rest.articles < 32
    state = _state(db)
    for key, rows in state.items():
        assert len(rows) == len(set(rows)) and rows == local[1][key], key


def test_the_cli_scores_on_ray_and_prints_the_summary(ray_cluster: LocalRay, unscored: Path, tmp_path: Path,
                                                      local: tuple[ScoringSummary, dict[str, Any]]) -> None:
    db = _copy(unscored, tmp_path)
    done = subprocess.run([STANCEWATCH, "--db", str(db), "score", "--ray",
                           ray_cluster.address, "--workers", "1", "--no-progress"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "articles per second" in done.stdout and "skipped: text is empty" in done.stdout
    assert _state(db) == local[1]


def test_two_ray_workers_write_a_ducklake_warehouse_concurrently(
        ray_cluster: LocalRay, lake_url: str, local: tuple[ScoringSummary, dict[str, Any]]) -> None:
    insert(lake_url, _articles(30))  # type: ignore[arg-type]
    summary = score_on_ray(lake_url, address=ray_cluster.address, workers=2, model_name=DEFAULT, cache_dir=CACHE,
                           chunk=CHUNK)
    assert summary.articles == 32
    state = _state(lake_url)
    for key, rows in state.items():
        assert len(rows) == len(set(rows)), f"duplicate {key} rows"
        assert rows == local[1][key], f"{key} differ from the local run on a file"


def test_an_unreachable_address_is_a_clear_error(tmp_path: Path, unscored: Path) -> None:
    db = _copy(unscored, tmp_path)
    with socket_port() as port:
        done = subprocess.run([STANCEWATCH, "--db", str(db), "score", "--ray",
                               f"127.0.0.1:{port}", "--no-progress"],
                              capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode != 0
    assert f"127.0.0.1:{port}" in done.stderr + done.stdout


@contextlib.contextmanager
def socket_port() -> Any:
    """A port on 127.0.0.1 nothing listens on."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield int(s.getsockname()[1])
