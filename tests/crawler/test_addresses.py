"""The crawl's address policy (issue 15 item 2, SSRF) and the sources file's URL validation.

These are verdicts only: nothing here connects anywhere (the real crawl is in test_hardening.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crawler.addresses import AddressPolicy, parse_entry
from crawler.errors import SourcesError
from crawler.sources import address_problems, load_sources

NOT_PUBLIC = [
    "http://127.0.0.1/", "http://127.1.2.3:8080/x", "http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://0.0.0.0:8000/", "http://[::1]/",
    "http://[fe80::1]/", "http://[fc00::1]/", "http://[::ffff:127.0.0.1]/", "http://224.0.0.1/",
    "http://240.0.0.1/", "http://localhost:8000/", "http://api.localhost/", "https://LOCALHOST./",
]


@pytest.mark.parametrize("url", NOT_PUBLIC)
def test_private_loopback_link_local_and_reserved_hosts_are_refused(url: str) -> None:
    # Issue 15 item 2: these were fetched; now refused before any connection, unless the settings allow them.
    reason = AddressPolicy().refusal(url)
    assert reason is not None and "private address" in reason and url[:30] in reason
    assert AddressPolicy(allow_all=True).refusal(url) is None


@pytest.mark.parametrize("url", ["https://example.org/feed.xml", "http://93.184.216.34/", "http://[2001:4860::8888]/",
                                 "https://news.example.kz:8443/rss"])
def test_public_hosts_pass(url: str) -> None:
    # Issue 15 item 2: the guard must not get in the way of ordinary outlets.
    assert AddressPolicy().refusal(url) is None


def test_an_allowed_private_host_is_allowed_at_its_port_only() -> None:
    # Issue 15 item 2: the tests' and the demo's opt-in is a host:port pair, not the whole machine.
    policy = AddressPolicy.from_settings(False, ["127.0.0.1:8080", "Intranet.Local:80"])
    assert policy.refusal("http://127.0.0.1:8080/feed.xml") is None
    assert policy.refusal("http://intranet.local/news") is None
    for url in ("http://127.0.0.1:8081/", "http://127.0.0.1/", "http://intranet.local:8080/"):
        reason = policy.refusal(url)
        assert reason is not None and "allowed at port" in reason, url
    assert policy.resolved_refusal("intranet.local", ["10.1.1.1"]) is None
    assert policy.resolved_refusal("elsewhere.local", ["10.1.1.1"]) is not None


def test_names_that_resolve_to_private_addresses_are_refused() -> None:
    # Issue 15 item 2: a name is judged by every address it resolves to (one private address is enough).
    policy = AddressPolicy()
    assert policy.resolved_refusal("news.example", ["93.184.216.34"]) is None
    reason = policy.resolved_refusal("news.example", ["93.184.216.34", "192.168.0.7"])
    assert reason is not None and "news.example" in reason and "192.168.0.7" in reason
    assert policy.resolved_refusal("x.example", ["fe80::1%eth0"]) is not None
    # "2130706433" is no IP address to the URL parser, but the resolver makes it 127.0.0.1 (no network asked).
    assert policy.refusal("http://2130706433/") is None
    reason = policy.check("http://2130706433/")
    assert reason is not None and "127.0.0.1" in reason


@pytest.mark.parametrize("url", ["http://example.org:22/", "http://example.org:25/feed", "https://example.org:6667/"])
def test_ports_of_other_protocols_are_refused(url: str) -> None:
    # Issue 15 item 2: a feed on 127.0.0.1:22 passed `sources check`; port 22 is refused on any host.
    reason = AddressPolicy(allow_all=True).refusal(url)
    assert reason is not None and "blocked port" in reason


@pytest.mark.parametrize("entry", ["127.0.0.1", "host:", "host:abc", "http://host:80", "host:70000", ":80"])
def test_allow_list_entries_must_be_host_and_port(entry: str) -> None:
    # Issue 15 item 2: a malformed allow-list entry is an error naming it.
    with pytest.raises(ValueError, match=r"expected host:port|not between"):
        parse_entry(entry)
    assert parse_entry("[::1]:8080") == ("::1", 8080)


def _sources_file(tmp_path: Path, feed: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [{"name": "x", "homepage": "https://x.example/", "country": "KZ",
                                                 "language": "ru", "feeds": [feed]}]}), encoding="utf-8")
    return path


@pytest.mark.parametrize(("feed", "expected"), [
    ("http:///etc/passwd", "with a host name"),
    ("http://127.0.0.1:22/feed.xml", "port 22"),
    ("http://x.example:99999/feed", "valid host and port"),
    ("http://x.example:port/feed", "valid host and port"),
    ("http://x.example@10.0.0.1/feed", "without user name"),
    ("http://x.example/a feed", "without spaces"),
    ("https:x.example/feed", "with a host name"),
])
def test_sources_file_checks_host_and_port_not_the_prefix(tmp_path: Path, feed: str, expected: str) -> None:
    # Issue 15 item 2: `sources check` accepted http:///etc/passwd and a feed on port 22.
    path = _sources_file(tmp_path, feed)
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert str(path) in message and "sources[0] (x).feeds.0" in message and expected in message


def test_address_problems_name_the_source_field_and_url(tmp_path: Path) -> None:
    # Issue 15 item 2: offline, a private host in the sources file is reported before any crawl.
    sources = load_sources(_sources_file(tmp_path, "http://127.0.0.1:8080/feed.xml"))
    problems = address_problems(sources, AddressPolicy())
    assert len(problems) == 1
    assert problems[0].startswith("sources[0] (x).feeds.0: refused http://127.0.0.1:8080/feed.xml")
    assert address_problems(sources, AddressPolicy.from_settings(False, ["127.0.0.1:8080"])) == []
