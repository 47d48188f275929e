"""What counts as a database outage, where it becomes a 503, and what stays a 500.

In this process, on the shared test database: a use case is made to fail with a genuine
error of a connection to a database that is not there (the real outage, database
stopped, is in test_outage.py), or with a fault that is not an outage (a constraint
violation, a deadlock), which must stay a 500 so that bugs are not hidden.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import psycopg2
import psycopg2.extensions
import pytest
from sqlalchemy import create_engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import NullPool

from governance.errors import Unavailable
from i18n import t
from tests.dash_requests import router_body as router_payload
from web import outage


def dead_database_error() -> sa_exc.OperationalError:
    """The error of connecting to a database whose socket is gone (as when it stopped)."""
    eng = create_engine(
        "postgresql+psycopg2://nobody@/nothing?host=/nonexistent-minqing&port=1",
        poolclass=NullPool,
    )
    try:
        eng.connect()
    except sa_exc.OperationalError as exc:
        return exc
    raise AssertionError("connected to a database that does not exist")


DEAD = dead_database_error()
DEADLOCK = sa_exc.OperationalError(
    "UPDATE incident", {}, psycopg2.extensions.TransactionRollbackError("deadlock detected")
)
DUPLICATE = sa_exc.IntegrityError("INSERT", {}, psycopg2.IntegrityError("duplicate key"))
CUT = sa_exc.DatabaseError(
    "SELECT 1",
    {},
    psycopg2.DatabaseError("server closed the connection unexpectedly"),
    connection_invalidated=True,
)


@pytest.mark.parametrize(
    ("err", "expected"),
    [
        (DEAD, True),
        (CUT, True),
        (DEAD.orig, True),
        (psycopg2.InterfaceError("connection already closed"), True),
        (Unavailable("brief.error.no_cjk_font"), True),
        (DEADLOCK, False),
        (DUPLICATE, False),
        (ValueError("x"), False),
    ],
)
def test_is_outage(err: BaseException, expected: bool) -> None:
    assert outage.is_outage(err) is expected


def failing(err: BaseException) -> Any:
    def fail(*_a: object, **_kw: object) -> Any:
        raise err

    return fail


@pytest.mark.parametrize(("err", "status"), [(DEAD, 503), (DEADLOCK, 500), (DUPLICATE, 500)])
def test_only_an_outage_becomes_a_503(
    anon_client: Any, flask_client: Any, monkeypatch: pytest.MonkeyPatch, err: Any, status: int
) -> None:
    from app import server
    from governance import intake, public

    monkeypatch.setitem(server.config, "PROPAGATE_EXCEPTIONS", False)  # answer as in production
    monkeypatch.setattr(public, "form_options", failing(err))
    monkeypatch.setattr(intake, "list_categories", failing(err))
    page = anon_client.get("/report")  # a page of the app
    api = flask_client.get("/api/v1/categories")  # the API blueprint, with its own handlers
    assert (page.status_code, api.status_code) == (status, status)
    assert ("Retry-After" in page.headers) is (status == 503)
    assert ("Retry-After" in api.headers) is (status == 503)
    if status == 503:
        assert api.get_json() == {
            "error": "unavailable",
            "message": t("outage.retrying", "zh-CN"),
            "key": "outage.retrying",
        }
    else:
        assert t("outage.title", "zh-CN") not in page.get_data(as_text=True)
        assert api.get_json()["error"] == "internal"


def test_a_page_layout_meeting_an_outage_is_a_503_not_a_page_without_data(
    flask_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The map's layout falls back to a default extent when the database is down; that
    fallback is for Dash's validation layout only, never for a page a person opens."""
    from app import server
    from governance import areas
    from pages import map as map_page

    monkeypatch.setattr(areas, "home_bbox", failing(DEAD))
    cookie = flask_client.get_cookie("_csrf_token")
    resp = flask_client.post(
        "/_dash-update-component",
        data=json.dumps(router_payload("/")),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookie.value},
    )
    assert resp.status_code == 503 and resp.get_json()["error"] == "unavailable"
    with server.test_request_context("/"):  # outside any view, as Dash validates layouts
        assert map_page.layout() is not None


def test_an_outage_is_logged_once_then_summarised(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dead database fails every request: one traceback, then a line a minute."""
    now = [1000.0]
    monkeypatch.setattr(outage.time, "monotonic", lambda: now[0])
    log = outage._OutageLog(quiet=60.0)
    with caplog.at_level(logging.INFO, logger="web.outage"):
        for _ in range(150):  # 150 failures over 150 s, one a second
            log.note(DEAD, "GET /")
            now[0] += 1.0
        now[0] += 61.0  # a minute without failure: that outage is over
        log.note(DEAD, "GET /")
    records = caplog.records
    assert [r.levelname for r in records] == ["ERROR", "WARNING", "WARNING", "ERROR"]
    assert records[0].exc_info is not None and records[3].exc_info is not None
    assert records[1].exc_info is None and "59 more failures" in records[1].getMessage()
