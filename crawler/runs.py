"""Who owns a 'running' crawl_runs row, and closing the rows whose process is gone as 'abandoned'.

A crawl killed with SIGKILL (by hand, by the OOM killer, by the scheduler after a timeout) cannot close its
own row, which would then say 'running' forever. Each row records its host, process id and the process's
start time; a later crawl (or the scheduler) closes a row as 'abandoned' when, on the same host, that
process no longer exists or the id now belongs to a process started at another time (ids are reused).
Rows of other hosts are left alone: their processes cannot be seen from here.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

from warehouse import Writer, writer

# create_time() is a float read from /proc and rounded differently on some systems: a small tolerance.
_START_TOLERANCE_S = 1.0


@dataclass(frozen=True)
class Owner:
    """A process: its host name, id and start time (seconds since the epoch)."""

    host: str
    pid: int
    started_at: float


def current_owner() -> Owner:
    """This process as the owner of a crawl run."""
    me = psutil.Process()
    return Owner(socket.gethostname(), int(me.pid), float(me.create_time()))


def is_dead(owner: Owner) -> bool:
    """True when owner ran on this host and that process is gone (or its id is another process's now)."""
    if owner.host != socket.gethostname():
        return False
    try:
        started = float(psutil.Process(owner.pid).create_time())
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:  # no permission to look: it exists
        return False
    return abs(started - owner.started_at) > _START_TOLERANCE_S


def abandon_dead_runs(w: Writer) -> list[str]:
    """Close every 'running' crawl run whose process is dead as 'abandoned'; return their ids."""
    abandoned = []
    for run_id, host, pid, started_at in w.fetch("crawl_runs_running"):
        if host is None or pid is None or started_at is None:
            continue  # written before runs recorded their owner: nothing to judge by
        if is_dead(Owner(str(host), int(pid), float(started_at))):
            w.execute("crawl_run_abandon", {"id": run_id, "finished_at": datetime.now(UTC).replace(tzinfo=None)})
            abandoned.append(str(run_id))
    return abandoned


def abandon_dead_runs_in(db: str | Path) -> list[str]:
    """abandon_dead_runs in its own short writer transaction (for the scheduler)."""
    with writer(db) as w:
        return abandon_dead_runs(w)
