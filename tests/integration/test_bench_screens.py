"""The heavy screens benchmark's smoke mode (bench/screens.py --smoke) runs on the test
database, so the benchmark cannot rot: every screen answers each user, now and as before
issue 14, through the same callbacks a browser calls."""

from __future__ import annotations

import pytest


def test_screens_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.screens import USERS, main

    rows = main(["--smoke"])
    assert {(r.screen, r.user) for r in rows} == {
        (screen, user) for screen in ("consult", "evaluation", "briefings (html)") for user in USERS
    }
    assert all(r.page_s > 0 and r.first_s > 0 and r.repeat_s > 0 and r.before_s > 0 for r in rows)
    out = capsys.readouterr().out
    assert "before/repeat" in out and "briefings (html)" in out
