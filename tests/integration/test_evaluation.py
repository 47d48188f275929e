"""The monthly evaluation (/evaluation), and access to both analytics screens
(/evaluation and /consult; the packet itself: test_consult.py).

Services are checked in the rolled-back ``session`` fixture; the callbacks are called as the browser calls them (POST /_dash-update-component) by
signed-in demo users, so what is checked is what a screen receives: access refused
without ANALYTICS_VIEW, a supervisor's answers confined to their street.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.db import session_scope
from governance import consult, evaluation
from governance.access import ANALYTICS_VIEW, ROLE_PERMISSIONS
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ
from pages.consult_ids import ConsultIds
from pages.evaluation_ids import EvalIds
from tests.conftest import signed_in_client


# ----------------------------------------------------------------------------- helpers
def post_callback(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, Any]]):  # type: ignore[no-untyped-def]
    cookie = client.get_cookie("_csrf_token")
    payload = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
    }
    return client.post(
        "/_dash-update-component",
        data=json.dumps(payload),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookie.value if cookie else ""},
    )


def eval_call(client, month: Any, tab: Any = "department"):  # type: ignore[no-untyped-def]
    return post_callback(
        client,
        [(EvalIds.BODY, "children"), (EvalIds.MESSAGE, "children")],
        [(EvalIds.MONTH, "value", month), (EvalIds.TABS, "value", tab)],
    )


CONSULT_OUT = [
    (ConsultIds.SUMMARY, "children"),
    (ConsultIds.STUCK, "children"),
    (ConsultIds.HOTSPOTS, "children"),
    (ConsultIds.REPEATS, "children"),
    (ConsultIds.BLIND, "children"),
    (ConsultIds.MESSAGE, "children"),
]


def consult_call(client, week: Any):  # type: ignore[no-untyped-def]
    return post_callback(client, CONSULT_OUT, [(ConsultIds.WEEK, "value", week)])


def rows(node: Any, prefix: str = "mq-eval") -> dict[str, dict[str, str]]:
    """data-key -> {column: text} of the table rows in a JSON layout tree."""
    found: dict[str, dict[str, str]] = {}

    def text_of(n: Any) -> str:
        if isinstance(n, list):
            return "".join(text_of(x) for x in n)
        if isinstance(n, dict):
            return text_of(n.get("props", {}).get("children"))
        return "" if n is None else str(n)

    def walk(n: Any) -> None:
        if isinstance(n, list):
            for x in n:
                walk(x)
        elif isinstance(n, dict):
            props = n.get("props") or {}
            if str(props.get("className", "")).startswith(f"{prefix}-row"):
                cells = {}
                for td in props["children"]:
                    cls = td["props"]["className"]
                    cells[cls.removeprefix(f"{prefix}-col-")] = text_of(td)
                found[props["data-key"]] = cells
            else:
                walk(props.get("children"))

    walk(node)
    return found


def pct(part: int, whole: int) -> str:
    """As the table shows a share: with the number of cases it rests on, a dash under
    the minimum of 5 (a share of one or two cases says nothing)."""
    shown = "—" if whole < 5 else f"{100 * part / whole:.1f}%"
    return f"{shown}（{whole} 件）"


def supervisor_scope() -> str:
    with session_scope(admin=True) as s:
        return str(
            s.execute(
                text("""SELECT left(a.code, 9) FROM app_user u JOIN area a ON a.id = u.area_id
                        WHERE u.username = 'supervisor'""")
            ).scalar_one()
        )


# ------------------------------------------------------------------------------ access
def test_capability_is_given_to_commander_and_supervisor_only() -> None:
    holders = {str(r) for r, caps in ROLE_PERMISSIONS.items() if ANALYTICS_VIEW in caps}
    assert holders == {"commander", "supervisor"}


@pytest.mark.parametrize("username", ["gridworker", "dept", "auditor", "wall", "admin"])
def test_roles_without_the_capability_are_refused(username: str) -> None:
    client = signed_in_client(username)
    assert client.get("/evaluation").status_code == 403
    assert client.get("/consult").status_code == 403
    for resp in (eval_call(client, None), consult_call(client, None)):
        assert resp.status_code == 403 and resp.get_json()["key"] == "error.forbidden"


def test_service_refuses_without_the_capability() -> None:
    from governance.access import Principal
    from governance.errors import Forbidden
    from governance.uow import unit_of_work

    dept = Principal(1, "d", "d", "dept_staff", department_id=1)
    with pytest.raises(Forbidden), unit_of_work(dept) as s:
        evaluation.monthly(s, dept, None)
    with pytest.raises(Forbidden), unit_of_work(dept) as s:
        consult.weekly(s, dept, None)
    with pytest.raises(Forbidden), unit_of_work(None) as s:
        evaluation.monthly(s, None, None)


# ---------------------------------------------------------------------- the evaluation
def test_supervisor_sees_only_their_street_and_figures_match_sql() -> None:
    client = signed_in_client("supervisor")
    assert client.get("/evaluation").status_code == 200
    month = evaluation.default_month()
    start, end = evaluation.parse_month(month)
    scope = supervisor_scope()
    resp = eval_call(client, month, "grid")
    assert resp.status_code == 200
    body = resp.get_json()["response"]
    grids = rows(body[EvalIds.BODY]["children"])
    assert grids and all(k.startswith(scope) for k in grids)
    street = rows(
        eval_call(client, month, "street").get_json()["response"][EvalIds.BODY]["children"]
    )
    assert list(street) and all(k[:9] == scope for k in street)
    depts = rows(
        eval_call(client, month, "department").get_json()["response"][EvalIds.BODY]["children"]
    )
    assert depts
    with session_scope(admin=True) as s:
        for key, cells in depts.items():
            p = {"d": int(key), "s": start, "e": end, "scope": scope + "%"}
            base = """FROM incident i JOIN area g ON g.id = i.grid_id
                      WHERE i.lead_department_id = :d AND g.code LIKE :scope
                        AND i.dispatched_at >= :s AND i.dispatched_at < :e"""
            received = s.execute(text(f"SELECT count(*) {base}"), p).scalar_one()
            due = s.execute(
                text(f"""SELECT count(*) {base} AND i.resolve_due_at IS NOT NULL
                        AND (i.resolved_at IS NOT NULL
                             OR (i.resolve_due_at < now()
                                 AND i.status IN ('accepted', 'in_progress')))"""),
                p,
            ).scalar_one()
            ok = s.execute(
                text(f"SELECT count(*) {base} AND i.resolved_at <= i.resolve_due_at"), p
            ).scalar_one()
            assert cells["received"] == str(received)
            assert cells["resolved"] == pct(ok, due)
    # whole-city grid keys never reach a supervisor; the commander sees more streets
    city = rows(
        eval_call(signed_in_client("commander"), month, "street").get_json()["response"][
            EvalIds.BODY
        ]["children"]
    )
    assert len(city) > len(street) and set(street) <= set(city)


def test_bad_month_gives_a_translated_message_and_no_table() -> None:
    client = signed_in_client("commander")
    future = (datetime.now(LOCAL_TZ) + timedelta(days=40)).strftime("%Y-%m")
    for bad in ("2026-13", "last month", 202611, future, "1999-12"):
        body = eval_call(client, bad).get_json()["response"]
        assert body[EvalIds.BODY]["children"] == []
        assert "月份" in body[EvalIds.MESSAGE]["children"]
    client.set_cookie("minqing_lang", "en")
    body = eval_call(client, "2026-13").get_json()["response"]
    assert body[EvalIds.MESSAGE]["children"].startswith("Invalid month")


def test_empty_month_renders_no_data(session: Session) -> None:
    now = datetime(2001, 6, 15, tzinfo=LOCAL_TZ)
    ev = evaluation.evaluate(session, None, "2001-05", now=now)
    assert ev.previous_month == "2001-04" and all(v == [] for v in ev.cards.values())
    from pages.evaluation_parts import scorecard_table

    assert "没有数据" in json.dumps(
        [c.to_plotly_json() for c in scorecard_table(ev, "grid", "zh-CN")],
        default=str,
        ensure_ascii=False,
    )


def test_evaluation_compares_with_the_previous_calendar_month(session: Session) -> None:
    from governance import scores

    month = evaluation.default_month()
    ev = evaluation.evaluate(session, None, month)
    start, end = evaluation.parse_month(month)
    prev_start, prev_end = evaluation.parse_month(ev.previous_month)
    assert prev_end == start
    for kind in scores.KINDS:
        before = {
            c.key: c
            for c in scores.scorecard(
                session, kind=kind, scope=None, start=prev_start, end=prev_end
            )
        }
        assert ev.cards[kind], kind
        for card in ev.cards[kind]:
            prev = before.get(card.key)
            assert card.previous_score == (prev.score if prev else None)
            assert card.previous_rank == (prev.rank if prev else None)


def test_the_current_month_is_compared_like_for_like(session: Session) -> None:
    """A partial month ends at now and is compared with the same span of the month
    before, not with a whole month (which would always look better)."""
    from governance import scores

    now = datetime.now(LOCAL_TZ)
    month = now.strftime("%Y-%m")
    ev = evaluation.evaluate(session, None, month, now=now)
    start, _end = evaluation.parse_month(month)
    prev_start, _prev_end = evaluation.parse_month(ev.previous_month)
    same_span = min(start, prev_start + (now - start))
    for kind in scores.KINDS:
        before = {
            c.key: c
            for c in scores.scorecard(
                session, kind=kind, scope=None, start=prev_start, end=same_span, as_of=now
            )
        }
        for card in ev.cards[kind]:
            prev = before.get(card.key)
            assert card.previous_score == (prev.score if prev else None)


def test_unknown_tab_falls_back_to_departments() -> None:
    client = signed_in_client("commander")
    body = eval_call(client, None, {"x": 1}).get_json()["response"]
    assert "mq-eval-table-department" in json.dumps(body)
    assert body[EvalIds.MESSAGE]["children"] == ""


def test_month_parsing() -> None:
    now = datetime(2026, 3, 10, 12, tzinfo=LOCAL_TZ)
    assert evaluation.default_month(now) == "2026-02"
    assert evaluation.month_options(now)[:3] == ["2026-03", "2026-02", "2026-01"]
    start, end = evaluation.parse_month("2026-02", now)
    assert (start.isoformat(), end.isoformat()) == (
        "2026-02-01T00:00:00+08:00",
        "2026-03-01T00:00:00+08:00",
    )
    assert evaluation.parse_month("2025-12", now)[1].month == 1
    for bad in ("2026-04", "2026-00", "26-01", None, ["2026-01"]):
        with pytest.raises(InvalidInput):
            evaluation.parse_month(bad, now)
