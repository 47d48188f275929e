"""The whole loop in Chromium, with a second browser watching live.

A resident reports at /report (no sign-in) → the command centre verifies and dispatches
from the map → the department accepts and resolves from its panel → the resident rates
"dissatisfied" → the case is back in progress → resolved again → rated "satisfied" →
closed. Another command-centre browser has the map open the whole time and receives
every change within 2 s, without a reload.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Console
from tests.e2e.test_live import BUDGET, _open
from tests.e2e.test_public import parents, rate
from tests.e2e.test_workflow import choose, select_incident, submit
from tests.integration.test_public import case, choices  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e


def times_seen(page: Any, incident_id: int) -> int:
    return int(
        page.evaluate("id => window.minqing.live.seen.filter(x => x === id).length", incident_id)
    )


def wait_event(page: Any, incident_id: int, count: int) -> None:
    """Until the watching page has received ``count`` changes of the incident."""
    page.wait_for_function(
        "([id, n]) => window.minqing.live.seen.filter(x => x === id).length >= n",
        arg=[incident_id, count],
        timeout=BUDGET * 1000,
    )


def test_public_report_to_closed_while_another_browser_watches(
    browser: Any,
    live_server: str,
    anon_page: Any,
    choices: dict[str, str],  # noqa: F811
) -> None:
    from tests.integration.test_workflow import departments

    console = Console()
    watcher = _open(browser, live_server, "commander", console)
    dispatcher = _open(browser, live_server, "commander", console)
    dept = _open(browser, live_server, "dept", console)
    resident = anon_page

    # the resident reports
    resident.goto(live_server + "/report")
    county, street = parents(choices["community"])
    resident.select_option("#report-category", choices["category"])
    resident.fill("#report-description", "小区门口路灯坏了一周")
    resident.select_option("#report-county", county)
    resident.select_option("#report-street", street)
    resident.select_option("#report-community", choices["community"])
    resident.fill("#report-phone", "13700003333")
    resident.click("#report-submit")
    resident.wait_for_selector("#report-code")
    code = resident.inner_text("#report-code").strip()
    iid = int(case(code)["id"])
    wait_event(watcher, iid, 1)
    assert watcher.evaluate("() => window.__sameDocument") is True  # no reload

    # the command centre verifies and dispatches from the incident's panel
    urban = next(d for d in departments() if d["code"] == "urban_mgmt")
    select_incident(dispatcher, iid)
    choose(dispatcher, ".mq-flow-action", "核实")
    assert "已完成" in submit(dispatcher)
    wait_event(watcher, iid, 2)
    choose(dispatcher, ".mq-flow-action", "派遣")
    choose(dispatcher, ".mq-flow-dept", urban["name"])
    assert "已完成" in submit(dispatcher)
    wait_event(watcher, iid, 3)

    # the department accepts and resolves
    select_incident(dept, iid)
    choose(dept, ".mq-flow-action", "签收")  # nothing is preselected
    assert "已完成" in submit(dept)
    wait_event(watcher, iid, 4)
    choose(dept, ".mq-flow-action", "办结")
    assert "已完成" in submit(dept, "路灯已更换")
    wait_event(watcher, iid, 5)

    # the resident is not satisfied: the case is back in progress
    resident.goto(f"{live_server}/track/{code}")
    rate(resident, "dissatisfied", "晚上还是不亮")
    assert case(code)["status"] == "in_progress"
    wait_event(watcher, iid, 6)

    # resolved again, and this time the resident is satisfied: closed
    select_incident(dept, iid)
    choose(dept, ".mq-flow-action", "办结")
    assert "已完成" in submit(dept, "更换了线路")
    assert case(code)["status"] == "resolved"
    wait_event(watcher, iid, 7)
    resident.goto(f"{live_server}/track/{code}")
    rate(resident, "satisfied")
    assert case(code)["status"] == "closed"
    wait_event(watcher, iid, 8)
    assert times_seen(watcher, iid) >= 8
    assert watcher.evaluate("() => window.__sameDocument") is True
    for p in (watcher, dispatcher, dept):
        p.context.close()
    console.check()
