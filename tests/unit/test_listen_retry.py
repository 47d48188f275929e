"""The listener's reconnection: a caller that has just seen the database answer cuts the
backoff short (``Listener.retry_now``), and every failed attempt is counted
(``Listener.setbacks``), which is what makes a live stream opened while the listener was
down check at once whether the database is gone (docs/scale.md, "Live streams")."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from geodata import listen

NOWHERE = "postgresql+psycopg2://nobody@/none?host=/nonexistent"  # refuses at once


def _until(cond: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_retry_now_ends_a_long_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listen, "BACKOFF_FIRST", 3600.0)  # without retry_now: an hour
    monkeypatch.setattr(listen, "BACKOFF_MAX", 3600.0)
    monkeypatch.setattr(listen, "RETRY_SPACING", 0.0)
    listener = listen.Listener(NOWHERE, "incident_changed", lambda _p: None)
    listener.start()
    try:
        assert _until(lambda: listener.setbacks == 1), "the first attempt did not fail"
        listener.retry_now()
        assert _until(lambda: listener.setbacks == 2), "retry_now did not end the backoff"
        assert not listener.listening and listener.connects == 0
        listener.retry_now()
        assert _until(lambda: listener.setbacks == 3)
    finally:
        listener.stop(timeout=5)


def test_stop_ends_the_backoff_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listen, "BACKOFF_FIRST", 3600.0)
    listener = listen.Listener(NOWHERE, "incident_changed", lambda _p: None)
    listener.start()
    assert _until(lambda: listener.setbacks == 1)
    listener.stop(timeout=10)
    assert listener._thread is not None and not listener._thread.is_alive()
    assert listener.setbacks == 1  # no attempt after stop
