"""Articles: the filtered articles, newest first; pick one to read its evidence and correct its mentions."""

from __future__ import annotations

import math

import streamlit as st

from dashboard import data, evidence, ui

PAGE_SIZE = 50

st.title("Articles")
ctx = ui.context()
if ctx is not None:
    filters = ui.filter_sidebar(ctx)
    corrected = ui.corrections_toggle()
    total = data.article_count(ctx.db, ctx.model.id, filters, corrected)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    try:
        page_default = min(max(1, int(ui.param("page", "1"))), pages)
    except ValueError:
        page_default = 1
    ui.model_banner(ctx.model)
    if total == 0:
        ui.write_query(filters, ui.corrections_query(corrected))
        st.info("No scored articles match these filters: clear some filters or widen the dates.")
    else:
        page = int(st.number_input(f"Page (of {pages})", 1, pages, page_default)) if pages > 1 else 1
        st.markdown(f"**{total:,}** articles match" + (", with analysts' corrections." if corrected else "."))
        rows = data.articles(ctx.db, ctx.model.id, filters, PAGE_SIZE, (page - 1) * PAGE_SIZE, corrected)
        event = st.dataframe(
            rows[["published_at", "outlet", "outlet_country", "language", "title", "stance", "url"]],
            hide_index=True, on_select="rerun", selection_mode="single-row", key=f"articles_{page}",
            column_config={"url": st.column_config.LinkColumn("link", display_text="open"),
                           "published_at": st.column_config.DatetimeColumn("published", format="YYYY-MM-DD HH:mm")})
        chosen = event.selection.rows if event else []
        article_id = str(rows.iloc[chosen[0]]["id"]) if chosen else ui.param("article", "")
        ui.write_query(filters, {"page": str(page) if page > 1 else None, "article": article_id or None,
                                 **ui.corrections_query(corrected)})
        if not article_id:
            st.caption("Select a row to read the article's evidence and correct its mentions.")
        else:
            detail = data.article_detail(ctx.db, ctx.model.id, article_id)
            if detail is None:
                st.warning(f"No article with id {article_id} in the warehouse.")
            else:
                st.divider()
                evidence.render(detail, ctx.model, ctx.db)
    with st.expander("The model's agreement with analysts' corrections, per language"):
        evidence.agreement_table(ctx.db, ctx.model)
