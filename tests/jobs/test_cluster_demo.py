"""`stancewatch demo --cluster --workers 2` end to end: a real PostgreSQL, Redis and Ray, started by the demo itself.

The cluster demo and the plain single-machine demo crawl and score the same generated site (same size, same
seed); their article, mention and stance counts must be equal, with no duplicate ids, although one crawler
process and one Ray worker are killed with SIGKILL mid-run. The dashboard's queries, an export and
`status --json` then read the DuckLake warehouse while the demo keeps it up (--keep-running), and after SIGTERM
nothing the demo started is left: every process carries a tag in its environment, so this test tells its own
postgres, redis-server and raylet from those of tests running beside it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import tomllib
import uuid
from pathlib import Path
from typing import Any

import psutil
import pytest

from stancewatch.cluster.local import missing_parts
from tests.processes import kill_tree
from warehouse import reader

ARTICLES = 360
TAG = "STANCEWATCH_TEST_CLUSTER_TAG"
CLI = [sys.executable, "-P", "-c", "from stancewatch.cli import main; main()"]
# the services a local cluster runs: each must have been seen, and each must be gone at the end
SERVICES = ("postgres", "redis-server", "raylet")


def _ours(tag: str, folder: Path, root: int) -> list[psutil.Process]:
    """Live processes that carry tag in their environment, name folder on their command line, or descend from
    root (redis-server rewrites its title over its argv and environment, so only its parentage shows it)."""
    found = []
    with contextlib.suppress(psutil.Error):
        found = [p for p in psutil.Process(root).children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]
    for proc in psutil.process_iter():
        if proc in found:
            continue
        with contextlib.suppress(psutil.Error, OSError):
            if proc.status() == psutil.STATUS_ZOMBIE:
                continue
            if proc.environ().get(TAG) == tag or str(folder) in " ".join(proc.cmdline()):
                found.append(proc)
    return found


def _name(proc: psutil.Process) -> str:
    with contextlib.suppress(psutil.Error):
        return " ".join(proc.cmdline()) or proc.name()
    return ""


def _is_crawler(proc: psutil.Process) -> bool:
    args = f" {_name(proc)} "
    return " crawl " in args and " --worker " in args


def _count(url: str, table: str) -> int:
    """Rows in a lake table now, or -1 while it cannot be read yet (not created, not initialised)."""
    try:
        with reader(url, timeout=5) as r:
            row = r.con.execute(f"SELECT count(*) FROM {table}").fetchone()
    except Exception:  # the lake is still being created: not an error for a poller
        return -1
    return int(row[0]) if row else -1


class Killer(threading.Thread):
    """Watches the demo's processes: notes every service it sees, and kills one crawler process with SIGKILL
    once articles are landing, then one busy Ray worker once stances are landing."""

    def __init__(self, tag: str, folder: Path, config: Path, root: int) -> None:
        super().__init__(daemon=True)
        self.tag, self.folder, self.config, self.root = tag, folder, config, root
        self.seen: dict[int, psutil.Process] = {}
        self.kinds: set[str] = set()
        self.killed: dict[str, str] = {}
        self.done = threading.Event()

    def url(self) -> str | None:
        try:
            db = tomllib.loads(self.config.read_text(encoding="utf-8")).get("db", "")
        except (OSError, tomllib.TOMLDecodeError):
            return None
        return db if str(db).startswith("ducklake:") else None

    def run(self) -> None:
        while not self.done.is_set():
            procs = _ours(self.tag, self.folder, self.root)
            for proc in procs:
                self.seen.setdefault(proc.pid, proc)
                self.kinds.update(kind for kind in SERVICES if kind in _name(proc).split(" ")[0])
            url = self.url()
            if url is not None:
                self._kill_a_crawler(procs, url)
                self._kill_a_ray_worker(procs, url)
            time.sleep(0.5)

    def _kill(self, what: str, proc: psutil.Process) -> None:
        name = _name(proc)
        with contextlib.suppress(psutil.Error):
            proc.kill()
            self.killed[what] = f"{proc.pid}: {name[:160]}"

    def _kill_a_crawler(self, procs: list[psutil.Process], url: str) -> None:
        if "crawler" in self.killed:
            return
        # a crawler process is a `crawl --worker` child of the `crawl --frontier` the demo runs (not one of
        # its own extraction processes, which may share its command line)
        workers = []
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                parent = proc.parent()
                if _is_crawler(proc) and parent is not None and not _is_crawler(parent):
                    workers.append(proc)
        if len(workers) >= 2 and _count(url, "articles") > 0:
            self._kill("crawler", workers[0])

    def _kill_a_ray_worker(self, procs: list[psutil.Process], url: str) -> None:
        if "ray worker" in self.killed:
            return
        actors = [p for p in procs if _name(p).startswith("ray::") and not _name(p).startswith("ray::IDLE")]
        if len(actors) >= 2 and _count(url, "article_stance") > 0:
            self._kill("ray worker", actors[0])


def _counts(url: str) -> dict[str, Any]:
    with reader(url) as r:
        con = r.con
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "articles": one("SELECT count(*) FROM articles"),
            "mentions": one("SELECT count(*) FROM mentions"),
            "stances": one("SELECT count(*) FROM article_stance"),
            "mention_scores": one("SELECT count(*) FROM mention_scores"),
            "sources": one("SELECT count(DISTINCT source) FROM articles"),
            "duplicate articles": one("SELECT count(*) - count(DISTINCT id) FROM articles"),
            "duplicate urls": one("SELECT count(*) - count(DISTINCT url) FROM articles"),
            "duplicate mentions": one("SELECT count(*) - count(DISTINCT id) FROM mentions"),
            "duplicate stances": one("SELECT count(*) - count(DISTINCT (article_id, country, model_id, "
                                     "aggregation)) FROM article_stance"),
            "duplicate scores": one("SELECT count(*) - count(DISTINCT (mention_id, model_id)) FROM mention_scores"),
        }


def _wait_for_url(proc: subprocess.Popen[bytes], out: Path, err: Path, timeout: float) -> str:
    """The warehouse URL, once the demo has printed it as the last line of its stdout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = out.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        if lines and lines[-1].startswith("ducklake:postgres:"):
            return lines[-1]
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    raise AssertionError(f"the cluster demo printed no warehouse URL (exit {proc.poll()}):\n"
                         f"{out.read_text(errors='replace')[-4000:]}\n{err.read_text(errors='replace')[-4000:]}")


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_cluster_demo_equals_the_single_machine_demo(tmp_path: Path) -> None:
    missing = missing_parts()
    if missing:
        pytest.skip(f"the cluster demo needs {', '.join(missing)}")
    from dashboard import data
    from warehouse.export import export
    from warehouse.filters import Filters

    plain_dir, cluster_dir = tmp_path / "plain", tmp_path / "cluster"
    plain = subprocess.run([*CLI, "demo", "--no-serve", "--dir", str(plain_dir), "--articles", str(ARTICLES)],
                           capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert plain.returncode == 0, plain.stdout[-4000:] + plain.stderr[-4000:]
    plain_db = str(plain_dir / "stancewatch.duckdb")
    assert plain.stdout.strip().splitlines()[-1] == plain_db
    expected = _counts(plain_db)
    assert expected["articles"] == ARTICLES and expected["stances"] > 0

    tag = uuid.uuid4().hex
    out, err = tmp_path / "cluster-demo.out", tmp_path / "cluster-demo.err"
    proc = subprocess.Popen(
        [*CLI, "demo", "--cluster", "--workers", "2", "--no-serve", "--keep-running", "--dir", str(cluster_dir),
         "--articles", str(ARTICLES)],
        stdout=out.open("wb"), stderr=err.open("wb"), cwd=tmp_path, start_new_session=True,
        env={**os.environ, TAG: tag})
    killer = Killer(tag, cluster_dir, cluster_dir / "stancewatch.toml", proc.pid)
    killer.start()
    try:
        url = _wait_for_url(proc, out, err, timeout=1200)
        killer.done.set()
        killer.join(10)
        log = out.read_text(errors="replace") + err.read_text(errors="replace")
        assert set(killer.killed) == {"crawler", "ray worker"}, (
            f"could not kill a crawler process and a Ray worker mid-run (killed: {killer.killed}); "
            f"processes seen:\n" + "\n".join(_name(p)[:160] for p in killer.seen.values()) + "\n" + log[-4000:])
        assert killer.kinds == set(SERVICES), killer.kinds
        assert str(cluster_dir / "cluster" / "lake") in url

        # the same site, crawled by 2 processes and scored by 2 Ray workers, one of each killed: the same rows
        got = _counts(url)
        assert got == expected, (got, expected, killer.killed, log[-4000:])

        # the dashboard's named queries and data functions read the lake
        with reader(url) as r:
            overview = r.records("dashboard_overview", {"model_id": _model(r)})[0]
            model_id = _model(r)
        assert overview["articles"] == ARTICLES and overview["stance_rows"] == expected["stances"]
        trend = data.trend(url, model_id, Filters(), grain="week")
        assert {"RU", "KZ", "US", "CN"} <= set(trend["target"])
        matrix = data.matrix(url, model_id, Filters())
        plain_matrix = data.matrix(plain_db, _model_of(plain_db), Filters())
        assert int(matrix["n"].sum()) == int(plain_matrix["n"].sum()) > 0

        # an export of the lake holds the same rows as one of the single-machine warehouse
        lake_export = export(url, Filters(), level="stance", fmt="csv", out=tmp_path / "lake.csv", code_version="t")
        file_export = export(plain_db, Filters(), level="stance", fmt="csv", out=tmp_path / "file.csv",
                             code_version="t")
        assert lake_export.rows == file_export.rows > 0
        assert (tmp_path / "lake.csv").read_text().count("\n") == lake_export.rows + 1

        # status --json on the lake (global --db, and the command's own --warehouse alias)
        for args in (["--db", url, "status", "--json"], ["status", "--json", "--warehouse", url]):
            status = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, cwd=tmp_path)
            assert status.returncode == 0, status.stdout + status.stderr
            info = json.loads(status.stdout)
            assert info["backend"] == "ducklake"
            assert info["counts"]["articles"] == ARTICLES
            assert info["counts"]["mentions"] == expected["mentions"]
            assert info["counts"]["article_stance"] == expected["stances"]

        # SIGTERM: the demo stops its cluster and exits cleanly, the URL still its last line of stdout
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 0, err.read_text(errors="replace")[-4000:]
        assert out.read_text(encoding="utf-8").strip().splitlines()[-1] == url
        left = psutil.wait_procs(list(killer.seen.values()), timeout=30)[1]
        left += _ours(tag, cluster_dir, proc.pid)
        assert not left, "left running:\n" + "\n".join(f"{p.pid}: {_name(p)[:160]}" for p in left)
    finally:
        killer.done.set()
        if proc.poll() is None:
            kill_tree(proc)
        for straggler in _ours(tag, cluster_dir, proc.pid):  # a failed run must not leave servers behind either
            with contextlib.suppress(psutil.Error):
                straggler.kill()


def _model(r: Any) -> str:
    row = r.con.execute("SELECT id FROM models ORDER BY created_at DESC LIMIT 1").fetchone()
    assert row is not None
    return str(row[0])


def _model_of(db: str) -> str:
    with reader(db) as r:
        return _model(r)


def test_keep_running_needs_a_cluster_without_a_dashboard(tmp_path: Path) -> None:
    """--keep-running only means something for --cluster --no-serve; alone it is refused before anything starts."""
    for args in (["--keep-running"], ["--keep-running", "--no-serve"], ["--keep-running", "--cluster"]):
        done = subprocess.run([*CLI, "demo", *args, "--dir", str(tmp_path / "demo")], capture_output=True,
                              text=True, timeout=60, cwd=tmp_path, env={**os.environ, "COLUMNS": "300"})
        assert done.returncode == 2, done.stdout + done.stderr
        assert "--keep-running goes with --cluster --no-serve" in done.stderr
    assert not (tmp_path / "demo").exists()
