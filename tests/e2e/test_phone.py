"""The screens a grid worker uses, on a phone (DESIGN.md rule 12): the sign-in and password
pages, the map and the front-desk form at 360x640 and 390x844 with touch.

Each page must fit the screen's width (no sideways scroll), load without a console error,
keep sign-out on screen, offer touch targets at least 44 px high and body text at least
14 px; the map's layer panel starts collapsed and opens by a tap as a bottom sheet that
leaves most of the map in view; the front-desk form scrolls with the page, so 登记 and
the message after it are reached by scrolling the page. Every wait is on a condition of
the page, never on the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pages.frontdesk_ids import DeskIds as D
from pages.map_ids import MapIds
from tests.e2e.conftest import IGNORED_CONSOLE, readme_picture, sign_in

pytestmark = pytest.mark.e2e

PHONES = {"390x844": (390, 844), "360x640": (360, 640)}
DESKTOPS = {"1920x1080": (1920, 1080), "1366x768": (1366, 768)}
TOUCH_MIN = 44  # px: the smallest comfortable touch target (WCAG 2.5.5, Apple HIG)
TEXT_MIN = 14  # px: body text readable on a phone without zooming
SCREENSHOT = readme_picture("screenshot-phone-map.png")

# Visible interactive elements of a part of the page, and texts smaller than TEXT_MIN.
TARGETS_JS = """root => {
    const scope = typeof root === "string" ? document.querySelector(root) : document;
    if (!scope) { return null; }
    const sel = "a[href], button, summary, input:not([type=hidden]), textarea, select";
    return Array.from(scope.querySelectorAll(sel)).flatMap(e => {
        // not for fingers: hidden from assistive technology and from the pointer (the
        // focus target of Dash's dropdown)
        if (e.closest("[aria-hidden=true]") || getComputedStyle(e).pointerEvents === "none") {
            return [];
        }
        // a check box or radio button is tapped anywhere on its label
        const tapped = (e.matches("[type=checkbox], [type=radio]") && e.closest("label")) || e;
        const r = tapped.getBoundingClientRect();
        if (!r.width || !r.height || !e.checkVisibility({visibilityProperty: true})) { return []; }
        return [{what: e.id || e.getAttribute("name") || e.className || e.tagName,
                 text: (e.innerText || e.value || "").slice(0, 20),
                 x: r.x, y: r.y, w: r.width, h: r.height}];
    });
}"""
SMALL_TEXT_JS = """([root, min]) => {
    const scope = document.querySelector(root);
    if (!scope) { return null; }
    const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
    const out = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const e = n.parentElement;
        // the map's own labels, the charts' axes and the legend's colour samples (a
        // cluster bubble with a number) are drawings, not body text
        if (!n.textContent.trim() || e.closest(".leaflet-container, svg, [class*=mq-swatch]")) {
            continue;
        }
        const r = e.getBoundingClientRect();
        if (!r.width || !r.height || !e.checkVisibility({visibilityProperty: true})) { continue; }
        const size = parseFloat(getComputedStyle(e).fontSize);
        if (size < min) { out.push(`${e.className || e.tagName} "${n.textContent.trim().slice(0, 16)}" ${size}px`); }
    }
    return out;
}"""
# Is the element at the centre of ``id`` that element (or inside it)? False: covered.
ON_TOP_JS = """id => {
    const e = document.getElementById(id);
    const r = e.getBoundingClientRect();
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return !!hit && (hit === e || e.contains(hit));
}"""


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.fixture
def phone(browser: Any, console: Any, live_server: str) -> Iterator[Callable[..., Any]]:
    """A factory of fresh pages in a phone's context (touch, 2x pixels), signed in as a
    demo user unless ``username`` is None, recording console errors and uncaught
    exceptions."""
    from governance.demo_accounts import DEMO_ACCOUNTS

    contexts: list[Any] = []

    def make(size: tuple[int, int], username: str | None, *, mobile: bool = True) -> Any:
        width, height = size
        context = browser.new_context(
            viewport={"width": width, "height": height},
            is_mobile=mobile,
            has_touch=mobile,
            device_scale_factor=2 if mobile else 1,
            locale="zh-CN",
        )
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(20_000)

        def on_console(msg: Any) -> None:
            if msg.type == "error" and not any(s in msg.text for s in IGNORED_CONSOLE):
                console.errors.append(f"console: {msg.text}")

        pg.on("console", on_console)
        pg.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
        if username is not None:
            acc = next(a for a in DEMO_ACCOUNTS if a.username == username)
            sign_in(pg, live_server, acc.username, acc.password)
        return pg

    yield make
    for context in contexts:
        context.close()


# ----------------------------------------------------------------------------- checks
def assert_no_sideways_scroll(page: Any) -> None:
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"the page is {width} px wide in a {inner} px window"
    # a phone shrinks a page too wide for it until it fits: then the window is wider
    # than the screen, and everything is drawn small
    screen = page.viewport_size["width"]
    assert inner <= screen, f"the layout is {inner} px wide on a {screen} px screen"


def assert_touch_targets(page: Any, root: str) -> None:
    """Every visible button, link and field under ``root`` is at least TOUCH_MIN high
    and wide (no exceptions so far)."""
    targets = page.evaluate(TARGETS_JS, root)
    assert targets, f"no touch targets under {root}"
    small = [t for t in targets if min(t["w"], t["h"]) < TOUCH_MIN]
    assert not small, f"touch targets under {TOUCH_MIN} px in {root}: {small}"


def assert_inside_viewport(page: Any, selector: str) -> None:
    loc = page.locator(selector)
    assert loc.is_visible(), f"{selector} is not visible"
    box = loc.bounding_box()
    vp = page.viewport_size
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0, f"{selector} starts off-screen: {box}"
    assert box["x"] + box["width"] <= vp["width"], f"{selector} ends off-screen: {box}"
    assert box["y"] + box["height"] <= vp["height"], f"{selector} ends off-screen: {box}"


def assert_readable(page: Any, root: str) -> None:
    small = page.evaluate(SMALL_TEXT_JS, [root, TEXT_MIN])
    assert small is not None, f"{root} not found"
    assert not small, f"text under {TEXT_MIN} px in {root}: {small}"


def assert_header_fits(page: Any, logout: str) -> None:
    """One compact header: sign-out on screen, every control a touch target, the menu
    of screens opens by a tap and its links fit the screen."""
    header = page.locator("header.mq-header").bounding_box()
    assert header is not None and header["height"] <= 64, f"the header wraps: {header}"
    assert_inside_viewport(page, f"#{logout}")
    assert page.evaluate(ON_TOP_JS, logout), "sign-out is covered"
    assert_touch_targets(page, "header.mq-header")
    assert_readable(page, "header.mq-header")
    menu = page.locator("header .mq-nav-summary")
    if menu.count():
        menu.tap()
        page.locator("header .mq-nav nav").wait_for(state="visible")
        for link in page.locator("header .mq-nav nav a").all():
            box = link.bounding_box()
            assert box is not None and box["height"] >= TOUCH_MIN, box
            assert 0 <= box["x"] and box["x"] + box["width"] <= page.viewport_size["width"], box
        menu.tap()
        page.locator("header .mq-nav nav").wait_for(state="hidden")


# ----------------------------------------------------------------------------- tests
@pytest.mark.parametrize("size", PHONES.values(), ids=PHONES.keys())
def test_sign_in_and_password_pages_fit_a_phone(
    phone: Any, live_server: str, console: Any, size: tuple[int, int]
) -> None:
    page = phone(size, None)
    page.goto(live_server + "/login")
    assert_no_sideways_scroll(page)
    assert_touch_targets(page, "main.mq-auth-card")
    assert_readable(page, "main.mq-auth-card")
    from tests.conftest import demo_password

    page.fill("#login-username", "gridworker")
    page.fill("#login-password", demo_password("gridworker"))
    page.locator("#login-submit").tap()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(live_server + "/password")
    assert_no_sideways_scroll(page)
    assert_touch_targets(page, "main.mq-auth-card")
    assert_readable(page, "main.mq-auth-card")
    assert_inside_viewport(page, "#logout-submit")
    console.check()


@pytest.mark.parametrize("size", PHONES.values(), ids=PHONES.keys())
def test_map_on_a_phone(phone: Any, live_server: str, console: Any, size: tuple[int, int]) -> None:
    page = phone(size, "gridworker")
    page.goto(live_server + "/")
    page.wait_for_selector(".mq-area", state="attached")
    page.wait_for_selector(".mq-label", state="attached")
    page.wait_for_load_state("networkidle")
    assert_no_sideways_scroll(page)
    assert_header_fits(page, MapIds.LOGOUT)

    # the layer panel starts collapsed; its toggle is on top (no card over it)
    controls = page.locator(f"#{MapIds.CONTROLS}")
    body = controls.locator(".mq-card-body")
    assert body.is_hidden(), "the layer panel is open on load"
    toggle = page.locator(f"#{MapIds.CONTROLS_TOGGLE}")
    assert_inside_viewport(page, f"#{MapIds.CONTROLS_TOGGLE}")
    assert page.evaluate(ON_TOP_JS, MapIds.CONTROLS_TOGGLE), "the panel's toggle is covered"
    assert_touch_targets(page, f"#{MapIds.CONTROLS} .mq-card-head")
    # the hint card is shown and covers no control: not the panel, not the zoom buttons
    hint = page.locator(f"#{MapIds.PANEL}")
    assert hint.is_visible(), "no hint"
    assert_readable(page, f"#{MapIds.PANEL}")
    for control in (f"#{MapIds.CONTROLS}", ".leaflet-control-zoom"):
        assert not overlap(hint.bounding_box(), page.locator(control).bounding_box()), control
    for zoom in page.locator(".leaflet-control-zoom a").all():
        box = zoom.bounding_box()
        assert box is not None and min(box["width"], box["height"]) >= TOUCH_MIN, box

    # a tap opens it as a bottom sheet over part of the map, not all of it
    toggle.tap()
    body.wait_for(state="visible")
    sheet = controls.bounding_box()
    map_box = page.locator(f"#{MapIds.MAP}").bounding_box()
    assert sheet is not None and map_box is not None
    assert sheet["x"] <= 1 and sheet["width"] >= size[0] - 2, f"not a bottom sheet: {sheet}"
    assert abs(sheet["y"] + sheet["height"] - (map_box["y"] + map_box["height"])) <= 1, sheet
    assert sheet["height"] <= 0.7 * map_box["height"], f"the sheet covers the map: {sheet}"
    assert not overlap(hint.bounding_box(), sheet), "the hint covers the open sheet"
    assert_inside_viewport(page, f"#{MapIds.CONTROLS_TOGGLE}")
    assert page.evaluate(ON_TOP_JS, MapIds.CONTROLS_TOGGLE), "the sheet's toggle is covered"
    switches = page.locator(f"#{MapIds.LAYERS} label").all()
    assert switches
    for switch in switches:
        box = switch.bounding_box()
        assert box is not None and box["height"] >= TOUCH_MIN, box
    page.wait_for_selector(f"#{MapIds.LEGEND} .mq-legend-section")
    assert_readable(page, f"#{MapIds.CONTROLS}")
    assert_touch_targets(page, f"#{MapIds.CONTROLS}")
    toggle.tap()
    body.wait_for(state="hidden")
    assert_no_sideways_scroll(page)

    # a tap on the grid opens its panel as a sheet; its close button is on top
    box = page.locator(f"#{MapIds.MAP}").bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".mq-panel-open .mq-breadcrumb")
    panel = page.locator(f"#{MapIds.PANEL}").bounding_box()
    assert panel is not None and panel["width"] >= size[0] - 2, f"not a sheet: {panel}"
    assert_inside_viewport(page, f"#{MapIds.PANEL_CLOSE}")
    assert page.evaluate(ON_TOP_JS, MapIds.PANEL_CLOSE), "the panel's close button is covered"
    assert_touch_targets(page, f"#{MapIds.PANEL} .mq-breadcrumb")
    assert_readable(page, f"#{MapIds.PANEL} .mq-panel-body")
    page.locator(f"#{MapIds.PANEL_CLOSE}").tap()
    page.wait_for_selector(f"#{MapIds.PANEL}:not(.mq-panel-open)")
    assert page.evaluate(ON_TOP_JS, MapIds.CONTROLS_TOGGLE), "the panel's toggle is covered"
    if size == PHONES["390x844"]:
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
    console.check()


def test_grid_worker_verifies_a_case_on_a_phone(phone: Any, live_server: str, console: Any) -> None:
    """The case's panel is a sheet whose handling block works by taps: choose 核实,
    press 提交, read the answer."""
    from tests.integration.test_workflow import new_incident, state

    iid = new_incident()
    page = phone(PHONES["360x640"], "gridworker")
    page.goto(f"{live_server}/?incident={iid}")
    page.wait_for_selector(".mq-panel-open .mq-block-flow")
    assert_no_sideways_scroll(page)
    assert_inside_viewport(page, f"#{MapIds.PANEL_CLOSE}")
    page.locator(".mq-flow-action").tap()
    page.get_by_role("option", name="核实", exact=True).tap()
    page.keyboard.press("Escape")
    assert_touch_targets(page, ".mq-block-flow")
    assert_readable(page, ".mq-block-flow")
    button = page.locator(".mq-flow-submit")
    button.scroll_into_view_if_needed()
    assert page.evaluate(
        "() => { const e = document.querySelector('.mq-flow-submit');"
        " const r = e.getBoundingClientRect();"
        " return e.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }"
    ), "提交 is covered"
    button.tap()
    page.wait_for_selector(".mq-flow-message .mq-ok")
    assert state(iid)["status"] == "verified"
    assert_no_sideways_scroll(page)
    console.check()


def register_on_a_phone(page: Any, base: str) -> None:
    """Fill in the form by taps and register it; the map keeps its start point."""
    from governance import catalog

    leaf = next(c for c in catalog.all_categories() if c.parent_code and c.code != c.parent_code)
    parent = next(c for c in catalog.all_categories() if c.code == leaf.parent_code)
    page.goto(base + "/frontdesk")
    page.wait_for_selector(f"#{D.MAP} .mq-area", state="attached", timeout=30_000)
    page.locator(f"#{D.CATEGORY}").tap()
    page.get_by_role("option", name=f"{parent.name_zh} / {leaf.name_zh}", exact=True).tap()
    page.keyboard.press("Escape")
    page.fill(f"#{D.DESCRIPTION}", "居民来电：路灯不亮（手机）")
    submit = page.locator(f"#{D.SUBMIT}")
    submit.scroll_into_view_if_needed()
    assert_inside_viewport(page, f"#{D.SUBMIT}")
    assert page.evaluate(ON_TOP_JS, D.SUBMIT), "登记 is covered"
    submit.tap()
    page.wait_for_selector(".mq-desk-done")


@pytest.mark.parametrize(
    ("size", "username"),
    [
        (PHONES["390x844"], "gridworker"),
        (PHONES["360x640"], "gridworker"),
        (PHONES["360x640"], "supervisor"),
    ],
    ids=["390x844-gridworker", "360x640-gridworker", "360x640-supervisor"],
)
def test_front_desk_on_a_phone(
    phone: Any, live_server: str, console: Any, size: tuple[int, int], username: str
) -> None:
    page = phone(size, username)
    page.goto(live_server + "/frontdesk")
    page.wait_for_selector(f"#{D.MAP} .mq-area", state="attached", timeout=30_000)
    page.wait_for_load_state("networkidle")
    assert_no_sideways_scroll(page)
    assert_header_fits(page, D.LOGOUT)
    # the subtitle reads across, on one line or not at all
    subtitle = page.locator("header .mq-subtitle")
    if subtitle.is_visible():
        box = subtitle.bounding_box()
        assert box is not None and box["height"] <= 2 * TEXT_MIN * 1.5, f"subtitle: {box}"
    assert_touch_targets(page, ".mq-desk-form")
    assert_readable(page, ".mq-desk-form")
    # the form is part of the page: no box of its own scrolls
    inner = page.evaluate(
        """() => Array.from(document.querySelectorAll(".mq-desk-main, .mq-desk-form"))
            .filter(e => e.scrollHeight > e.clientHeight + 1).map(e => e.className)"""
    )
    assert not inner, f"scrolls inside a box: {inner}"

    register_on_a_phone(page, live_server)
    message = page.locator(f"#{D.MESSAGE}")
    message.scroll_into_view_if_needed()
    assert_inside_viewport(page, ".mq-desk-done")
    assert page.evaluate(ON_TOP_JS, D.MESSAGE), "the message is covered"
    assert "已登记" in message.inner_text()
    assert_no_sideways_scroll(page)
    console.check()


def test_the_english_header_fits_a_narrow_phone(phone: Any, live_server: str, console: Any) -> None:
    """English words are longer: the header still fits 360 px, sign-out on screen."""
    page = phone(PHONES["360x640"], "supervisor")
    page.context.add_cookies([{"name": "minqing_lang", "value": "en", "url": live_server}])
    for path, logout in (("/", MapIds.LOGOUT), ("/frontdesk", D.LOGOUT)):
        page.goto(live_server + path)
        page.wait_for_selector(".mq-lang-en .mq-area", state="attached")
        assert_no_sideways_scroll(page)
        assert_header_fits(page, logout)
    console.check()


@pytest.mark.parametrize("size", DESKTOPS.values(), ids=DESKTOPS.keys())
def test_desktop_layout_is_unchanged(
    phone: Any, live_server: str, console: Any, size: tuple[int, int]
) -> None:
    """The same screens on a desktop: no sideways scroll, the layer panel open beside
    the map, the form and the map side by side."""
    page = phone(size, "gridworker", mobile=False)
    page.goto(live_server + "/")
    page.wait_for_selector(".mq-area", state="attached")
    page.wait_for_load_state("networkidle")
    assert_no_sideways_scroll(page)
    assert page.locator(f"#{MapIds.CONTROLS} .mq-card-body").is_visible()
    controls = page.locator(f"#{MapIds.CONTROLS}").bounding_box()
    assert controls is not None and controls["width"] < 300 and controls["y"] < 80, controls
    assert_inside_viewport(page, f"#{MapIds.LOGOUT}")
    assert page.locator("header.mq-header").bounding_box()["height"] == 48  # type: ignore[index]
    page.goto(live_server + "/frontdesk")
    page.wait_for_selector(f"#{D.MAP} .mq-area", state="attached", timeout=30_000)
    assert_no_sideways_scroll(page)
    form = page.locator(".mq-desk-form").bounding_box()
    desk_map = page.locator(f"#{D.MAP}").bounding_box()
    assert form is not None and desk_map is not None
    assert desk_map["x"] > form["x"] + form["width"], "the form and the map are not side by side"
    console.check()
