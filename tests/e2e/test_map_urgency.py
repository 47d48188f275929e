"""The map's urgency view and keyboard access in a real Chromium (issue 14): "what needs
me now" shows only overdue and due-soon cases, coloured by urgency and explained by the
legend; a keyboard-only supervisor opens a case from the map and dispatches it.

Every wait is on a condition of the page, never on the clock."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import text

from geodata.db import session_scope
from geodata.queries import case_state
from layers.incidents import URGENCY_COLORS
from pages.map_ids import MapIds
from tests.e2e import axe
from tests.e2e.conftest import readme_picture
from tests.e2e.test_map import open_map
from tests.e2e.test_persons_ui import page_as  # noqa: F401  (fixture)
from tests.integration.test_workflow import new_incident, state

pytestmark = pytest.mark.e2e


def _urgency_counts(bbox: tuple[float, float, float, float], hours: int) -> dict[str, int]:
    """Counted cases in ``bbox`` by their urgency now, by direct SQL (the shared
    definition, case_state.urgency)."""
    with session_scope(admin=True) as s:
        rows = s.execute(
            text(f"""SELECT u, count(*) FROM (
                    SELECT {case_state.urgency()} AS u FROM incident i
                    WHERE i.geom && ST_MakeEnvelope(:a, :b, :c, :d, 4326)
                      AND {case_state.counted()}) q GROUP BY u"""),
            {
                "a": bbox[0],
                "b": bbox[1],
                "c": bbox[2],
                "d": bbox[3],
                "now": _now(s),
                "soon": _now(s, hours),
            },
        ).all()
    return {str(u): int(n) for u, n in rows}


def _now(s: Any, hours: int = 0) -> Any:
    return s.execute(text("SELECT now() + make_interval(hours => :h)"), {"h": hours}).scalar_one()


def test_needs_now_shows_only_overdue_and_due_soon_coloured_by_urgency(
    page: Any, live_server: str, console: Any
) -> None:
    """The commander switches on "what needs me now": the incidents layer asks for
    overdue and due-soon cases only, draws each in its urgency's colour with its
    category's ring, and the legend explains both colour and category."""
    open_map(page, live_server)
    page.wait_for_selector(".mq-legend-incidents .mq-legend-category")  # category key
    with page.expect_response(
        lambda r: "/api/v1/layers/incidents" in r.url and "urgency=" in r.url
    ) as answer:
        page.locator(f"#{MapIds.NOW} label").click()
    response = answer.value
    query = parse_qs(urlsplit(response.url).query)
    assert query["urgency"] == ["overdue,due_soon"]
    body = json.loads(response.body())
    features = [f for f in body["features"] if not f["properties"].get("cluster")]
    assert features, "the demo city has overdue cases"
    assert {f["properties"]["urgency"] for f in features} <= {"overdue", "due_soon"}
    # every overdue and due-soon case of the view came back, and nothing else
    bbox = tuple(float(v) for v in query["bbox"][0].split(","))
    expected = _urgency_counts(bbox, int(query["due"][0]))  # type: ignore[arg-type]
    if not body.get("clustered"):
        assert len(features) == expected.get("overdue", 0) + expected.get("due_soon", 0)
    # each case its own dot (no bubbles) in the urgency's colour, the category as the ring
    page.wait_for_selector("path.mq-incident-urgency")
    fills = page.evaluate(
        """() => [...document.querySelectorAll('path.mq-incident')].map(
            p => [p.getAttribute('class'), p.getAttribute('fill')])"""
    )
    assert fills
    for cls, fill in fills:
        kind = "overdue" if "mq-urgency-overdue" in cls else "due_soon"
        assert "mq-urgency-overdue" in cls or "mq-urgency-due_soon" in cls, cls
        assert fill == URGENCY_COLORS[kind]
    legend = page.locator(f"#{MapIds.LEGEND} .mq-legend-incidents")
    assert legend.locator(".mq-legend-urgency-overdue").count() == 1
    assert legend.locator(".mq-legend-urgency-due_soon").count() == 1
    assert legend.locator(".mq-legend-category").count() >= 7  # the ring: category groups
    assert page.locator(".mq-incident-cluster").count() == 0
    page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim')")
    axe.assert_clean(page, "/ in the urgency view")
    picture = readme_picture("screenshot-map-urgency.png")
    picture.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(picture))
    # switched off: every case again, coloured by category
    with page.expect_response(
        lambda r: "/api/v1/layers/incidents" in r.url and "urgency=" not in r.url
    ):
        page.locator(f"#{MapIds.NOW} label").click()
    assert page.locator(f"#{MapIds.COLOUR} input[value='category']").is_checked()
    assert not console.errors, console.errors


ACTIVE = """() => { const a = document.activeElement;
    return {tag: a.tagName, id: a.id, cls: String(a.className), value: a.value || '',
            text: (a.innerText || '').slice(0, 60)}; }"""


def tab_to(page: Any, want: Any, *, limit: int = 80) -> dict[str, Any]:
    """Press Tab (only the keyboard) until the focused element is what ``want`` accepts."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(ACTIVE)
        if want(focused):
            return focused
    raise AssertionError(f"not reached with {limit} Tab presses")


def test_keyboard_only_user_opens_a_case_from_the_map_and_dispatches_it(
    page_as: Any,  # noqa: F811
    live_server: str,
    console: Any,
) -> None:
    """Skip link -> filters -> "awaiting dispatch" -> the list of what is in view -> the
    new case -> its panel -> dispatch to a department: all with Tab, Space and Enter."""
    from tests.integration.test_workflow import departments

    urban = next(d for d in departments() if d["code"] == "urban_mgmt")
    iid = new_incident("verified")
    sup = page_as("supervisor")
    open_map(sup, live_server)
    sup.keyboard.press("Tab")
    assert "mq-skip-link" in sup.evaluate(ACTIVE)["cls"]
    sup.keyboard.press("Enter")
    assert sup.evaluate(ACTIVE)["id"] == MapIds.CONTROLS
    tab_to(sup, lambda a: a["value"] == "waiting")
    sup.keyboard.press("Space")
    tab_to(sup, lambda a: a["id"] == MapIds.VIEW_LIST)
    sup.keyboard.press("Enter")
    item = f'"id":{iid},'
    sup.wait_for_selector(f".mq-view-item[id*='{item}']")
    tab_to(sup, lambda a: item in a["id"])
    sup.keyboard.press("Enter")
    sup.wait_for_selector(".mq-panel-open .mq-block-flow")
    sup.wait_for_function(f"() => document.activeElement.id === '{MapIds.PANEL}'")
    tab_to(sup, lambda a: "mq-flow-action" in a["cls"])
    pick(sup, "派遣")
    tab_to(sup, lambda a: "mq-flow-dept" in a["cls"])
    pick(sup, urban["name"])
    tab_to(sup, lambda a: "mq-flow-submit" in a["cls"])
    sup.keyboard.press("Enter")
    sup.wait_for_selector(".mq-panel-open .mq-tl-dispatch")
    assert state(iid)["status"] == "dispatched"
    # the redrawn panel keeps the keyboard where it was, not at the top of the page
    sup.wait_for_function(f"() => document.activeElement.id === '{MapIds.PANEL}'")
    axe.assert_clean(sup, "/ with the list of what is in view and a case's panel open")
    assert not console.errors, console.errors


def pick(page: Any, label: str) -> None:
    """Open the focused dropdown with Enter, walk its options with the arrow keys to
    ``label`` and take it with Enter (the keyboard's way through a Dash dropdown). The
    focus opens on the selected option (the routing's suggested department), which may
    lie below ``label``: the walk goes down to the last option, then up to the first."""
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.closest(\"[role='option']\")")
    seen: list[str | None] = []
    for key in ("ArrowDown", "ArrowUp"):
        for _ in range(60):
            current = page.evaluate(
                """() => { const o = document.activeElement.closest("[role='option']");
                           return o ? o.innerText.trim() : null; }"""
            )
            seen.append(current)
            if current == label:
                page.keyboard.press("Enter")
                page.wait_for_function("() => !document.activeElement.closest(\"[role='option']\")")
                return
            page.keyboard.press(key)
            # wait for the focus to leave this option (read too early, the same option is
            # seen twice and the next key skips one); at either end it stays
            try:
                page.wait_for_function(MOVED, arg=current, timeout=3_000)
            except PlaywrightTimeout:
                break
    raise AssertionError(f"{label} not offered (the focus went through {seen})")


MOVED = """(before) => { const o = document.activeElement.closest("[role='option']");
                    return o !== null && o.innerText.trim() !== before; }"""


OVERLAPS = """() => {
    const boxes = [...document.querySelectorAll('.mq-label:not(.mq-label-hidden) .mq-label-text')]
        .map(n => n.getBoundingClientRect()).filter(r => r.width > 0);
    const out = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) out.push([i, j]);
    }
    return {shown: boxes.length, overlaps: out.length};
}"""

AREAS_BOX = """() => {
    const rs = [...document.querySelectorAll('path.mq-area')].map(p => p.getBoundingClientRect());
    return {left: Math.min(...rs.map(r => r.left)), right: Math.max(...rs.map(r => r.right)),
            top: Math.min(...rs.map(r => r.top)), bottom: Math.max(...rs.map(r => r.bottom))};
}"""


def _settled(page: Any) -> None:
    """The map has stopped moving and its names have been sorted out."""
    page.wait_for_function(
        "() => !document.querySelector('.leaflet-zoom-anim') && document.querySelector('.mq-label')"
    )
    page.wait_for_function(f"() => ({OVERLAPS})().overlaps === 0")


@pytest.mark.parametrize("username", ["commander", "supervisor"])
def test_first_view_fits_beside_the_cards_and_names_never_overlap(
    page_as: Any,  # noqa: F811
    live_server: str,
    username: str,
) -> None:
    """The home extent lies in the part of the map the cards leave free (the western
    towns are no longer under the control card), and no two names print over each
    other, at the city's zoom and at a street's."""
    pg = page_as(username)
    open_map(pg, live_server)
    _settled(pg)
    box = pg.evaluate(AREAS_BOX)
    controls = pg.locator(f"#{MapIds.CONTROLS}").bounding_box()
    panel = pg.locator(f"#{MapIds.PANEL}").bounding_box()
    for card in (controls, panel):  # the cards cover no part of the home extent
        apart = (
            box["left"] >= card["x"] + card["width"] - 1
            or box["right"] <= card["x"] + 1
            or box["top"] >= card["y"] + card["height"] - 1
            or box["bottom"] <= card["y"] + 1
        )
        assert apart, (box, card)
    result = pg.evaluate(OVERLAPS)
    assert result["shown"] > 0 and result["overlaps"] == 0, result
    # the supervisor's street fills the free part of the map (not a corner of it): with
    # whole zoom levels (zoomSnap 1) a fit leaves at worst half the room in one dimension
    if username == "supervisor":
        map_box = pg.locator(f"#{MapIds.MAP}").bounding_box()
        free_w = map_box["width"] - (controls["x"] + controls["width"] - map_box["x"])
        fill = max(
            (box["right"] - box["left"]) / free_w,
            (box["bottom"] - box["top"]) / map_box["height"],
        )
        assert fill > 0.45, (box, map_box)  # whole zoom levels: at worst half the room
