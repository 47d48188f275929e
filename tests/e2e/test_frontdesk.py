"""The front-desk form in Chromium: a grid worker places a phone report by a click on
the map inside their grid, is offered a nearby open case of the same category as a
possible duplicate, registers the report and sees its number; the database holds it."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance import catalog, intake
from governance.filters import LOCAL_TZ
from governance.uow import unit_of_work
from pages.frontdesk_ids import DeskIds as D
from tests.e2e.test_persons_ui import page_as  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e


def _existing_case(category: str, lon: float, lat: float) -> int:
    """An open case registered through the intake service, where the report will be."""
    with session_scope(admin=True) as s:
        uid = s.execute(text("SELECT id FROM app_user WHERE username = 'gridworker'")).scalar_one()
    actor = intake.Actor(
        source="grid",
        kind="user",
        name="网格员",
        role="grid_worker",
        username="gridworker",
        user_id=uid,
    )
    body = {
        "external_id": f"e2e-{uuid.uuid4().hex}",
        "category": category,
        "occurred_at": datetime.now(LOCAL_TZ).isoformat(),
        "lon": lon,
        "lat": lat,
        "description": "先前的来电",
    }
    with unit_of_work() as s:
        view, _ = intake.create_one(s, body, actor, via="test")
    return int(view["id"])


def test_grid_worker_registers_a_report_after_the_duplicate_check(
    page_as: Any,  # noqa: F811
    console: Any,
) -> None:
    leaf = next(c for c in catalog.all_categories() if c.parent_code and c.code != c.parent_code)
    parent = next(c for c in catalog.all_categories() if c.code == leaf.parent_code)
    page = page_as("gridworker")
    base = re.match(r"https?://[^/]+", page.url).group(0)  # type: ignore[union-attr]
    page.goto(base + "/frontdesk")
    page.wait_for_selector(f"#{D.MAP} .mq-area", state="attached", timeout=30_000)

    page.locator(f"#{D.CATEGORY}").click()
    page.get_by_role("option", name=f"{parent.name_zh} / {leaf.name_zh}", exact=True).click()
    page.keyboard.press("Escape")
    page.fill(f"#{D.DESCRIPTION}", "居民来电：路灯不亮")
    page.fill(f"#{D.ADDRESS}", "幸福路 8 号")
    page.fill(f"#{D.REPORTER_NAME}", "李大姐")
    page.fill(f"#{D.REPORTER_PHONE}", "13900139000")

    before = page.inner_text(f"#{D.LOCATION_TEXT}")
    box = page.locator(f"#{D.MAP}").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 15, box["y"] + box["height"] / 2 + 10)
    page.wait_for_function(
        "([id, before]) => document.getElementById(id).innerText !== before",
        arg=[D.LOCATION_TEXT, before],
    )
    shown = page.inner_text(f"#{D.LOCATION_TEXT}")
    lon, lat = (float(v) for v in re.findall(r"\d+\.\d+", shown)[:2])
    existing = _existing_case(leaf.code, lon, lat)

    page.click(f"#{D.CHECK}")
    page.wait_for_selector(".mq-desk-duplicates .mq-dup-item")
    offered = page.inner_text(".mq-desk-duplicates")
    assert f"#{existing}" in offered and "可能重复" in offered

    page.click(f"#{D.SUBMIT}")
    page.wait_for_selector(".mq-desk-done")
    done = page.inner_text(".mq-desk-done")
    new_id = int(re.search(r"#(\d+)", done).group(1))  # type: ignore[union-attr]
    assert "已登记" in done and new_id != existing
    assert page.input_value(f"#{D.DESCRIPTION}") == ""  # the form is reset
    with session_scope(admin=True) as s:
        row = s.execute(
            text("""SELECT i.source, i.category_code, i.description, e.detail
                    FROM incident i JOIN incident_event e ON e.incident_id = i.id
                    WHERE i.id = :i AND e.action = 'register'"""),
            {"i": new_id},
        ).one()
    assert row.source == "grid" and row.category_code == leaf.code
    assert row.description == "居民来电：路灯不亮" and row.detail == {"via": "frontdesk"}
    console.check()
