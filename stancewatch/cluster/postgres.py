"""A throwaway local PostgreSQL cluster: the catalog of a DuckLake warehouse for tests and the cluster demo.

``LocalPostgres(folder)`` initdb's a cluster in ``folder/pgdata``, starts it on 127.0.0.1 (a free port unless
one is given; no Unix socket, so nothing outside the folder is touched), creates the database and stops it
again: ``pg_ctl stop -m fast``, then the whole process tree is killed if it lingers. PostgreSQL refuses to
run as root, so under uid 0 it runs as the ``postgres`` user (``runuser``), which must be able to reach the
folder. A root's folders are rarely reachable by other users (pytest keeps its base folder 0700 and resets it
whenever a session starts), so under uid 0 the cluster's files go in a private folder of their own under the
system's temporary folder, owned by ``postgres``, linked from ``folder/pgdata`` and removed by ``stop()``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from stancewatch.cluster.ports import free_port
from stancewatch.errors import StancewatchError

BIN_DIRS = (Path("/usr/lib/postgresql/15/bin"), Path("/usr/lib/postgresql/16/bin"), Path("/usr/lib/postgresql/17/bin"))
DATABASE = "stancewatch"
SUPERUSER = "postgres"
START_TIMEOUT_S = 60


class PostgresError(StancewatchError):
    """The local PostgreSQL could not be set up, started or stopped."""


def postgres_bin() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    for folder in BIN_DIRS:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and (Path(found).parent / "initdb").is_file() else None


def _run_as() -> list[str]:
    return ["runuser", "-u", SUPERUSER, "--"] if os.geteuid() == 0 else []


class LocalPostgres:
    """A PostgreSQL cluster in a folder of its own, on 127.0.0.1; usable as a context manager."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = Path(folder).resolve()
        self.port = port
        self.data = self.folder / "pgdata"
        self.log = self.folder / "postgres.log"
        self._bin = postgres_bin()
        self._private: Path | None = None  # root only: where the cluster's files really are

    def _tool(self, name: str) -> str:
        if self._bin is None:
            raise PostgresError("PostgreSQL is not installed (no initdb/pg_ctl): apt-get install postgresql")
        return str(self._bin / name)

    def _call(self, args: list[str], what: str) -> None:
        done = subprocess.run(_run_as() + args, capture_output=True, text=True, timeout=START_TIMEOUT_S,
                              check=False)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise PostgresError(f"{self.data}: {what} failed (exit {done.returncode}): {' / '.join(tail)}")

    def start(self) -> LocalPostgres:
        """initdb (once), start the server and create the database; return self."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0 and self._private is None:
            self._private = Path(tempfile.mkdtemp(prefix="stancewatch-postgres-"))
            shutil.chown(self._private, SUPERUSER)
            link, self.data, self.log = self.data, self._private / "pgdata", self._private / "postgres.log"
            link.unlink(missing_ok=True)
            link.symlink_to(self.data)  # where to look, for a person; the tools get the real path
        try:  # whatever fails, nothing is left running or lying in the temporary folder
            if not (self.data / "PG_VERSION").exists():
                self._call([self._tool("initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                            "-E", "UTF8", "--no-sync"], "initdb")
            self.port = self.port or free_port()
            options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off"
            self._call([self._tool("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log),
                        "-w", "-t", str(START_TIMEOUT_S), "start"], f"starting PostgreSQL on port {self.port}")
            self.create_database(DATABASE)
        except BaseException:
            self.stop()
            raise
        return self

    def create_database(self, name: str) -> None:
        """Create a database (a lake's catalog) unless it exists; the name is a plain identifier."""
        if not name.isidentifier():
            raise PostgresError(f"{name!r}: expected a plain database name (letters, digits, _)")
        done = subprocess.run([*_run_as(), self._tool("psql"), "-h", "127.0.0.1", "-p", str(self.port),
                               "-U", SUPERUSER, "-d", "postgres", "-tAc",
                               f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                              capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False)
        if done.stdout.strip() != "1":
            self._call([self._tool("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER,
                        name], f"creating database {name}")

    def conninfo(self, database: str = DATABASE) -> str:
        """The libpq conninfo of a database in this cluster."""
        return f"dbname={database} host=127.0.0.1 port={self.port} user={SUPERUSER}"

    def url(self, data_path: Path | str, database: str = DATABASE) -> str:
        """The DuckLake warehouse URL with its catalog in this cluster's database and its data files in
        data_path."""
        folder = str(Path(data_path).resolve()) if "://" not in str(data_path) else str(data_path)
        return f"ducklake:postgres:{self.conninfo(database)} data_path={folder.rstrip('/')}/"

    def _postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        """Stop the server: pg_ctl stop -m fast, then kill what is left of its process tree."""
        pid = self._postmaster_pid()
        if pid is None:
            self._remove_private()
            return
        children = _children(pid)
        with contextlib.suppress(PostgresError, subprocess.TimeoutExpired):
            self._call([self._tool("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop"],
                       "stopping PostgreSQL")
        for victim in [pid, *children]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in [pid, *children]):
            time.sleep(0.05)
        self._remove_private()

    def _remove_private(self) -> None:
        if self._private is not None:
            shutil.rmtree(self._private, ignore_errors=True)
            (self.folder / "pgdata").unlink(missing_ok=True)
            self._private = None

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is gone for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    """Every descendant of pid (PostgreSQL's backends and workers), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
