"""A throwaway local Ray cluster (one head node): the scoring workers' cluster for tests and the cluster demo.

``LocalRay(folder, cpus)`` runs ``ray start --head --block`` as a child in a session of its own, bound to
127.0.0.1 on free ports, with a small object store and no dashboard; ``.address`` is what ``ray.init`` and
``stancewatch score --ray`` take. ``stop()`` ends the whole session (GCS, raylet, workers): ``ray stop`` would
stop every Ray on the machine, other people's included, so it is not used. Ray is run as a command, never
imported here. Usable as a context manager.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import psutil

from stancewatch.cluster.ports import free_port, free_ports
from stancewatch.errors import StancewatchError
from stancewatch.supervisor import session_members

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
# Articles travel to the workers as ids and results come back as counts: the object store stays small.
OBJECT_STORE_BYTES = 100 * 1024 * 1024


class RayClusterError(StancewatchError):
    """The local Ray cluster could not be started."""


def ray_bin() -> str | None:
    """The `ray` command of this Python's environment, or None when the cluster extra is not installed."""
    beside = Path(sys.executable).with_name("ray")
    return str(beside) if beside.is_file() else shutil.which("ray")


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def short_temp_dir(folder: Path) -> Path:
    """A short path under /tmp for Ray's sockets (a Unix socket path must stay under 108 bytes), one per folder."""
    digest = hashlib.sha1(str(folder).encode()).hexdigest()[:10]
    return Path("/tmp") / f"sw-ray-{digest}"


class LocalRay:
    """A one-node Ray cluster on 127.0.0.1 whose processes all live in one session, stopped as a whole."""

    def __init__(self, folder: Path, cpus: int | None = None) -> None:
        self.folder = Path(folder).resolve()
        self.cpus = cpus
        self.port: int | None = None
        self.temp_dir = short_temp_dir(self.folder)
        self.log = self.folder / "ray.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        """The head's address as ray.init takes it (host:port)."""
        if self.port is None:
            raise RayClusterError("the local Ray cluster is not started")
        return f"127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The `ray start` command line: every port free and chosen here, so two clusters on a machine coexist."""
        binary = ray_bin()
        if binary is None:
            raise RayClusterError("the `ray` command is not installed: pip install -e '.[cluster]'")
        assert self.port is not None
        cmd = [binary, "start", "--head", "--block", "--port", str(self.port), "--node-ip-address", "127.0.0.1",
               "--temp-dir", str(self.temp_dir), "--object-store-memory", str(OBJECT_STORE_BYTES),
               "--include-dashboard=false", "--disable-usage-stats", "--log-style", "record"]
        # Ray's defaults for these are fixed numbers: a second cluster on the machine would collide with the first.
        options = ("--dashboard-port", "--dashboard-agent-listen-port", "--dashboard-agent-grpc-port",
                   "--metrics-export-port", "--runtime-env-agent-port", "--node-manager-port", "--object-manager-port")
        ports = [port for port in free_ports(len(options) + 1) if port != self.port][:len(options)]
        for option, port in zip(options, ports, strict=True):
            cmd += [option, str(port)]
        if self.cpus is not None:
            cmd += ["--num-cpus", str(self.cpus)]
        return cmd

    def start(self) -> LocalRay:
        """Start the head and wait until its GCS port answers; raise RayClusterError with the log's tail if not."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.temp_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()  # a revived head keeps its address
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, env=env,
                                          start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _listening(self.port):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                tail = self.log.read_text(encoding="utf-8", errors="replace")[-2000:]
                self.stop()
                raise RayClusterError(f"the local Ray head did not start on port {self.port} "
                                      f"(log {self.log}):\n{tail}")
            time.sleep(0.2)
        return self

    def processes(self) -> list[psutil.Process]:
        """Every live process of this cluster (the head, GCS, raylet, workers): its session's members."""
        if self._proc is None:
            return []
        return session_members(self._proc.pid)

    def revive(self) -> bool:
        """Restart the head on its own port if its node died (a raylet that exits takes the node with it);
        return whether it had to. Work already written stays; a rerun on the revived head scores the rest."""
        if self._proc is None:
            return False
        alive = self._proc.poll() is None
        with contextlib.suppress(psutil.Error):
            alive = alive and any(proc.name() == "raylet" for proc in self.processes())
        if alive:
            return False
        port = self.port
        self.stop()
        self.port = port
        self.start()
        return True

    def stop(self) -> None:
        """Stop the cluster: SIGTERM to `ray start --block` (it stops what it started), then SIGKILL the session."""
        proc = self._proc
        if proc is None:
            return
        procs = self.processes()
        if proc.poll() is None:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(STOP_TIMEOUT_S)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        for child in procs:
            with contextlib.suppress(psutil.Error):
                child.kill()
        psutil.wait_procs(procs, timeout=STOP_TIMEOUT_S)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(STOP_TIMEOUT_S)
        self._proc = None
        shutil.rmtree(self.temp_dir, ignore_errors=True)

    def __enter__(self) -> LocalRay:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
