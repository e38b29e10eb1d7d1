"""Issue 15: the CLI's limits and messages on hostile or careless input (real `stancewatch` processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from analysis.scoring import MAX_TEXT_CHARS
from tests.crawler.news_site import FixtureServer, Route, rss2, serving

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STANCEWATCH_")}
    env["COLUMNS"] = "400"  # keep the one error line on one line
    env["PYTHONPATH"] = str(ROOT)  # the checkout's packages, whatever the editable install knew of
    return subprocess.run([sys.executable, "-m", "stancewatch.cli", *args], cwd=cwd, env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)


def _error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_score_text_refuses_a_text_over_the_warehouse_limit(tmp_path: Path) -> None:
    # Issue 15 item 4: score-text had no size limit (20 MB ran 600 s and 4.7 GB before it was killed).
    text = ("Russia and Kazakhstan signed a grain deal in Astana. " * (MAX_TEXT_CHARS // 40))[: MAX_TEXT_CHARS + 1]
    line = _error_line(_run("score-text", "-", cwd=tmp_path, stdin=text))
    assert "standard input" in line and f"{MAX_TEXT_CHARS:,}" in line and "--truncate" in line
    big = tmp_path / "big.txt"
    big.write_text(text, encoding="utf-8")
    line = _error_line(_run("score-text", str(big), cwd=tmp_path))
    assert str(big) in line and f"{MAX_TEXT_CHARS:,}" in line


def test_brackets_in_user_text_print_as_themselves(tmp_path: Path) -> None:
    # Issue 15 item 5: user text with square brackets crashed the CLI (rich MarkupError) or lost its brackets.
    db = tmp_path / "w.duckdb"
    line = _error_line(_run("--db", str(db), "crawl", "--source", "[/x]", cwd=tmp_path))
    assert "unknown source '[/x]'" in line
    line = _error_line(_run("--db", str(db), "schedule", "add", "nightly", "--cron", "[/x] * * * *", cwd=tmp_path))
    assert "'[/x] * * * *'" in line
    added = _run("--db", str(db), "schedule", "add", "[bold]weekly[/]", "--cron", "0 6 * * 1", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "'[bold]weekly[/]' added" in added.stdout
    listed = _run("--db", str(db), "schedule", "list", cwd=tmp_path)
    assert listed.returncode == 0 and "[bold]weekly[/]" in listed.stdout, listed.stderr
    config = tmp_path / "settings.toml"
    config.write_text('[model]\nname = "[/m] model"\n', encoding="utf-8")
    status = _run("--config", str(config), "--db", str(db), "status", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "model in use: [/m] model" in status.stdout


def _sources(tmp_path: Path, *feeds: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [{"name": "x", "homepage": "https://x.example/", "country": "KZ",
                                                 "language": "ru", "feeds": list(feeds)}]}), encoding="utf-8")
    return path


def test_sources_check_validates_host_port_and_address(tmp_path: Path) -> None:
    # Issue 15 item 2: `sources check` accepted http:///etc/passwd and feeds on 127.0.0.1:22.
    for feed, needle in (("http:///etc/passwd", "with a host name"), ("http://127.0.0.1:22/feed.xml", "port 22"),
                         ("http://127.0.0.1:8080/feed.xml", "private address 127.0.0.1")):
        line = _error_line(_run("--sources", str(_sources(tmp_path, feed)), "sources", "check", cwd=tmp_path))
        assert "sources.yaml" in line and "sources[0] (x).feeds.0" in line and needle in line, line
    config = tmp_path / "settings.toml"
    config.write_text('[crawl]\nprivate_hosts = ["127.0.0.1:8080"]\n', encoding="utf-8")
    ok = _run("--config", str(config), "--sources", str(_sources(tmp_path, "http://127.0.0.1:8080/feed.xml")),
              "sources", "check", cwd=tmp_path)
    assert ok.returncode == 0 and "1 sources, valid" in ok.stdout, ok.stderr


def test_sources_check_online_does_not_follow_a_redirect_to_an_internal_port(tmp_path: Path) -> None:
    # Issue 15 item 2: redirects to other hosts and ports were followed.
    outlet, internal = FixtureServer(), FixtureServer()
    internal.xml("/feed.xml", rss2([]))
    outlet.routes["/feed.xml"] = Route(302, b"", {"Location": internal.url("/feed.xml")})
    outlet.xml("/good.xml", rss2([]))
    config = tmp_path / "settings.toml"
    config.write_text(f'[crawl]\nprivate_hosts = ["127.0.0.1:{outlet.port}"]\n', encoding="utf-8")
    sources = _sources(tmp_path, outlet.url("/feed.xml"), outlet.url("/good.xml"))
    with serving(outlet, internal):
        done = _run("--config", str(config), "--sources", str(sources), "sources", "check", "--online", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed" in done.stdout and "redirected to a refused URL" in done.stdout
    assert internal.hits == [] and outlet.hit_count("/good.xml") == 1


def test_a_settings_file_that_is_not_utf8_is_one_clear_error(tmp_path: Path) -> None:
    # Issue 15 item 7: a non-UTF-8 stancewatch.toml gave a traceback.
    config = tmp_path / "settings.toml"
    config.write_bytes('[dashboard]\nhost = "сервер"\n'.encode("cp1251"))
    line = _error_line(_run("--config", str(config), "config", "check", cwd=tmp_path))
    assert str(config) in line and "not UTF-8" in line and "offset" in line


def test_config_check_refuses_infinite_numbers_and_an_empty_host(tmp_path: Path) -> None:
    # Issue 15 item 7: `inf` timeouts and an empty host passed `config check`.
    config = tmp_path / "settings.toml"
    for toml, needles in (("[crawl]\ntimeout_s = inf\n", ["crawl.timeout_s", "finite"]),
                          ("[scheduler]\njob_timeout_s = inf\n", ["scheduler.job_timeout_s", "finite"]),
                          ("[crawl]\ndownload_delay_s = nan\n", ["crawl.download_delay_s", "finite"]),
                          ('[dashboard]\nhost = ""\n', ["dashboard.host", "host name or an IP address"]),
                          ('[dashboard]\nhost = "my host"\n', ["dashboard.host", "'my host'"])):
        config.write_text(toml, encoding="utf-8")
        line = _error_line(_run("--config", str(config), "config", "check", cwd=tmp_path))
        assert str(config) in line and all(n in line for n in needles), (toml, line)
    config.write_text('[dashboard]\nhost = "0.0.0.0"\n[crawl]\ntimeout_s = 12.5\n', encoding="utf-8")
    assert _run("--config", str(config), "config", "check", cwd=tmp_path).returncode == 0


def test_config_show_does_not_print_the_password_hash(tmp_path: Path) -> None:
    # Issue 15 item 7: `config show` printed the dashboard's password hash.
    secret = "pbkdf2_sha256$1000$c2FsdA$ZGlnZXN0ZGlnZXN0"
    config = tmp_path / "settings.toml"
    config.write_text(f'[dashboard]\npassword_hash = "{secret}"\n', encoding="utf-8")
    shown = _run("--config", str(config), "config", "show", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert secret not in shown.stdout and "ZGlnZXN0" not in shown.stdout
    assert json.loads(shown.stdout)["dashboard"]["password_hash"] == "(set)"


def test_two_schedules_cannot_share_a_name(tmp_path: Path) -> None:
    # Issue 15 item 7: two schedules could share a name.
    db = tmp_path / "w.duckdb"
    first = _run("--db", str(db), "schedule", "add", "nightly", "--cron", "0 2 * * *", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    line = _error_line(_run("--db", str(db), "schedule", "add", " nightly ", "--cron", "0 3 * * *", cwd=tmp_path))
    assert "schedule name 'nightly': already used" in line
    listed = _run("--db", str(db), "schedule", "list", cwd=tmp_path)
    assert listed.stdout.count("nightly") == 1
