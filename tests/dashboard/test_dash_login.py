"""Issue 15 item 7: the dashboard's sign-in refuses guesses after too many wrong passwords."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, data

APP = Path(data.__file__).resolve().parent / "app.py"


def test_the_limiter_locks_out_after_repeated_failures_and_backs_off() -> None:
    # Issue 15 item 7: there was no limit on dashboard login attempts. Times are given, not waited for.
    limiter = auth.LoginLimiter(max_failures=3, lockout_s=60, max_lockout_s=200)
    for t in (0.0, 1.0):
        limiter.failed("a", t)
        assert limiter.wait_s("a", t) == 0
    limiter.failed("a", 2.0)
    assert limiter.wait_s("a", 2.0) == 60 and limiter.wait_s("a", 61.0) == 1
    assert limiter.wait_s("b", 2.0) == 0  # another client is not locked out
    assert limiter.wait_s("a", 62.0) == 0
    limiter.failed("a", 62.0)  # the next failure doubles the wait
    assert limiter.wait_s("a", 62.0) == 120
    limiter.failed("a", 182.0)
    assert limiter.wait_s("a", 182.0) == 200  # capped
    limiter.succeeded("a")
    assert limiter.wait_s("a", 182.0) == 0


def test_the_sign_in_page_stops_checking_after_too_many_wrong_passwords(
        fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 15 item 7: unlimited guesses against the password gate.
    monkeypatch.setenv("STANCEWATCH_DB", str(fixture_db))
    monkeypatch.setenv(auth.HASH_ENV, auth.hash_password("open sesame", iterations=1000))  # its own count
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    for _ in range(auth.MAX_FAILURES):
        at.text_input[0].input("guess")
        at.button[0].click().run()
        assert any("Wrong password" in e.value for e in at.error)
    at.text_input[0].input("open sesame")  # even the right password is not checked while locked out
    at.button[0].click().run()
    assert any("sign-in is locked" in e.value for e in at.error)
    assert not at.get("plotly_chart") and not at.exception
