"""The launcher and the CLI: `stancewatch dashboard` serves the app, `--set-password` prints a hash line."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboard import auth, server
from stancewatch.cli import app
from stancewatch.supervisor import stop_tree


def test_command_line_binds_host_and_port_headless() -> None:
    cmd = server.command("127.0.0.1", 8999)
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4].endswith("dashboard/app.py")
    joined = " ".join(cmd)
    assert "--server.address 127.0.0.1" in joined and "--server.port 8999" in joined
    assert "--server.headless true" in joined and "--browser.gatherUsageStats false" in joined


@pytest.mark.slow
def test_start_serves_the_app_and_stop_ends_it(fixture_db: Path, free_port: int) -> None:
    process = server.start(fixture_db, "127.0.0.1", free_port, quiet=True)
    try:
        server.wait_ready(server.url("127.0.0.1", free_port), 90, process)
        with urllib.request.urlopen(f"http://127.0.0.1:{free_port}/_stcore/health", timeout=5) as response:
            assert response.read() == b"ok"
    finally:
        stop_tree(process)
    assert process.returncode is not None


def test_wait_ready_reports_a_process_that_died(tmp_path: Path, free_port: int) -> None:
    import subprocess
    import sys
    dead = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    dead.wait()
    with pytest.raises(server.DashboardError, match="exited with status 3"):
        server.wait_ready(f"http://127.0.0.1:{free_port}", 5, dead)


def test_set_password_prints_a_verifiable_hash_line() -> None:
    result = CliRunner().invoke(app, ["dashboard", "--set-password"], input="pa55word\npa55word\n")
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("password_hash = "))
    stored = line.split('"')[1]
    assert "[dashboard]" in result.output and auth.verify_password("pa55word", stored)
