"""Render one article's evidence: its stance per country and every sentence that mentions each country,
the mention highlighted, with the model's three probabilities, the analysts' corrections and a control
to correct each mention (its label, or "not this country")."""

from __future__ import annotations

import html
import os
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, data, quality
from insights import corrections
from warehouse import reader
from warehouse.errors import WarehouseBusy, WarehouseError

LABEL_COLOURS = {"critical": "red", "neutral": "gray", "favourable": "blue"}
# How long a save waits for a writer (a crawl or scoring batch) to let go before it says so.
SAVE_TIMEOUT_S = 5.0
CHOICE_TEXT = {"negative": "negative", "neutral": "neutral", "positive": "positive",
               corrections.FALSE_MATCH: "not this country (false match)"}
ANALYST_KEY = "correction_analyst"
SAVED_KEY = "correction_saved"


def highlight(sentence: str, start: int, end: int) -> str:
    """The sentence as HTML with characters [start, end) marked; offsets outside it mark nothing."""
    if not 0 <= start < end <= len(sentence):
        return html.escape(sentence)
    return (html.escape(sentence[:start]) + "<mark>" + html.escape(sentence[start:end]) + "</mark>"
            + html.escape(sentence[end:]))


def article_corrections(db: str, article_id: str, model_id: str) -> tuple[dict[str, dict[str, Any]], pd.DataFrame]:
    """The corrections in force on the article's mentions (by mention id) and its corrected stance rows
    (read fresh, not cached: a save must show at once)."""
    with reader(db, timeout=data.READ_TIMEOUT_S) as r:
        found = {str(c["mention_id"]): c for c in corrections.of_article(r, article_id)}
        rows = r.df("corrections_article_stance", {"article_id": article_id, "model_id": model_id})
    return found, rows


def _save(db: str, mention_id: str, label: str, analyst: str, model_id: str, note: str) -> None:
    """Store one correction with a short writer connection; say so plainly when a writer holds the file."""
    try:
        made = corrections.save(db, mention_id, label, analyst=analyst, model_id=model_id, note=note,
                                timeout=SAVE_TIMEOUT_S)
    except WarehouseBusy:
        st.warning("The warehouse is busy (a crawl or scoring run is writing to it): the correction was not "
                   "saved. Press Save again in a moment.")
        return
    except WarehouseError as exc:
        st.error(f"The correction was not saved: {exc}")
        return
    data.clear_cache()  # trends, matrix and lists with corrections must show it at once
    st.session_state[SAVED_KEY] = (f"Saved: the {made.country} mention is {CHOICE_TEXT[made.label]} (model said "
                                   f"{made.model_label or 'nothing'}), by {made.analyst}.")
    st.rerun()  # the stances above the control show the correction


def _correction_control(db: str, model_id: str, mention_id: str, current: str) -> None:
    """The per-mention form: choose a label or a false match (current: the label shown first), a note, Save."""
    with st.form(f"correct_{mention_id}", border=False):
        left, middle, right = st.columns([2, 3, 1], vertical_alignment="bottom")
        choices = list(CHOICE_TEXT)
        label = left.selectbox("Correct to", choices, format_func=CHOICE_TEXT.__getitem__,
                               index=choices.index(current), key=f"label_{mention_id}")
        note = middle.text_input("Note (optional)", key=f"note_{mention_id}")
        if right.form_submit_button("Save", type="secondary"):
            analyst = str(st.session_state.get(ANALYST_KEY, "")).strip()
            if not analyst:
                st.warning("Enter your name above the evidence first: each correction records who made it.")
            else:
                _save(db, mention_id, str(label), analyst, model_id, note)


def render(detail: dict[str, Any], model: data.Model, db: str) -> None:
    """Show an article's header, link, stance per country (with corrections), the sentences behind it and a
    correction control per mention."""
    article = detail["article"]
    stance: pd.DataFrame = detail["stance"]
    mentions: pd.DataFrame = detail["mentions"]
    st.subheader(article.get("title") or "(no title)")
    published = article.get("published_at")
    st.markdown(f"**{article['outlet']}** ({article['outlet_country']}) · "
                f"{pd.Timestamp(published):%Y-%m-%d %H:%M} UTC · language {article.get('language') or '?'} · "
                f"[open the original]({article['url']})" if pd.notna(published) else
                f"**{article['outlet']}** · [open the original]({article['url']})")
    st.caption(f"Scores by model {model.label}.")
    st.caption(quality.evidence_caption(article.get("language"), quality.model_quality(db, model.id)))
    if stance.empty:
        st.info("This article has no stance from this model yet.")
    corrected, corrected_rows = article_corrections(db, str(article["id"]), model.id)
    saved = st.session_state.pop(SAVED_KEY, None)
    if saved:
        st.success(saved)
    if ANALYST_KEY not in st.session_state:
        st.session_state[ANALYST_KEY] = os.environ.get("USER", "")
    st.text_input("Your name (recorded with each correction)", key=ANALYST_KEY)
    by_country = {str(r.country): r for r in corrected_rows.itertuples()}
    for row in stance.itertuples():
        colour = LABEL_COLOURS.get(str(row.label), "gray")
        st.markdown(f"#### Toward {row.country}: :{colour}[{row.stance:+.2f} · {row.label}]")
        st.caption(f"confidence {row.confidence:.2f} · {row.mention_count} mention(s)")
        fixed = by_country.get(str(row.country))
        if fixed is not None:
            st.markdown("**With corrections:** no mention of this country remains (false matches)" if fixed.dropped
                        else f"**With corrections:** :{LABEL_COLOURS.get(str(fixed.label), 'gray')}"
                             f"[{fixed.stance:+.2f} · {fixed.label}] from {fixed.mention_count} mention(s)")
        own = mentions[mentions["country"] == row.country]
        for m in own.itertuples():
            probs = ("no score from this model" if pd.isna(m.p_negative) else
                     f"negative {m.p_negative:.2f} · neutral {m.p_neutral:.2f} · positive {m.p_positive:.2f}")
            st.markdown(f"> {highlight(str(m.sentence), int(m.start_in_sentence), int(m.end_in_sentence))}"
                        f"<br><small>sentence {m.sentence_index} · matched alias “{html.escape(str(m.alias))}” · "
                        f"{probs}</small>", unsafe_allow_html=True)
            current = corrected.get(str(m.mention_id))
            if current is not None:
                st.markdown(f":orange-badge[corrected: {CHOICE_TEXT[str(current['label'])]}] "
                            f"by {html.escape(str(current['analyst']))} on "
                            f"{pd.Timestamp(current['corrected_at']):%Y-%m-%d %H:%M} UTC (model said "
                            f"{current['model_label'] or '-'}; {current['times']} correction(s) of this mention)"
                            + (f" · “{html.escape(str(current['note']))}”" if current["note"] else ""))
            shown = (str(current["label"]) if current is not None else "neutral" if pd.isna(m.p_negative)
                     else corrections.model_label(m.p_negative, m.p_neutral, m.p_positive))
            _correction_control(db, model.id, str(m.mention_id), shown)
    scored = mentions.dropna(subset=["p_negative"])
    if not scored.empty:
        st.plotly_chart(charts.probabilities_figure(scored), key=f"probs_{article['id']}")


def agreement_table(db: str, model: data.Model) -> None:
    """The model's agreement with the analysts' corrections per article language (n shown)."""
    try:
        rows = corrections.agreement(db, model.id)
    except WarehouseError as exc:
        st.warning(f"Agreement with corrections could not be read: {exc}")
        return
    if not rows:
        st.caption("No corrections of this model's mentions yet: correct a mention on an article's evidence.")
        return
    table = pd.DataFrame(rows)[["language", "n", "agree", "agreement", "false_matches"]]
    st.dataframe(table, hide_index=True, column_config={
        "n": st.column_config.NumberColumn("n (labelled)"),
        "agree": st.column_config.NumberColumn("model agrees"),
        "agreement": st.column_config.NumberColumn("agreement", format="percent"),
        "false_matches": st.column_config.NumberColumn("not this country")})
