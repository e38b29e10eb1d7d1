"""Environment variables the app reads: ``stancewatch dashboard`` sets them when it launches streamlit."""

from __future__ import annotations

from stancewatch.layers import ENV_PATHS

DB_ENV = ENV_PATHS["db"]                            # the warehouse file: the settings' environment layer
HASH_ENV = "STANCEWATCH_DASHBOARD_PASSWORD_HASH"    # pbkdf2_sha256$... or empty for no password
