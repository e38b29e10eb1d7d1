"""Pure Plotly chart builders: a DataFrame in, a Figure out; no Streamlit and no warehouse here.

Every point carries ``customdata`` naming what it stands for (target, split value, period; or outlet
country and target), so a page can turn a selected point into the filters of the Articles page.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from insights.coverage import low_spans

PALETTE = qualitative.D3
STANCE_SCALE = "RdBu"  # red for critical, blue for favourable; diverging around 0
LOW_COVERAGE_FILL = "rgba(255,165,0,0.16)"  # shaded periods: the selection published under half the usual


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def empty_figure(message: str) -> go.Figure:
    """A blank figure that says why there is nothing to draw."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def trend_figure(points: pd.DataFrame, *, model_label: str = "", coverage: pd.DataFrame | None = None,
                 grain: str = "week", low_ratio: float | None = None, counted: str = "articles") -> go.Figure:
    """Mean stance per period and group with its 95% band, volume beneath; sparse periods drawn hollow.

    ``points`` has period, group, target, split_value, mean, lo, hi, n_articles, n_outlets, sparse.
    With ``coverage`` (period, observed, expected, coverage, low: insights.coverage.period_coverage), a
    third row shows the selection's coverage, and its low periods are shaded on every row.
    """
    if points.empty:
        return empty_figure("No scored articles match these filters.")
    with_coverage = coverage is not None and not coverage.empty
    if with_coverage:
        fig = make_subplots(rows=3, cols=1, shared_xaxes=True, row_heights=[0.62, 0.22, 0.16],
                            vertical_spacing=0.04)
    else:
        fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.72, 0.28], vertical_spacing=0.04)
    step = _period_step(points["period"])
    hover = ("<b>%{customdata[0]}</b> · %{customdata[1]}<br>%{x|%Y-%m-%d}: mean stance %{y:+.2f}"
             "<br>95% CI %{customdata[5]}<br>%{customdata[3]} articles from %{customdata[4]} outlets"
             "<extra>%{customdata[6]}</extra>")
    for i, (group, df) in enumerate(points.groupby("group", sort=True)):
        color = PALETTE[i % len(PALETTE)]
        df = df.sort_values("period")
        ci = [("too few articles/outlets" if s else f"[{lo:+.2f}, {hi:+.2f}]")
              for s, lo, hi in zip(df["sparse"], df["lo"], df["hi"], strict=True)]
        status = ["sparse" if s else "" for s in df["sparse"]]
        custom = list(zip(df["target"], df["split_value"], df["period"].dt.strftime("%Y-%m-%d"),
                          df["n_articles"], df["n_outlets"], ci, status, strict=True))
        # The band: lower edge, then the upper edge filled down to it, once per run of periods that all have
        # one. Plotly's fill bridges NaN, so a sparse or missing period must end a run rather than be NaN.
        for run in _band_runs(df, step):
            fig.add_trace(go.Scatter(x=run["period"], y=run["lo"], mode="lines", line={"width": 0},
                                     showlegend=False, hoverinfo="skip", legendgroup=str(group)), row=1, col=1)
            fig.add_trace(go.Scatter(x=run["period"], y=run["hi"], mode="lines", line={"width": 0},
                                     fill="tonexty", fillcolor=_rgba(color, 0.18), showlegend=False,
                                     hoverinfo="skip", legendgroup=str(group)), row=1, col=1)
        fig.add_trace(go.Scatter(
            x=df["period"], y=df["mean"], mode="lines+markers", name=str(group), legendgroup=str(group),
            line={"color": color, "width": 2},
            marker={"color": color, "size": 8, "line": {"color": color, "width": 2},
                    "symbol": ["circle-open" if s else "circle" for s in df["sparse"]]},
            customdata=custom, hovertemplate=hover), row=1, col=1)
        fig.add_trace(go.Bar(x=df["period"], y=df["n_articles"], name=str(group), legendgroup=str(group),
                             marker={"color": _rgba(color, 0.7)}, showlegend=False, customdata=custom,
                             hovertemplate="%{customdata[0]} · %{customdata[1]}<br>%{x|%Y-%m-%d}: "
                                           "%{y} articles<extra></extra>"), row=2, col=1)
    fig.add_hline(y=0, line={"color": "grey", "width": 1, "dash": "dot"}, row=1, col=1)
    fig.update_yaxes(title_text="mean stance", range=[-1.05, 1.05], row=1, col=1)
    fig.update_yaxes(title_text=counted, row=2, col=1)
    if coverage is not None and with_coverage:
        _add_coverage(fig, coverage, grain, low_ratio)
    fig.update_layout(barmode="stack", hovermode="closest", legend={"orientation": "h", "y": -0.12},
                      margin={"t": 40, "l": 10, "r": 10, "b": 10}, clickmode="event+select",
                      title={"text": f"Stance over time · model {model_label}" if model_label else None})
    return fig


def _add_coverage(fig: go.Figure, coverage: pd.DataFrame, grain: str, low_ratio: float | None) -> None:
    """The coverage row (observed / expected articles of the selection's outlets) and the shaded spans."""
    cov = coverage.sort_values("period")
    share = cov["coverage"].clip(upper=2.0)  # a burst above twice the usual would squash the row
    colors = ["#e6550d" if low else "#9e9ac8" for low in cov["low"]]
    fig.add_trace(go.Bar(x=pd.to_datetime(cov["period"]), y=share, name="coverage", showlegend=False,
                         marker={"color": colors},
                         # hovertext, not customdata: a selected point's customdata names a trend point
                         hovertext=[f"{p:%Y-%m-%d}: coverage {c:.0%}<br>{o:.0f} articles published, {e:.1f} expected"
                                    for p, c, o, e in zip(pd.to_datetime(cov["period"]), cov["coverage"],
                                                          cov["observed"], cov["expected"], strict=True)],
                         hovertemplate="%{hovertext}<extra></extra>"), row=3, col=1)
    if low_ratio is not None:
        fig.add_hline(y=low_ratio, line={"color": "#e6550d", "width": 1, "dash": "dash"}, row=3, col=1)
    fig.update_yaxes(title_text="coverage", tickformat=".0%", rangemode="tozero", row=3, col=1)
    step = _period_step(cov["period"]) or pd.Timedelta(days=1)
    for start, end in low_spans(cov, grain):
        # Points and bars sit on a period's first day, centred: the shade is too, half a period early.
        fig.add_vrect(x0=start - step / 2, x1=end - step / 2, fillcolor=LOW_COVERAGE_FILL, line_width=0,
                      layer="below", row="all", col=1)


def _period_step(periods: pd.Series) -> pd.Timedelta | None:
    """The grain of the series: the smallest gap between two distinct periods (None with one period)."""
    gaps = pd.Series(sorted(periods.unique())).diff().dropna()
    gaps = gaps[gaps > pd.Timedelta(0)]
    return gaps.min() if not gaps.empty else None


def _band_runs(df: pd.DataFrame, step: pd.Timedelta | None) -> list[pd.DataFrame]:
    """Runs of consecutive periods (no period skipped) that all have a band; df sorted by period."""
    runs: list[pd.DataFrame] = []
    has_band = df["lo"].notna() & df["hi"].notna()
    run_id = 0
    labels: list[int] = []
    previous = None
    for period, banded in zip(df["period"], has_band, strict=True):
        # 1.5 steps: months are 28 to 31 days apart, and a skipped period is two steps
        if not banded or previous is None or step is None or period - previous > 1.5 * step:
            run_id += 1
        labels.append(run_id if banded else -1)
        previous = period if banded else None
    for label in dict.fromkeys(labels):
        if label >= 0:
            runs.append(df[[x == label for x in labels]])
    return runs


def matrix_figure(cells: pd.DataFrame, *, value: str = "stance", model_label: str = "") -> go.Figure:
    """Outlet country (rows) x target country (columns): mean stance (diverging) or share of coverage.

    ``cells`` has outlet_country, target, n, mean_stance, share. A transparent marker sits on every cell
    so a click on it can be selected (heatmap cells themselves cannot be).
    """
    if cells.empty:
        return empty_figure("No scored articles match these filters.")
    rows = sorted(cells["outlet_country"].unique())
    cols = sorted(cells["target"].unique())
    column = "mean_stance" if value == "stance" else "share"
    grid = cells.pivot(index="outlet_country", columns="target", values=column).reindex(index=rows, columns=cols)
    counts = cells.pivot(index="outlet_country", columns="target", values="n").reindex(index=rows, columns=cols)
    text = [[("" if pd.isna(v) else f"{v:+.2f}" if value == "stance" else f"{v:.0%}") + (
        "" if pd.isna(n) else f"<br>n={int(n)}") for v, n in zip(gr, cr, strict=True)]
        for gr, cr in zip(grid.to_numpy(), counts.to_numpy(), strict=True)]
    heat = go.Heatmap(z=grid.to_numpy(), x=cols, y=rows, text=text, texttemplate="%{text}",
                      hovertemplate="outlets in %{y} on %{x}: %{text}<extra></extra>",
                      colorbar={"title": {"text": "stance" if value == "stance" else "share"}})
    if value == "stance":
        heat.update(colorscale=STANCE_SCALE, zmid=0, zmin=-1, zmax=1)
    else:
        heat.update(colorscale="Blues", zmin=0)
    fig = go.Figure(heat)
    fig.add_trace(go.Scatter(
        x=cells["target"], y=cells["outlet_country"], mode="markers", showlegend=False,
        marker={"size": 40, "color": "rgba(0,0,0,0)", "symbol": "square"},
        customdata=list(zip(cells["outlet_country"], cells["target"], cells["n"], strict=True)),
        hovertemplate="outlets in %{customdata[0]} on %{customdata[1]}: %{customdata[2]} articles"
                      "<extra>click for the articles</extra>"))
    what = "Mean stance" if value == "stance" else "Share of each outlet country's coverage"
    fig.update_layout(
        title={"text": f"{what} · model {model_label}" if model_label and value == "stance" else what},
        xaxis={"title": "target country", "type": "category"},
        yaxis={"title": "outlet country", "type": "category", "autorange": "reversed"},
        margin={"t": 50, "l": 10, "r": 10, "b": 10}, clickmode="event+select")
    return fig


def probabilities_figure(mentions: pd.DataFrame) -> go.Figure:
    """Stacked bars of P(negative), P(neutral), P(positive) per mention, labelled by country and sentence."""
    if mentions.empty:
        return empty_figure("No mentions.")
    labels = [f"{c} · s{i}" for c, i in zip(mentions["country"], mentions["sentence_index"], strict=True)]
    fig = go.Figure()
    for column, name, color in (("p_negative", "negative", "#d6604d"), ("p_neutral", "neutral", "#bababa"),
                                ("p_positive", "positive", "#4393c3")):
        fig.add_trace(go.Bar(y=labels, x=mentions[column], name=name, orientation="h",
                             marker={"color": color}, hovertemplate="%{y}: " + name + " %{x:.2f}<extra></extra>"))
    fig.update_layout(barmode="stack", xaxis={"range": [0, 1], "title": "probability"},
                      height=80 + 28 * len(labels), margin={"t": 10, "l": 10, "r": 10, "b": 10},
                      legend={"orientation": "h"})
    return fig
