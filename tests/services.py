"""Fixtures for the cluster tests: real services started for the test and stopped after it.

Each starts its service in a throwaway folder under pytest's tmp_path, on a free port, and stops it (the
whole process tree) in teardown; each skips with a clear message where the Debian package is missing
(CI installs them). Use them from a test module with ``from tests.services import postgres, lake_url``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from stancewatch.cluster.postgres import LocalPostgres, postgres_bin
from stancewatch.cluster.ray_cluster import LocalRay, ray_bin
from stancewatch.cluster.redis_server import LocalRedis, redis_server_bin

_databases = itertools.count(1)


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPostgres]:
    """A local PostgreSQL for the test module (a lake's catalog), stopped when the module's tests are done."""
    if postgres_bin() is None:
        pytest.skip("PostgreSQL not installed (no initdb/pg_ctl): apt-get install postgresql")
    with LocalPostgres(tmp_path_factory.mktemp("postgres")) as server:
        yield server


@pytest.fixture
def lake_url(postgres: LocalPostgres, tmp_path: Path) -> str:
    """A DuckLake warehouse URL of the test's own: a fresh catalog database, data files under tmp_path."""
    name = f"lake_{next(_databases)}"
    postgres.create_database(name)
    return postgres.url(tmp_path / "lake", database=name)


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[LocalRedis]:
    """A local Redis server of the test's own (no persistence), stopped after the test."""
    if redis_server_bin() is None:
        pytest.skip("redis-server not installed: apt-get install redis-server")
    with LocalRedis(tmp_path / "redis") as server:
        yield server


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRay]:
    """A local one-node Ray cluster (2 CPUs) for the test module, its whole process session stopped after."""
    if ray_bin() is None:
        pytest.skip("ray not installed (no `ray` command beside python): pip install -e '.[cluster]'")
    with LocalRay(tmp_path_factory.mktemp("ray"), cpus=2) as cluster:
        yield cluster
