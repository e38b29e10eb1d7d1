"""The dashboard's optional password: PBKDF2-SHA256 hashes stored as ``pbkdf2_sha256$iterations$salt$hash``.

Settings hold only the hash (``[dashboard] password_hash``); ``stancewatch dashboard`` passes it to the
app in the environment. When it is set, every page asks for the password before anything else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from dashboard.env import HASH_ENV

SCHEME = "pbkdf2_sha256"
ITERATIONS = 600_000  # OWASP's 2023 figure for PBKDF2-HMAC-SHA256


class PasswordHashError(ValueError):
    """A stored password hash is not in the ``pbkdf2_sha256$iterations$salt$hash`` form."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, *, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    """Return the storable hash line of a password, with a fresh random salt."""
    if not password:
        raise ValueError("the password must not be empty")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{SCHEME}${iterations}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether the password matches the stored hash (constant-time comparison)."""
    parts = stored.strip().split("$")
    if len(parts) != 4 or parts[0] != SCHEME or not parts[1].isdigit():
        raise PasswordHashError(f"password hash {stored[:20]!r}...: expected {SCHEME}$ITERATIONS$SALT$HASH "
                                "(make one with `stancewatch dashboard --set-password`)")
    iterations, salt, expected = int(parts[1]), _unb64(parts[2]), _unb64(parts[3])
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(digest, expected)


def configured_hash() -> str:
    """The password hash the app was started with, or '' when there is no password."""
    return os.environ.get(HASH_ENV, "").strip()


def gate() -> bool:
    """Ask for the password when one is set; return True once this browser session has given it."""
    import streamlit as st

    stored = configured_hash()
    if not stored or st.session_state.get("_authenticated") == stored:
        return True
    st.title("stancewatch")
    with st.form("login"):
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        try:
            ok = verify_password(password, stored)
        except PasswordHashError as exc:
            st.error(str(exc))
            return False
        if ok:
            st.session_state["_authenticated"] = stored
            st.rerun()
        st.error("Wrong password.")
    return False
