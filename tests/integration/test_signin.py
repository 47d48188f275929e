"""Signing in under attack: throttles shared in the database, one answer for every
failure, the same work for every failure, hostile names and redirects (findings 4, 5,
6, 9 and 11 of the security test)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance import accounts, throttle
from governance.accounts import create_user
from i18n import t
from tests.conftest import demo_password

MESSAGE = t("error.bad_credentials", "zh-CN", minutes=15)


def _form(client: Any) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def _login(client: Any, username: str, password: str, **extra: str) -> Any:
    token = _form(client)
    data = {"username": username, "password": password, "csrf_token": token, **extra}
    return client.post("/login", data=data)


def _failures(addr: str = "127.0.0.1") -> int:
    with session_scope(admin=True) as s:
        return int(
            s.execute(
                text("SELECT coalesce(sum(hits), 0) FROM rate_limit WHERE bucket = :b"),
                {"b": throttle.SIGNIN_FAILURES_PER_ADDRESS.bucket(addr)},
            ).scalar_one()
        )


def test_spraying_from_one_address_is_throttled(anon_client) -> None:
    """Finding 4: 60 attempts in 10 s were all answered at full speed. Now the limit's
    failures from one address are checked, then 429 with Retry-After, no check at all,
    and one audit record for the refusals, counted."""
    limit = throttle.SIGNIN_FAILURES_PER_ADDRESS
    for i in range(limit.hits):
        resp = _login(anon_client, f"spray-{i}", "Summer-2026!")
        assert resp.status_code == 401 and MESSAGE in resp.get_data(as_text=True)
    calls = []
    original = accounts._verify
    accounts._verify = lambda h, p: calls.append(1) or original(h, p)  # type: ignore[assignment]
    try:
        for _ in range(5):
            refused = _login(anon_client, "commander", demo_password("commander"))
            assert refused.status_code == 429
            assert int(refused.headers["Retry-After"]) > 0
            assert t("error.signin.throttled", "zh-CN", minutes=10)[:8] in refused.get_data(
                as_text=True
            )
    finally:
        accounts._verify = original  # type: ignore[assignment]
    assert calls == []  # a refused attempt checks no password
    with session_scope(admin=True) as s:
        throttled = s.execute(
            text(
                "SELECT detail FROM audit_log WHERE action = 'login_failed' "
                "AND detail ->> 'reason' = 'throttled' ORDER BY id"
            )
        ).scalars()
        records = list(throttled)
        refused_count = s.execute(
            text("SELECT sum(refused) FROM rate_limit WHERE bucket = :b"),
            {"b": limit.bucket("127.0.0.1")},
        ).scalar_one()
    assert len(records) == 1 and records[0]["limit"] == limit.name
    assert refused_count == 5  # every refusal counted, one written


def test_the_count_is_shared_by_every_worker(anon_client) -> None:
    """The counters live in PostgreSQL: failures counted by another process (another
    worker, another node) count here too."""
    limit = throttle.SIGNIN_FAILURES_PER_ADDRESS
    with session_scope(admin=True) as s:
        for _ in range(limit.hits):
            throttle.count(s, limit, "127.0.0.1")
    assert _login(anon_client, "commander", demo_password("commander")).status_code == 429


def test_the_global_limit_stops_spraying_from_many_addresses(anon_client) -> None:
    limit = throttle.SIGNIN_FAILURES_ALL
    with session_scope(admin=True) as s:
        for _ in range(limit.hits):
            throttle.count(s, limit, throttle.GLOBAL)
    assert _login(anon_client, "commander", demo_password("commander")).status_code == 429


def test_only_failures_count(anon_client) -> None:
    """A county office behind one address signing in all at once is not throttled."""
    for _ in range(throttle.SIGNIN_FAILURES_PER_ADDRESS.hits + 5):
        client_ok = _login(anon_client, "commander", demo_password("commander"))
        assert client_ok.status_code == 302
    assert _failures() == 0


@pytest.mark.parametrize("case", ["unknown", "wrong", "locked", "disabled", "right"])
def test_every_answer_costs_one_password_check(anon_client, case: str) -> None:
    """Finding 5: a locked account answered in 7 ms, others in 190 ms. Every branch now
    runs exactly one argon2 verification (counted, not timed) and the failures share
    one message."""
    name = f"timing-{uuid.uuid4().hex[:8]}"
    password = "Timing-Pass-2026!"
    with session_scope() as s:
        create_user(s, username=name, password=password, role="commander")
        if case == "locked":
            s.execute(
                text(
                    "UPDATE app_user SET locked_until = now() + interval '5 minutes' "
                    "WHERE username = :u"
                ),
                {"u": name},
            )
        if case == "disabled":
            s.execute(text("UPDATE app_user SET disabled = true WHERE username = :u"), {"u": name})
    calls = []
    original = accounts._verify
    accounts._verify = lambda h, p: calls.append(1) or original(h, p)  # type: ignore[assignment]
    try:
        resp = _login(
            anon_client,
            "no-such-account" if case == "unknown" else name,
            "wrong" if case == "wrong" else password,
        )
    finally:
        accounts._verify = original  # type: ignore[assignment]
    assert calls == [1]
    if case == "right":
        assert resp.status_code == 302
    else:
        assert resp.status_code == 401 and MESSAGE in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "username",
    ["bad\x00name", b"%ED%A0%80", "a" * 10_000, "tab\tname", "\x1b[2J", "名字\u202e"],
)
def test_a_hostile_name_is_a_counted_audited_failure(anon_client, username: Any) -> None:
    """Finding 11: a NUL byte in the name was a 500 and no audit record. (The bytes of
    an encoded lone surrogate are sent as they are: a client cannot encode one.)"""
    start = _last_audit()
    if isinstance(username, bytes):
        token = _form(anon_client)
        resp = anon_client.post(
            "/login",
            data=b"username=" + username + b"&password=x&csrf_token=" + token.encode(),
            content_type="application/x-www-form-urlencoded",
        )
    else:
        resp = _login(anon_client, username, "whatever")
    assert resp.status_code == 401 and MESSAGE in resp.get_data(as_text=True)
    with session_scope(admin=True) as s:
        reasons = s.execute(
            text(
                "SELECT detail ->> 'reason' FROM audit_log WHERE id > :i "
                "AND action = 'login_failed'"
            ),
            {"i": start},
        ).scalars()
        assert list(reasons) in (["malformed_username"], ["unknown_user"])
    assert _failures() == 1


def _last_audit() -> int:
    with session_scope(admin=True) as s:
        return int(s.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one())


@pytest.mark.parametrize(
    "nxt",
    [
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/%0d%0aSet-Cookie:x=1",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\u3000/evil",
        "/%2F%2Fevil.example",
        "/%5Cevil.example",
        "",
    ],
)
def test_sign_in_never_redirects_elsewhere(anon_client, nxt: str) -> None:
    """Finding 6: a tab inside ``/\\t/host`` could be read as another host, a newline
    was a 500. Only paths of this site pass; the rest go to the start page."""
    resp = _login(anon_client, "commander", demo_password("commander"), next=nxt)
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "evil" not in location and "\n" not in location
    page = anon_client.get("/login?next=" + nxt.replace("\n", "%0A"))
    assert page.status_code in (200, 302, 400)


def test_a_control_character_in_the_query_is_a_400(anon_client) -> None:
    for url in ("/login?next=/%0A/evil", "/login?next=%00", "/report?code=%1b"):
        resp = anon_client.get(url)
        assert resp.status_code == 400, url
        assert t("error.request.control", "zh-CN") in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_a_cross_site_post_is_refused_even_with_the_token(anon_client, headers: dict) -> None:
    """A second check beside the CSRF token: what the browser says about the origin."""
    token = _form(anon_client)
    data = {"username": "commander", "password": demo_password("commander"), "csrf_token": token}
    resp = anon_client.post("/login", data=data, headers=headers)
    assert resp.status_code == 403
    assert t("error.request.origin", "zh-CN") in resp.get_data(as_text=True)
    same = anon_client.post(
        "/login",
        data=data,
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert same.status_code == 302


def test_public_report_limits_are_shared_by_every_worker(anon_client) -> None:
    """Finding 9: the report limit was counted per worker process (two workers: twice
    the rate). Reports counted by another process count here."""
    from web.public import REPORTS

    with session_scope(admin=True) as s:
        for _ in range(REPORTS.hits):
            throttle.count(s, REPORTS, "127.0.0.1")
    page = anon_client.get("/report").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    resp = anon_client.post("/report", data={"csrf_token": token, "description": "路灯不亮"})
    assert resp.status_code == 429


def test_a_nul_byte_in_an_audit_export_filter_is_a_400_and_audited() -> None:
    """Finding 11: a NUL in an audit-export filter was a 500 and left no record."""
    auditor = _signed_in_auditor()
    start = _last_audit()
    for query in ("user=a%00b", "action=%00", "object=x%0Ay"):
        resp = auditor.get(f"/audit/export.csv?{query}")
        assert resp.status_code == 400, query
        assert t("error.request.control", "zh-CN") in resp.get_data(as_text=True)
    with session_scope(admin=True) as s:
        checks = s.execute(
            text(
                "SELECT detail ->> 'check' FROM audit_log WHERE id > :i "
                "AND action = 'access_denied' AND username = 'auditor'"
            ),
            {"i": start},
        ).scalars()
        assert list(checks) == ["control_characters"] * 3


def _signed_in_auditor() -> Any:
    from tests.conftest import signed_in_client

    return signed_in_client("auditor")
