"""The supervisor of the commands that start children (`dashboard`, `up`, `demo`; the scheduler uses stop_tree).

Each child starts in a session of its own, so a signal meant for the command reaches the command alone and
the command stops its children itself, in order, and waits for them. While a ``Supervisor`` block runs,
SIGTERM, SIGINT and SIGHUP become ``KeyboardInterrupt`` (a process started in the background by a shell
inherits SIGINT ignored, and a closed terminal sends SIGHUP: both must still stop everything); however the
block ends, every child still running is stopped with ``stop_tree``: the child's process group gets SIGTERM,
and whatever of its tree is left after the grace period gets SIGKILL. So no child outlives its command.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import psutil

from stancewatch.context import AppState
from stancewatch.errors import StancewatchError
from warehouse.jobs import request_crawl

Echo = Callable[[str], object]
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
# How long a child may take to stop on SIGTERM before it is killed: the scheduler gives its jobs 20 s.
STOP_GRACE_S = 30.0
# How long what is left of a stopped child's tree (its orphans) gets between SIGTERM and SIGKILL.
ORPHAN_GRACE_S = 5.0


class LaunchError(StancewatchError):
    """A step of `up`, `demo` or `dashboard` failed: the message says which and how to see why."""


class Interrupted(StancewatchError):
    """A signal stopped a command before it was up; everything it had started was stopped."""


def cli_command() -> list[str]:
    """Return the argv prefix that runs the stancewatch CLI with this interpreter."""
    # -P: never put the working folder on sys.path (a folder named "warehouse" there would shadow ours)
    return [sys.executable, "-P", "-c", "from stancewatch.cli import main; main()"]


def _send(pid: int, sig: int, group: bool) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if group:
            os.killpg(pid, sig)
        else:
            psutil.Process(pid).send_signal(sig)


def descendants(pid: int) -> list[psutil.Process]:
    """The live descendants of pid, those in sessions of their own included (empty if pid is gone)."""
    try:
        return list(psutil.Process(pid).children(recursive=True))
    except psutil.NoSuchProcess:
        return []


def session_members(sid: int) -> list[psutil.Process]:
    """Every live process whose session id is sid (a child started in a session of its own, and all it started)."""
    found = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error, OSError):
            if os.getsid(proc.pid) == sid and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
    return found


def stop_tree(proc: subprocess.Popen[bytes], grace: float = STOP_GRACE_S,
              known: Iterable[psutil.Process] = ()) -> None:
    """Stop a child and everything under it: SIGTERM its process group (or it), SIGKILL it after grace
    seconds, then SIGTERM and SIGKILL whatever of its tree outlived it (children in sessions of their own,
    and the known descendants noted earlier, included); return once the child is reaped."""
    under = {p.pid: p for p in known}
    group = False
    if proc.poll() is None:
        under.update((p.pid, p) for p in descendants(proc.pid))
        with contextlib.suppress(ProcessLookupError):
            group = os.getpgid(proc.pid) == proc.pid
        _send(proc.pid, signal.SIGTERM, group)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            _send(proc.pid, signal.SIGKILL, group)
            proc.wait()
    # a child that exited (or was killed) may leave children of its own behind: they go too
    left = [p for p in under.values() if _running(p)]
    for p in left:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, left = psutil.wait_procs(left, timeout=ORPHAN_GRACE_S)
    for p in left:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(left, timeout=ORPHAN_GRACE_S)
    if group:  # members of its group it started after we looked (the group outlives its leader)
        _send(proc.pid, signal.SIGKILL, True)


def _running(proc: psutil.Process) -> bool:
    try:
        return bool(proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


class Supervisor:
    """The children a command started, stopped together however the command ends (see the module doc)."""

    def __init__(self, echo: Echo, stop_grace_s: float = STOP_GRACE_S) -> None:
        self.echo = echo
        self.stop_grace_s = stop_grace_s
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.signalled: str | None = None
        self._stopping = False
        self._launching = False
        self._deferred = False
        self._previous: dict[int, Any] = {}
        self._seen: dict[str, dict[int, psutil.Process]] = {}
        self._steps: set[str] = set()  # children that are steps run to their end (run_cli), not services

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        # Only the first signal interrupts; once stopping, more signals must not cut the stop short.
        if self._stopping or self.signalled is not None:
            return
        self.signalled = signal.Signals(signum).name
        if self._launching:
            self._deferred = True  # launch raises once the child is recorded
            return
        raise KeyboardInterrupt

    def __enter__(self) -> Supervisor:
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._on_signal)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.stop_all()
        finally:
            for signum, handler in self._previous.items():
                signal.signal(signum, handler)
        if kind is KeyboardInterrupt:
            raise Interrupted(f"interrupted by {self.signalled or 'SIGINT'} before it was up; everything it "
                              "had started was stopped") from None

    def launch(self, name: str, start: Callable[[], subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
        """Start a child with start() (which must give it a session of its own) and keep it under watch."""
        # A signal between the fork and the bookkeeping would leave a child started but not recorded, so it
        # waits until the child is recorded. (Not by blocking the signals: a child inherits the blocked mask
        # through exec, and would then never see SIGTERM.)
        self._launching = True
        try:
            proc = self.children[name] = start()
        finally:
            self._launching = False
        if self._deferred:
            raise KeyboardInterrupt
        return proc

    def start_cli(self, name: str, args: list[str], *, quiet: bool = False) -> subprocess.Popen[bytes]:
        """Start a stancewatch command as a child in its own session."""
        return self.launch(name, lambda: subprocess.Popen(
            [*cli_command(), *args], stdout=subprocess.DEVNULL if quiet else None, start_new_session=True))

    def run_cli(self, args: list[str], *, what: str, quiet: bool = False) -> None:
        """Run a stancewatch command to its end; raise LaunchError naming the step if it fails."""
        proc = self.start_cli(what, args, quiet=quiet)
        self._steps.add(what)
        code = proc.wait()
        del self.children[what]
        if code != 0:
            raise LaunchError(f"{what} failed (exit status {code}): `stancewatch {' '.join(args)}`")

    def start_dashboard(self, db: str | Path, host: str, port: int, password_hash: str, *, quiet: bool = True,
                        timeout: float = 90) -> str:
        """Start the dashboard and wait until it answers; return its address."""
        from dashboard import server

        proc = self.launch("dashboard", lambda: server.start(db, host=host, port=port, password_hash=password_hash,
                                                             quiet=quiet))
        address = server.url(host, port)
        try:
            server.wait_ready(address, timeout=timeout, process=proc)
        except server.DashboardError as exc:
            raise LaunchError(f"the dashboard did not start: {exc}") from None
        return address

    def serve(self, stop_order: list[str] | None = None) -> None:
        """Wait until a stop signal or a child's exit, then stop every child; raise if a child died first."""
        died: tuple[str, int] | None = None
        try:
            while died is None:
                for name, proc in self.children.items():
                    code = proc.poll()
                    if code is not None:
                        died = (name, code)
                        break
                    # noted while the child lives: if it dies, its orphans can no longer be found from it
                    self._seen[name] = {p.pid: p for p in [*self._seen.get(name, {}).values(),
                                                          *descendants(proc.pid)] if _running(p)}
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.echo("stopping…")
        self.stop_all(stop_order)
        if died is not None:
            raise LaunchError(f"the {died[0]} exited unexpectedly with status {died[1]}; everything was stopped")
        self.echo("all stopped")

    def stop_all(self, order: list[str] | None = None) -> None:
        """Stop every child still running, those named in order first."""
        self._stopping = True
        names = [*(order or []), *(n for n in self.children if n not in (order or []))]
        for name in names:
            proc = self.children.pop(name, None)
            if proc is None:
                continue
            if proc.poll() is None:
                self.echo(f"stopping: {name}…" if name in self._steps else f"stopping the {name}…")
            stop_tree(proc, self.stop_grace_s, self._seen.pop(name, {}).values())


def run_up(app_state: AppState, *, port: int | None, first_crawl: bool, echo: Echo) -> None:
    """Init the warehouse, start the scheduler and the dashboard, queue a first crawl; stop all on a signal."""
    settings = app_state.settings
    db = settings.db.resolved().url
    args = app_state.child_args()
    with Supervisor(echo) as supervisor:
        supervisor.run_cli([*args, "init"], what="creating the warehouse")
        if first_crawl:
            job_id = request_crawl(db, sources=[], requested_by="up")
            echo(f"first crawl of every enabled source queued as job {job_id}")
        supervisor.start_cli("scheduler", [*args, "scheduler"])
        host, chosen = settings.dashboard.host, port or settings.dashboard.port
        address = supervisor.start_dashboard(db, host, chosen, settings.dashboard.password_hash)
        echo(f"stancewatch is up: dashboard at {address}  (warehouse {db}; Ctrl-C stops everything)")
        supervisor.serve(stop_order=["scheduler", "dashboard"])
