"""The analyst's dashboard: a Streamlit multipage app that reads the warehouse and never crawls or scores.

Layout: ``app.py`` is the router (password gate, then ``st.navigation``); ``views/`` holds the thin pages
(not ``pages/``: Streamlit would serve a ``pages/`` folder next to the entry point as pages of their own,
bypassing the router and its password gate); ``data.py`` runs every query (named SQL in
warehouse/queries/dashboard.sql, a read-only connection per call, results cached briefly, and an
in-memory snapshot of the stance rows rebuilt when the warehouse changes); the cluster bootstrap is
``insights.stats``'s; ``charts.py`` the pure Plotly builders; ``ui.py`` the shared widgets (filters kept in the URL);
``evidence.py`` renders one article's evidence; ``server.py`` launches ``streamlit run``.
"""
