"""Trends: mean stance toward target countries per period, with a 95% band over outlets, the volume and
the selection's coverage (low periods shaded); analysis modes against a changing outlet mix; what changed
between two periods."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, data, ui
from insights import stats
from insights.compare import Period
from insights.trends import MODES
from warehouse.filters import Filters


def what_changed(ctx: ui.PageContext, filters: Filters, points: pd.DataFrame) -> None:
    """Two periods picked with date pickers: the stance difference, its interval, outlets and sentences."""
    st.subheader("What changed")
    targets = list(filters.countries or ctx.options.countries)
    a, b = st.columns(2)
    target = a.selectbox("Target", targets, key="cmp_target")
    any_country = "any outlet country"
    picked = b.selectbox("Outlet country", [any_country, *ctx.options.outlet_countries], key="cmp_outlet_country")
    outlet_countries = () if picked == any_country else (str(picked),)
    first, last = points["period"].min().date(), points["period"].max().date()
    middle = first + (last - first) / 2
    c, d = st.columns(2)
    before = c.date_input("Before (from, to)", value=(first, middle), key="cmp_before")
    after = d.date_input("After (from, to)", value=(middle + timedelta(days=1), last), key="cmp_after")
    if not (isinstance(before, tuple) and len(before) == 2 and isinstance(after, tuple) and len(after) == 2):
        st.info("Pick a start and an end day for both periods.")
        return
    result = data.compare(ctx.db, ctx.model.id, str(target), Period(*before), Period(*after), outlet_countries)
    if result.before.n_articles == 0 or result.after.n_articles == 0:
        st.info(f"No scored articles on {target} in {'the before' if result.before.n_articles == 0 else 'the after'} "
                "period: pick other dates.")
        return

    def interval(lo: float | None, hi: float | None) -> str:
        return f"[{lo:+.2f}, {hi:+.2f}]" if lo is not None and hi is not None else "no interval (too few outlets)"

    m1, m2, m3 = st.columns(3)
    m1.metric("Before", f"{result.before.mean:+.2f}", help=f"95% CI {interval(result.before.lo, result.before.hi)}; "
              f"{result.before.n_articles} articles, {result.before.n_outlets} outlets")
    m2.metric("After", f"{result.after.mean:+.2f}", help=f"95% CI {interval(result.after.lo, result.after.hi)}; "
              f"{result.after.n_articles} articles, {result.after.n_outlets} outlets")
    if result.difference is not None:
        m3.metric("Change within outlets", f"{result.difference:+.2f}", help=f"95% CI {interval(result.lo, result.hi)}")
        st.markdown(f"**Change within outlets: {result.difference:+.2f}**, 95% CI {interval(result.lo, result.hi)} "
                    f"({result.n_outlets_both} outlets in both periods); plain difference of the means "
                    f"{result.plain_difference:+.2f}.")
    else:
        m3.metric("Change within outlets", "n/a")
        st.info("No outlet has articles in both periods: only the plain difference "
                f"({result.plain_difference:+.2f}) can be given.")
    st.caption("Change within outlets: each outlet's own after-minus-before change, weighted by "
               "n_before·n_after/(n_before+n_after); the interval resamples outlets. Contributions add up to it.")
    st.markdown("**Outlets contributing most**")
    st.dataframe(result.outlets.head(10), hide_index=True, key="cmp_outlets")
    st.markdown("**Sentences whose scores moved most** (after period, against their outlet's before mean)")
    if result.sentences.empty:
        st.caption("No scored sentences from outlets seen in both periods.")
    else:
        st.dataframe(result.sentences, hide_index=True, key="cmp_sentences",
                     column_config={"url": st.column_config.LinkColumn("url")})


st.title("Stance trends")
ctx = ui.context()
if ctx is not None:
    filters = ui.filter_sidebar(ctx, fields=("countries", "outlets", "outlet_countries", "languages", "dates"),
                                default_countries=ctx.options.countries[:3])
    corrected = ui.corrections_toggle()
    left, middle, right = st.columns(3)
    with left:
        grain = ui.choice("Granularity", "grain", data.GRAINS, "week")
    with middle:
        split = ui.choice("Split by", "split", list(data.SPLITS), "none", fmt=data.SPLITS.__getitem__)
    with right:
        mode = ui.choice("Analysis", "mode", list(MODES), "plain", fmt=MODES.__getitem__)
    per_story = st.checkbox("Per story: wire copies of one story count once", value=ui.param("story", "0") == "1",
                            help="Articles the crawler found to be copies of one story (same story id) count as "
                                 "one, at its first copy's outlet and day, with the mean stance of the copies.")
    ui.write_query(filters, {"grain": grain, "split": split, "mode": None if mode == "plain" else mode,
                             "story": "1" if per_story else None, **ui.corrections_query(corrected)})
    ui.model_banner(ctx.model)
    st.caption(f"Figures as of {data.data_as_of(ctx.db, ctx.model.id):%Y-%m-%d %H:%M:%S} UTC (recomputed when "
               f"the warehouse changes, at most every {data.CUBE_MIN_AGE_S:.0f} s).")

    points = data.trend(ctx.db, ctx.model.id, filters, grain, split, mode, per_story, corrected)
    if points.empty:
        st.info("No scored articles match these filters: widen the dates or pick other countries.")
    else:
        rule = data.trend_settings()
        coverage = data.coverage(ctx.db, ctx.model.id, filters, grain)
        figure = charts.trend_figure(points, model_label=ctx.model.label, coverage=coverage, grain=grain,
                                     low_ratio=rule.low_coverage_ratio,
                                     counted="stories" if per_story else "articles")
        event = st.plotly_chart(figure, key="trend_chart", on_select="rerun", selection_mode="points")
        st.caption(f"Band: 95% interval from a bootstrap over outlets ({stats.N_BOOT} resamples). Hollow "
                   f"markers: fewer than {stats.MIN_ARTICLES} articles or {stats.MIN_OUTLETS} outlets, no band. "
                   "Click a point or bar to read its articles.")
        low = int(coverage["low"].sum()) if not coverage.empty else 0
        st.caption(f"Coverage (bottom row): articles the selected outlets published, scored or not, over what "
                   f"each outlet's previous {rule.coverage_history_days} days lead one to expect. Shaded: "
                   f"{low} period(s) under {rule.low_coverage_ratio:.0%} of expected, where a move may be "
                   f"missing articles rather than a change of stance. Analysis: {MODES[mode]}"
                   + (" (only outlets with articles in every period)" if mode == "fixed_panel" else
                      " (each outlet's own level taken out, the outlets' mean level put back)"
                      if mode == "within_outlet" else "") + ".")
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
        what_changed(ctx, filters, points)
