"""The analyst's dashboard: a Streamlit multipage app that reads the warehouse and never crawls or scores.

Layout: ``app.py`` routes (``st.navigation``), ``pages/`` are thin, ``data.py`` runs every query (cached,
one read-only connection per call), ``stats.py`` holds the bootstrap, ``charts.py`` the pure Plotly
builders, ``ui.py`` the shared widgets (filters kept in the URL), ``server.py`` launches ``streamlit run``.
"""
