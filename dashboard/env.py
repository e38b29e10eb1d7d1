"""Environment variables the app reads: ``stancewatch dashboard`` sets them when it launches streamlit."""

from __future__ import annotations

DB_ENV = "STANCEWATCH_DB"                           # the warehouse file
HASH_ENV = "STANCEWATCH_DASHBOARD_PASSWORD_HASH"    # pbkdf2_sha256$... or empty for no password
