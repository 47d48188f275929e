"""The patrol report in a real Chromium: a supervisor signs in, opens /patrol-report,
reads last month's totals (checked against direct SQL over their street), downloads the
rates table as CSV, drills down to the communities, reassigns a missed visit, and the
page stays usable 390 px wide.

Every wait is on a condition of the page (an element, a text), never on the clock.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance.demo_accounts import DEMO_ACCOUNTS
from governance.filters import LOCAL_TZ
from governance.patrol_report import parse_period
from pages.patrol_report_ids import ReportIds as Ids
from tests.e2e.conftest import Console, sign_in

pytestmark = pytest.mark.e2e

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
ROW = f"#{Ids.BODY} .mq-preport-row"


def _expected(start: Any, end: Any) -> tuple[str, dict[str, int]]:
    """The supervisor's street and its due / done / missed visits of the period, by a
    query written here (a task is due when its last day is in the period and its deadline
    has passed, or it is done; cancelled ones never)."""
    with session_scope(admin=True) as s:
        scope = s.execute(
            text("""SELECT left(a.code, 9) FROM app_user u JOIN area a ON a.id = u.area_id
                    WHERE u.username = 'supervisor'""")
        ).scalar_one()
        row = s.execute(
            text("""
            SELECT count(*) AS due, count(*) FILTER (WHERE k.status = 'done') AS done
            FROM patrol_task k JOIN area g ON g.id = k.grid_id
            WHERE g.code LIKE :p AND k.last_day BETWEEN :a AND :b AND k.status <> 'cancelled'
              AND (k.status = 'done' OR k.deadline <= now())"""),
            {"p": scope + "%", "a": start, "b": end},
        ).one()
    return scope, {"due": row.due, "done": row.done, "missed": row.due - row.done}


def test_supervisor_reads_the_report_and_downloads_the_csv(
    anon_page: Any, live_server: str, console: Console, tmp_path: Path
) -> None:
    page = anon_page
    sign_in(page, live_server, "supervisor", PASSWORDS["supervisor"])
    page.goto(live_server + "/patrol-report")
    page.wait_for_selector(f"#{Ids.BODY} .mq-eval-summary")
    page.check(f"#{Ids.PERIOD} input[value='last_month']")
    period = parse_period("last_month", today=datetime.now(LOCAL_TZ).date())
    summary = page.locator(f"#{Ids.BODY} .mq-eval-summary", has_text=period.start.isoformat())
    summary.wait_for()
    summary.wait_for()
    scope, expected = _expected(period.start, period.end)
    assert expected["due"] > 0  # the demo's year of tasks
    page.wait_for_selector(f"{ROW}[data-key='total']")
    total = page.locator(f"{ROW}[data-key='total']")
    shown = {c: total.locator(f".mq-preport-col-{c}").inner_text().strip() for c in expected}
    assert shown == {k: str(v) for k, v in expected.items()}
    keys = page.locator(ROW).evaluate_all("rows => rows.map(r => r.dataset.key)")
    assert [k for k in keys if k != "total"] == [scope]  # their street, and only theirs

    link = f"#{Ids.EXPORTS} a[data-dataset='patrol-rates'][data-format='csv']"
    with page.expect_download() as info:
        page.click(link)
    body = Path(info.value.path()).read_text(encoding="utf-8-sig")
    table = list(csv.DictReader(io.StringIO(body)))
    assert [r["key"] for r in table] == [scope, ""]
    assert {k: int(table[-1][k]) for k in expected} == expected

    # drill down: the street's name opens its communities, the period kept
    page.click(f"{ROW}[data-key='{scope}'] a.mq-preport-drill")
    page.wait_for_url(lambda url: "group=community" in url)
    page.locator(f"#{Ids.BODY} .mq-eval-summary", has_text=period.start.isoformat()).wait_for()
    page.wait_for_selector(f"{ROW}[data-key='total']")
    communities = page.locator(ROW).evaluate_all("rows => rows.map(r => r.dataset.key)")
    assert len(communities) > 2 and all(
        k == "total" or (len(k) == 12 and k.startswith(scope)) for k in communities
    )
    total = page.locator(f"{ROW}[data-key='total']")
    assert total.locator(".mq-preport-col-due").inner_text().strip() == str(expected["due"])

    # reassign the first missed visit to another grid worker of the street
    first = page.locator(".mq-preport-missed-row").first
    task = first.get_attribute("data-key")
    first.get_by_role("button").click()
    page.wait_for_selector(f"#{Ids.DIALOG}:not([hidden])")
    assert f"#{task}" in page.inner_text(f"#{Ids.DIALOG_TITLE}")
    with session_scope(admin=True) as s:  # another grid worker of the street
        other = s.execute(
            text("""SELECT u.username, u.display_name, a.name FROM app_user u
                    JOIN area a ON a.id = u.area_id
                    WHERE u.role = 'grid_worker' AND NOT u.disabled AND a.code LIKE :p
                      AND u.id IS DISTINCT FROM (SELECT assignee_id FROM patrol_task
                                                 WHERE id = :t)
                    ORDER BY a.code DESC LIMIT 1"""),
            {"p": scope + "%", "t": int(task or 0)},
        ).one()
    username = other.username
    page.locator(f"#{Ids.WORKER}").click()
    label = f"{other.display_name}（{username}）· {other.name}"
    page.get_by_role("option", name=label, exact=True).click()
    page.keyboard.press("Escape")
    page.click(f"#{Ids.OK}")
    page.locator(f"#{Ids.DIALOG_MESSAGE}", has_text=f"已改派给 {username}").wait_for()
    with session_scope(admin=True) as s:
        assignee = s.execute(
            text("""SELECT u.username, left(a.code, 9) FROM patrol_task k
                    JOIN app_user u ON u.id = k.assignee_id JOIN area a ON a.id = u.area_id
                    WHERE k.id = :t"""),
            {"t": int(task or 0)},
        ).one()
    assert assignee == (username, scope)
    row = page.locator(f".mq-preport-missed-row[data-key='{task}'] .mq-preport-col-worker")
    row.filter(has_text=username).wait_for()  # the list was drawn again
    page.click(f"#{Ids.CANCEL}")
    page.wait_for_selector(f"#{Ids.DIALOG}[hidden]", state="attached")

    # a phone: the filters wrap, the table scrolls inside its own box
    page.set_viewport_size({"width": 390, "height": 800})
    page.wait_for_selector(ROW)
    wrap = page.locator(f"#{Ids.BODY} .mq-eval-table-wrap").bounding_box()
    assert wrap is not None and wrap["x"] >= 0 and wrap["x"] + wrap["width"] <= 390
    controls = page.locator(f"#{Ids.PERIOD}").bounding_box()
    assert controls is not None and controls["x"] + controls["width"] <= 390
    console.check()
