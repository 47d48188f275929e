"""The server-rendered routes (sign-in, password, public report and tracking, exports,
the audit export) called with arbitrary query strings and form fields (property-based):
never a 5xx, and a refused request never writes business data."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.test_callbacks_fuzz import HOSTILE_TEXT, _rows

FIELDS = st.dictionaries(
    st.sampled_from(
        [
            "username",
            "password",
            "next",
            "current",
            "new",
            "repeat",
            "category",
            "community",
            "description",
            "contact_name",
            "contact_phone",
            "nonce",
            "rating",
            "comment",
            "bbox",
            "window",
            "start",
            "end",
            "categories",
            "sources",
            "user",
            "action",
            "outcome",
            "object_type",
            "page",
            "lang",
        ]
    ),
    HOSTILE_TEXT,
    max_size=6,
)
GETS = [
    "/login",
    "/password",
    "/report",
    "/track/ABCDEFGHJK",
    "/export/incidents.csv",
    "/export/sites.geojson",
    "/export/grids.xlsx",
    "/audit/export.csv",
    "/favicon.ico",
]
POSTS = ["/login", "/password", "/report", "/track/ABCDEFGHJK/feedback", "/logout"]
ROLES = ("commander", "auditor", "gridworker")


def _query(fields: dict[str, str]) -> str:
    return "&".join(
        f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in fields.items()
    )


def _form(fields: dict[str, str]) -> bytes:
    return _query(fields).encode()


_clients: dict[str, Any] = {}
_accounts: dict[str, str] = {}
PASSWORD = "Fuzz-Account-2026!"


@pytest.fixture(scope="module", autouse=True)
def _fuzz_accounts() -> None:
    """Throwaway accounts of each role: the fuzz may lock them (wrong current
    passwords), which must not lock the demo accounts other tests use."""
    import uuid

    from sqlalchemy import text

    from geodata.db import session_scope
    from governance.accounts import create_user

    with session_scope(admin=True) as s:
        grid = s.execute(text("SELECT code FROM area WHERE level = 'grid' LIMIT 1")).scalar()
        for role in ROLES:
            name = f"fuzz-{role}-{uuid.uuid4().hex[:8]}"
            create_user(
                s,
                username=name,
                password=PASSWORD,
                role={"gridworker": "grid_worker"}.get(role, role),
                area_code=grid if role == "gridworker" else None,
            )
            _accounts[role] = name


def _client(role: str) -> Any:
    """A client signed in as the throwaway account of ``role`` (anonymous once that
    account is locked)."""
    import re

    from app import server

    if role not in _clients:
        client = server.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"username": _accounts[role], "password": PASSWORD,
                                     "csrf_token": token})  # fmt: skip
        _clients[role] = client
    return _clients[role]


@pytest.mark.slow
@pytest.mark.parametrize("path", GETS)
def test_gets_never_fail(path: str) -> None:
    @settings(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.sampled_from(ROLES), FIELDS)
    def check(role: str, fields: dict[str, str]) -> None:
        resp = _client(role).get(f"{path}?{_query(fields)}")
        assert resp.status_code < 500, (role, fields, resp.get_data(as_text=True)[-400:])

    check()


@pytest.mark.slow
@pytest.mark.parametrize("path", POSTS)
def test_posts_never_fail_nor_write(path: str) -> None:
    before = _rows()

    @settings(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.sampled_from(ROLES), FIELDS)
    def check(role: str, fields: dict[str, str]) -> None:
        client = _client(role)
        cookie = client.get_cookie("_csrf_token")
        body = _form({**fields, "csrf_token": cookie.value if cookie else ""})
        resp = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
        assert resp.status_code < 500, (role, fields, resp.get_data(as_text=True)[-400:])
        if path == "/logout" or (path == "/login" and resp.status_code == 302):
            _clients.pop(role, None)  # signed out (or in as someone else): start afresh

    check()
    assert _rows() == before, f"{path} wrote for garbage"
