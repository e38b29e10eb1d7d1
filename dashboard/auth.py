"""The dashboard's optional password: PBKDF2-SHA256 hashes stored as ``pbkdf2_sha256$iterations$salt$hash``.

Settings hold only the hash (``[dashboard] password_hash``); ``stancewatch dashboard`` passes it to the
app in the environment. When it is set, every page asks for the password before anything else, and a
client that gives too many wrong passwords is locked out for a while (LoginLimiter).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time

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


MAX_FAILURES = 5          # wrong passwords in a row before sign-in is refused for a while
LOCKOUT_S = 60.0          # the first lockout; each further failure after it doubles the wait
MAX_LOCKOUT_S = 3600.0


class LoginLimiter:
    """Failed sign-ins per client, shared by every session of the server process (an attacker can open as
    many sessions as they like, so a per-session count would limit nothing).

    After MAX_FAILURES wrong passwords in a row, attempts from that client are refused unchecked for
    LOCKOUT_S, doubling with each further failure up to MAX_LOCKOUT_S; a right password clears the count.
    Times are passed in (monotonic seconds), so the rule is a pure function of the attempts."""

    def __init__(self, max_failures: int = MAX_FAILURES, lockout_s: float = LOCKOUT_S,
                 max_lockout_s: float = MAX_LOCKOUT_S) -> None:
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.max_lockout_s = max_lockout_s
        self._failures: dict[str, tuple[int, float]] = {}  # client -> (failures in a row, locked until)
        self._lock = threading.Lock()  # Streamlit runs each session's script in its own thread

    def wait_s(self, client: str, now: float) -> float:
        """Seconds the client must still wait before its next attempt is checked (0: it may try now)."""
        with self._lock:
            _failures, until = self._failures.get(client, (0, 0.0))
        return max(0.0, until - now)

    def failed(self, client: str, now: float) -> None:
        """Count a wrong password; lock the client out once it has failed too often."""
        with self._lock:
            failures, until = self._failures.get(client, (0, 0.0))
            failures += 1
            if failures >= self.max_failures:
                doublings = min(failures - self.max_failures, 32)  # past the cap anyway; keeps the float finite
                wait = min(self.lockout_s * 2 ** doublings, self.max_lockout_s)
                until = now + wait
            self._failures[client] = (failures, until)

    def succeeded(self, client: str) -> None:
        """Forget the client's failures."""
        with self._lock:
            self._failures.pop(client, None)


LIMITER = LoginLimiter()


def _client(stored: str) -> str:
    """Who is signing in: the browser's address where Streamlit knows it, with the password hash in force
    (a new password starts a new count)."""
    import streamlit as st

    try:
        address = st.context.ip_address
    except AttributeError:  # an older Streamlit without st.context.ip_address
        address = None
    if not isinstance(address, str) or not address:  # None behind some proxies and outside a browser session
        address = "unknown"
    return f"{address}|{hashlib.sha256(stored.encode()).hexdigest()[:16]}"


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
        client = _client(stored)
        wait = LIMITER.wait_s(client, time.monotonic())
        if wait > 0:  # refused unchecked: a guess made now tells the guesser nothing
            st.error(f"Too many wrong passwords: sign-in is locked for another {wait:.0f} s.")
            return False
        try:
            ok = verify_password(password, stored)
        except PasswordHashError as exc:
            st.error(str(exc))
            return False
        if ok:
            LIMITER.succeeded(client)
            st.session_state["_authenticated"] = stored
            st.rerun()
        LIMITER.failed(client, time.monotonic())
        st.error("Wrong password.")
    return False
