"""Trends: mean stance toward target countries per period, with a 95% band over outlets and the volume."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, stats, ui
from warehouse.filters import Filters

st.title("Stance trends")
ctx = ui.context()
if ctx is not None:
    filters = ui.filter_sidebar(ctx, fields=("countries", "outlets", "outlet_countries", "languages", "dates"),
                                default_countries=ctx.options.countries[:3])
    left, right = st.columns(2)
    with left:
        grain = ui.choice("Granularity", "grain", data.GRAINS, "week")
    with right:
        split = ui.choice("Split by", "split", list(data.SPLITS), "none", fmt=data.SPLITS.__getitem__)
    ui.write_query(filters, {"grain": grain, "split": split})
    ui.model_banner(ctx.model)
    st.caption(f"Figures as of {data.data_as_of(ctx.db, ctx.model.id):%Y-%m-%d %H:%M:%S} UTC (recomputed when "
               f"the warehouse changes, at most every {data.CUBE_MIN_AGE_S:.0f} s).")

    points = data.trend(ctx.db, ctx.model.id, filters, grain, split)
    if points.empty:
        st.info("No scored articles match these filters: widen the dates or pick other countries.")
    else:
        event = st.plotly_chart(charts.trend_figure(points, model_label=ctx.model.label), key="trend_chart",
                                on_select="rerun", selection_mode="points")
        st.caption(f"Band: 95% interval from a bootstrap over outlets ({stats.N_BOOT} resamples). Hollow "
                   f"markers: fewer than {stats.MIN_ARTICLES} articles or {stats.MIN_OUTLETS} outlets, no band. "
                   "Click a point or bar to read its articles.")
        selected = [p for p in (event.selection.points if event else []) if p.get("customdata")]
        if selected:
            target, split_value, period = selected[0]["customdata"][:3]
            start = pd.Timestamp(period).date()
            end = (pd.Timestamp(start) + pd.tseries.frequencies.to_offset(
                {"day": "D", "week": "W", "month": "MS"}[grain]) - pd.Timedelta(days=1)).date()
            extra = {} if split in ("none",) else {
                {"outlet_country": "outlet_countries", "outlet": "outlets", "language": "languages"}[split]:
                (split_value,)}
            ui.go_to_articles(Filters(**{**filters.__dict__, "countries": (target,), "date_from": start,
                                         "date_to": end, **extra}))
        ui.articles_link(filters, "Articles behind this chart")
        with st.expander("Data behind the chart"):
            st.dataframe(points.drop(columns=["group"]), hide_index=True)
