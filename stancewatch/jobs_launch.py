"""`stancewatch up`: the warehouse, the scheduler and the dashboard together, stopped together by Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from stancewatch.commands.jobs import global_args
from stancewatch.context import AppState
from stancewatch.errors import StancewatchError
from stancewatch.scheduler import cli_command
from warehouse.jobs import request_crawl

Echo = Callable[[str], object]


class LaunchError(StancewatchError):
    """A step of `up` or `demo` failed: the message says which and how to see why."""


def run_cli(args: list[str], *, what: str, quiet: bool = False) -> None:
    """Run a stancewatch command in a subprocess; raise LaunchError naming the step if it fails."""
    done = subprocess.run([*cli_command(), *args], check=False,
                          stdout=subprocess.DEVNULL if quiet else None, stderr=None)
    if done.returncode != 0:
        raise LaunchError(f"{what} failed (exit status {done.returncode}): `stancewatch {' '.join(args)}`")


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def stop_process(proc: subprocess.Popen[bytes], name: str, echo: Echo, timeout: float = 30.0) -> None:
    """SIGTERM a child (its whole session if it leads one), wait, then SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    echo(f"stopping the {name}…")
    try:
        os.killpg(proc.pid, signal.SIGTERM) if os.getpgid(proc.pid) == proc.pid else proc.terminate()
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def supervise(children: dict[str, subprocess.Popen[bytes]], echo: Echo,
              stop_order: list[str] | None = None) -> None:
    """Wait until Ctrl-C, SIGTERM or a child's exit, then stop every child; raise if a child died early."""
    # SIGINT too: a process started in the background by a shell inherits SIGINT ignored, and Ctrl-C (or the
    # SIGINT a supervisor sends) must still stop everything
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    previous_int = signal.signal(signal.SIGINT, _raise_interrupt)
    died: tuple[str, int] | None = None
    try:
        while died is None:
            for name, proc in children.items():
                code = proc.poll()
                if code is not None:
                    died = (name, code)
                    break
            time.sleep(0.5)
    except KeyboardInterrupt:
        echo("stopping…")
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
        for name in stop_order or list(children):
            stop_process(children[name], name, echo)
    if died is not None:
        raise LaunchError(f"the {died[0]} exited unexpectedly with status {died[1]}; everything was stopped")
    echo("all stopped")


def start_dashboard(db: Path, host: str, port: int, password_hash: str, echo: Echo) -> subprocess.Popen[bytes]:
    """Start the dashboard subprocess and wait until it answers; return it."""
    from dashboard import server

    proc = server.start(db, host=host, port=port, password_hash=password_hash, quiet=True)
    try:
        server.wait_ready(server.url(host, port), timeout=90, process=proc)
    except server.DashboardError as exc:
        server.stop(proc)
        raise LaunchError(f"the dashboard did not start: {exc}") from None
    return proc


def run_up(app_state: AppState, *, port: int | None, first_crawl: bool, echo: Echo) -> None:
    """Init the warehouse, start the scheduler and the dashboard, queue a first crawl; stop all on Ctrl-C."""
    settings = app_state.settings
    db = Path(settings.db).resolve()
    args = global_args(app_state)
    run_cli([*args, "init"], what="creating the warehouse")
    if first_crawl:
        job_id = request_crawl(db, sources=[], requested_by="up")
        echo(f"first crawl of every enabled source queued as job {job_id}")
    scheduler = subprocess.Popen([*cli_command(), *args, "scheduler"], start_new_session=True)
    children: dict[str, subprocess.Popen[bytes]] = {"scheduler": scheduler}
    try:
        host, chosen = settings.dashboard.host, port or settings.dashboard.port
        children["dashboard"] = start_dashboard(db, host, chosen, settings.dashboard.password_hash, echo)
    except BaseException:
        stop_process(scheduler, "scheduler", echo)
        raise
    from dashboard.server import url

    echo(f"stancewatch is up: dashboard at {url(host, chosen)}  (warehouse {db}; Ctrl-C stops everything)")
    supervise(children, echo, stop_order=["scheduler", "dashboard"])
