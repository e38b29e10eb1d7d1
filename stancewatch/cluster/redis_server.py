"""A throwaway local Redis server: the shared crawl frontier for tests and the cluster demo.

``LocalRedis(folder)`` starts Debian's ``redis-server`` bound to 127.0.0.1 on a free port (unless one is given),
with no persistence (``--save ''``, no append-only file) and its working folder, log and pid file in ``folder``;
``stop()`` shuts it down (SIGTERM, then SIGKILL if it lingers). Usable as a context manager.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

from stancewatch.cluster.ports import free_port
from stancewatch.errors import StancewatchError

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


class RedisServerError(StancewatchError):
    """The local Redis server could not be started."""


def redis_server_bin() -> str | None:
    """The path of redis-server, or None when it is not installed."""
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").is_file() else None)


def _answers(port: int) -> bool:
    """Whether a Redis server answers PING on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class LocalRedis:
    """A redis-server in a folder of its own, on 127.0.0.1, without persistence."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = Path(folder).resolve()
        self.port = port
        self.log = self.folder / "redis.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's URL (database 0), as ``--frontier`` takes it."""
        if self.port is None:
            raise RedisServerError("the local Redis server is not started: no URL yet")
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> LocalRedis:
        """Start the server and wait until it answers PING; return self."""
        binary = redis_server_bin()
        if binary is None:
            raise RedisServerError("redis-server is not installed: apt-get install redis-server")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", str(self.folder), "--logfile", str(self.log), "--daemonize", "no",
                "--protected-mode", "yes"]
        # its own session: a Ctrl-C meant for the command that started it must not kill it before the
        # crawlers using it have stopped
        self._proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers(self.port):
            if self._proc.poll() is not None:
                err = (self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else "").strip()
                tail = err or (self.log.read_text(errors="replace").strip() if self.log.exists() else "")
                self._proc = None
                raise RedisServerError(f"redis-server on port {self.port} exited at start "
                                       f"(see {self.log}): {tail.splitlines()[-1] if tail else 'no message'}")
            if time.monotonic() > deadline:
                self.stop()
                raise RedisServerError(f"redis-server on port {self.port} did not answer within "
                                       f"{START_TIMEOUT_S:.0f} s (see {self.log})")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Stop the server (SIGTERM, SIGKILL after a grace period); nothing if it is not running."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stderr is not None:
            with contextlib.suppress(OSError):
                proc.stderr.close()

    def __enter__(self) -> LocalRedis:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
