"""The grid worker's day in real Chromium on a phone (390x844, touch, geolocation).

The demo grid worker signs in and lands on today's visits; completes one checklist on
site with a failed item (the case reaches the supervisor's open map live), one off site
with a reason (flagged), and one while the phone is offline, which is sent once it is
back online: exactly one submission stored.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance.filters import LOCAL_TZ
from tests.e2e.conftest import Console, readme_picture, sign_in
from tests.e2e.test_live import _open, wait_seen

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
# the browser's own line for a request made while offline (the outbox's first try)
EXPECTED_CONSOLE = ("favicon", "net::ERR_INTERNET_DISCONNECTED")


@pytest.fixture
def visits() -> Iterator[list[dict[str, Any]]]:
    """Three of the demo grid worker's site visits, open and due today; afterwards the
    visits as they were and the cases they raised gone."""
    today = datetime.now(LOCAL_TZ).date()
    deadline = datetime.combine(today + timedelta(days=1), time.min, LOCAL_TZ)
    with session_scope(admin=True) as s:
        last_incident = s.execute(text("SELECT coalesce(max(id), 0) FROM incident")).scalar_one()
        rows = [
            dict(r)
            for r in s.execute(
                text("""
                SELECT DISTINCT ON (k.site_id) k.id, k.status, k.due_on, k.last_day, k.deadline,
                       k.done_at, k.site_id, ST_X(ks.geom) AS lon, ST_Y(ks.geom) AS lat,
                       ks.name, v.items
                FROM patrol_task k
                JOIN app_user u ON u.id = k.assignee_id AND u.username = 'gridworker'
                JOIN key_site ks ON ks.id = k.site_id
                JOIN checklist_template t ON t.id = k.template_id
                JOIN checklist_template_version v
                  ON v.template_id = t.id AND v.version = t.current_version
                WHERE NOT EXISTS (SELECT 1 FROM patrol_submission p WHERE p.task_id = k.id)
                ORDER BY k.site_id, k.due_on DESC"""),
            ).mappings()
        ][:3]
        assert len(rows) == 3, "the demo grid worker's grid needs three key sites"
        ids = [r["id"] for r in rows]
        s.execute(
            text("""UPDATE patrol_task SET status = 'open', due_on = :d, last_day = :d,
                    deadline = :dl, done_at = NULL WHERE id = ANY(:ids)"""),
            {"d": today, "dl": deadline, "ids": ids},
        )
        # nothing else of the worker's is due today: the list is these three
        hidden = (
            s.execute(
                text("""UPDATE patrol_task SET due_on = due_on + 400, last_day = last_day + 400
                    WHERE assignee_id = (SELECT id FROM app_user WHERE username = 'gridworker')
                      AND status IN ('open', 'missed') AND NOT (id = ANY(:ids))
                    RETURNING id"""),
                {"ids": ids},
            )
            .scalars()
            .all()
        )
    yield rows
    with session_scope(admin=True) as s:
        s.execute(text("DELETE FROM patrol_submission WHERE task_id = ANY(:ids)"), {"ids": ids})
        for r in rows:
            s.execute(
                text("""UPDATE patrol_task SET status = :st, due_on = :d, last_day = :l,
                        deadline = :dl, done_at = :da WHERE id = :id"""),
                {"st": r["status"], "d": r["due_on"], "l": r["last_day"], "dl": r["deadline"],
                 "da": r["done_at"], "id": r["id"]},
            )  # fmt: skip
        s.execute(
            text("UPDATE patrol_task SET due_on = due_on - 400, last_day = last_day - 400 "
                 "WHERE id = ANY(:ids)"),
            {"ids": list(hidden)},
        )  # fmt: skip
        s.execute(
            text("DELETE FROM incident WHERE id > :i AND source = 'patrol'"), {"i": last_incident}
        )


@pytest.fixture
def phone(browser: Any, live_server: str, console: Console) -> Iterator[Any]:
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        permissions=["geolocation"],
        geolocation={"longitude": 115.37, "latitude": 22.78, "accuracy": 10},
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda m: (
            console.errors.append(f"console: {m.text}")
            if m.type == "error" and not any(x in m.text for x in EXPECTED_CONSOLE)
            else None
        ),
    )
    yield page
    context.close()


def _jpeg(tmp: Path) -> Path:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buf, "JPEG")
    path = tmp / "spot.jpg"
    path.write_bytes(buf.getvalue())
    return path


def _fill(page: Any, visit: dict[str, Any], photo: Path, *, fail: bool) -> str | None:
    """Answer every item of the open checklist by touch; with ``fail``, the first
    pass/fail item fails (with a note). Returns the failed item's key."""
    failed = None
    for item in visit["items"]:
        key = item["key"]
        if item["kind"] == "pass_fail":
            answer = "pass"
            if fail and failed is None:
                answer, failed = "fail", key
            page.tap(f"label[for='patrol-{key}-{answer}']")
            if answer == "fail":
                page.fill(f"#patrol-note-{key}", "现场发现问题，已告知负责人整改")
        elif item["kind"] == "number":
            value = item["min"] if item["min"] is not None else 0
            page.fill(f"#patrol-num-{key}", str(value))
        elif item["kind"] == "choice":
            good = next(c for c in item["choices"] if not c["fail"])
            page.tap(f"label[for='patrol-{key}-{good['value']}']")
        elif item["kind"] == "photo" and item.get("min_photos"):
            page.set_input_files(f"#patrol-photo-{key}", str(photo))
            page.wait_for_selector(f"#patrol-photo-count-{key}:has-text('1')")
    return failed


def _submissions(task_id: int) -> list[dict[str, Any]]:
    with session_scope(admin=True) as s:
        return [
            dict(r)
            for r in s.execute(
                text("SELECT id, on_site, flags, off_site_reason, failed_items "
                     "FROM patrol_submission WHERE task_id = :t"),
                {"t": task_id},
            ).mappings()
        ]  # fmt: skip


def _case_of(submission_id: int) -> int:
    with session_scope(admin=True) as s:
        return int(
            s.execute(
                text("SELECT incident_id FROM patrol_finding WHERE submission_id = :s"),
                {"s": submission_id},
            ).scalar_one()
        )


def _at(page: Any, lon: float, lat: float, accuracy: float = 8) -> None:
    page.context.set_geolocation({"longitude": lon, "latitude": lat, "accuracy": accuracy})


def test_a_grid_workers_day_on_the_phone(
    browser: Any,
    live_server: str,
    phone: Any,
    console: Console,
    visits: list[dict[str, Any]],
    tmp_path: Path,
) -> None:
    from governance.demo_accounts import DEMO_ACCOUNTS

    sup_console = Console()
    supervisor = _open(browser, live_server, "supervisor", sup_console)
    photo = _jpeg(tmp_path)
    first, second, third = visits
    _at(phone, first["lon"], first["lat"] + 0.0003)  # ~30 m from the first site
    acc = next(a for a in DEMO_ACCOUNTS if a.username == "gridworker")
    sign_in(phone, live_server, acc.username, acc.password)
    phone.wait_for_url("**/patrol")  # a grid worker lands on the day's visits
    phone.wait_for_selector("#patrol-list li")
    assert phone.locator("#patrol-list li").count() == 3
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    summary = phone.inner_text("#patrol-summary")
    assert "3" in summary and ("公里" in summary or "km" in summary)
    assert phone.locator("#patrol-map .mq-patrol-stop").count() == 3
    for sel in ("#patrol-logout", f"#patrol-task-{first['id']}"):
        box = phone.locator(sel).bounding_box()
        assert box and box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    phone.screenshot(path=str(readme_picture("screenshot-phone-patrol.png")))

    # 1. on site, one item fails: a case, which the supervisor's open map receives live
    phone.tap(f"#patrol-task-{first['id']}")
    failed = _fill(phone, first, photo, fail=True)
    assert failed
    phone.screenshot(path=str(readme_picture("screenshot-phone-checklist.png")), full_page=True)
    phone.tap("#patrol-submit")
    phone.wait_for_selector("#patrol-done-view[data-result='sent']")
    assert "1" in phone.inner_text("#patrol-done-text")
    [sub] = _submissions(first["id"])
    assert sub["on_site"] and sub["flags"] == [] and sub["failed_items"] == 1
    wait_seen(supervisor, _case_of(sub["id"]), timeout_s=10)
    phone.tap("#patrol-done-back")
    assert phone.locator("#patrol-list li").count() == 2

    # 2. off site (~1.1 km away): a reason is asked for, then the visit is flagged
    _at(phone, second["lon"], second["lat"] + 0.01)
    phone.tap(f"#patrol-task-{second['id']}")
    _fill(phone, second, photo, fail=False)
    phone.tap("#patrol-submit")
    phone.wait_for_selector("#patrol-offsite:not([hidden])")
    assert not _submissions(second["id"])
    phone.fill("#patrol-reason", "场所大门关闭，在门外查看并电话联系负责人")
    phone.tap("#patrol-submit")
    phone.wait_for_selector("#patrol-done-view[data-result='sent']")
    [sub2] = _submissions(second["id"])
    assert not sub2["on_site"] and sub2["flags"] == ["off_site"] and sub2["off_site_reason"]
    phone.tap("#patrol-done-back")

    # 3. offline: kept on the phone, sent once the connection is back, stored once
    _at(phone, third["lon"], third["lat"])
    phone.context.set_offline(True)
    phone.wait_for_selector("#patrol-net.is-off")
    phone.tap(f"#patrol-task-{third['id']}")
    _fill(phone, third, photo, fail=False)
    phone.tap("#patrol-submit")
    phone.wait_for_selector("#patrol-done-view[data-result='queued']")
    phone.wait_for_selector("#patrol-send-now:not([hidden])")
    assert not _submissions(third["id"])
    phone.tap("#patrol-done-back")
    phone.wait_for_selector(f"li[data-task='{third['id']}'].mq-patrol-queued")
    phone.context.set_offline(False)
    phone.wait_for_selector("#patrol-send-now[hidden]", state="attached", timeout=20_000)
    assert len(_submissions(third["id"])) == 1
    phone.evaluate("() => window.dispatchEvent(new Event('online'))")  # a second flush
    phone.wait_for_timeout(500)
    assert len(_submissions(third["id"])) == 1
    console.check()
    sup_console.check()
    supervisor.context.close()
