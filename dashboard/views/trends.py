"""Trends: mean stance toward target countries per period, with a 95% band over outlets and the volume."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import charts, data, stats, ui

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
            ui.go_to_articles(ui.point_filters(filters, target=target, split=split, split_value=split_value,
                                               period=date.fromisoformat(period), grain=grain))
        with st.expander("Open a period's articles"):
            a, b = st.columns(2)
            groups = sorted(points["group"].unique())
            group = a.selectbox("Line", groups)
            line = points[points["group"] == group]
            periods = list(line["period"].dt.date)
            period = b.selectbox("Period starting", periods, index=len(periods) - 1)
            row = line[line["period"].dt.date == period].iloc[0]
            ui.articles_link(ui.point_filters(filters, target=str(row["target"]), split=split,
                                              split_value=str(row["split_value"]), period=period, grain=grain),
                             f"{int(row['n_articles'])} articles: {group}, {grain} of {period}")
        ui.articles_link(filters, "All articles behind this chart")
        with st.expander("Data behind the chart"):
            st.dataframe(points.drop(columns=["group"]), hide_index=True)
