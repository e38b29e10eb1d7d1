"""Export: the Articles page's filters, a level and a format; download the file and its manifest."""

from __future__ import annotations

import json
import tempfile
from importlib import metadata
from pathlib import Path

import streamlit as st

from dashboard import data, ui
from warehouse import export as warehouse_export
from warehouse.errors import WarehouseError

LEVELS = {"articles": "articles (one row per article)", "stance": "stance (article x target country)",
          "mentions": "mentions (sentence, offsets, three probabilities)"}
FORMATS = {"csv": "CSV", "parquet": "Parquet", "jsonl": "JSON Lines", "xlsx": "Excel (.xlsx)"}
# Above this many articles the browser download gets slow; the CLI streams to disk instead.
DOWNLOAD_LIMIT = 200_000

st.title("Export")
ctx = ui.context()
if ctx is not None:
    filters = ui.filter_sidebar(ctx)
    level = ui.choice("Level", "level", list(LEVELS), "stance", fmt=LEVELS.__getitem__, horizontal=False)
    fmt = ui.choice("Format", "format", list(FORMATS), "csv", fmt=FORMATS.__getitem__)
    ui.write_query(filters, {"level": level, "format": fmt})
    ui.model_banner(ctx.model)
    total = data.article_count(ctx.db, ctx.model.id, filters)
    st.markdown(f"**{total:,}** scored articles match these filters.")
    if total == 0:
        st.info("Nothing to export: clear some filters or widen the dates.")
    elif total > DOWNLOAD_LIMIT:
        st.warning(f"Over {DOWNLOAD_LIMIT:,} articles: export from a terminal instead, "
                   f"`stancewatch export --level {level} --out export.{fmt}` with the same filters.")
    else:
        wanted = (ctx.db, ctx.model.id, filters, level, fmt)
        if st.button("Prepare the export", type="primary"):
            try:
                with tempfile.TemporaryDirectory(prefix="stancewatch-dash-") as tmp:
                    out = Path(tmp) / warehouse_export.download_name(level, fmt, filters)
                    manifest = warehouse_export.export(
                        ctx.db, filters, level=level, fmt=fmt, out=out, model_id=ctx.model.id,
                        code_version=metadata.version("stancewatch"))
                    st.session_state["export"] = (wanted, out.name, out.read_bytes(), manifest.as_json())
            except WarehouseError as exc:
                st.error(str(exc))
        prepared = st.session_state.get("export")
        if prepared and prepared[0] == wanted:
            _, name, payload, manifest_json = prepared
            st.success(f"{manifest_json['rows']:,} rows, {len(payload):,} bytes, sha256 "
                       f"`{manifest_json['sha256'][:16]}…`")
            left, right = st.columns(2)
            left.download_button(f"Download {name}", payload, file_name=name,
                                 mime=warehouse_export.MEDIA_TYPES[fmt])
            right.download_button("Download the manifest", json.dumps(manifest_json, indent=2, ensure_ascii=False),
                                  file_name=name + ".manifest.json", mime="application/json")
            with st.expander("Manifest"):
                st.json(manifest_json)
        elif prepared:
            st.caption("Filters, level or format changed: prepare the export again.")
