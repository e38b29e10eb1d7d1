"""Score pending articles on a Ray cluster: the driver hands out batches of article ids, workers score and write.

Each worker is a Ray actor that loads the ONNX model once and writes its own batches through the same chunk
writer as a local run (`analysis.scoring.score_rows`: one short writer transaction per batch). With a file
warehouse the writer's file lock serialises the commits; on DuckLake they commit concurrently. A worker that
dies loses at most the batches it held: the driver resubmits each to a fresh worker (and logs it); since the
upserts are keyed as in a local run and a worker reads only the still-pending articles of its batch, nothing is
scored twice. The driver runs the pre-step (record the model, re-aggregate) through the first worker before
any batch, and the post-step (corrections) itself once at the end; the command adds the alerts recompute.

`ray` is imported only in this module, and only when a run starts (the dashboard and the plain path never load it).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from analysis.errors import ScoringError
from analysis.scoring import ScoringSummary, finish_run
from warehouse import reader

log = logging.getLogger(__name__)

# Articles per batch: smaller than a local run's chunk, so that a few hundred articles still spread over the
# workers and a worker that dies takes less work with it (each batch is one writer transaction).
BATCH_ARTICLES = 50
# Batches queued per worker: one being scored and one waiting, so a worker never idles between batches,
# while a worker that dies takes few with it.
IN_FLIGHT_PER_WORKER = 2
# A batch whose workers died this many times is treated as what kills them: the run stops, naming it.
MAX_ATTEMPTS = 3
# How long the driver waits for a host:port head to accept a connection before saying it cannot reach it.
REACH_TIMEOUT_S = 5.0


class ScoringWorker:
    """One Ray actor's state: the model, loaded once, and the target cache of the batches it has scored."""

    def __init__(self, db: str, model_name: str, cache_dir: str, batch_size: int, threads: int) -> None:
        from analysis.gazetteer import default_gazetteer
        from analysis.model import load_scorer
        from analysis.scoring import TargetCache

        self.db = db
        self.scorer = load_scorer(model_name, Path(cache_dir), batch_size, threads)
        self.cache = TargetCache(self.scorer)
        self.gazetteer = default_gazetteer()

    def pid(self) -> int:
        """This worker's process id (for logs, and for tests that kill one)."""
        return os.getpid()

    def register(self) -> tuple[str, int]:
        """Record the model and re-aggregate its stored stances (the run's pre-step); its id and the count re-made."""
        from analysis.scoring import register_model

        return self.scorer.model_id, register_model(self.db, self.scorer)

    def score(self, ids: list[str]) -> dict[str, Any]:
        """Score the batch's still-pending articles and write them in one transaction; the batch's counts."""
        from analysis.scoring import score_rows

        summary = ScoringSummary(model_id=self.scorer.model_id)
        with reader(self.db) as r:
            rows = r.records("ray_scoring_batch_articles", {"model_id": self.scorer.model_id, "ids": ids})
        before = self.cache.scored
        if rows:
            score_rows(self.db, rows, self.cache, self.gazetteer, summary)
        return {"articles": summary.articles, "scored": summary.scored, "skipped": summary.skipped,
                "mentions": summary.mentions, "stances": summary.stances,
                "targets_scored": self.cache.scored - before, "skipped_reasons": summary.skipped_reasons}


def _add(summary: ScoringSummary, part: dict[str, Any]) -> None:
    for key in ("articles", "scored", "skipped", "mentions", "stances", "targets_scored"):
        setattr(summary, key, getattr(summary, key) + int(part[key]))
    for reason, n in part["skipped_reasons"].items():
        summary.skipped_reasons[reason] = summary.skipped_reasons.get(reason, 0) + int(n)


def pending_ids(db: str | Path, model_id: str, limit: int | None = None) -> list[str]:
    """Ids of the articles model_id has not scored yet, in order (at most limit)."""
    with reader(db) as r:
        return [str(row["id"]) for row in r.records("ray_scoring_pending_ids",
                                                    {"model_id": model_id, "limit": limit})]


def batches(ids: Sequence[str], size: int) -> list[list[str]]:
    """ids cut into consecutive batches of at most size."""
    return [list(ids[i:i + size]) for i in range(0, len(ids), size)]


def _check_reachable(address: str) -> None:
    """Fail fast on a host:port nothing listens on: ray.init would retry it for minutes."""
    if address == "auto" or "://" in address:
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ScoringError(f"Ray address {address!r}: expected auto, host:port or ray://host:port")
    try:
        with socket.create_connection((host, int(port)), timeout=REACH_TIMEOUT_S):
            pass
    except OSError as exc:
        raise ScoringError(f"cannot reach the Ray cluster at {address!r} ({exc}); is a Ray head running there "
                           "(`ray start --head`)?") from exc


def _any_live_node() -> bool:
    """Whether the connected Ray cluster still has a live node (a fresh actor needs one)."""
    import ray

    return any(node.get("Alive") for node in ray.nodes())  # type: ignore[no-untyped-call]


def _register(pool: list[Any], fresh: Callable[[], Any], model_name: str) -> tuple[str, int]:
    """Register the model from the pool's first worker: (model id, stances re-aggregated). A worker that dies
    before it answers (Ray lost its process) is replaced, up to MAX_ATTEMPTS times, as a batch's would be."""
    import ray
    from ray.exceptions import RayActorError, RayTaskError

    attempt = 1
    while True:
        try:
            model_id, reaggregated = ray.get(pool[0].register.remote())
            return model_id, reaggregated
        except RayActorError as exc:
            if not _any_live_node():
                raise ScoringError("the Ray cluster has no live node left; rerun `stancewatch score --ray` "
                                   "once it is back") from exc
            if attempt >= MAX_ATTEMPTS:
                raise ScoringError(f"{attempt} Ray workers died before registering model {model_name!r}; "
                                   f"last: {exc}") from exc
            log.warning("a Ray scoring worker died before registering the model: %s; trying a fresh one", exc)
            attempt += 1
            pool[0] = fresh()
        except RayTaskError as exc:
            raise ScoringError(f"the Ray worker could not load model {model_name!r}: {exc}") from exc


def score_on_ray(db: str | Path, *, address: str, workers: int, model_name: str, cache_dir: Path,
                 batch_size: int = 32, limit: int | None = None, chunk: int = BATCH_ARTICLES,
                 on_batch: Callable[[int, int], None] | None = None) -> ScoringSummary:
    """Score every article the model has not scored yet (at most limit) on workers Ray actors at address.

    on_batch(articles done, articles to do) is called on the driver after each batch lands. Raises
    ScoringError when Ray cannot be reached, when a batch fails (the model's error, as in a local run), or
    when a batch has outlived MAX_ATTEMPTS workers."""
    import ray
    from ray.exceptions import RayActorError, RayTaskError

    if workers < 1:
        raise ScoringError(f"--workers {workers}: expected at least 1")
    started = time.monotonic()
    where = str(db)
    _check_reachable(address)
    try:
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise ScoringError(f"cannot reach the Ray cluster at {address!r} ({exc}); expected an address as "
                           "ray.init takes it: auto, host:port of a running head, or ray://host:port") from exc
    cpus = int(ray.cluster_resources().get("CPU", 0))  # type: ignore[no-untyped-call]
    if cpus < workers:
        # an autoscaling cluster may add nodes; a fixed one leaves the extra workers waiting for a CPU
        log.warning("the Ray cluster at %s has %d CPUs for %d workers (one CPU each): %d wait until CPUs free up",
                    address, cpus, workers, workers - cpus)
    # Each worker gets its share of this node's cores for ONNX Runtime's threads (more would oversubscribe them).
    threads = max(1, (os.cpu_count() or 1) // workers)
    remote = ray.remote(num_cpus=1, max_restarts=0)(ScoringWorker)
    actors: list[Any] = []

    def fresh() -> Any:
        actor = remote.remote(where, model_name, str(cache_dir), batch_size, threads)
        actors.append(actor)
        return actor

    try:
        pool = [fresh() for _ in range(workers)]
        model_id, reaggregated = _register(pool, fresh, model_name)
        summary = ScoringSummary(model_id=model_id, reaggregated=reaggregated)
        todo = batches(pending_ids(db, model_id, limit), chunk)
        total = sum(len(b) for b in todo)
        attempts = [0] * len(todo)
        queue = list(range(len(todo)))
        running: dict[Any, tuple[int, int, Any]] = {}  # future -> (pool slot, batch index, actor)

        def submit(slot: int) -> None:
            actor = pool[slot]
            while queue and sum(1 for *_, a in running.values() if a is actor) < IN_FLIGHT_PER_WORKER:
                index = queue.pop(0)
                attempts[index] += 1
                running[actor.score.remote(todo[index])] = (slot, index, actor)

        for slot in range(workers):
            submit(slot)
        done = 0
        while running:
            ready, _ = ray.wait(list(running), num_returns=1)
            slot, index, actor = running.pop(ready[0])
            try:
                part = ray.get(ready[0])
            except RayActorError as exc:
                if not _any_live_node():
                    # a fresh actor would wait for a node forever: say so now (what was written stays)
                    raise ScoringError(f"the Ray cluster at {address} has no live node left (batch {index} was "
                                       "running); rerun `stancewatch score --ray` once it is back: batches already "
                                       "written are kept and not scored again") from exc
                if attempts[index] >= MAX_ATTEMPTS:
                    raise ScoringError(f"batch {index} (articles {todo[index][0]} .. {todo[index][-1]}) was "
                                       f"held by {attempts[index]} workers that all died; last: {exc}") from exc
                log.warning("a Ray scoring worker died holding batch %d (%d articles): %s; scoring it on a "
                            "fresh worker", index, len(todo[index]), exc)
                summary.retried_batches += 1
                queue.insert(0, index)
                if pool[slot] is actor:  # the dead actor's other batches fail the same way: replace it once
                    pool[slot] = fresh()
                submit(slot)
                continue
            except RayTaskError as exc:
                raise ScoringError(f"scoring batch {index} on Ray failed: {exc}") from exc
            _add(summary, part)
            done += len(todo[index])
            if on_batch is not None:
                on_batch(done, total)
            submit(slot)
    finally:
        for actor in actors:
            ray.kill(actor)
        ray.shutdown()
    finish_run(db, summary.model_id)
    summary.seconds = time.monotonic() - started
    return summary
