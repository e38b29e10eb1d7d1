"""Free TCP ports on 127.0.0.1 for the local cluster's servers (PostgreSQL, Redis, Ray)."""

from __future__ import annotations

import socket
from contextlib import ExitStack


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports on 127.0.0.1 that nothing listens on right now.

    Every socket stays bound until all are chosen: asked one at a time, the kernel may hand out the same
    port twice, and Ray refuses to start when two of its components are given one port.
    """
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    return free_ports(1)[0]
