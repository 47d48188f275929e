"""The handling block of the incident panel over hand-made callback requests: it offers
exactly the server's allowed actions, and a submit changes the incident only when the
server's checks pass (role, department, version)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from geodata.db import session_scope
from pages.map_ids import MapIds
from tests.conftest import signed_in_client
from tests.integration.test_persons_ui import _key, _post, _prop_id, _raw, panel_body
from tests.integration.test_workflow import new_incident, state


def act_body(
    incident: Any,
    action: str,
    version: Any,
    note: str = "",
    dept: Any = None,
    file: Any = None,
    filename: Any = None,
) -> dict:
    def fid(kind: str) -> dict[str, Any]:
        return {"type": kind, "incident": incident}

    return {
        "output": _key(MapIds.FLOW_TYPE + '"}.children'),
        "outputs": {"id": fid(MapIds.FLOW_TYPE), "property": "children"},
        "inputs": [{"id": fid(MapIds.FLOW_SUBMIT_TYPE), "property": "n_clicks", "value": 1}],
        "state": [
            {"id": fid(MapIds.FLOW_ACTION_TYPE), "property": "value", "value": action},
            {"id": fid(MapIds.FLOW_NOTE_TYPE), "property": "value", "value": note},
            {"id": fid(MapIds.FLOW_VERSION_TYPE), "property": "data", "value": version},
            {"id": fid(MapIds.FLOW_DEPT_TYPE), "property": "value", "value": dept},
            {"id": fid(MapIds.FLOW_UNTIL_TYPE), "property": "value", "value": None},
            {"id": fid(MapIds.FLOW_INTO_TYPE), "property": "value", "value": None},
            {"id": fid(MapIds.FLOW_FILE_TYPE), "property": "contents", "value": file},
            {"id": fid(MapIds.FLOW_FILE_TYPE), "property": "filename", "value": filename},
        ],
        "changedPropIds": [_prop_id(fid(MapIds.FLOW_SUBMIT_TYPE), "n_clicks")],
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
    from governance.workflow import departments

    urban = next(d["id"] for d in departments() if d["code"] == "urban_mgmt")
    assert "已完成" in _raw(_post(sup, act_body(iid, "dispatch", 2, dept=urban)))
    offered = _raw(_post(dept, panel_body({"kind": "incident", "id": iid})))
    assert '"value": "accept"' in offered and "签收时限" in offered
    assert "已完成" in _raw(_post(dept, act_body(iid, "accept", 3)))
    assert state(iid)["status"] == "accepted"
    for bad in ("x", None, [1]):
        assert _post(sup, act_body(bad, "verify", 1)).status_code in (200, 204)


def inbox_body() -> dict:
    return {
        "output": _key(f"{MapIds.INBOX}.children"),
        "outputs": {"id": MapIds.INBOX, "property": "children"},
        "inputs": [
            {"id": MapIds.INBOX_TICK, "property": "n_intervals", "value": 1},
            [],  # ALL of the panel's flow blocks: none open (as Dash sends it)
        ],
        "state": [],
        "changedPropIds": [f"{MapIds.INBOX_TICK}.n_intervals"],
    }


def test_department_inbox_lists_its_open_cases_most_urgent_first() -> None:
    from governance.inbox import department_queue
    from governance.workflow import departments
    from tests.integration.test_workflow import _principal

    dept = _principal("dept")
    urban = next(d["id"] for d in departments() if d["code"] == "urban_mgmt")
    iid = new_incident("dispatched", lead=urban)
    with session_scope(admin=True) as s:  # long overdue: the most urgent case of all
        s.execute(
            text("UPDATE incident SET accept_due_at = '2000-01-01' WHERE id = :id"), {"id": iid}
        )
    queue = department_queue(dept)
    assert queue["items"][0]["id"] == iid and queue["items"][0]["sla"]["state"] == "red"
    ids = [i["id"] for i in queue["items"]]
    assert iid in ids and queue["total"] >= len(ids)
    with session_scope(admin=True) as s:
        leads = set(
            s.execute(
                text("SELECT DISTINCT lead_department_id FROM incident WHERE id = ANY(:ids)"),
                {"ids": ids},
            ).scalars()
        )
    assert leads == {urban}
    dues = [i["sla"]["due_at"] for i in queue["items"] if i["sla"]]
    raw = _raw(_post(signed_in_client("dept"), inbox_body()))
    assert f'"incident": {iid}' in raw or f'"incident":{iid}' in raw
    # other roles have no inbox: an empty list, nothing from the queue
    for user in ("commander", "supervisor"):
        assert str(iid) not in _raw(_post(signed_in_client(user), inbox_body()))
    assert dues == sorted(dues)  # the running deadline, soonest first


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
