"""The scheduler: queues due schedules, runs queued jobs (crawl, then score) as subprocesses, records their state.

One loop, every ``scheduler.poll_interval_s``:
1. schedules that came due since they last ran get one job each (``warehouse.jobs.queue_due_schedules``:
   after downtime a schedule that missed many slots runs once);
2. queued jobs start, oldest first, unless a running job shares a source with them (a job for all
   sources shares with every job): one job at a time per source;
3. running jobs are checked: a step that exits 0 starts the next step, a non-zero exit fails the job, a
   job running past ``scheduler.job_timeout_s`` has its process group killed and is failed.

Each job runs ``stancewatch crawl --source ... --trigger job:<id>`` and then ``stancewatch score``, each
a subprocess in its own process group, with the same --db/--sources/--config as the scheduler. With a
``[cluster]`` configured, the crawl gets ``--frontier URL --processes N`` and the score ``--ray ADDRESS
--workers N`` (``ClusterSettings.crawl_args``/``score_args``), so jobs run on the cluster. Their output goes to
``<state folder>/logs/job-<id>.log`` (the state folder: the warehouse file's folder, or a DuckLake's local data
folder); its tail goes to the job row.

SIGTERM, SIGINT or SIGHUP: no new jobs start; running ones get SIGTERM (so a crawl can finish its batch),
then SIGKILL after a grace period (``stancewatch.supervisor.stop_tree``: their whole tree), and are marked
interrupted. On start, jobs a dead scheduler left 'running'
are marked interrupted too, and crawl runs whose process is gone (also after a timeout's SIGKILL) are
closed as 'abandoned', so nothing stays 'running' forever. A file lock keeps it to one scheduler
per warehouse (``<state folder>/<warehouse name>.scheduler.lock``).

``STANCEWATCH_JOB_COMMAND`` (tests and extensions) replaces the two steps with one command line; it gets
``STANCEWATCH_JOB_ID`` and ``STANCEWATCH_JOB_SOURCES`` (comma-separated) in its environment.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any

from filelock import FileLock, Timeout

from crawler.runs import abandon_dead_runs_in
from stancewatch.cluster.settings import ClusterSettings
from stancewatch.errors import StancewatchError
from stancewatch.supervisor import STOP_SIGNALS, cli_command, stop_tree
from warehouse import writer
from warehouse.errors import WarehouseBusy, WarehouseError
from warehouse.jobs import (
    finish_job,
    interrupt_running_jobs,
    queue_due_schedules,
    queued_jobs,
    start_job,
    utcnow,
)
from warehouse.location import Location, parse_location

JOB_COMMAND_ENV = "STANCEWATCH_JOB_COMMAND"
LOG_TAIL_CHARS = 4000
STOP_GRACE_S = 20.0


class SchedulerError(StancewatchError):
    """The scheduler cannot start (another one runs on this warehouse)."""


def job_steps(job: dict[str, Any], global_args: list[str],
              cluster: ClusterSettings | None = None) -> list[tuple[str, list[str]]]:
    """Return a job's steps as (name, argv): crawl its sources, then score what is new (on the cluster if set)."""
    override = os.environ.get(JOB_COMMAND_ENV)
    if override:
        return [("job", shlex.split(override))]
    cluster = cluster or ClusterSettings()
    crawl = [*cli_command(), *global_args, "crawl", "--trigger", f"job:{job['id']}", *cluster.crawl_args()]
    for source in job.get("sources") or []:
        crawl += ["--source", source]
    args = job.get("args") or {}
    if args.get("since"):
        crawl += ["--since", str(args["since"])]
    if args.get("max_articles"):
        crawl += ["--max-articles", str(int(args["max_articles"]))]
    if args.get("refresh"):
        crawl.append("--refresh")
    return [("crawl", crawl), ("score", [*cli_command(), *global_args, "score", *cluster.score_args()])]


def state_folder(location: Location) -> tuple[Path, str]:
    """Where the scheduler keeps its lock and job logs, and the lock's base name: beside a warehouse file;
    for a DuckLake, in its data folder when that is a local folder (else ./data): one lock per lake there."""
    if not location.is_lake:
        return location.file.parent, location.file.name
    if "://" in location.data_path:  # object storage: no local folder to share, so this machine's own
        return Path("data").resolve(), "ducklake"
    return Path(location.data_path), "ducklake"


def _tail(path: Path, chars: int = LOG_TAIL_CHARS) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - chars * 4))
            return fh.read().decode("utf-8", errors="replace")[-chars:]
    except OSError:
        return ""


@dataclass
class RunningJob:
    """A job whose current step is a live subprocess."""

    job: dict[str, Any]
    steps: list[tuple[str, list[str]]]
    log_path: Path
    started: float = field(default_factory=time.monotonic)
    step: str = ""
    proc: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None

    @property
    def sources(self) -> set[str]:
        """The sources this job crawls; empty means all."""
        return set(self.job.get("sources") or [])


class Scheduler:
    """Runs until stopped: due schedules become jobs, queued jobs run as subprocesses."""

    def __init__(self, db: str | Path | Location, *, global_args: list[str], poll_interval_s: float,
                 job_timeout_s: float, echo: Callable[[str], None] = print, stop_grace_s: float = STOP_GRACE_S,
                 cluster: ClusterSettings | None = None) -> None:
        self.location = parse_location(db)
        # what the warehouse functions are handed: the file's path, or the lake's URL
        self.db: str | Path = self.location.url if self.location.is_lake else self.location.file
        self.folder, lock_name = state_folder(self.location)
        self.lock_path = self.folder / f"{lock_name}.scheduler.lock"
        self.global_args = global_args
        self.cluster = cluster or ClusterSettings()
        self.poll_interval_s = poll_interval_s
        self.job_timeout_s = job_timeout_s
        self.echo = echo
        self.stop_grace_s = stop_grace_s
        self.log_dir = self.folder / "logs"
        self.running: dict[str, RunningJob] = {}
        self.unrecorded: list[dict[str, Any]] = []  # final states the warehouse was too busy to take yet
        self.stopping = threading.Event()

    # --- lifecycle ---

    def request_stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        """Stop taking jobs and wind down (the SIGTERM/SIGINT/SIGHUP handler)."""
        self.stopping.set()

    def run(self) -> None:
        """Run the loop until request_stop (or a signal); leave no job 'running'."""
        self.folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.lock_path))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise SchedulerError(f"{self.location.label}: another scheduler is already running on this warehouse "
                                 f"(lock {self.lock_path})") from None
        try:
            with writer(self.db):
                pass  # create and migrate the warehouse if needed
            stale = interrupt_running_jobs(self.db, "the scheduler stopped while this job ran")
            if stale:
                self.echo(f"marked {len(stale)} job(s) a previous scheduler left running as interrupted")
            self._abandon_dead_runs()
            self.log_dir.mkdir(parents=True, exist_ok=True)
            on = f"; crawl and score on the cluster ({self.cluster.workers} workers)" if (
                self.cluster.frontier or self.cluster.ray_address) else ""
            self.echo(f"scheduler running on {self.location.label}; polling every {self.poll_interval_s:g} s{on}")
            while not self.stopping.is_set():
                try:
                    self.tick()
                except WarehouseError as exc:  # a busy or briefly unreadable warehouse: carry on
                    self.echo(f"warehouse error, retrying next poll: {exc}")
                self.stopping.wait(self.poll_interval_s)
            self.shutdown()
        finally:
            lock.release()

    def tick(self) -> None:
        """One pass: queue due schedules, start what may start, check what runs."""
        self._record_pending()
        self.check_running()
        try:
            for job_id in queue_due_schedules(self.db):
                self.echo(f"schedule came due: job {job_id} queued")
            waiting = queued_jobs(self.db)
        except WarehouseBusy as exc:  # a long writer; try again next tick
            self.echo(f"warehouse busy, retrying: {exc}")
            return
        for job in waiting:
            if self.stopping.is_set():
                return
            if self._conflicts(job):
                continue
            if start_job(self.db, job["id"]):
                self._launch(job)

    def _conflicts(self, job: dict[str, Any]) -> bool:
        wanted = set(job.get("sources") or [])
        return any(not wanted or not other.sources or wanted & other.sources for other in self.running.values())

    # --- running jobs ---

    def _launch(self, job: dict[str, Any]) -> None:
        run = RunningJob(job=job, steps=job_steps(job, self.global_args, self.cluster),
                         log_path=self.log_dir / f"job-{job['id']}.log")
        self.running[job["id"]] = run
        sources = ", ".join(job.get("sources") or []) or "all sources"
        self.echo(f"job {job['id']} started ({sources}; requested by {job['requested_by']})")
        self._next_step(run)

    def _next_step(self, run: RunningJob) -> None:
        name, argv = run.steps.pop(0)
        run.step = name
        if run.log is None:
            run.log = run.log_path.open("ab")
        run.log.write(f"\n$ {shlex.join(argv)}\n".encode())
        run.log.flush()
        env = {**os.environ, "STANCEWATCH_JOB_ID": run.job["id"],
               "STANCEWATCH_JOB_SOURCES": ",".join(run.job.get("sources") or []), "PYTHONUNBUFFERED": "1"}
        try:
            run.proc = subprocess.Popen(argv, stdout=run.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        env=env, start_new_session=True)
        except OSError as exc:
            self._finish(run, "failed", f"step {name!r} could not start: {exc}")

    def check_running(self) -> None:
        """Advance, fail or time out each running job."""
        for run in list(self.running.values()):
            proc = run.proc
            if proc is None:
                continue
            code = proc.poll()
            elapsed = time.monotonic() - run.started
            if code is None:
                if elapsed > self.job_timeout_s:
                    stop_tree(proc, grace=2.0)
                    # a crawl that needed SIGKILL could not close its own run: close it before the job is
                    # marked failed, so whoever sees the job final sees no run left 'running'
                    self._abandon_dead_runs()
                    self._finish(run, "failed", f"timed out after {self.job_timeout_s:g} s in step {run.step!r}; "
                                                "killed")
                continue
            if code != 0:
                self._finish(run, "failed", f"step {run.step!r} exited with status {code}")
            elif run.steps:
                self._next_step(run)
            else:
                self._finish(run, "done", None)

    def _abandon_dead_runs(self) -> None:
        """Close crawl runs whose process is gone as 'abandoned' (a busy warehouse: the next crawl does it)."""
        try:
            abandoned = abandon_dead_runs_in(self.db)
        except WarehouseError as exc:
            self.echo(f"could not check for abandoned crawl runs yet: {exc}")
            return
        if abandoned:
            self.echo(f"closed {len(abandoned)} crawl run(s) whose process is gone as abandoned: "
                      f"{', '.join(abandoned)}")

    def _finish(self, run: RunningJob, state: str, error: str | None) -> None:
        if run.log is not None:
            run.log.write(f"\n[{utcnow():%Y-%m-%d %H:%M:%S} UTC] job {state}{': ' + error if error else ''}\n"
                          .encode())
            run.log.close()
        self.running.pop(run.job["id"], None)
        self.unrecorded.append({"job_id": run.job["id"], "state": state, "error": error,
                                "log_tail": _tail(run.log_path)})
        self.echo(f"job {run.job['id']} {state}{': ' + error if error else ''}")
        self._record_pending()

    def _record_pending(self) -> None:
        """Write final job states to the warehouse; keep those it was too busy for until the next poll."""
        while self.unrecorded:
            item = self.unrecorded[0]
            try:
                finish_job(self.db, item["job_id"], state=item["state"], error=item["error"],
                           log_tail=item["log_tail"])
            except WarehouseError as exc:
                self.echo(f"could not record job {item['job_id']} yet: {exc}")
                return
            self.unrecorded.pop(0)

    def shutdown(self) -> None:
        """Stop every running job (SIGTERM, then SIGKILL after the grace period) and mark it interrupted."""
        if self.running:
            self.echo(f"stopping: interrupting {len(self.running)} running job(s)")
        for run in list(self.running.values()):
            if run.proc is not None and run.proc.poll() is None:
                stop_tree(run.proc, grace=self.stop_grace_s)
            self._finish(run, "interrupted", f"the scheduler was stopped during step {run.step!r}")
        for _ in range(3):  # the last states must land before we go, or they stay 'running'
            if not self.unrecorded:
                break
            time.sleep(1)
            self._record_pending()
        self.echo("scheduler stopped")


def run_scheduler(db: str | Path | Location, *, global_args: list[str], poll_interval_s: float,
                  job_timeout_s: float, echo: Callable[[str], None] = print,
                  cluster: ClusterSettings | None = None) -> None:
    """Run a scheduler in this process until SIGTERM, SIGINT or SIGHUP (its jobs on the cluster if set)."""
    scheduler = Scheduler(db, global_args=global_args, poll_interval_s=poll_interval_s,
                          job_timeout_s=job_timeout_s, echo=echo, cluster=cluster)
    for signum in STOP_SIGNALS:
        signal.signal(signum, scheduler.request_stop)
    scheduler.run()
