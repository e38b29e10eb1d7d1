"""Matrix: how the press of each outlet country writes about each target country (stance and volume)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import charts, data, ui

st.title("Country matrix")
ctx = ui.context()
if ctx is not None:
    filters = ui.filter_sidebar(ctx, fields=("countries", "outlets", "outlet_countries", "languages", "dates"))
    corrected = ui.corrections_toggle()
    view = ui.choice("Show", "view", ["stance", "share"], "stance",
                     fmt={"stance": "mean stance", "share": "share of coverage"}.__getitem__)
    ui.write_query(filters, {"view": view, **ui.corrections_query(corrected)})
    ui.model_banner(ctx.model)
    st.caption(f"Figures as of {data.data_as_of(ctx.db, ctx.model.id):%Y-%m-%d %H:%M:%S} UTC (recomputed when "
               f"the warehouse changes, at most every {data.CUBE_MIN_AGE_S:.0f} s).")

    cells = data.matrix(ctx.db, ctx.model.id, filters, corrected)
    if cells.empty:
        st.info("No scored articles match these filters: widen the dates or clear some filters.")
    else:
        event = st.plotly_chart(charts.matrix_figure(cells, value=view, model_label=ctx.model.label),
                                key=f"matrix_{view}", on_select="rerun", selection_mode="points")
        st.caption("Rows: the outlets' country; columns: the country written about; n: articles. "
                   "Share: of all articles by an outlet country's press, the part about each target. "
                   "Click a cell to read its articles.")
        selected = [p for p in (event.selection.points if event else []) if p.get("customdata")]
        if selected:
            outlet_country, target = selected[0]["customdata"][:2]
            ui.go_to_articles(replace(filters, countries=(target,), outlet_countries=(outlet_country,)))
        with st.expander("Open a cell's articles"):
            a, b = st.columns(2)
            row = a.selectbox("Outlet country", sorted(cells["outlet_country"].unique()))
            col = b.selectbox("Target country", sorted(cells["target"].unique()))
            ui.articles_link(replace(filters, countries=(col,), outlet_countries=(row,)),
                             f"Articles by {row} outlets about {col}")
        with st.expander("Data behind the chart"):
            st.dataframe(cells, hide_index=True)
