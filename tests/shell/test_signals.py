"""#14 fault 2: SIGTERM, SIGINT or SIGHUP to a command that starts children stops every one of them.

Each test starts the real command in a session of its own (as a service manager or a terminal would), waits
until its children run, notes the whole process tree, signals the command alone, and then checks with psutil
that no process of the tree or of the session survives and that the dashboard's port is free again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from tests.jobs.sources_file import SOURCES
from tests.processes import describe, kill_tree, port_free, session_members, tree, wait_until_gone
from warehouse import jobs, writer

CLI = [sys.executable, "-P", "-c", "from stancewatch.cli import main; main()"]
FAKE_JOB = Path(__file__).parents[1] / "jobs" / "fake_job.py"
SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]


class Command:
    """A stancewatch command in its own session, its output in a file."""

    def __init__(self, args: list[str], tmp: Path, env: dict[str, str] | None = None) -> None:
        self.output = tmp / "command.out"
        base = {k: v for k, v in os.environ.items() if not k.startswith("STANCEWATCH_")}
        self.proc = subprocess.Popen([*CLI, *args], stdout=self.output.open("w"), stderr=subprocess.STDOUT,
                                     env={**base, **(env or {})}, cwd=tmp, start_new_session=True)

    def text(self) -> str:
        """What the command printed so far."""
        return self.output.read_text(errors="replace")

    def wait_for(self, predicate: Callable[[], object], timeout: float, what: str) -> None:
        """Wait until predicate() is true; fail naming what was awaited if the command exits or time runs out."""
        deadline = time.monotonic() + timeout
        while not predicate():
            assert self.proc.poll() is None, f"exited with {self.proc.returncode} before {what}:\n{self.text()}"
            assert time.monotonic() < deadline, f"no {what} within {timeout} s:\n{self.text()}"
            time.sleep(0.2)

    def signal_and_check(self, signum: int, port: int | None, timeout: float = 90) -> int:
        """Send signum to the command alone; assert it exits and leaves no process and no listening port."""
        before = tree(self.proc.pid)
        assert len(before) > 1, f"the command has no children to stop:\n{describe(before)}"
        self.proc.send_signal(signum)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running {timeout} s after {signal.Signals(signum).name}:\n"
                                 f"{describe(tree(self.proc.pid))}\n{self.text()}") from None
        # its children must be gone by the time it exits: give the kernel a moment to reap, no more
        left = wait_until_gone(before[1:], 2.0)
        assert not left, f"outlived the command after {signal.Signals(signum).name}:\n{describe(left)}\n{self.text()}"
        in_session = session_members(self.proc.pid)
        assert not in_session, f"left in the command's session:\n{describe(in_session)}"
        if port is not None:
            assert port_free(port), f"port {port} still has a listener after the command exited"
        assert "Traceback" not in self.text(), self.text()
        return code


@pytest.fixture
def command(tmp_path: Path) -> Iterator[Callable[..., Command]]:
    started: list[Command] = []

    def start(args: list[str], env: dict[str, str] | None = None) -> Command:
        cmd = Command(args, tmp_path, env)
        started.append(cmd)
        return cmd

    yield start
    for cmd in started:  # a failed test must not leave its processes behind either
        kill_tree(cmd.proc)


def _health(port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _job_started(record: Path) -> bool:
    return record.exists() and any(json.loads(line)["event"] == "start" for line in record.read_text().splitlines())


def _scheduler_files(tmp_path: Path, db_path: Path) -> tuple[Path, dict[str, str], Path]:
    """A config with a fast poll, a fake job command, and a queued job that hangs until it is stopped."""
    config = tmp_path / "stancewatch.toml"
    config.write_text("[scheduler]\npoll_interval_s = 0.2\njob_timeout_s = 600\n")
    record = tmp_path / "record.jsonl"
    env = {"STANCEWATCH_JOB_COMMAND": f"{sys.executable} {FAKE_JOB}", "FAKE_JOB_RECORD": str(record)}
    with writer(db_path):
        pass
    jobs.request_crawl(db_path, sources=["hang"], requested_by="test")
    return config, env, record


@pytest.mark.slow
@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_dashboard_stops_its_server(signum: int, command: Callable[..., Command], db_path: Path,
                                    free_port: int) -> None:
    with writer(db_path):
        pass
    cmd = command(["--db", str(db_path), "dashboard", "--port", str(free_port), "--timeout", "120"])
    cmd.wait_for(lambda: "Ctrl-C stops it" in cmd.text(), 150, "dashboard answering")
    assert _health(free_port)
    assert cmd.signal_and_check(signum, free_port) == 0


@pytest.mark.slow
@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_scheduler_stops_its_running_job(signum: int, command: Callable[..., Command], tmp_path: Path,
                                         db_path: Path) -> None:
    config, env, record = _scheduler_files(tmp_path, db_path)
    cmd = command(["--config", str(config), "--db", str(db_path), "scheduler"], env)
    cmd.wait_for(lambda: _job_started(record), 60, "the job starting")
    assert cmd.signal_and_check(signum, None) == 0
    assert {j["state"] for j in jobs.list_jobs(db_path)} == {"interrupted"}


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=lambda s: signal.Signals(s).name)
def test_up_stops_scheduler_job_and_dashboard(signum: int, command: Callable[..., Command], tmp_path: Path,
                                              db_path: Path, free_port: int) -> None:
    config, env, record = _scheduler_files(tmp_path, db_path)
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES)
    cmd = command(["--config", str(config), "--db", str(db_path), "--sources", str(sources), "up", "--no-crawl",
                   "--port", str(free_port)], env)
    cmd.wait_for(lambda: "stancewatch is up" in cmd.text() and _job_started(record), 150, "up with a job running")
    procs = tree(cmd.proc.pid)
    assert any("fake_job" in " ".join(p.cmdline()) for p in procs), describe(procs)  # a grandchild, own session
    assert cmd.signal_and_check(signum, free_port) == 0
    assert "all stopped" in cmd.text()
    assert "running" not in {j["state"] for j in jobs.list_jobs(db_path)}, cmd.text()


def _crawling(cmd: Command) -> bool:
    for proc in tree(cmd.proc.pid)[1:]:
        try:
            if " crawl " in f" {' '.join(proc.cmdline())} ":
                return True
        except psutil.Error:
            continue
    return False


@pytest.mark.slow
def test_demo_stopped_while_crawling_stops_the_crawl(command: Callable[..., Command], tmp_path: Path) -> None:
    cmd = command(["demo", "--dir", str(tmp_path / "demo"), "--articles", "24"])
    cmd.wait_for(lambda: _crawling(cmd), 120, "the demo's crawl step")
    assert cmd.signal_and_check(signal.SIGTERM, None) != 0  # interrupted before the warehouse was ready
    assert "interrupted" in cmd.text()


@pytest.mark.slow
def test_demo_serving_stops_on_sighup(command: Callable[..., Command], tmp_path: Path, free_port: int) -> None:
    cmd = command(["demo", "--dir", str(tmp_path / "demo"), "--articles", "12", "--port", str(free_port)])
    cmd.wait_for(lambda: "demo dashboard at" in cmd.text(), 600, "the demo's dashboard")
    assert _health(free_port)
    assert cmd.signal_and_check(signal.SIGHUP, free_port) == 0
    assert "all stopped" in cmd.text()
