"""Launch the dashboard as a ``streamlit run`` subprocess and wait until it answers.

The shell's ``stancewatch dashboard``, ``up`` and ``demo`` call these and stop the process with
``stancewatch.supervisor.stop_tree``; the app finds the warehouse through the settings layers, in which the
environment this sets (the warehouse path) wins, and reads the password hash from it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from dashboard.env import DB_ENV, HASH_ENV
from warehouse.location import parse_location

APP = Path(__file__).resolve().parent / "app.py"


class DashboardError(RuntimeError):
    """The dashboard process did not start or did not answer in time."""


def command(host: str, port: int) -> list[str]:
    """The ``streamlit run`` command line for the app on host:port."""
    return [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.address", host, "--server.port", str(port), "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
            "--client.toolbarMode", "minimal"]


def start(db: str | Path, host: str = "127.0.0.1", port: int = 8501, password_hash: str = "", *,
          quiet: bool = False) -> subprocess.Popen[bytes]:
    """Start the dashboard on host:port reading the warehouse at db, in a session of its own; return the process."""
    env = dict(os.environ)
    env[DB_ENV] = parse_location(db).resolved().url  # a lake URL passes through; a file is made absolute
    env[HASH_ENV] = password_hash
    out = subprocess.DEVNULL if quiet else None
    # its own session: a signal meant for the command that started it reaches that command alone, which
    # then stops the dashboard's whole group (stop_tree), whatever Streamlit itself has started
    return subprocess.Popen(command(host, port), env=env, stdout=out, stderr=out, start_new_session=True)


def url(host: str, port: int) -> str:
    """The address a browser opens (0.0.0.0 binds everything; browse it on 127.0.0.1)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://{shown}:{port}"


def wait_ready(base_url: str, timeout: float = 30.0, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll Streamlit's health endpoint until it answers ok; raise DashboardError after timeout."""
    deadline = time.monotonic() + timeout
    health = base_url.rstrip("/") + "/_stcore/health"
    last = ""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise DashboardError(f"the dashboard process exited with status {process.returncode} before "
                                 f"answering on {base_url}")
        try:
            with urllib.request.urlopen(health, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.25)
    raise DashboardError(f"the dashboard did not answer on {health} within {timeout:.0f} s ({last})")
