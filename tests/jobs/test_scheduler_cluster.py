"""The scheduler on a cluster: with a [cluster] table set, its crawl and score jobs run with --frontier / --ray."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stancewatch.cluster.settings import ClusterSettings
from stancewatch.errors import SettingsError
from stancewatch.scheduler import Scheduler, job_steps
from stancewatch.settings import load_settings
from tests.processes import kill_tree
from warehouse import jobs, writer
from warehouse.location import parse_location

JOB = {"id": "j1", "sources": ["kz-a"], "args": {"since": "2026-01-01"}}
FRONTIER = "redis://127.0.0.1:6390/0"


def _after(argv: list[str], flag: str) -> str:
    assert flag in argv, argv
    return argv[argv.index(flag) + 1]


def test_job_steps_carry_the_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STANCEWATCH_JOB_COMMAND", raising=False)
    cluster = ClusterSettings(frontier=FRONTIER, ray_address="127.0.0.1:6379", workers=3)
    (crawl_name, crawl), (score_name, score) = job_steps(JOB, ["--db", "w.duckdb"], cluster)
    assert (crawl_name, score_name) == ("crawl", "score")
    assert crawl[crawl.index("crawl") + 1:].count("--source") == 1
    assert _after(crawl, "--frontier") == FRONTIER and _after(crawl, "--processes") == "3"
    assert _after(crawl, "--since") == "2026-01-01"
    assert _after(score, "--ray") == "127.0.0.1:6379" and _after(score, "--workers") == "3"
    assert "--frontier" not in score and "--ray" not in crawl


def test_without_a_cluster_jobs_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STANCEWATCH_JOB_COMMAND", raising=False)
    for cluster in (None, ClusterSettings()):
        steps = job_steps(JOB, ["--db", "w.duckdb"], cluster)
        flags = {arg for _, argv in steps for arg in argv}
        assert not flags & {"--frontier", "--processes", "--ray", "--workers"}, steps
    # a frontier alone: crawls share it, scoring stays here
    (_, crawl), (_, score) = job_steps(JOB, [], ClusterSettings(frontier=FRONTIER))
    assert _after(crawl, "--processes") == "2" and "--ray" not in score


def test_cluster_settings_from_a_file(tmp_path: Path) -> None:
    config = tmp_path / "stancewatch.toml"
    config.write_text(f'[cluster]\nfrontier = "{FRONTIER}"\nray_address = "auto"\nworkers = 4\n')
    settings = load_settings(config, environ={})
    assert settings.cluster == ClusterSettings(frontier=FRONTIER, ray_address="auto", workers=4)
    plain = tmp_path / "plain.toml"
    plain.write_text("[scheduler]\npoll_interval_s = 1\n")
    assert load_settings(plain, environ={}).cluster == ClusterSettings()  # no [cluster]: one machine
    for bad, key in (('frontier = "http://127.0.0.1:6379"', "cluster.frontier"), ("workers = 0", "cluster.workers"),
                     ('ray_address = "a b"', "cluster.ray_address"), ("nodes = 3", "cluster.nodes")):
        config.write_text(f"[cluster]\n{bad}\n")
        with pytest.raises(SettingsError, match=key.replace(".", r"\.")) as caught:
            load_settings(config, environ={})
        assert str(config) in str(caught.value)


def test_a_lake_keeps_the_scheduler_state_in_its_data_folder(tmp_path: Path) -> None:
    lake = f"ducklake:postgres:dbname=stancewatch host=127.0.0.1 port=5999 user=postgres data_path={tmp_path}/lake/"
    sched = Scheduler(lake, global_args=[], poll_interval_s=1, job_timeout_s=10)
    assert sched.lock_path == tmp_path / "lake" / "ducklake.scheduler.lock"
    assert sched.log_dir == tmp_path / "lake" / "logs"
    assert parse_location(sched.db) == parse_location(lake)  # the jobs' warehouse functions get the lake
    on_file = Scheduler(tmp_path / "w.duckdb", global_args=[], poll_interval_s=1, job_timeout_s=10)
    assert on_file.lock_path == tmp_path / "w.duckdb.scheduler.lock" and on_file.log_dir == tmp_path / "logs"


@pytest.mark.slow
def test_a_real_scheduler_starts_its_crawl_on_the_cluster(tmp_path: Path, db_path: Path) -> None:
    """The `scheduler` command reads [cluster] from the settings file and its job's crawl runs with the frontier."""
    with writer(db_path):
        pass
    config = tmp_path / "stancewatch.toml"
    config.write_text(f'[scheduler]\npoll_interval_s = 0.2\njob_timeout_s = 60\n'
                      f'[cluster]\nfrontier = "{FRONTIER}"\nray_address = "127.0.0.1:1"\nworkers = 2\n')
    env = {k: v for k, v in os.environ.items() if k != "STANCEWATCH_JOB_COMMAND"}
    output = tmp_path / "scheduler.out"
    proc = subprocess.Popen(
        [sys.executable, "-P", "-c", "from stancewatch.cli import main; main()", "--config", str(config),
         "--db", str(db_path), "scheduler"],
        stdout=output.open("w"), stderr=subprocess.STDOUT, env=env, cwd=tmp_path, start_new_session=True)
    try:
        job_id = jobs.request_crawl(db_path, sources=[], requested_by="test")
        log = db_path.parent / "logs" / f"job-{job_id}.log"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (log.exists() and "$ " in log.read_text()):
            time.sleep(0.2)
        assert log.exists(), output.read_text()
        first = next(line for line in log.read_text().splitlines() if line.startswith("$ "))
        assert " crawl " in first and f"--frontier {FRONTIER} --processes 2" in first, first
        assert "cluster (2 workers)" in " ".join(output.read_text().split())  # rich wraps a long path's line
    finally:
        kill_tree(proc)
