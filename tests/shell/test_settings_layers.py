"""Settings travel as one object: the layers the CLI and the dashboard share, and files written from the model."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from crawler.settings import CrawlSettings
from stancewatch.context import AppState
from stancewatch.demo.run import demo_settings
from stancewatch.errors import SettingsError
from stancewatch.layers import to_toml, warehouse_path
from stancewatch.settings import Settings, load_settings


def test_the_shell_settings_compose_the_crawlers_own_model() -> None:
    settings = load_settings(environ={})
    assert isinstance(settings.crawl, CrawlSettings)
    assert Settings.model_fields["crawl"].annotation is CrawlSettings


def test_the_demo_settings_file_reads_back_as_the_same_settings(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    user = tmp_path / "mine.toml"
    user.write_text('[model]\nbatch_size = 7\n[dashboard]\nport = 8600\npassword_hash = "pbkdf2_sha256$x"\n'
                    "[crawl]\nmin_text_chars = 5000\n")
    state = AppState(config=user)
    settings = demo_settings(state, tmp_path / "demo db.duckdb", tmp_path / "sources.yaml", "my-model",
                             ["127.0.0.1:8001", "[::1]:8002"])
    written = tmp_path / "demo.toml"
    written.write_text(to_toml(settings.model_dump(mode="json"), header="written by a test"))
    again = load_settings(written, environ={})
    assert again == settings
    assert again.db.path == tmp_path / "demo db.duckdb" and again.model.name == "my-model"
    assert again.model.batch_size == 7 and again.dashboard.port == 8600  # the user's model and address
    assert again.dashboard.password_hash == ""  # the demo asks for no password
    assert again.crawl.private_hosts == ("127.0.0.1:8001", "[::1]:8002") and again.crawl.download_delay_s == 0
    assert again.crawl.min_text_chars == load_settings(environ={}).crawl.min_text_chars  # packaged, not the user's


def test_bad_demo_settings_are_a_settings_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SettingsError, match=r"the demo's settings: key 'crawl.private_hosts.0'.*expected host:port"):
        demo_settings(AppState(), tmp_path / "d.duckdb", tmp_path / "s.yaml", None, ["no-port"])


@pytest.mark.parametrize("text", ['quote " and \\ backslash', "new\nline\ttab", "del \x7f", "emoji 😀 кириллица"])
def test_to_toml_writes_any_string_toml_reads_back(text: str) -> None:
    data = {"db": text, "crawl": {"contact": text, "private_hosts": [text, "x:1"], "retries": 2,
                                  "timeout_s": 12.5, "obey_robots": False}}
    assert tomllib.loads(to_toml(data)) == data


def test_the_dashboard_reads_its_warehouse_through_the_same_layers(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import data

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STANCEWATCH_DB", raising=False)
    (tmp_path / "stancewatch.toml").write_text('db = "from-the-user-file.duckdb"\n')
    assert data.db_path() == Path("from-the-user-file.duckdb") == load_settings().db.path
    monkeypatch.setenv("STANCEWATCH_DB", str(tmp_path / "from-env.duckdb"))
    assert data.db_path() == tmp_path / "from-env.duckdb" == load_settings().db.path
    (tmp_path / "stancewatch.toml").write_text('db = ""\n')
    monkeypatch.delenv("STANCEWATCH_DB")
    with pytest.raises(SettingsError, match=r"stancewatch\.toml: key 'db'"):
        warehouse_path()
