"""Render one article's evidence: its stance per country and every sentence that mentions each country,
the mention highlighted, with the model's three probabilities."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts

LABEL_COLOURS = {"critical": "red", "neutral": "gray", "favourable": "blue"}


def highlight(sentence: str, start: int, end: int) -> str:
    """The sentence as HTML with characters [start, end) marked; offsets outside it mark nothing."""
    if not 0 <= start < end <= len(sentence):
        return html.escape(sentence)
    return (html.escape(sentence[:start]) + "<mark>" + html.escape(sentence[start:end]) + "</mark>"
            + html.escape(sentence[end:]))


def render(detail: dict[str, Any], model_label: str) -> None:
    """Show an article's header, link, stance per country and the sentences behind it."""
    article = detail["article"]
    stance: pd.DataFrame = detail["stance"]
    mentions: pd.DataFrame = detail["mentions"]
    st.subheader(article.get("title") or "(no title)")
    published = article.get("published_at")
    st.markdown(f"**{article['outlet']}** ({article['outlet_country']}) · "
                f"{pd.Timestamp(published):%Y-%m-%d %H:%M} UTC · language {article.get('language') or '?'} · "
                f"[open the original]({article['url']})" if pd.notna(published) else
                f"**{article['outlet']}** · [open the original]({article['url']})")
    st.caption(f"Scores by model {model_label}.")
    if stance.empty:
        st.info("This article has no stance from this model yet.")
    for row in stance.itertuples():
        colour = LABEL_COLOURS.get(str(row.label), "gray")
        st.markdown(f"#### Toward {row.country}: :{colour}[{row.stance:+.2f} · {row.label}]")
        st.caption(f"confidence {row.confidence:.2f} · {row.mention_count} mention(s)")
        own = mentions[mentions["country"] == row.country]
        for m in own.itertuples():
            probs = ("no score from this model" if pd.isna(m.p_negative) else
                     f"negative {m.p_negative:.2f} · neutral {m.p_neutral:.2f} · positive {m.p_positive:.2f}")
            st.markdown(f"> {highlight(str(m.sentence), int(m.start_in_sentence), int(m.end_in_sentence))}"
                        f"<br><small>sentence {m.sentence_index} · matched alias “{html.escape(str(m.alias))}” · "
                        f"{probs}</small>", unsafe_allow_html=True)
    scored = mentions.dropna(subset=["p_negative"])
    if not scored.empty:
        st.plotly_chart(charts.probabilities_figure(scored), key=f"probs_{article['id']}")
