"""Key persons on the map in a real Chromium: points and "show in clear" for a supervisor,
counts for the command centre, nothing for a department.

Every wait is on a condition of the page (an element, a request), never on the clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from governance.persons import MIN_REASON
from pages.map_ids import MapIds
from tests.e2e.conftest import VIEWPORT, sign_in
from tests.e2e.test_map import count, layer_switch, open_map, query, set_view, wait_count

pytestmark = pytest.mark.e2e

CITY = "110,18,120,25"
REASON = "入户走访核实身份"


@pytest.fixture
def page_as(browser: Any, console: Any, live_server: str) -> Iterator[Callable[[str], Any]]:
    """A factory of fresh pages signed in as a demo user, recording console errors."""
    from governance.demo_accounts import DEMO_ACCOUNTS

    contexts: list[Any] = []

    def make(username: str) -> Any:
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(20_000)
        pg.on(
            "console",
            lambda m: console.errors.append(f"console: {m.text}") if m.type == "error" else None,
        )
        pg.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
        acc = next(a for a in DEMO_ACCOUNTS if a.username == username)
        sign_in(pg, live_server, acc.username, acc.password)
        return pg

    yield make
    for context in contexts:
        context.close()


def clear_identity(person_id: int) -> dict[str, Any]:
    """The person in clear, from the API as the supervisor (the permitted way)."""
    from tests.conftest import signed_in_client

    client = signed_in_client("supervisor")
    resp = client.post(
        f"/api/v1/persons/{person_id}/reveal",
        data=json.dumps({"reason": "测试比对明文"}),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": client.get_cookie("_csrf_token").value,
        },
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return dict(resp.get_json())


def map_centre(page: Any) -> tuple[float, float]:
    box = page.locator(f"#{MapIds.MAP}").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def only_persons(page: Any) -> None:
    """Hide the markers that could sit over a person; switch the persons layer on."""
    for key in ("sites", "incidents"):
        layer_switch(page, key).click()
    wait_count(page, ".mq-site, .mq-incident, .mq-incident-cluster", present=False)
    layer_switch(page, "persons").click()


def panel_person_id(page: Any) -> int:
    """The id of the person in the panel (from its pattern-matching component id, the
    reveal dialog's: pages/reveal_dialog.py)."""
    return int(json.loads(page.locator(".mq-person-panel").get_attribute("id"))["object"])


# ----------------------------------------------------------------------------- tests
def test_supervisor_sees_points_and_reveals_one_person_with_a_reason(
    page_as: Callable[[str], Any], live_server: str, console: Any
) -> None:
    page = page_as("supervisor")
    open_map(page, live_server)
    assert "重点人员" in page.locator(f"#{MapIds.LAYERS}").inner_text()
    only_persons(page)
    wait_count(page, ".mq-person-point, .mq-person-cluster", present=True)
    legend = page.locator(".mq-legend-persons").inner_text()
    assert "独居老人" in legend and "身份" in legend

    resp = page.request.get(f"{live_server}/api/v1/layers/persons?bbox={CITY}&z=17")
    assert resp.ok
    feats = resp.json()["features"]
    assert feats and all("full_name" not in f["properties"] for f in feats)
    lon, lat = feats[0]["geometry"]["coordinates"]
    set_view(page, lat, lon, 18)
    wait_count(page, ".mq-person-point", present=True)
    x, y = map_centre(page)
    page.mouse.move(x, y)  # hover: category and care level only
    tip = page.locator(".leaflet-tooltip.mq-tip", has_text="关注").first
    tip.wait_for()
    assert "*" not in tip.inner_text()
    page.mouse.click(x, y)

    page.wait_for_selector(".mq-panel-open .mq-person-panel .mq-person-masked")
    masked_name = page.locator(".mq-person-name").inner_text()
    assert "*" in masked_name
    assert page.locator(".mq-panel .mq-breadcrumb .mq-crumb").count() >= 3
    clear = clear_identity(panel_person_id(page))
    assert clear["full_name"] not in page.locator(".mq-panel").inner_text()

    # no reason: a translated message, still masked
    page.locator(".mq-reveal-button").click()
    page.wait_for_selector(".mq-reveal-message .mq-error")
    assert f"至少 {MIN_REASON} 个字" in page.locator(".mq-reveal-message").inner_text()
    assert page.locator(".mq-person-name").inner_text() == masked_name

    page.locator(".mq-reveal-reason input").fill(REASON)
    page.locator(".mq-reveal-button").click()
    page.wait_for_selector(".mq-person-panel .mq-person-clear")
    assert page.locator(".mq-person-name").inner_text() == clear["full_name"]
    assert clear["id_number"] in page.locator(".mq-person-identity").inner_text()
    assert page.locator(".mq-reveal-button").count() == 0
    assert clear["full_name"] not in page.url  # nothing in the address bar

    # a fresh click on the map shows the person masked again
    page.mouse.click(x, y)
    page.wait_for_selector(".mq-person-panel .mq-person-masked")
    assert "*" in page.locator(".mq-person-name").inner_text()
    # ... and so does closing the panel
    page.locator(f"#{MapIds.PANEL_CLOSE}").click()
    page.wait_for_selector(".mq-panel:not(.mq-panel-open) .mq-hint")
    assert clear["full_name"] not in page.content()
    console.check()


def test_commander_sees_counts_per_grid_not_points(
    page: Any, live_server: str, console: Any
) -> None:
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url) if "/layers/persons?" in r.url else None)
    open_map(page, live_server)
    only_persons(page)
    wait_count(page, ".mq-person-count, .mq-person-cluster", present=True)
    assert urls and all(query(u).get("mode") == "counts" for u in urls)
    resp = page.request.get(
        f"{live_server}/api/v1/layers/labels?bbox=115.30,22.74,115.45,22.85&z=14"
    )
    grid = next(f for f in resp.json()["features"] if f["properties"]["level"] == "grid")
    lon, lat = grid["geometry"]["coordinates"]
    set_view(page, lat, lon, 15)
    wait_count(page, ".mq-person-count", present=True)
    page.wait_for_load_state("networkidle")
    assert count(page, ".mq-person-point") == 0
    assert "网格内重点人员数" in page.locator(".mq-legend-persons").inner_text()
    badge = page.locator(".mq-person-count").first
    badge.hover()
    page.locator(".leaflet-tooltip.mq-tip", has_text="名重点人员").first.wait_for()
    console.check()


def test_department_has_no_persons_switch(
    page_as: Callable[[str], Any], live_server: str, console: Any
) -> None:
    page = page_as("dept")
    open_map(page, live_server)
    assert "重点人员" not in page.locator(f"#{MapIds.LAYERS}").inner_text()
    assert count(page, ".mq-person-point, .mq-person-count, .mq-person-cluster") == 0
    console.check()
