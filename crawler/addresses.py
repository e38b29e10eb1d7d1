"""Which hosts and ports a crawl may reach: public addresses only, unless the settings allow a private host.

A feed item, a listing link or a redirect can name any URL, so a hostile or hacked outlet could make the
crawler fetch the machine's own services, the local network or a cloud metadata endpoint (169.254.169.254)
and store what they answer as an article (server-side request forgery). Every request a crawl makes is
checked twice:

- before it is sent (``crawler.middleware.GuardMiddleware``, with :meth:`AddressPolicy.refusal`): the
  scheme, a blocked port, and a host written as an IP address, with no DNS lookup;
- when its host name is resolved (``crawler.middleware.GuardedResolver``, Scrapy's DNS resolver): every
  address the name resolves to, at the moment the connection is made, so a name that resolves to a public
  address when checked and a private one when fetched (DNS rebinding) is refused too.

``crawl.allow_private_addresses`` turns the address check off (the demo's local site); ``crawl.private_hosts``
allows named ``host:port`` pairs only (tests, an intranet outlet). Refusals are ``IgnoreRequest`` or
``AddressRefused`` errors whose message says "private address" or "blocked port", so the fetch log can
count them by kind. This module imports neither Scrapy nor Twisted, so the settings can validate with it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Self
from urllib.parse import urlsplit

PRIVATE_ADDRESS = "private address"
BLOCKED_PORT = "blocked port"
_DEFAULT_PORTS = {"http": 80, "https": 443}
# The Fetch standard's "bad ports" (https://fetch.spec.whatwg.org/#port-blocking): ports of services that
# speak other protocols (SSH, SMTP, IRC, ...), which browsers refuse to send HTTP requests to for the same
# reason we do.
BAD_PORTS = frozenset({
    0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
    109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526,
    530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045,
    4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
})


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a URL's host names when it is written as an IP address (IPv6 without brackets), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for a globally routable unicast address: not private, loopback, link-local, reserved or multicast."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return address.is_global and not address.is_multicast


def is_loopback_name(host: str) -> bool:
    """True for names that mean this machine without asking DNS (RFC 6761: localhost and *.localhost)."""
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


def host_port(url: str) -> tuple[str, int] | None:
    """The URL's host (lowercased, without brackets or a trailing dot) and port, or None when it has neither."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return None
    return host, port if port is not None else _DEFAULT_PORTS.get(parts.scheme.lower(), 80)


def parse_entry(entry: str) -> tuple[str, int]:
    """Parse a ``host:port`` entry of crawl.private_hosts (``[::1]:8080`` for IPv6); raise ValueError if it is not."""
    expected = f"{entry!r}: expected host:port, such as 127.0.0.1:8080, [::1]:8080 or intranet.local:80"
    host, colon, port = entry.strip().rpartition(":")
    if not colon or not host or not port.isdigit() or any(c in host for c in "/@?#") or host.isspace():
        raise ValueError(expected)
    bracketed = host.startswith("[") and host.endswith("]")
    host = host[1:-1] if bracketed else host
    if (":" in host or bracketed) and ip_literal(host) is None:
        raise ValueError(expected)
    if not 1 <= int(port) <= 65535:
        raise ValueError(f"{entry!r}: port {port} is not between 1 and 65535")
    return host.lower().rstrip("."), int(port)


@dataclass(frozen=True)
class AddressPolicy:
    """Where a crawl may connect: public addresses, plus what the settings allow."""

    allow_all: bool = False
    allowed: frozenset[tuple[str, int]] = frozenset()

    @classmethod
    def from_settings(cls, allow_all: bool, entries: Iterable[str]) -> Self:
        """Build from crawl.allow_private_addresses and crawl.private_hosts."""
        return cls(allow_all=allow_all, allowed=frozenset(parse_entry(e) for e in entries))

    @property
    def hosts(self) -> frozenset[str]:
        """The host names and addresses the allow list names (at some port)."""
        return frozenset(host for host, _ in self.allowed)

    def refusal(self, url: str) -> str | None:
        """Why a request to url is refused before any DNS lookup, or None: a blocked port, a private address
        written as the host, a loopback name, or an allowed private host at a port it is not allowed at."""
        parsed = host_port(url)
        if parsed is None:
            return f"refused {url[:200]}: no host, or a port that is not a number"
        host, port = parsed
        host = host.lower()
        if port in BAD_PORTS:
            return f"refused {url[:200]}: {BLOCKED_PORT} {port} (a port of another protocol, such as SSH or SMTP)"
        if self.allow_all or (host, port) in self.allowed:
            return None
        if host in self.hosts:
            ports = ", ".join(str(p) for h, p in sorted(self.allowed) if h == host)
            return (f"refused {url[:200]}: {PRIVATE_ADDRESS} {host} is allowed at port {ports} only "
                    "(crawl.private_hosts)")
        address = ip_literal(host)
        if (address is not None and not is_public(address)) or is_loopback_name(host):
            return (f"refused {url[:200]}: {PRIVATE_ADDRESS} {host} (loopback, private, link-local or reserved; "
                    "allow it with crawl.private_hosts or crawl.allow_private_addresses)")
        return None

    def resolved_refusal(self, host: str, addresses: Iterable[str]) -> str | None:
        """Why connecting to host at these resolved addresses is refused, or None (any private one refuses)."""
        name = host.lower().rstrip(".")
        if self.allow_all or name in self.hosts:
            return None
        for text in addresses:
            address = ip_literal(text.split("%", 1)[0])  # drop an IPv6 zone id (fe80::1%eth0)
            if address is None or not is_public(address):
                return (f"refused {host}: it resolves to the {PRIVATE_ADDRESS} {text} (loopback, private, "
                        "link-local or reserved; allow it with crawl.private_hosts or crawl.allow_private_addresses)")
        return None

    def check(self, url: str, *, resolve: bool = True) -> str | None:
        """Why url may not be fetched, or None; with resolve, its host name is looked up (one-off checks such
        as `sources check --online`, outside Scrapy)."""
        reason = self.refusal(url)
        if reason is not None or not resolve:
            return reason
        parsed = host_port(url)
        assert parsed is not None  # refusal() returned None, so the URL has a host
        host, port = parsed
        if ip_literal(host) is not None:
            return None
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return None  # the fetch itself will fail and say so
        return self.resolved_refusal(host, [str(info[4][0]) for info in infos])
