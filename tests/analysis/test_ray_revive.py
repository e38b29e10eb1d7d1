"""A local Ray head whose node died (its raylet gone) is restarted on the same address by revive()."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import psutil
import pytest

from stancewatch.cluster.ports import free_port, free_ports
from stancewatch.cluster.ray_cluster import LocalRay, ray_bin


def _answers(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            return True
    except OSError:
        return False


def _raylets(cluster: LocalRay, timeout: float = 60) -> list[psutil.Process]:
    """The head's raylet processes, waiting for them: start() waits for the GCS port, the raylet follows it."""
    deadline = time.monotonic() + timeout
    while not (found := [p for p in cluster.processes() if p.name() == "raylet"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


@pytest.fixture
def own_ray(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRay]:
    if ray_bin() is None:
        pytest.skip("ray not installed (no `ray` command beside python): pip install -e '.[cluster]'")
    with LocalRay(tmp_path_factory.mktemp("ray-revive"), cpus=1) as cluster:
        yield cluster


def test_a_dead_node_is_restarted_on_its_address(own_ray: LocalRay) -> None:
    address = own_ray.address
    raylets = _raylets(own_ray)
    assert raylets, [p.name() for p in own_ray.processes()]
    assert own_ray.revive() is False  # healthy: nothing to do
    for proc in raylets:
        proc.kill()
    psutil.wait_procs(raylets, timeout=10)
    assert own_ray.revive() is True
    assert own_ray.address == address and _answers(address)
    assert _raylets(own_ray)


def test_the_head_is_given_a_distinct_port_for_every_component(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Ray refuses to start when two of its components share a port (a CI run had metrics_export and the
    dashboard agent on one), so `ray start` gets eight distinct ports, none of them the GCS port."""
    if ray_bin() is None:
        pytest.skip("ray not installed (no `ray` command beside python): pip install -e '.[cluster]'")
    cluster = LocalRay(tmp_path_factory.mktemp("ray-ports"))
    for _ in range(50):
        cluster.port = free_port()
        cmd = cluster.command()
        ports = [int(cmd[i + 1]) for i, arg in enumerate(cmd) if arg.endswith("-port")]
        assert len(ports) == 8 and len(set(ports)) == 8 and ports[0] == cluster.port, cmd


def test_free_ports_are_distinct() -> None:
    ports = free_ports(200)
    assert len(set(ports)) == 200 and all(1024 < port < 65536 for port in ports)
