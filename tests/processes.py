"""Process-tree helpers for tests that start stancewatch commands: see what they started, and clean up after.

A test that starts a command which starts children must never leave one behind when it fails: killing only
the command it started orphans the children (the Streamlit servers left after every suite run came from
teardowns that did ``proc.kill()``). ``kill_tree`` kills the command, everything it started, and its session.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time

import psutil

from stancewatch.supervisor import session_members


def tree(pid: int) -> list[psutil.Process]:
    """The process and all its descendants that are alive now (children in other sessions included)."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    """Those of procs still running (a zombie has ended; psutil checks the pid was not reused)."""
    left = []
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                left.append(proc)
    return left


def describe(procs: list[psutil.Process]) -> str:
    """pid and command line of each process, for an assertion message."""
    lines = []
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            lines.append(f"{proc.pid}: {' '.join(proc.cmdline())[:200]}")
    return "\n".join(lines) or "(none)"


def kill_tree(proc: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """SIGKILL a command started by a test, every descendant of it, and the session it leads, then reap it."""
    # the session too: a command that died first has left its children reparented, out of its tree, but
    # still in the session (and group) it led, if the test started it with start_new_session
    procs = tree(proc.pid) + session_members(proc.pid)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    for child in procs:
        with contextlib.suppress(psutil.Error):
            child.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(10)
    psutil.wait_procs(procs, timeout=10)


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether nothing listens on host:port (a connection is refused)."""
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex((host, port)) != 0


def wait_until_gone(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait up to timeout seconds for procs to end; return those still alive."""
    deadline = time.monotonic() + timeout
    while (left := alive(procs)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left
