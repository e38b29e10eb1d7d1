"""The export, schedule and job commands, run as the console script would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.jobs.sources_file import SOURCES
from warehouse import jobs


def cli(tmp_path: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES)
    return subprocess.run(
        [sys.executable, "-P", "-c", "from stancewatch.cli import main; main()", "--db", str(db),
         "--sources", str(sources), *args],
        capture_output=True, text=True, timeout=60, cwd=tmp_path, env={"COLUMNS": "200", "PATH": "/usr/bin"})


def test_schedule_commands(tmp_path: Path, db_path: Path) -> None:
    added = cli(tmp_path, db_path, "schedule", "add", "morning", "--cron", "0 6 * * *", "--source", "kz-a")
    assert added.returncode == 0, added.stderr
    assert "next runs (UTC):" in added.stdout and "06:00:00" in added.stdout
    [row] = jobs.list_schedules(db_path)
    listed = cli(tmp_path, db_path, "schedule", "list")
    assert row["id"] in listed.stdout and "active" in listed.stdout and "kz-a" in listed.stdout
    assert cli(tmp_path, db_path, "schedule", "pause", row["id"]).returncode == 0
    assert "paused" in cli(tmp_path, db_path, "schedule", "list").stdout
    resumed = cli(tmp_path, db_path, "schedule", "resume", row["id"])
    assert resumed.returncode == 0 and "next runs" in resumed.stdout
    assert cli(tmp_path, db_path, "schedule", "remove", row["id"]).returncode == 0
    assert jobs.list_schedules(db_path) == []


@pytest.mark.parametrize(("args", "message"), [
    (["schedule", "add", "x", "--cron", "0 25 * * *"], "cron expression '0 25 * * *' is not valid"),
    (["schedule", "add", "x", "--cron", "every day"], "cron expression 'every day': expected 5 fields"),
    (["schedule", "add", "x", "--cron", "0 6 * * *", "--source", "nope"], "unknown source(s) 'nope'"),
    (["schedule", "remove", "abc"], "no schedule with id 'abc'"),
    (["schedule", "pause", "abc"], "no schedule with id 'abc'"),
    (["job", "request", "--source", "nope"], "unknown source(s) 'nope'"),
    (["export", "--out", "x.txt"], "cannot tell the format from the suffix '.txt'"),
    (["export", "--out", "x.csv", "--level", "words"], "export level 'words'"),
    (["export", "--out", "x.csv", "--stance-min", "2"], "filter stance_min"),
])
def test_user_errors_exit_2_with_one_line(tmp_path: Path, db_path: Path, args: list[str], message: str) -> None:
    done = cli(tmp_path, db_path, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in " ".join(done.stderr.split()), done.stderr
    assert "Traceback" not in done.stderr


def test_job_request_and_list(tmp_path: Path, db_path: Path) -> None:
    done = cli(tmp_path, db_path, "job", "request", "--source", "kz-a")
    assert done.returncode == 0, done.stderr
    [job] = jobs.list_jobs(db_path)
    assert job["sources"] == ["kz-a"] and job["requested_by"] == "cli" and job["id"] in done.stdout
    assert job["id"] in cli(tmp_path, db_path, "job", "list").stdout


def test_export_command(tmp_path: Path, scored_db: Path) -> None:
    out = tmp_path / "out" / "kz.parquet"
    done = cli(tmp_path, scored_db, "export", "--out", str(out), "--country", "kz", "--stance-min", "0",
               "--from", "2026-01-01", "--to", "2026-12-31", "--language", "en")
    assert done.returncode == 0, done.stderr
    manifest = json.loads(out.with_name("kz.parquet.manifest.json").read_text())
    assert manifest["rows"] == 1 and manifest["format"] == "parquet" and manifest["level"] == "stance"
    assert manifest["filters"]["countries"] == ["KZ"] and manifest["filters"]["date_from"] == "2026-01-01"
    assert manifest["code_version"].startswith("0.1.0")
    csv_out = tmp_path / "m.xlsx"
    done = cli(tmp_path, scored_db, "export", "--out", str(csv_out), "--format", "csv", "--level", "mentions")
    assert done.returncode == 0 and csv_out.read_text().startswith('"mention_id",')  # --format wins


def test_status_takes_db_after_the_command_and_nests_stats(tmp_path: Path, db_path: Path) -> None:
    """#14 item 6: `status --db PATH` works like `--db PATH status`; --json gives last_crawl.stats as an object."""
    from warehouse import writer

    with writer(db_path) as w:
        w.con.execute("INSERT INTO crawl_runs (id, started_at, finished_at, trigger, status, stats, errors) "
                      "VALUES ('r1', now(), now(), 'cli', 'done', ?, '{}')", ['{"fetched": 3}'])
    done = subprocess.run([sys.executable, "-P", "-c", "from stancewatch.cli import main; main()", "status",
                           "--db", str(db_path), "--json"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    info = json.loads(done.stdout)
    assert info["warehouse"] == str(db_path)
    assert info["last_crawl"]["stats"] == {"fetched": 3}


def test_sources_list_json_and_full_names(tmp_path: Path) -> None:
    """#14 item 6: `sources list --json`, and a long name printed whole in an 80-column table."""
    name = "a-very-long-outlet-name-that-crawl-source-needs-whole-" + "x" * 40
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES.replace("kz-a", name, 1), encoding="utf-8")
    base = [sys.executable, "-P", "-c", "from stancewatch.cli import main; main()", "--sources", str(sources)]
    env = {**os.environ, "COLUMNS": "80"}
    listed = subprocess.run([*base, "sources", "list", "--json"], capture_output=True, text=True, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert [json.loads(line)["name"] for line in listed.stdout.splitlines()] == [name]
    table = subprocess.run([*base, "sources", "list"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert name in table.stdout
