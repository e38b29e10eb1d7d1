"""Exports: every format and level, filters, manifests, formula neutralising, byte-identical re-runs."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from warehouse import reader
from warehouse.export import FORMATS, LEVELS, ExportError, export, format_from_suffix, stream_export
from warehouse.filters import Filters


@pytest.fixture
def db(scored_db: Path) -> Path:
    return scored_db


def read_rows(path: Path, fmt: str) -> list[dict[str, Any]]:
    """Read an export back as a list of dicts, whatever its format."""
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    if fmt == "parquet":
        return pq.read_table(path).to_pylist()
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def key(level: str, row: dict[str, Any]) -> tuple[str, ...]:
    if level == "articles":
        return (row["article_id"],)
    if level == "stance":
        return (row["article_id"], row["country"])
    return (row["mention_id"],)


CASES = [
    # filters, level, expected keys (in export order)
    (Filters(), "articles", [("a1",), ("a2",), ("a3",)]),  # a4 is unscored, as on the Articles page
    (Filters(countries=("KZ",), stance_min=0.0), "articles", [("a1",), ("a3",)]),
    (Filters(countries=("RU",)), "articles", [("a1",)]),
    (Filters(outlet_countries=("US",)), "articles", [("a3",)]),
    (Filters(text="астан"), "articles", [("a2",)]),
    (Filters(), "stance", [("a1", "KZ"), ("a1", "RU"), ("a2", "KZ"), ("a3", "KZ")]),
    (Filters(countries=("KZ",), stance_max=0.0), "stance", [("a2", "KZ")]),
    (Filters(languages=("ru",), date_from=date(2026, 2, 10), date_to=date(2026, 2, 10)), "stance", [("a2", "KZ")]),
    (Filters(outlets=("kz-a",)), "stance", [("a1", "KZ"), ("a1", "RU")]),
    (Filters(), "mentions", [("m1",), ("m2",), ("m3",), ("m4",)]),
    (Filters(countries=("KZ",), stance_min=0.6), "mentions", [("m4",)]),
    (Filters(date_to=date(2026, 1, 31)), "mentions", [("m1",), ("m2",)]),
]


@pytest.mark.parametrize(("filters", "level", "expected", "fmt"),
                         [(*case, FORMATS[i % len(FORMATS)]) for i, case in enumerate(CASES)])
def test_rows_match_filters(db: Path, tmp_path: Path, fmt: str, filters: Filters, level: str,
                            expected: list[tuple[str, ...]]) -> None:
    """Each filter case, read back from one of the formats (the cases cycle through them, so every format
    and every level is checked against filters)."""
    out = tmp_path / f"out.{fmt}"
    manifest = export(db, filters, level=level, fmt=fmt, out=out, code_version="test")
    rows = read_rows(out, fmt)
    assert [key(level, r) for r in rows] == expected
    assert manifest.rows == len(expected)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("level", LEVELS)
def test_manifest_and_byte_identical(db: Path, tmp_path: Path, fmt: str, level: str) -> None:
    filters = Filters(countries=("KZ", "RU"))
    first, second = tmp_path / f"1.{fmt}", tmp_path / f"2.{fmt}"
    m1 = export(db, filters, level=level, fmt=fmt, out=first, code_version="v-test")
    m2 = export(db, filters, level=level, fmt=fmt, out=second, code_version="v-test")
    assert first.read_bytes() == second.read_bytes()
    assert m1.sha256 == m2.sha256 == hashlib.sha256(first.read_bytes()).hexdigest()
    on_disk = json.loads((tmp_path / f"1.{fmt}.manifest.json").read_text(encoding="utf-8"))
    assert on_disk["sha256"] == m1.sha256 and on_disk["rows"] == m1.rows > 0
    assert on_disk["level"] == level and on_disk["format"] == fmt and on_disk["code_version"] == "v-test"
    assert on_disk["filters"]["countries"] == ["KZ", "RU"]
    assert on_disk["models"] == [{"id": "m-new", "name": "new", "version": "2", "weights_sha256": "bbb",
                                  "aggregation": 1}]
    assert on_disk["created_at"]
    with reader(db) as r:
        recorded = r.con.execute("SELECT sha256, rows, level, format FROM exports ORDER BY created_at").fetchall()
    assert recorded[0] == (m1.sha256, m1.rows, level, fmt) and len(recorded) == 2
    streamed = b"".join(stream_export(db, filters, level=level, fmt=fmt))
    assert streamed == first.read_bytes()


def test_csv_neutralises_formulas_and_keeps_unicode(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    export(db, Filters(), level="articles", fmt="csv", out=out, code_version="t")
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM: documented choice
    rows = {r["article_id"]: r for r in read_rows(out, "csv")}
    assert rows["a1"]["title"] == "'" + '=HYPERLINK("http://evil.example","click")'
    assert rows["a3"]["title"] == "'+Kazakhstan grows"
    assert rows["a2"]["title"] == "'@Новости из Астаны"
    assert rows["a1"]["text"].startswith("Россия и Казахстан")
    assert rows["a1"]["authors"] == "Анна; Bob"
    mentions = tmp_path / "m.csv"
    export(db, Filters(), level="mentions", fmt="csv", out=mentions, code_version="t")
    m = {r["mention_id"]: r for r in read_rows(mentions, "csv")}
    assert m["m1"]["sentence"].startswith("'-Россия")
    assert float(m["m1"]["article_stance"]) == -0.6  # numbers are never prefixed


def test_xlsx_formula_text_is_a_string_cell(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.xlsx"
    export(db, Filters(), level="articles", fmt="xlsx", out=out, code_version="t")
    sheet = load_workbook(out).worksheets[0]
    cell = sheet.cell(row=2, column=8)  # a1's title
    assert sheet.cell(row=1, column=8).value == "title"
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://evil.example","click")'


def test_parquet_keeps_types(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.parquet"
    export(db, Filters(), level="stance", fmt="parquet", out=out, code_version="t")
    table = pq.read_table(out)
    assert str(table.schema.field("stance").type) == "double"
    assert str(table.schema.field("published_at").type).startswith("timestamp")


def test_model_choice(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl"
    export(db, Filters(countries=("RU",)), level="stance", fmt="jsonl", out=out, code_version="t", model_id="m-old")
    [row] = read_rows(out, "jsonl")
    assert row["stance"] == 0.9 and row["model_id"] == "m-old"
    with pytest.raises(ExportError, match="no model with id 'zzz'"):
        export(db, Filters(), level="stance", fmt="csv", out=tmp_path / "x.csv", code_version="t", model_id="zzz")
    assert not (tmp_path / "x.csv").exists()


def test_unscored_warehouse_exports_empty_stance(db_path: Path, tmp_path: Path) -> None:
    from warehouse import writer

    with writer(db_path):
        pass
    manifest = export(db_path, Filters(), level="stance", fmt="csv", out=tmp_path / "e.csv", code_version="t")
    assert manifest.rows == 0 and manifest.models == [] and manifest.notes
    assert (tmp_path / "e.csv").read_text().startswith('"article_id"') or \
        (tmp_path / "e.csv").read_text().startswith("article_id")


def test_bad_arguments(db: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="level 'x'"):
        export(db, Filters(), level="x", fmt="csv", out=tmp_path / "a.csv", code_version="t")
    with pytest.raises(ExportError, match="format 'doc'"):
        export(db, Filters(), level="stance", fmt="doc", out=tmp_path / "a.doc", code_version="t")
    with pytest.raises(ExportError, match="is a folder"):
        export(db, Filters(), level="stance", fmt="csv", out=tmp_path, code_version="t")
    assert format_from_suffix(Path("x.PARQUET")) == "parquet"
    with pytest.raises(ExportError, match=r"suffix '\.txt'"):
        format_from_suffix(Path("x.txt"))


def test_csv_header_quoting_is_plain(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    export(db, Filters(), level="stance", fmt="csv", out=out, code_version="t")
    header = next(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert header[:3] == ["article_id", "country", "stance"]


def test_id_ranges_cover_every_id_in_order() -> None:
    from warehouse.export import id_ranges

    assert id_ranges(10) == [(None, None)]
    ranges = id_ranges(1_000_000, per_range=250_000)
    assert len(ranges) == 16 and ranges[0] == (None, "1") and ranges[-1] == ("f", None)
    assert len(id_ranges(10_000_000, per_range=250_000)) == 256
    for value in ["", "0", "0fff", "a1", "ffff", "zz", "Ё"]:
        hits = [r for r in ranges if (r[0] is None or value >= r[0]) and (r[1] is None or value < r[1])]
        assert len(hits) == 1


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("level", LEVELS)
def test_export_in_id_ranges_is_the_same_file(db: Path, tmp_path: Path, fmt: str, level: str) -> None:
    whole, split = tmp_path / f"whole.{fmt}", tmp_path / f"split.{fmt}"
    export(db, Filters(), level=level, fmt=fmt, out=whole, code_version="t")
    export(db, Filters(), level=level, fmt=fmt, out=split, code_version="t", rows_per_range=1, batch_rows=1)
    assert whole.read_bytes() == split.read_bytes()
