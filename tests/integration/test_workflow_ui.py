"""The handling block of the incident panel over hand-made callback requests: it offers
exactly the server's allowed actions, and a submit changes the incident only when the
server's checks pass (role, department, version)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import text

from geodata.db import session_scope
from governance.filters import LOCAL_TZ
from pages.map_ids import MapIds
from tests.conftest import signed_in_client
from tests.integration.test_persons_ui import _key, _post, _prop_id, _raw, panel_body
from tests.integration.test_workflow import new_incident, state


def act_body(
    incident: Any,
    action: Any,
    version: Any,
    note: str = "",
    dept: Any = None,
    file: Any = None,
    filename: Any = None,
    *,
    confirm: bool | None = None,
    until: Any = None,
) -> dict:
    """The body of a click on 提交 (``confirm=False``) or on 确认 (``confirm=True``, what
    a weighty step takes; the default: whichever button the browser shows for
    ``action``)."""
    from pages.map_flow_form import needs_confirm

    def fid(kind: str) -> dict[str, Any]:
        return {"type": kind, "incident": incident}

    confirmed = needs_confirm(action) if confirm is None else confirm
    clicked = MapIds.FLOW_CONFIRM_TYPE if confirmed else MapIds.FLOW_SUBMIT_TYPE
    return {
        "output": _key(MapIds.FLOW_TYPE + '"}.children'),
        "outputs": [
            {"id": fid(MapIds.FLOW_TYPE), "property": "children"},
            {"id": fid(MapIds.FLOW_STATUS_TYPE), "property": "children"},
            {"id": fid(MapIds.FLOW_STATUS_TYPE), "property": "className"},
        ],
        "inputs": [
            {"id": fid(MapIds.FLOW_SUBMIT_TYPE), "property": "n_clicks", "value": 1},
            {"id": fid(MapIds.FLOW_CONFIRM_TYPE), "property": "n_clicks", "value": int(confirmed)},
        ],
        "state": [
            {"id": fid(MapIds.FLOW_ACTION_TYPE), "property": "value", "value": action},
            {"id": fid(MapIds.FLOW_NOTE_TYPE), "property": "value", "value": note},
            {"id": fid(MapIds.FLOW_DEPT_TYPE), "property": "value", "value": dept},
            {"id": fid(MapIds.FLOW_UNTIL_TYPE), "property": "value", "value": until},
            {"id": fid(MapIds.FLOW_INTO_TYPE), "property": "value", "value": None},
            {"id": fid(MapIds.FLOW_VERSION_TYPE), "property": "data", "value": version},
            {"id": fid(MapIds.FLOW_FILE_TYPE), "property": "contents", "value": file},
            {"id": fid(MapIds.FLOW_FILE_TYPE), "property": "filename", "value": filename},
        ],
        "changedPropIds": [_prop_id(fid(clicked), "n_clicks")],
    }


def test_panel_offers_the_allowed_actions_and_submits_them() -> None:
    iid = new_incident()
    sup = signed_in_client("supervisor")
    panel = _raw(_post(sup, panel_body({"kind": "incident", "id": iid})))
    # the offered actions are the form's options (other blocks may mention statuses)
    assert "处置" in panel and '"value": "verify"' in panel
    assert '"value": "dispatch"' not in panel  # verify, not dispatch yet
    done = _raw(_post(sup, act_body(iid, "verify", 1)))
    assert "已完成" in done and '"value": "dispatch"' in done  # now it offers dispatch
    assert state(iid)["status"] == "verified"
    # the same stale form again: refused, nothing changes
    again = _raw(_post(sup, act_body(iid, "verify", 1)))
    assert "刷新" in again and state(iid)["version"] == 2
    # a role that may not dispatch, by a hand-made request
    dept = signed_in_client("dept")
    refused = _raw(_post(dept, act_body(iid, "dispatch", 2)))
    assert "无权" in refused and state(iid)["status"] == "verified"
    # dispatch to the demo department's own department, then it accepts from its panel
    from tests.integration.test_workflow import departments

    urban = next(d["id"] for d in departments() if d["code"] == "urban_mgmt")
    assert "已完成" in _raw(_post(sup, act_body(iid, "dispatch", 2, dept=urban)))
    offered = _raw(_post(dept, panel_body({"kind": "incident", "id": iid})))
    assert '"value": "accept"' in offered and "签收时限" in offered
    assert "已完成" in _raw(_post(dept, act_body(iid, "accept", 3)))
    assert state(iid)["status"] == "accepted"
    for bad in ("x", None, [1]):
        assert _post(sup, act_body(bad, "verify", 1)).status_code in (200, 204)


def inbox_body(versions: list[Any] | None = None, shown: Any = None) -> dict:
    """The inbox's refresh: its timer ticked (or a pushed change bumped it); ``shown``:
    the fingerprint of the inbox on screen, as its store holds it."""
    return {
        "output": _key(f"{MapIds.INBOX}.children"),
        "outputs": [
            {"id": MapIds.INBOX, "property": "children"},
            {"id": MapIds.INBOX_SHOWN, "property": "data"},
        ],
        "inputs": [
            {"id": MapIds.INBOX_TICK, "property": "n_intervals", "value": 1},
            versions or [],  # ALL of the panel's version stores: none open (as Dash sends it)
        ],
        "state": [{"id": MapIds.INBOX_SHOWN, "property": "data", "value": shown}],
        "changedPropIds": [f"{MapIds.INBOX_TICK}.n_intervals"],
    }


def test_timer_callbacks_do_not_keep_an_idle_session_alive() -> None:
    """The inbox refreshes itself every 30 s: that must not count as the person being
    there (an unattended screen still times out); a click in the panel does."""
    import time

    dept = signed_in_client("dept")
    with dept.session_transaction() as sess:
        seen = sess["seen_at"] = int(time.time()) - 120
    assert _post(dept, inbox_body()).status_code == 200
    with dept.session_transaction() as sess:
        assert sess["seen_at"] == seen  # the idle clock still runs
    _post(dept, panel_body({"kind": "incident", "id": new_incident()}))
    with dept.session_transaction() as sess:
        assert sess["seen_at"] > seen  # a person acted


# ------------------------------------------------------------------ the panel's form and badge
def _props(node: Any) -> Iterator[dict[str, Any]]:
    """The props of every component in a callback answer, depth first."""
    if isinstance(node, dict):
        if isinstance(node.get("props"), dict):
            yield node["props"]
        for value in node.values():
            yield from _props(value)
    elif isinstance(node, list):
        for value in node:
            yield from _props(value)


def components(tree: Any, kind: str) -> list[dict[str, Any]]:
    """The props of every component of a callback answer whose pattern id is a ``kind``."""
    return [
        p for p in _props(tree) if isinstance(p.get("id"), dict) and p["id"].get("type") == kind
    ]


def _with(tree: Any, attribute: str) -> list[dict[str, Any]]:
    """The props of every component of ``tree`` that has ``attribute``."""
    return [p for p in _props(tree) if attribute in p]


def shown_state(answer: dict[str, Any]) -> tuple[str, str, str]:
    """(the badge's text, the status its class names, the last timeline step's status)
    of an answer of the step callback: both come from the same read."""
    badge = next(v for k, v in answer["response"].items() if MapIds.FLOW_STATUS_TYPE in k)
    steps = _with(answer["response"], "data-to")
    status = badge["className"].rsplit("mq-status-", 1)[1]
    return badge["children"], status, steps[-1]["data-to"] if steps else ""


def test_the_form_chooses_nothing_and_asks_before_a_weighty_step() -> None:
    from governance.transitions import TRANSITIONS
    from pages.map_flow_form import CONFIRM

    iid = new_incident()
    sup = signed_in_client("supervisor")
    panel = _post(sup, panel_body({"kind": "incident", "id": iid})).get_json()
    (action,) = components(panel, MapIds.FLOW_ACTION_TYPE)
    (submit,) = components(panel, MapIds.FLOW_SUBMIT_TYPE)
    assert action["value"] is None and submit["disabled"] is True  # nothing preselected
    (rules,) = components(panel, MapIds.FLOW_RULES_TYPE)
    offered = rules["data"]["actions"]
    assert {"verify", "reject"} <= set(offered)
    assert set(rules["data"]["note"]) == {a for a in offered if TRANSITIONS[a].needs_note}
    assert set(rules["data"]["confirm"]) == set(offered) & CONFIRM
    (badge,) = components(panel, MapIds.FLOW_STATUS_TYPE)
    assert badge["children"] == "已登记" and "mq-status-registered" in badge["className"]
    # 提交 on a weighty step sends nothing (the question shows in the browser) ...
    assert _post(sup, act_body(iid, "reject", 1, "重复上报", confirm=False)).status_code == 204
    assert state(iid)["version"] == 1
    # ... and 确认 without the note the state machine requires is refused by the server
    refused = _post(sup, act_body(iid, "reject", 1)).get_json()
    assert "请填写原因" in _raw_json(refused) and state(iid)["status"] == "registered"
    assert shown_state(refused)[0] == "已登记"
    kept = components(refused, MapIds.FLOW_ACTION_TYPE)[0]
    assert kept["value"] == "reject"  # the user's own choice stays after a refusal


def _raw_json(answer: Any) -> str:
    import json

    return json.dumps(answer, ensure_ascii=False)


def test_the_badge_matches_the_timeline_after_every_step() -> None:
    from i18n import t
    from tests.integration.test_workflow import departments

    urban = next(d["id"] for d in departments() if d["code"] == "urban_mgmt")
    iid = new_incident()
    sup, dept = signed_in_client("supervisor"), signed_in_client("dept")
    steps = [
        (sup, "verify", "", None, "verified"),
        (sup, "dispatch", "", urban, "dispatched"),
        (dept, "accept", "", None, "accepted"),
        (dept, "start", "", None, "in_progress"),
        (dept, "resolve", "已清理路面", None, "resolved"),
        (sup, "close", "", None, "closed"),
    ]
    for client, action, note, lead, expected in steps:
        if action == "close":  # 提交 alone does nothing to a weighty step
            asked = act_body(iid, action, state(iid)["version"], confirm=False)
            assert _post(client, asked).status_code == 204
            assert state(iid)["status"] == "resolved"
        answer = _post(client, act_body(iid, action, state(iid)["version"], note, lead)).get_json()
        assert state(iid)["status"] == expected, _raw_json(answer)[:300]
        assert shown_state(answer) == (t(f"status.{expected}", "zh-CN"), expected, expected)
        (chosen,) = components(answer, MapIds.FLOW_ACTION_TYPE) or [{"value": None}]
        assert chosen["value"] is None  # the next step is never preselected


def test_the_timeline_says_how_far_a_resume_moved_the_deadline() -> None:
    from datetime import timedelta

    from tests.integration.test_workflow import _principal, departments, transition

    urban = next(d["id"] for d in departments() if d["code"] == "urban_mgmt")
    iid = new_incident("verified")
    boss = _principal("commander")
    transition(
        iid, "dispatch", expected_version=1, principal=boss, params={"lead_department_id": urban}
    )
    until = (datetime.now(LOCAL_TZ) + timedelta(days=5)).strftime("%Y-%m-%d %H:%M")
    transition(
        iid,
        "suspend",
        expected_version=2,
        principal=boss,
        note="等待法院裁定",
        params={"until": until},
    )
    with session_scope(admin=True) as s:  # suspended for two weeks, on the clock's own terms
        s.execute(
            text("UPDATE incident SET suspended_at = now() - interval '14 days' WHERE id = :id"),
            {"id": iid},
        )
    transition(iid, "resume", expected_version=3, principal=boss)
    panel = _raw(_post(signed_in_client("dept"), panel_body({"kind": "incident", "id": iid})))
    assert "截止时间由" in panel and "顺延至" in panel and "个工作小时" in panel
    assert f"预计 {until[5:]} 恢复办理" in panel
    moved = re.search(r"截止时间由 [^（]+（挂起 [0-9.]+ 个工作小时）", panel)
    assert moved is not None, panel[-2000:]


def test_a_suspension_may_say_when_it_expects_to_end() -> None:
    from datetime import timedelta

    from tests.integration.test_workflow import _principal, transition

    sup, dept = _principal("supervisor"), _principal("dept")
    iid = new_incident("verified")
    transition(iid, "dispatch", expected_version=state(iid)["version"], principal=sup,
               params={"lead_department_id": dept.department_id})  # fmt: skip
    client = signed_in_client("supervisor")
    panel = _post(client, panel_body({"kind": "incident", "id": iid})).get_json()
    (row,) = [  # the row that holds the date input
        p
        for p in _props(panel)
        if any(
            c.get("id", {}).get("type") == MapIds.FLOW_UNTIL_TYPE for c in _props(p.get("children"))
        )  # fmt: skip
        and "mq-flow-row" in str(p.get("className"))
    ]
    assert "mq-hidden" not in row["className"]  # suspend is offered: the date is asked for
    until = (datetime.now(LOCAL_TZ) + timedelta(days=10)).strftime("%Y-%m-%d %H:%M")
    body = act_body(iid, "suspend", state(iid)["version"], "等待法院判决", until=until)
    _post(client, body)
    assert state(iid)["status"] == "suspended"
    with session_scope(admin=True) as s:
        detail = s.execute(
            text("SELECT detail FROM incident_event WHERE incident_id = :i AND action = 'suspend'"),
            {"i": iid},
        ).scalar_one()
    assert detail["until"].startswith(until[:10])
