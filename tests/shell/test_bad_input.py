"""Bad settings and sources files: one clear error line naming file, key and problem; nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GOOD_SOURCE = """\
sources:
  - name: tengrinews
    homepage: https://tengrinews.kz
    country: KZ
    language: ru
    feeds: [https://tengrinews.kz/news.rss]
"""


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STANCEWATCH_")}
    env["COLUMNS"] = "400"  # keep the one error line on one line
    return subprocess.run([sys.executable, "-m", "stancewatch.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def _assert_one_error_line(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0], f"{needle!r} missing from {lines[0]!r}"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("toml", "needles"),
    [
        ("[crawl]\nretries = 'many'\n", ["settings.toml", "crawl.retries", "'many'"]),
        ("[crawl]\nretrys = 3\n", ["settings.toml", "unknown key", "crawl.retrys"]),
        ("[dashboard]\nport = 70000\n", ["settings.toml", "dashboard.port", "70000"]),
        ("db = \n", ["settings.toml", "not valid TOML"]),
    ],
    ids=["wrong-type", "unknown-key", "out-of-range", "not-toml"],
)
def test_bad_settings_file(tmp_path: Path, toml: str, needles: list[str]) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text(toml)
    db = tmp_path / "w.duckdb"
    result = _run("--config", str(settings), "--db", str(db), "init", cwd=tmp_path)
    _assert_one_error_line(result, *needles)
    assert not db.exists()


@pytest.mark.parametrize(
    ("edit", "needles"),
    [
        (lambda s: s + "    rss_only: true\n", ["sources[0] (tengrinews)", "rss_only", "unknown key"]),
        (lambda s: s.replace("https://tengrinews.kz/news.rss", "ftp://tengrinews.kz/news.rss"),
         ["sources[0] (tengrinews).feeds.0", "http", "ftp://tengrinews.kz/news.rss"]),
        (lambda s: s + s.replace("sources:\n", ""), ["sources[1].name", "duplicate outlet 'tengrinews'"]),
        (lambda s: s.replace("country: KZ", "country: XX"), ["sources[0] (tengrinews).country", "ISO-3166", "XX"]),
    ],
    ids=["unknown-key", "non-http-url", "duplicate-outlet", "bad-country"],
)
def test_bad_sources_file(tmp_path: Path, edit: object, needles: list[str]) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(edit(GOOD_SOURCE))  # type: ignore[operator]
    db = tmp_path / "w.duckdb"
    result = _run("--db", str(db), "--sources", str(sources), "init", cwd=tmp_path)
    _assert_one_error_line(result, "sources.yaml", *needles)
    assert not db.exists()


def test_good_sources_file_initialises_and_status_reads_it(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(GOOD_SOURCE)
    db = tmp_path / "w.duckdb"
    first = _run("--db", str(db), "--sources", str(sources), "init", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = _run("--db", str(db), "--sources", str(sources), "init", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    status = _run("--db", str(db), "status", "--json", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    info = json.loads(status.stdout)
    assert info["counts"]["sources"] == 1
    assert info["warehouse"] == str(db)


def test_paths_come_from_the_environment_and_flags_win(tmp_path: Path) -> None:
    env_db, flag_db = tmp_path / "env.duckdb", tmp_path / "flag.duckdb"
    sources = tmp_path / "sources.yaml"
    sources.write_text(GOOD_SOURCE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STANCEWATCH_")}
    env.update(STANCEWATCH_DB=str(env_db), STANCEWATCH_SOURCES=str(sources))
    for args, created in (([], env_db), (["--db", str(flag_db)], flag_db)):
        result = subprocess.run([sys.executable, "-m", "stancewatch.cli", *args, "init"], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert created.exists()
