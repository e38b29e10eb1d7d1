"""Fixtures every area's tests share: the shared data folder, free ports, a fresh warehouse path."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

# The browser helpers assert for the tests that call them: show the compared values when they fail.
pytest.register_assert_rewrite("tests.browser")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
# The files that start local Ray clusters: one of them at a time, so two clusters never share the cores.
RAY_FILES = frozenset({"tests/analysis/test_ray_revive.py", "tests/analysis/test_ray_scoring.py",
                       "tests/jobs/test_cluster_demo.py", "tests/jobs/test_scheduler_cluster.py"})


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group the tests for `pytest -n N --dist loadgroup`: each file on one worker, so its module fixtures
    (the 5,000-article demo of the alerts tests) are built once, and the Ray files on the same worker."""
    for item in items:
        path = item.path.relative_to(ROOT).as_posix()
        item.add_marker(pytest.mark.xdist_group("ray" if path in RAY_FILES else path))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ../shared/data folder; tests that need it skip with a message where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent: these tests need the project's shared data (CI has it)")
    return SHARED_DATA


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's own warehouse file goes (not created yet)."""
    return tmp_path / "warehouse" / "stancewatch.duckdb"
