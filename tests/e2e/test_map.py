"""The map screen in a real Chromium: what a person sees, clicks and switches.

Every wait is on a condition of the page (an element, a request), never on the clock.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from pages.map_ids import MapIds
from tests.e2e.conftest import readme_picture

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = readme_picture("screenshot-map.png")
# 城区 (the urban core of the demo city): a bbox to look for grid labels in
CORE_BBOX = "115.30,22.74,115.45,22.85"

LAYER_SELECTORS = {
    "areas": ".mq-area",
    "sites": ".mq-site",
    "incidents": ".mq-incident, .mq-incident-cluster",
    "density": ".mq-hex",
}


# ----------------------------------------------------------------------------- helpers
def open_map(page: Any, base: str) -> None:
    """Load the map and wait until the base map (areas + names) is drawn."""
    page.goto(base + "/")
    page.wait_for_selector(".mq-area", state="attached")
    page.wait_for_selector(".mq-label", state="attached")


def count(page: Any, selector: str) -> int:
    return int(page.evaluate("s => document.querySelectorAll(s).length", selector))


def wait_count(page: Any, selector: str, *, present: bool) -> None:
    op = "> 0" if present else "=== 0"
    page.wait_for_function(f"s => document.querySelectorAll(s).length {op}", arg=selector)


def layer_switch(page: Any, key: str) -> Any:
    return page.locator(f"#{MapIds.LAYERS} label", has=page.locator(f"input[value='{key}']"))


def set_view(page: Any, lat: float, lon: float, zoom: int) -> None:
    """Move the map as its zoom buttons would (the map's own `viewport` prop)."""
    page.evaluate(
        "([id, v]) => window.dash_clientside.set_props(id, {viewport: v})",
        [MapIds.MAP, {"center": [lat, lon], "zoom": zoom, "transition": "setView"}],
    )


def first_grid_label(page: Any, base: str) -> dict[str, Any]:
    """A grid's label point (inside the grid) from the API."""
    resp = page.request.get(f"{base}/api/v1/layers/labels?bbox={CORE_BBOX}&z=14")
    assert resp.ok, resp.status
    grids = [f for f in resp.json()["features"] if f["properties"]["level"] == "grid"]
    assert grids, "no grid labels in the core of the demo city"
    return grids[len(grids) // 2]


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def requests_log(page: Any) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url) if "/api/v1/layers/" in r.url else None)
    return urls


def click_grid_at_centre(page: Any, base: str) -> dict[str, Any]:
    """Zoom to a grid, hide the markers above it, click it; returns its label feature."""
    grid = first_grid_label(page, base)
    lon, lat = grid["geometry"]["coordinates"]
    for key in ("sites", "incidents"):
        layer_switch(page, key).click()
    wait_count(page, ".mq-site, .mq-incident, .mq-incident-cluster", present=False)
    set_view(page, lat, lon, 15)
    wait_count(page, ".mq-area-grid", present=True)
    box = page.locator(f"#{MapIds.MAP}").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)  # hover: a tooltip with the name and level
    page.wait_for_selector(".leaflet-tooltip.mq-tip .mq-tip-title")
    tip = page.locator(".leaflet-tooltip.mq-tip").inner_text()
    assert grid["properties"]["name"] in tip and "网格" in tip
    page.mouse.click(x, y)
    page.wait_for_selector(".mq-panel-open .mq-breadcrumb")
    return grid


# ----------------------------------------------------------------------------- tests
def test_map_loads_in_chinese_without_console_errors(
    page: Any, live_server: str, console: Any
) -> None:
    open_map(page, live_server)
    assert page.locator(".mq-title").inner_text() == "民情地图"
    assert page.locator(f"#{MapIds.LANG_BUTTON}").inner_text() == "EN"
    labels = page.locator(f"#{MapIds.LAYERS}").inner_text()
    for text in ("区划网格", "重点场所", "事件", "热力密度"):
        assert text in labels
    assert "近30天" in page.locator(f"#{MapIds.WINDOW}").inner_text()
    assert page.locator(".mq-app").get_attribute("lang") == "zh-CN"
    # offline base map: no tile layer, no broken tiles; the areas are the land
    assert count(page, ".leaflet-tile") == 0
    assert count(page, ".mq-label-county") >= 4
    wait_count(page, ".mq-incident, .mq-incident-cluster", present=True)
    wait_count(page, ".mq-site", present=True)
    page.wait_for_load_state("networkidle")
    console.check()


@pytest.mark.parametrize("key", ["areas", "sites", "incidents", "density"])
def test_layer_toggles_off_and_on(page: Any, live_server: str, console: Any, key: str) -> None:
    urls = requests_log(page)
    open_map(page, live_server)
    selector = LAYER_SELECTORS[key]
    if key == "density":  # off by default
        wait_count(page, selector, present=False)
        layer_switch(page, key).click()
        wait_count(page, selector, present=True)
    else:
        wait_count(page, selector, present=True)
    layer_switch(page, key).click()
    wait_count(page, selector, present=False)
    # a hidden layer sends no request when the map moves
    before = len([u for u in urls if f"/layers/{key}?" in u])
    zoom = query([u for u in urls if "/layers/labels?" in u][-1])["z"]
    with page.expect_request(lambda r: "/layers/labels?" in r.url and query(r.url)["z"] != zoom):
        page.locator(".leaflet-control-zoom-in").click()
    page.wait_for_load_state("networkidle")
    assert len([u for u in urls if f"/layers/{key}?" in u]) == before
    layer_switch(page, key).click()
    wait_count(page, selector, present=True)
    console.check()


def test_click_grid_then_drill_up_to_its_community(
    page: Any, live_server: str, console: Any
) -> None:
    open_map(page, live_server)
    grid = click_grid_at_centre(page, live_server)
    crumbs = page.locator(".mq-panel .mq-crumb")
    assert crumbs.count() == 4
    for i, level in enumerate(("county", "street", "community", "grid")):
        assert level in (crumbs.nth(i).get_attribute("class") or "")
    assert crumbs.nth(3).inner_text() == grid["properties"]["name"]
    assert page.locator(".mq-panel-title").inner_text() == grid["properties"]["name"]
    assert page.locator(".mq-kicker").inner_text() == "网格"
    for block in ("categories", "status", "trend", "sites"):
        assert page.locator(f".mq-block-{block}").count() == 1
    wait_count(page, ".mq-area-grid.mq-area-selected", present=True)
    assert page.locator(".mq-trend .modebar").count() == 0  # no plotly mode bar

    community = crumbs.nth(2).inner_text()
    crumbs.nth(2).click()
    page.wait_for_function(
        "n => document.querySelectorAll('.mq-panel .mq-crumb').length === 3 &&"
        " document.querySelector('.mq-panel-title').innerText === n",
        arg=community,
    )
    assert page.locator(".mq-kicker").inner_text() == "社区（村）"
    assert "mq-crumb-current" in (page.locator(".mq-crumb").nth(2).get_attribute("class") or "")
    # the map flies to the community: it is outlined, as a polygon or as a boundary line
    wait_count(page, ".mq-area-selected", present=True)
    page.wait_for_load_state("networkidle")
    page.locator(f"#{MapIds.PANEL_CLOSE}").click()
    page.wait_for_selector(".mq-panel:not(.mq-panel-open) .mq-hint")
    wait_count(page, ".mq-area-selected", present=False)
    console.check()


def test_the_same_feature_reopens_after_closing(page: Any, live_server: str, console: Any) -> None:
    """Layers count clicks: clicking the grid just closed opens its panel again."""
    open_map(page, live_server)
    grid = click_grid_at_centre(page, live_server)
    page.locator(f"#{MapIds.PANEL_CLOSE}").click()
    page.wait_for_selector(".mq-panel:not(.mq-panel-open) .mq-hint")
    box = page.locator(f"#{MapIds.MAP}").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".mq-panel-open .mq-breadcrumb")
    assert page.locator(".mq-panel-title").inner_text() == grid["properties"]["name"]
    console.check()


def test_control_panel_collapses_and_expands(page: Any, live_server: str, console: Any) -> None:
    open_map(page, live_server)
    body = page.locator(f"#{MapIds.CONTROLS} .mq-card-body")
    assert body.is_visible()
    page.locator(f"#{MapIds.CONTROLS_TOGGLE}").click()
    body.wait_for(state="hidden")
    page.locator(f"#{MapIds.CONTROLS_TOGGLE}").click()
    body.wait_for(state="visible")
    console.check()


def test_switch_to_english_and_back(page: Any, live_server: str, console: Any) -> None:
    open_map(page, live_server)
    page.locator(f"#{MapIds.LANG_BUTTON}").click()
    page.wait_for_selector(".mq-app.mq-lang-en")
    page.wait_for_selector(".mq-area", state="attached")
    assert page.locator(".mq-title").inner_text() == "MinQing Map"
    labels = page.locator(f"#{MapIds.LAYERS}").inner_text()
    for text in ("Areas & grids", "Key sites", "Incidents", "Density"):
        assert text in labels
    assert "30 days" in page.locator(f"#{MapIds.WINDOW}").inner_text()
    assert "Legend" in page.locator(".mq-section-legend").inner_text()
    assert "County" in page.locator(f"#{MapIds.LEGEND}").inner_text()
    assert page.locator(".mq-hint").inner_text().startswith("Click")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("minqing_lang") == "en"
    page.locator(f"#{MapIds.LANG_BUTTON}").click()
    page.wait_for_selector(".mq-app.mq-lang-zh-CN")
    assert page.locator(".mq-title").inner_text() == "民情地图"
    console.check()


def test_time_window_changes_incident_and_density_urls(
    page: Any, live_server: str, console: Any
) -> None:
    open_map(page, live_server)
    layer_switch(page, "density").click()
    wait_count(page, ".mq-hex", present=True)
    page.wait_for_selector(".mq-legend-density .mq-legend-res")

    def wanted(layer: str, **params: str) -> Any:
        def match(r: Any) -> bool:
            q = query(r.url)
            return f"/layers/{layer}?" in r.url and all(q.get(k) == v for k, v in params.items())

        return match

    with (
        page.expect_request(wanted("incidents", window="7d")),
        page.expect_request(wanted("density", window="7d")),
    ):
        page.locator(f"#{MapIds.WINDOW} label", has_text="近7天").click()
    areas_before = count(page, ".mq-area")
    assert areas_before > 0  # the base map is not refetched or cleared by a filter

    # a category group from the dropdown narrows incidents and density, not the base map
    page.locator(f"#{MapIds.CATEGORIES}").click()
    with page.expect_request(wanted("incidents", window="7d", categories="safety")):
        page.get_by_role("option", name="公共安全").click()
    page.keyboard.press("Escape")

    assert page.locator(f"#{MapIds.DATES_BOX}").is_hidden()
    with page.expect_request(lambda r: "/layers/density?" in r.url and "start" in query(r.url)):
        page.locator(f"#{MapIds.WINDOW} label", has_text="自定义").click()
    assert page.locator(f"#{MapIds.DATES_BOX}").is_visible()
    page.wait_for_load_state("networkidle")
    assert "H3" in page.locator(".mq-legend-density").inner_text()
    console.check()


def test_a_filter_change_during_a_slow_load_is_not_lost(
    page: Any, live_server: str, console: Any
) -> None:
    """dash-leaflet skips a url change that arrives while the layer is still loading;
    minqing.js re-renders the layer after each draw so the latest url is loaded."""
    open_map(page, live_server)
    layer_switch(page, "density").click()  # its requests show when the url callback ran
    wait_count(page, ".mq-hex", present=True)
    page.wait_for_load_state("networkidle")
    held: list[Any] = []
    hold = {"on": True}

    def handler(route: Any) -> None:
        if hold["on"]:
            held.append(route)  # keep the incidents layer busy until we let go
        else:
            route.continue_()

    def incidents(window: str) -> Any:
        return lambda r: "/layers/incidents?" in r.url and query(r.url).get("window") == window

    page.route("**/api/v1/layers/incidents*", handler)
    labels = page.locator(f"#{MapIds.WINDOW} label")
    with page.expect_request(incidents("today")):
        labels.filter(has_text="今日").click()
    with page.expect_request(lambda r: "/layers/density?" in r.url and "window=7d" in r.url):
        labels.filter(has_text="近一年").click()
        labels.filter(has_text="近7天").click()
    hold["on"] = False
    with page.expect_request(incidents("7d")):
        for route in held:
            route.continue_()
    page.unroute("**/api/v1/layers/incidents*")
    page.wait_for_load_state("networkidle")
    console.check()


def test_screenshot_for_the_readme(page: Any, live_server: str, console: Any) -> None:
    """The README screenshot: 城区 with every layer on and a street's panel."""
    open_map(page, live_server)
    layer_switch(page, "density").click()
    page.locator(f"#{MapIds.WINDOW} label", has_text="近90天").click()
    lat, lon = 22.80, 115.37
    set_view(page, lat, lon, 12)
    wait_count(page, ".mq-area-community", present=True)
    wait_count(page, ".mq-hex", present=True)
    wait_count(page, ".mq-incident, .mq-incident-cluster", present=True)
    resp = page.request.get(f"{live_server}/api/v1/layers/labels?bbox={CORE_BBOX}&z=11")
    streets = [f for f in resp.json()["features"] if f["properties"]["level"] == "street"]
    street = min(
        streets,
        key=lambda f: (
            (f["geometry"]["coordinates"][0] - lon) ** 2
            + (f["geometry"]["coordinates"][1] - lat) ** 2
        ),
    )
    # what a click on the street's breadcrumb shows, without moving the map
    page.evaluate(
        "([id, v]) => window.dash_clientside.set_props(id, {data: v})",
        [MapIds.SELECTION, {"kind": "area", "id": street["properties"]["id"]}],
    )
    page.wait_for_selector(".mq-panel-open .mq-kicker.mq-level-street")
    page.wait_for_selector(".mq-trend .main-svg")
    page.wait_for_selector(".mq-legend-density .mq-legend-res")
    page.wait_for_load_state("networkidle")
    page.mouse.move(5, 5)  # no hover tooltip in the picture
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 50_000
    console.check()


def test_gcj02_shift_in_the_browser_matches_python(page: Any, live_server: str) -> None:
    from geodata.crs import wgs84_to_gcj02

    open_map(page, live_server)
    for lon, lat in [(115.37, 22.79), (115.9, 23.3), (2.35, 48.85)]:
        js = page.evaluate("([x, y]) => window.minqing.map.wgs84ToGcj02(x, y)", [lon, lat])
        py = wgs84_to_gcj02(lon, lat)
        assert js == pytest.approx(list(py), abs=1e-9), json.dumps([lon, lat])
