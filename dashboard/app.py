"""The dashboard's entry point (``streamlit run dashboard/app.py``): the password gate, then the router."""

from __future__ import annotations

import streamlit as st

from dashboard import auth

st.set_page_config(page_title="stancewatch", page_icon=":material/newspaper:", layout="wide")

if not auth.gate():
    st.stop()

pages = [
    st.Page("views/trends.py", title="Trends", icon=":material/show_chart:", url_path="trends", default=True),
    st.Page("views/matrix.py", title="Matrix", icon=":material/grid_on:", url_path="matrix"),
    st.Page("views/alerts.py", title="Alerts", icon=":material/notifications:", url_path="alerts"),
    st.Page("views/articles.py", title="Articles", icon=":material/article:", url_path="articles"),
    st.Page("views/sources.py", title="Sources & crawls", icon=":material/rss_feed:", url_path="sources"),
    st.Page("views/export.py", title="Export", icon=":material/download:", url_path="export"),
]
st.navigation(pages).run()
