"""The warehouse on a DuckLake: a real PostgreSQL catalog (tests.services) and a real data folder.

Location parsing and the migration adapter are checked without a server; everything else runs against the
real lake, often beside a DuckDB file written with the same batch, whose answers the lake must give back."""

from __future__ import annotations

import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.services import lake_url, postgres  # noqa: F401  (fixtures)
from tests.warehouse import ducklake_data as data
from warehouse import WarehouseBusy, WarehouseMissing, connection, reader, writer
from warehouse.export import export
from warehouse.filters import Filters
from warehouse.lake import adapt_migration, macro_statements
from warehouse.location import BadLocation, Location, parse_location
from warehouse.sql import migrations

ROOT = Path(__file__).resolve().parents[2]
URL = "ducklake:postgres:dbname=sw host=127.0.0.1 port=5432 user=postgres data_path=/srv/lake"


# -- the location ----------------------------------------------------------------------------------------


def test_a_plain_path_is_a_file_and_a_ducklake_url_is_a_lake(tmp_path: Path) -> None:
    file = parse_location(str(tmp_path / "w.duckdb"))
    assert not file.is_lake and file.path == tmp_path / "w.duckdb" and file.url == str(tmp_path / "w.duckdb")
    lake = parse_location(URL)
    assert lake.is_lake and lake.path is None and lake.data_path == "/srv/lake/"
    assert dict(lake.conninfo) == {"dbname": "sw", "host": "127.0.0.1", "port": "5432", "user": "postgres"}
    assert lake.attach_sql() == ("ATTACH 'ducklake:postgres:dbname=sw host=127.0.0.1 port=5432 user=postgres' "
                                 "AS lake (DATA_PATH '/srv/lake/')")
    assert lake.attach_sql(read_only=True).endswith("(DATA_PATH '/srv/lake/', READ_ONLY)")
    assert parse_location(lake.url) == lake and parse_location(lake) is lake
    with pytest.raises(BadLocation, match="DuckLake warehouse; this needs a DuckDB file"):
        _ = lake.file


def test_a_password_is_kept_for_connecting_and_masked_in_messages() -> None:
    lake = parse_location(URL + " password='s3 cr\\'et'")
    assert dict(lake.conninfo)["password"] == "s3 cr'et"
    assert "s3 cr" in lake.url and parse_location(lake.url) == lake
    assert "s3" not in lake.label and "password=***" in lake.label and str(lake) == lake.label


def test_a_relative_data_folder_is_made_absolute_for_other_processes(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    lake = parse_location("ducklake:postgres:dbname=sw data_path=lake")
    assert lake.resolved().data_path == f"{tmp_path}/lake/"
    assert parse_location("w.duckdb").resolved() == Location(path=tmp_path / "w.duckdb")


@pytest.mark.parametrize(("url", "expected"), [
    ("ducklake:postgres:dbname=sw host=h", "expected exactly one data_path=<folder>"),
    ("ducklake:postgres:dbname=sw data_path=/a data_path=/b", "expected exactly one data_path=<folder>"),
    ("ducklake:postgres:host=h data_path=/a", "expected dbname=<PostgreSQL database>"),
    ("ducklake:postgres:dbname=sw hots=h data_path=/a", "unknown PostgreSQL connection key\\(s\\) hots"),
    ("ducklake:postgres:dbname=sw host data_path=/a", "expected key=value pairs"),
    ("ducklake:sqlite:lake.sqlite data_path=/a", "only DuckLake catalogs in PostgreSQL are supported"),
    ("  ", "the warehouse location is empty"),
])
def test_a_bad_url_is_refused_naming_it_without_its_password(url: str, expected: str) -> None:
    with pytest.raises(BadLocation, match=expected) as caught:
        parse_location(url + " password=hunter2" if "data_path" in url else url)
    assert "hunter2" not in str(caught.value)
    if url.strip():
        assert url.split()[0] in str(caught.value)


# -- the migration adapter -------------------------------------------------------------------------------


def test_the_adapter_strips_constraints_indexes_and_macros_but_keeps_everything_else() -> None:
    sql = """-- DuckDB's upserts: a quote in a comment, and the word unique
    CREATE TABLE IF NOT EXISTS t (
        id VARCHAR PRIMARY KEY,          -- the key; 'primary key' in a comment
        label VARCHAR NOT NULL CHECK (label IN ('a (x)', 'b')),
        note VARCHAR DEFAULT 'unique; primary key',
        code VARCHAR UNIQUE,
        PRIMARY KEY (id, label)
    );
    CREATE INDEX IF NOT EXISTS t_label ON t (label);
    DROP INDEX IF EXISTS t_old;
    CREATE OR REPLACE MACRO m(x := NULL) AS x IS NULL;
    CREATE VIEW v AS SELECT * FROM t;
    ALTER TABLE t ADD COLUMN extra INTEGER;
    """
    adapted = adapt_migration(sql)
    assert len(adapted) == 3
    table, view, alter = adapted
    assert "PRIMARY KEY" not in table.replace("'unique; primary key'", "")
    assert "CHECK" not in table and "UNIQUE" not in table
    assert "DEFAULT 'unique; primary key'" in table and "label VARCHAR NOT NULL" in table
    assert view == "CREATE VIEW v AS SELECT * FROM t" and alter == "ALTER TABLE t ADD COLUMN extra INTEGER"


def test_every_migration_adapts_and_its_macros_become_temp_macros() -> None:
    for migration in migrations():
        for statement in adapt_migration(migration.sql):
            assert "PRIMARY KEY" not in statement.upper() or "'" in statement, migration.name
            assert not statement.upper().lstrip().startswith("CREATE INDEX"), migration.name
    names = [s.split("MACRO", 1)[1].split("(")[0].strip() for s in macro_statements()]
    assert names == ["passes_filters", "filtered_stance"]
    assert all(s.startswith("CREATE OR REPLACE TEMP MACRO ") for s in macro_statements())


# -- the lake itself -------------------------------------------------------------------------------------


def test_a_reader_of_a_lake_never_initialised_says_to_run_init(lake_url: str) -> None:  # noqa: F811
    with pytest.raises(WarehouseMissing, match="run `stancewatch init`"), reader(lake_url):
        pass


def test_a_fresh_lake_is_migrated_to_the_latest_version_with_schema_version_in_the_lake(
        lake_url: str) -> None:  # noqa: F811
    with writer(lake_url) as w:
        assert w.location.is_lake and w.fetch_one("schema_version") == (migrations()[-1].version,)
    with reader(lake_url) as r:
        versions = [v for v, in r.con.execute("SELECT version FROM lake.main.schema_version ORDER BY 1").fetchall()]
        assert versions == [m.version for m in migrations()]
        tables = {t for t, in r.con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_catalog = 'lake'").fetchall()}
        assert {"articles", "mentions", "article_stance", "current_stance", "latest_corrections"} <= tables
    with writer(lake_url):  # a second writer finds nothing to migrate
        pass


def test_the_same_batch_written_twice_leaves_one_copy_and_a_changed_row_is_updated(
        lake_url: str) -> None:  # noqa: F811
    data.write_everything(lake_url, "o", 6)
    data.write_everything(lake_url, "o", 6)
    with reader(lake_url) as r:
        counts = dict(r.fetch("table_counts"))
    assert counts["articles"] == 6 and counts["sources"] == 2 and counts["mentions"] == 12
    assert counts["mention_scores"] == 12 and counts["article_stance"] == 12
    data.write_everything(lake_url, "o", 6, title="Changed")
    with reader(lake_url) as r:
        titles = r.con.execute("SELECT title, count(*) FROM articles GROUP BY title ORDER BY title").fetchall()
        runs = r.con.execute("SELECT count(*), count(DISTINCT model_id) FROM model_aggregation").fetchone()
    assert titles == [(f"Changed {i}", 1) for i in range(6)]
    assert runs == (1, 1)


def test_a_restarted_crawl_run_row_is_replaced_as_before(lake_url: str, tmp_path: Path) -> None:  # noqa: F811
    def start(where: str | Path, trigger: str) -> None:
        with writer(where) as w:
            w.execute("crawl_run_start", {"id": "r1", "started_at": data.T0, "trigger": trigger, "sources": ["a"],
                                          "host": "h", "pid": 1, "pid_started_at": 1.5})
            w.execute("crawl_run_finish", {"id": "r1", "finished_at": data.T0, "status": "done", "stats": "{}",
                                           "errors": "{}"})
    for where in (lake_url, tmp_path / "w.duckdb"):
        start(where, "cli")
        with writer(where) as w:
            w.execute("crawl_run_start", {"id": "r1", "started_at": data.T0, "trigger": "again", "sources": ["a"],
                                          "host": "h", "pid": 2, "pid_started_at": 2.5})
        with reader(where) as r:
            assert r.con.execute("SELECT trigger, status, finished_at, stats, pid FROM crawl_runs").fetchall() == [
                ("again", "running", None, None, 2)], where


def test_a_commit_conflict_replays_the_batch_and_both_writers_land(lake_url: str) -> None:  # noqa: F811
    data.write_everything(lake_url, "o", 2)
    with ExitStack() as stack:
        first = stack.enter_context(writer(lake_url))
        second_cm = writer(lake_url)
        second = second_cm.__enter__()
        first.write_batch("upsert_sources", [{**data.source_rows("o", 1)[0], "homepage": "https://first/"}])
        second.write_batch("upsert_sources", [{**data.source_rows("o", 1)[0], "homepage": "https://second/"},
                                              *data.source_rows("p", 1)])
        stack.close()  # the first commits
        second_cm.__exit__(None, None, None)  # conflicts on o-0, replays, commits
    assert second.replays == 1
    with reader(lake_url) as r:
        rows = r.con.execute("SELECT name, homepage FROM sources ORDER BY name").fetchall()
    assert rows == [("o-0", "https://second/"), ("o-1", "https://o-1.example/"), ("p-0", "https://p-0.example/")]


def test_a_batch_that_keeps_conflicting_raises_warehouse_busy_and_is_not_stored(
        lake_url: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    data.write_everything(lake_url, "o", 2)
    monkeypatch.setattr(connection, "LAKE_COMMIT_ATTEMPTS", 1)
    first_cm, second_cm = writer(lake_url), writer(lake_url)
    first, second = first_cm.__enter__(), second_cm.__enter__()
    first.write_batch("upsert_sources", [{**data.source_rows("o", 1)[0], "homepage": "https://first/"}])
    second.write_batch("upsert_sources", [{**data.source_rows("o", 1)[0], "homepage": "https://second/"},
                                          *data.source_rows("p", 1)])
    first_cm.__exit__(None, None, None)
    with pytest.raises(WarehouseBusy, match="conflicted with other writers' commits 1 times; it was not stored"):
        second_cm.__exit__(None, None, None)
    with reader(lake_url) as r:
        rows = r.con.execute("SELECT name, homepage FROM sources ORDER BY name").fetchall()
    assert rows == [("o-0", "https://first/"), ("o-1", "https://o-1.example/")]


def test_two_processes_writing_at_once_both_land_without_a_lock(lake_url: str, tmp_path: Path) -> None:  # noqa: F811
    with writer(lake_url) as w:  # the outlet both update in every batch exists before they start
        w.write_batch("upsert_sources", [{**data.source_rows("shared", 1)[0], "name": "shared"}])
    start_at = time.time() + 3.0  # both import and connect first, then write at the same moment
    procs = [subprocess.Popen([sys.executable, "-m", "tests.warehouse.ducklake_data", lake_url, prefix, "8",
                               str(start_at)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for prefix in ("a", "b")]
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in outputs]
    assert not Path(f"{parse_location(lake_url).label}.lock").exists()
    with reader(lake_url) as r:
        names = [n for n, in r.con.execute("SELECT name FROM sources").fetchall()]
    assert len(names) == len(set(names)) == 1 + 2 * 8 * 5
    assert {n.split("-")[0] for n in names} == {"shared", "a", "b"}


def test_the_dashboards_queries_and_an_export_give_the_lake_what_they_give_a_file(
        lake_url: str, tmp_path: Path) -> None:  # noqa: F811
    file = tmp_path / "w.duckdb"
    for where in (lake_url, file):
        data.write_everything(where, "o", 8)
    params = {**Filters().params(), "model_id": data.MODEL_ID}
    narrowed = {**Filters(countries=("RU",), date_from=data.T0.date(), text="moscow 3").params(),
                "model_id": data.MODEL_ID, "limit": 5, "offset": 0}
    answers = []
    for where in (lake_url, file):
        with reader(where) as r:
            answers.append([
                r.fetch("dashboard_overview", {"model_id": data.MODEL_ID}),
                r.fetch("dashboard_target_countries", {"model_id": data.MODEL_ID}),
                r.fetch("dashboard_source_options"),
                r.fetch("dashboard_article_count", params),
                r.fetch("dashboard_articles", narrowed),
            ])
    assert answers[0] == answers[1]
    assert answers[0][3] == [(8,)] and len(answers[0][4]) == 1  # the text filter (ILIKE) found article 3
    outputs = []
    for where, name in ((lake_url, "lake.csv"), (file, "file.csv")):
        manifest = export(where, Filters(countries=("KZ",)), level="stance", fmt="csv", out=tmp_path / name,
                          code_version="test", model_id=data.MODEL_ID)
        assert manifest.rows == 8
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]
    with reader(lake_url) as r:
        assert r.fetch_one("corrections_stance_version", {"model_id": data.MODEL_ID}) is not None
        recorded = r.con.execute("SELECT count(*) FROM exports").fetchone()
    assert recorded == (1,)


def test_the_dashboards_data_module_reads_a_lake_as_it_reads_a_file(lake_url: str, tmp_path: Path) -> None:  # noqa: F811
    from dashboard import data as dash

    file = str(tmp_path / "w.duckdb")
    for where in (lake_url, file):
        data.write_everything(where, "o", 8)
    seen = []
    for where in (lake_url, file):
        filters = Filters(countries=("RU",))
        seen.append((
            dash.overview(where, data.MODEL_ID)["articles"],
            dash.options(where, data.MODEL_ID),
            dash.article_count(where, data.MODEL_ID, filters),
            dash.articles(where, data.MODEL_ID, filters, 5, 0)["id"].tolist(),
            dash.matrix(where, data.MODEL_ID, Filters()).to_dict("records"),
            dash.article_count(where, data.MODEL_ID, Filters(text="moscow 3")),  # no index on a lake: a scan
        ))
    assert seen[0] == seen[1]
    assert seen[0][0] == 8 and seen[0][2] == 8 and len(seen[0][3]) == 5 and seen[0][5] == 1


def test_local_postgres_starts_on_a_free_port_and_stop_leaves_nothing_running(tmp_path: Path) -> None:
    import socket

    from stancewatch.cluster.postgres import LocalPostgres, postgres_bin

    if postgres_bin() is None:
        pytest.skip("PostgreSQL not installed (no initdb/pg_ctl): apt-get install postgresql")
    server = LocalPostgres(tmp_path / "pg").start()
    pid_file = server.data / "postmaster.pid"
    pid = int(pid_file.read_text().split()[0])
    try:
        assert server.port is not None
        with socket.create_connection(("127.0.0.1", server.port), timeout=5):
            pass
        assert parse_location(server.url(tmp_path / "lake")).data_path == f"{tmp_path}/lake/"
    finally:
        server.stop()
    assert not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    assert not pid_file.exists()
