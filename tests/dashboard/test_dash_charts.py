"""The pure Plotly builders: what they draw for trends, the matrix and probabilities."""

from __future__ import annotations

import pandas as pd

from dashboard import charts


def _points() -> pd.DataFrame:
    periods = pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"])
    rows = []
    for target in ("RU", "KZ"):
        for i, p in enumerate(periods):
            sparse = i == 2
            rows.append({"period": p, "target": target, "split_value": "all", "group": target,
                         "mean": 0.1 * i, "lo": None if sparse else 0.1 * i - 0.1,
                         "hi": None if sparse else 0.1 * i + 0.1, "n_articles": 3 if sparse else 20,
                         "n_outlets": 1 if sparse else 4, "sparse": sparse})
    return pd.DataFrame(rows)


def test_trend_figure_draws_band_line_and_volume_per_group_with_hollow_sparse_points() -> None:
    fig = charts.trend_figure(_points(), model_label="m 1.0")
    lines = [t for t in fig.data if t.type == "scatter" and t.mode == "lines+markers"]
    bars = [t for t in fig.data if t.type == "bar"]
    bands = [t for t in fig.data if t.type == "scatter" and t.fill == "tonexty"]
    assert {t.name for t in lines} == {"RU", "KZ"} and len(bars) == 2 and len(bands) == 2
    assert list(lines[0].marker.symbol) == ["circle", "circle", "circle-open"]
    assert list(lines[0].customdata[0][:3]) == ["KZ", "all", "2024-01-01"]
    assert "too few" in lines[0].customdata[2][5]
    assert "m 1.0" in fig.layout.title.text


def test_matrix_figure_is_diverging_around_zero_with_counts_and_clickable_cells() -> None:
    cells = pd.DataFrame({"outlet_country": ["KZ", "KZ", "RU"], "target": ["RU", "US", "KZ"],
                          "n": [10, 30, 5], "mean_stance": [-0.4, 0.2, 0.1], "share": [0.25, 0.75, 1.0]})
    fig = charts.matrix_figure(cells, value="stance")
    heat = fig.data[0]
    assert heat.type == "heatmap" and heat.zmid == 0 and heat.zmin == -1 and heat.zmax == 1
    assert heat.text[0][0] == "" and "n=10" in heat.text[0][1]  # columns KZ, RU, US
    assert list(fig.data[1].customdata[0]) == ["KZ", "RU", 10]
    share = charts.matrix_figure(cells, value="share").data[0]
    assert share.zmin == 0 and "75%" in share.text[0][2]


def test_empty_inputs_give_an_annotated_empty_figure() -> None:
    fig = charts.trend_figure(_points().iloc[0:0])
    assert len(fig.data) == 0 and "No scored articles" in fig.layout.annotations[0].text
    assert len(charts.matrix_figure(pd.DataFrame(columns=["outlet_country", "target", "n"])).data) == 0


def test_probabilities_figure_stacks_three_probabilities_per_mention() -> None:
    mentions = pd.DataFrame({"country": ["RU"], "sentence_index": [2], "p_negative": [0.6],
                             "p_neutral": [0.3], "p_positive": [0.1]})
    fig = charts.probabilities_figure(mentions)
    assert [t.name for t in fig.data] == ["negative", "neutral", "positive"]
    assert fig.data[0].y == ("RU · s2",)


def test_trend_band_breaks_where_a_period_has_none_or_is_missing() -> None:
    """#14 item 4: a band never bridges a sparse week or a week with no point at all."""
    periods = pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22", "2024-03-04", "2024-03-11"])
    banded = [True, True, False, True, True, True]
    rows = [{"period": p, "target": "RU", "split_value": "all", "group": "RU", "mean": 0.0,
             "lo": -0.1 if b else None, "hi": 0.1 if b else None, "n_articles": 20 if b else 2,
             "n_outlets": 4 if b else 1, "sparse": not b} for p, b in zip(periods, banded, strict=True)]
    fig = charts.trend_figure(pd.DataFrame(rows))
    bands = [t for t in fig.data if t.type == "scatter" and t.fill == "tonexty"]
    spans = [[str(x)[:10] for x in t.x] for t in bands]
    assert spans == [["2024-01-01", "2024-01-08"], ["2024-01-22"], ["2024-03-04", "2024-03-11"]]
