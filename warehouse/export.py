"""Export filtered data sets (articles, article x country stance, or mentions) to CSV, Parquet, JSON Lines or Excel.

- Filters are the dashboard's (``warehouse.filters.Filters``), applied by the named queries in
  ``queries/export.sql``; that file says how target-country and stance filters apply at each level.
- A text filter goes through the full-text index as the dashboard's search does (``warehouse.search.lookup``:
  case-folded word prefixes and stems), scanning by substring only while the index is unavailable.
- Scores come from one model: ``model_id`` if given, else the newest (``warehouse.models.newest_model``).
- Streaming: rows come from the warehouse as Arrow record batches and are written batch by batch
  (pyarrow's CSV and Parquet writers, openpyxl's write-only mode), so memory stays flat however many rows.
- Rows are ordered by article id (a hash: stable, not chronological; sort by published_at in your tool),
  then country or mention position. Large exports run as one query per article-id range (``id_ranges``).
- Reproducible: every query orders by a unique key and no file carries the time it was written (the
  Excel file's document dates and zip entry times are fixed), so exporting an unchanged warehouse twice
  gives byte-identical files. The time goes to the manifest instead.
- CSV is UTF-8 without a byte-order mark (RFC 4180; a BOM breaks many tools); for Excel use ``xlsx``,
  which needs no encoding guess. Text cells starting with ``= + - @``, tab or carriage return get a
  leading ``'`` so spreadsheet programs do not run them as formulas (OWASP's advice); in xlsx such text is
  written as an explicit string cell, which Excel never evaluates, so the text stays as it was.
- Next to ``FILE`` goes ``FILE.manifest.json`` (filters, level, format, rows, sha256, model, weights hash
  and aggregation version of its stances, code version, time), and the same facts go to the ``exports``
  table. Stances are the model's current aggregation version's only (the view current_stance).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, Literal, Protocol, cast, get_args

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from warehouse import search
from warehouse.connection import Reader, reader, writer
from warehouse.errors import WarehouseError
from warehouse.filters import Filters
from warehouse.location import parse_location
from warehouse.models import newest_model

Level = Literal["articles", "stance", "mentions"]
Format = Literal["csv", "parquet", "jsonl", "xlsx"]
LEVELS: tuple[str, ...] = get_args(Level)
FORMATS: tuple[str, ...] = get_args(Format)
SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl",
            ".xlsx": "xlsx"}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet",
    "jsonl": "application/x-ndjson", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BATCH_ROWS = 10_000
# Rows one query sorts at most (about): larger exports run as several queries over article-id ranges.
ROWS_PER_RANGE = 250_000
PARQUET_ROW_GROUP = 100_000
# Excel's limits: rows per sheet (one is the header) and characters per cell.
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CELL = 32_767
# Fixed document and zip-entry time inside xlsx files, so that they are reproducible.
FIXED_TIME = datetime(1980, 1, 1)
_FORMULA_START = r"^[=+\-@\t\r]"
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ExportError(WarehouseError):
    """An export was asked for with a bad level, format or output path."""


@dataclass(frozen=True)
class Manifest:
    """What an export holds and where it came from; written next to the file as FILE.manifest.json."""

    id: str
    file: str
    level: str
    format: str
    rows: int
    bytes: int
    sha256: str
    filters: dict[str, Any]
    models: list[dict[str, Any]]
    code_version: str
    created_at: str
    warehouse: str
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Return the manifest as plain JSON values."""
        return asdict(self)


def format_from_suffix(path: Path) -> str:
    """Return the export format a file name's suffix implies, or raise ExportError."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ExportError(f"{path}: cannot tell the format from the suffix {path.suffix!r}; "
                          f"use one of {', '.join(sorted(SUFFIXES))} or pass the format")
    return fmt


def _check(level: str, fmt: str) -> None:
    if level not in LEVELS:
        raise ExportError(f"export level {level!r}: expected one of {', '.join(LEVELS)}")
    if fmt not in FORMATS:
        raise ExportError(f"export format {fmt!r}: expected one of {', '.join(FORMATS)}")


def _model(r: Reader, model_id: str | None) -> dict[str, Any] | None:
    """The model whose scores the export uses: the one named, else the newest in the warehouse."""
    if model_id is None:
        model_id = newest_model(r)
        if model_id is None:
            return None
    rows = r.records("export_model", {"model_id": model_id})
    if not rows:
        raise ExportError(f"{r.location.label}: no model with id {model_id!r} in the models table")
    return rows[0]


# Waiting this long for the search index (another process rebuilding it) before scanning instead.
SEARCH_TIMEOUT_S = 15.0


def _text_filter(r: Reader, db: str | Path, filters: Filters) -> dict[str, Any]:
    """Apply a text filter as the dashboard does (warehouse.search.lookup): through the full-text index,
    or by the filters' substring pattern when the index is unavailable.

    The matched keys go to the queries as the table ``search_keys`` on this reader's connection, and
    ``$search`` says whether they are the matches ('include') or the articles that do not match
    ('exclude'); NULL leaves the text to the ``$text`` pattern. Called with the export's reader open, so
    no writer commits between the index's sync and the export's reads.
    """
    found = search.lookup(db, filters.text, timeout=SEARCH_TIMEOUT_S)
    keys = found.keys if isinstance(found, search.Matches) else pa.array([], pa.uint64())
    r.con.register("search_keys", pa.table({"akey": keys}))
    if not isinstance(found, search.Matches):
        return {"search": None}
    return {"search": "exclude" if found.exclude else "include", "text": None}


# --- writers: one per format, each fed record batches ------------------------------------------------


class _Writer(Protocol):
    def write(self, batch: pa.RecordBatch) -> None: ...
    def close(self) -> None: ...


def _flatten_lists(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Join list columns (authors) into '; '-separated text, for formats that have no lists."""
    columns = []
    for col in batch.columns:
        if pa.types.is_list(col.type) or pa.types.is_large_list(col.type):
            col = pc.binary_join(col, "; ")
        columns.append(col)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _neutralise(col: pa.Array) -> pa.Array:
    """Prefix text that a spreadsheet would run as a formula with a quote."""
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return col
    risky = pc.fill_null(pc.match_substring_regex(col, _FORMULA_START), False)
    return pc.if_else(risky, pc.binary_join_element_wise("'", col, ""), col)


class _CsvWriter:
    def __init__(self, sink: IO[bytes], schema: pa.Schema) -> None:
        self.sink = sink
        self.writer: pacsv.CSVWriter | None = None

    def write(self, batch: pa.RecordBatch) -> None:
        flat = _flatten_lists(batch)
        flat = pa.RecordBatch.from_arrays([_neutralise(c) for c in flat.columns], names=flat.schema.names)
        if self.writer is None:
            self.writer = pacsv.CSVWriter(self.sink, flat.schema,
                                          write_options=pacsv.WriteOptions(quoting_style="needed"))
        self.writer.write_batch(flat)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


class _JsonlWriter:
    def __init__(self, sink: IO[bytes], schema: pa.Schema) -> None:
        self.sink = sink

    def write(self, batch: pa.RecordBatch) -> None:
        lines = [json.dumps(row, ensure_ascii=False, default=_json_value) for row in batch.to_pylist()]
        self.sink.write(("\n".join(lines) + "\n").encode("utf-8"))

    def close(self) -> None:
        pass


class _ParquetWriter:
    """Parquet in row groups of a fixed size, whatever the batch sizes, so the file depends only on the rows."""

    def __init__(self, sink: IO[bytes], schema: pa.Schema) -> None:
        self.writer = pq.ParquetWriter(sink, schema, compression="zstd")
        self.schema = schema
        self.pending: list[pa.RecordBatch] = []
        self.pending_rows = 0

    def _flush(self, rows: int) -> None:
        table = pa.Table.from_batches(self.pending, schema=self.schema)
        self.writer.write_table(table.slice(0, rows), row_group_size=PARQUET_ROW_GROUP)
        rest = table.slice(rows)
        self.pending = rest.to_batches()
        self.pending_rows = rest.num_rows

    def write(self, batch: pa.RecordBatch) -> None:
        self.pending.append(batch)
        self.pending_rows += batch.num_rows
        while self.pending_rows >= PARQUET_ROW_GROUP:
            self._flush(PARQUET_ROW_GROUP)

    def close(self) -> None:
        if self.pending_rows or not self.pending:
            self._flush(self.pending_rows)
        self.writer.close()


def _xlsx_text(value: str) -> str:
    value = _ILLEGAL_XML.sub("", value)  # control characters are not allowed in XML at all
    return value if len(value) <= XLSX_MAX_CELL else value[: XLSX_MAX_CELL - 1] + "…"


class _XlsxWriter:
    """Excel through openpyxl's write-only mode; a new sheet every million rows (Excel's limit)."""

    def __init__(self, sink: IO[bytes], schema: pa.Schema) -> None:
        from openpyxl import Workbook

        self.sink = sink
        self.names = schema.names
        self.workbook = Workbook(write_only=True)
        self.sheet: Any = None
        self.sheets = 0
        self.rows_in_sheet = 0
        self.truncated = 0

    def _new_sheet(self) -> None:
        self.sheets += 1
        self.sheet = self.workbook.create_sheet("data" if self.sheets == 1 else f"data_{self.sheets}")
        self.sheet.append(list(self.names))
        self.rows_in_sheet = 1

    def _cell(self, value: Any) -> Any:
        from openpyxl.cell import WriteOnlyCell

        if isinstance(value, list):
            value = "; ".join(str(v) for v in value if v is not None)
        if not isinstance(value, str):
            return value
        text = _xlsx_text(value)
        self.truncated += len(value) > XLSX_MAX_CELL
        if text.startswith("="):  # openpyxl would store it as a formula; make it a plain string
            cell = WriteOnlyCell(self.sheet, text)
            cell.data_type = "s"
            return cell
        return text

    def write(self, batch: pa.RecordBatch) -> None:
        if self.sheet is None:
            self._new_sheet()
        for row in batch.to_pylist():
            if self.rows_in_sheet >= XLSX_MAX_ROWS:
                self._new_sheet()
            self.sheet.append([self._cell(row[name]) for name in self.names])
            self.rows_in_sheet += 1

    def close(self) -> None:
        if self.sheet is None:
            self._new_sheet()
        self.workbook.properties.created = FIXED_TIME
        with tempfile.TemporaryDirectory(prefix="stancewatch-xlsx-") as tmp:
            raw = Path(tmp) / "raw.xlsx"
            self.workbook.save(raw)
            _reproducible_zip(raw, self.sink)


def _reproducible_zip(src: Path, sink: IO[bytes]) -> None:
    """Copy a zip entry by entry with fixed entry times and a fixed document date (openpyxl stamps now)."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            out_info = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            out_info.compress_type = zipfile.ZIP_DEFLATED
            out_info.external_attr = 0o600 << 16
            if info.filename == "docProps/core.xml":
                xml = zin.read(info).decode("utf-8")
                xml = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rf"\g<1>{stamp}\g<3>", xml)
                zout.writestr(out_info, xml.encode("utf-8"))
                continue
            with zin.open(info) as src_fh, zout.open(out_info, "w") as dst_fh:
                shutil.copyfileobj(src_fh, dst_fh, 1 << 20)


_WRITERS: dict[str, type[_CsvWriter] | type[_JsonlWriter] | type[_ParquetWriter] | type[_XlsxWriter]] = {
    "csv": _CsvWriter, "jsonl": _JsonlWriter, "parquet": _ParquetWriter, "xlsx": _XlsxWriter,
}


# --- the export itself ---------------------------------------------------------------------------------


@dataclass
class _Written:
    rows: int
    model: dict[str, Any] | None
    notes: list[str]


def id_ranges(rows: int, per_range: int = ROWS_PER_RANGE) -> list[tuple[str | None, str | None]]:
    """Split the article-id space into ranges [lo, hi) of about per_range rows each (ids are hex hashes).

    Each range is one query that sorts only its own rows, so DuckDB never sorts the whole result at once
    (its sort would hold every row in memory). The ranges cover every string, hex or not, in order.
    """
    depth = 0
    while rows > per_range * 16**depth and depth < 4:
        depth += 1
    if depth == 0:
        return [(None, None)]
    prefixes = ["".join(p) for p in itertools.product("0123456789abcdef", repeat=depth)]
    bounds: list[str | None] = [None, *prefixes[1:], None]
    return list(itertools.pairwise(bounds))


def _write_export(db: str | Path, filters: Filters, *, level: str, fmt: str, sink: IO[bytes],
                  model_id: str | None, batch_rows: int, rows_per_range: int) -> _Written:
    """Run the level's query and write its rows to sink in the format; return the count and the model."""
    _check(level, fmt)
    notes: list[str] = []
    with reader(db) as r:
        model = _model(r, model_id)
        if model is None:
            notes.append("the warehouse holds no scored model yet: stance and mention exports are empty, "
                          "and article exports with country or stance filters too")
        params = {**filters.params(), "model_id": model["id"] if model else None, **_text_filter(r, db, filters)}
        counts = r.records("export_table_rows")[0]
        ranges = id_ranges(int(counts[level]), rows_per_range)
        out: _Writer | None = None
        rows = 0
        try:
            for lo, hi in ranges:
                batches = r.batches(f"export_{level}", {**params, "lo": lo, "hi": hi}, batch_rows=batch_rows)
                if out is None:
                    out = cast(_Writer, _WRITERS[fmt](sink, batches.schema))
                    schema = batches.schema
                for batch in batches:
                    if batch.num_rows:
                        out.write(batch)
                        rows += batch.num_rows
            if out is not None and rows == 0 and fmt != "jsonl":  # an empty file still gets its header
                out.write(pa.RecordBatch.from_pylist([], schema=schema))
        finally:
            if out is not None:
                out.close()
        if isinstance(out, _XlsxWriter) and out.truncated:
            notes.append(f"{out.truncated} cells were longer than Excel's {XLSX_MAX_CELL} characters and "
                         "were cut; use csv, jsonl or parquet for the full text")
    return _Written(rows, model, notes)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(out: Path) -> Path:
    """Return where the manifest of an export to ``out`` goes: FILE.manifest.json."""
    return out.with_name(out.name + ".manifest.json")


def export(db: str | Path, filters: Filters, *, level: str, fmt: str, out: Path, code_version: str,
           model_id: str | None = None, batch_rows: int = BATCH_ROWS, rows_per_range: int = ROWS_PER_RANGE,
           record: bool = True) -> Manifest:
    """Export the filtered rows at a level to out in a format; write FILE.manifest.json and return it.

    The file appears whole or not at all (written beside it, then renamed). With ``record`` the export is
    also entered in the warehouse's exports table.
    """
    _check(level, fmt)
    out = Path(out)
    if out.is_dir():
        raise ExportError(f"{out}: is a folder; --out needs a file name such as {out / ('export.' + fmt)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as sink:
            written = _write_export(db, filters, level=level, fmt=fmt, sink=sink, model_id=model_id,
                                    batch_rows=batch_rows, rows_per_range=rows_per_range)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    model = written.model
    manifest = Manifest(
        id=uuid.uuid4().hex[:12], file=out.name, level=level, format=fmt, rows=written.rows,
        bytes=out.stat().st_size, sha256=_sha256(out), filters=filters.as_json(),
        models=[{"id": model["id"], "name": model["name"], "version": model["version"],
                 "weights_sha256": model["weights_sha256"], "aggregation": model["aggregation"]}] if model else [],
        code_version=code_version, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        warehouse=parse_location(db).resolved().label, notes=written.notes,
    )
    manifest_path(out).write_text(json.dumps(manifest.as_json(), indent=2, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
    if record:
        with writer(db) as w:
            w.execute("insert_export", {
                "id": manifest.id, "created_at": datetime.now(UTC).replace(tzinfo=None),
                "filters": json.dumps(manifest.filters, sort_keys=True), "level": level, "format": fmt,
                "path": str(out.resolve()), "rows": manifest.rows, "sha256": manifest.sha256})
    return manifest


def stream_export(db: str | Path, filters: Filters, *, level: str, fmt: str, model_id: str | None = None,
                  chunk_bytes: int = 1 << 20) -> Iterator[bytes]:
    """Yield an export's bytes in chunks, for a download (the dashboard's Export page).

    The export is written to a temporary file first, so the warehouse is held open only while the rows
    are read, not while a slow client downloads; the file is removed when the generator ends. The bytes
    are exactly those ``export`` writes for the same arguments.
    """
    _check(level, fmt)
    with tempfile.TemporaryFile(prefix="stancewatch-export-") as sink:
        _write_export(db, filters, level=level, fmt=fmt, sink=sink, model_id=model_id, batch_rows=BATCH_ROWS,
                      rows_per_range=ROWS_PER_RANGE)
        sink.seek(0)
        while chunk := sink.read(chunk_bytes):
            yield chunk


def download_name(level: str, fmt: str, filters: Filters) -> str:
    """Return a file name for a download, such as stance-RU-KZ.csv."""
    _check(level, fmt)
    countries = "-".join(filters.countries[:3])
    return f"stancewatch-{level}{'-' + countries if countries else ''}.{fmt}"
