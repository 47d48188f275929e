"""WCAG 2.1 AA in a real Chromium: axe-core (tests/e2e/axe.py) finds no serious or
critical violation on any screen, each opened by a role that may open it, once its data
has rendered; every Dash page names its language on ``<html>``; the keyboard reaches
every control with a visible focus ring.

Every wait is on a condition of the page (an element, a request), never on the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from governance.demo_accounts import DEMO_ACCOUNTS
from pages.area_import_ids import AreaImportIds
from pages.dispatch_ids import DispatchIds
from pages.evaluation_ids import EvalIds
from pages.frontdesk_ids import DeskIds
from pages.import_ids import ImportIds
from pages.import_sites_ids import SitesImportIds
from pages.patrol_report_ids import ReportIds
from tests.e2e import axe
from tests.e2e.conftest import VIEWPORT, Console, sign_in
from tests.e2e.test_patrol_phone import visits  # noqa: F401  (fixture)
from tests.e2e.test_public import parents
from tests.integration.test_public import choices  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Screen:
    """A screen to check: its path, who opens it (None: nobody signed in), the selector
    that says its data has rendered, and the viewport."""

    path: str
    user: str | None
    ready: str
    viewport: dict[str, int] | None = None
    state: str = "visible"
    lang: str = "zh-CN"


SCREENS = [
    Screen("/dispatch", "commander", f"#{DispatchIds.list_id('queue')} tr.mq-dispatch-row"),
    Screen("/consult", "supervisor", ".mq-consult-section-stuck"),
    Screen("/evaluation", "supervisor", f"#{EvalIds.BODY} .mq-eval-row"),
    Screen("/briefings", "commander", "#brief-submit"),
    Screen("/admin/users", "admin", ".mq-users-row"),
    Screen("/audit", "auditor", ".mq-audit-row"),
    Screen("/patrol-report", "supervisor", f"#{ReportIds.BODY} .mq-eval-summary"),
    Screen("/frontdesk", "gridworker", f"#{DeskIds.MAP} .mq-area", state="attached"),
    Screen("/import", "commander", f"#{ImportIds.UPLOAD}"),
    Screen("/import/areas", "admin", f"#{AreaImportIds.UPLOAD}"),
    Screen("/import/sites", "supervisor", f"#{SitesImportIds.UPLOAD}"),
    Screen("/login", None, "#login-submit"),
    Screen("/password", "commander", "#password-submit"),
    Screen("/audit", "dept", "#forbidden-message"),  # the 403 page: not a department's
    Screen("/report", None, "#report-submit"),
    Screen("/", "commander", "#map-leaflet .mq-area", state="attached"),
    Screen("/", "supervisor", "#map-leaflet .mq-area", state="attached"),
    Screen("/wall", "wall", "[data-kpi]"),
    Screen("/alerts", "supervisor", "#alerts-unread"),
    Screen("/admin/webhooks", "admin", "#webhooks-targets > *"),
]
# the front desk once more on a grid worker's phone; the form-heavy screens once more in
# English (names of fields, Dash's own words)
SCREENS += [replace(s, viewport=PHONE) for s in SCREENS if s.path == "/frontdesk"]
SCREENS += [
    replace(s, lang="en")
    for s in SCREENS
    if (
        s.path in ("/briefings", "/audit", "/patrol-report", "/import", "/")
        and s.user not in ("dept", "supervisor")
    )
    or s.path == "/import/sites"
]


def screen_id(screen: Screen) -> str:
    extra = [screen.lang] if screen.lang != "zh-CN" else []
    if screen.viewport:
        extra.append(f"{screen.viewport['width']}x{screen.viewport['height']}")
    return f"{screen.path} as {screen.user or 'nobody'}" + "".join(f" ({x})" for x in extra)


def _context(browser: Any, console: Console, viewport: dict[str, int] | None, **kw: Any) -> Any:
    context = browser.new_context(viewport=viewport or VIEWPORT, locale="zh-CN", **kw)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    return page


@pytest.fixture
def new_page(browser: Any, console: Console) -> Iterator[Callable[..., Any]]:
    """A factory of fresh browser pages (closed afterwards)."""
    pages: list[Any] = []

    def make(viewport: dict[str, int] | None = None, **kw: Any) -> Any:
        page = _context(browser, console, viewport, **kw)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()


def open_screen(
    make: Callable[..., Any], base: str, screen: Screen, lang: str | None = None
) -> Any:
    lang = lang or screen.lang
    page = make(screen.viewport)
    if lang != "zh-CN":
        page.context.add_cookies([{"name": "minqing_lang", "value": lang, "url": base}])
    if screen.user:
        sign_in(page, base, screen.user, PASSWORDS[screen.user])
    page.goto(base + screen.path)
    page.wait_for_selector(screen.ready, state=screen.state)
    return page


@pytest.mark.parametrize(
    "screen",
    [pytest.param(s, id=screen_id(s)) for s in SCREENS],
)
def test_no_serious_violations(
    new_page: Callable[..., Any], live_server: str, console: Console, screen: Screen
) -> None:
    page = open_screen(new_page, live_server, screen)
    axe.assert_clean(page, screen.path)
    console.check()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("path", ["/dispatch", "/audit"])
def test_dash_pages_name_their_language(
    new_page: Callable[..., Any], live_server: str, path: str, lang: str
) -> None:
    screen = next(s for s in SCREENS if s.path == path and s.user != "dept" and s.lang == "zh-CN")
    page = open_screen(new_page, live_server, screen, lang)
    assert page.get_attribute("html", "lang") == lang


def test_public_report_done_and_track(
    new_page: Callable[..., Any],
    live_server: str,
    console: Console,
    choices: dict[str, str],  # noqa: F811
) -> None:
    """A resident files a report (the form, then the page with the tracking code) and
    follows it (/track/<code>): all three pages clean."""
    page = new_page(PHONE)
    page.goto(live_server + "/report")
    axe.assert_clean(page, "/report (phone)")
    county, street = parents(choices["community"])
    page.select_option("#report-category", choices["category"])
    page.fill("#report-description", "路灯坏了一周，晚上很黑")
    page.select_option("#report-county", county)
    page.select_option("#report-street", street)
    page.select_option("#report-community", choices["community"])
    page.fill("#report-phone", "13700003333")
    page.click("#report-submit")
    page.wait_for_selector("#report-code")
    axe.assert_clean(page, "/report (filed)")
    page.click("#report-track-link")
    page.wait_for_selector("#track-status")
    assert "/track/" in page.url
    axe.assert_clean(page, "/track")
    console.check()


def test_patrol_phone_day_and_checklist(
    browser: Any,
    live_server: str,
    console: Console,
    visits: list[dict[str, Any]],  # noqa: F811
) -> None:
    """The grid worker's day at 390x844 with touch: the list of visits, then an open
    checklist, both clean."""
    first = visits[0]
    page = _context(
        browser,
        console,
        PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        permissions=["geolocation"],
        geolocation={"longitude": first["lon"], "latitude": first["lat"], "accuracy": 10},
    )
    try:
        sign_in(page, live_server, "gridworker", PASSWORDS["gridworker"])
        page.wait_for_url("**/patrol")
        page.wait_for_selector("#patrol-list li")
        axe.assert_clean(page, "/patrol (day)")
        page.tap(f"#patrol-task-{first['id']}")
        page.wait_for_selector("#patrol-form-view:not([hidden]) #patrol-form")
        axe.assert_clean(page, "/patrol (checklist)")
        console.check()
    finally:
        page.context.close()


# The controls a keyboard must reach on a screen, as the page lists them: visible, enabled,
# not taken out of the tab order. Radio buttons are one stop per group (arrows move inside).
CONTROLS_JS = """() => {
    const sel = 'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]';
    const shown = e => e.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})
        && !e.closest('[hidden], [aria-hidden=true], .leaflet-container, details:not([open]) > nav');
    const out = new Set();
    for (const e of document.querySelectorAll(sel)) {
        if (e.disabled || e.tabIndex < 0 || !shown(e)) continue;
        if (e.type === 'file' && getComputedStyle(e).opacity < 0.01) continue;  // behind its zone
        out.add(e.type === 'radio' ? 'radio:' + e.name : key(e));
    }
    return [...out];
    function key(e) { return e.id ? '#' + e.id : e.tagName + ':' + (e.textContent || e.name || '').trim().slice(0, 30); }
}"""
# The focused element, as CONTROLS_JS names it, and whether a focus indicator shows on it
# (an outline or a ring on it, on the box Dash wraps it in, on its <label> or on the text
# that follows it).
FOCUSED_JS = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const key = e.type === 'radio' ? 'radio:' + e.name
        : (e.id ? '#' + e.id : e.tagName + ':' + (e.textContent || e.name || '').trim().slice(0, 30));
    const ring = x => {
        if (!x) return false;
        const s = getComputedStyle(x);
        return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
    };
    const box = e.closest('.dash-input-container, .dash-datepicker-input-wrapper');
    return [key, ring(e) || ring(box) || ring(e.closest('label')) || ring(e.nextElementSibling)];
}"""
MAX_TABS = 400


def tab_through(page: Any) -> tuple[set[str], list[str]]:
    """Press Tab from the top of the page until the focus comes round again (or MAX_TABS):
    the controls reached, and those that showed no focus indicator."""
    page.evaluate(
        "() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }"
    )
    reached: list[str] = []
    no_ring: list[str] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None:
            continue
        key, ring = focused
        if reached and key == reached[0]:
            break
        reached.append(key)
        if not ring:
            no_ring.append(key)
    return set(reached), no_ring


@pytest.mark.parametrize("screen", [pytest.param(s, id=screen_id(s)) for s in SCREENS])
def test_keyboard_reaches_every_control_with_a_visible_focus(
    new_page: Callable[..., Any], live_server: str, screen: Screen
) -> None:
    page = open_screen(new_page, live_server, screen)
    controls = set(page.evaluate(CONTROLS_JS))
    reached, no_ring = tab_through(page)
    assert controls <= reached, f"not reached by Tab on {screen.path}: {sorted(controls - reached)}"
    assert not no_ring, f"no visible focus on {screen.path}: {sorted(set(no_ring))}"


def tab_to(page: Any, selector: str) -> None:
    """Press Tab until ``selector`` has the focus (at most MAX_TABS presses)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_operates_dash_dropdown_date_clear_and_radios(
    new_page: Callable[..., Any], live_server: str, console: Console
) -> None:
    """Keyboard only: on /audit choose an outcome in a dropdown, clear the dates with the
    clear button and search; on /briefings move a radio group with the arrows."""
    audit = next(
        s for s in SCREENS if s.path == "/audit" and s.user == "auditor" and s.lang == "zh-CN"
    )
    page = open_screen(new_page, live_server, audit)
    outcome = "#audit-filter-outcome"
    before = page.inner_text(outcome)
    tab_to(page, outcome)
    page.keyboard.press("Enter")
    page.wait_for_selector(".dash-dropdown-content [role=option]")
    # the open list puts the focus in its search box (in the next frame), Down on the first option
    page.wait_for_function(
        "() => !!document.activeElement?.matches('.dash-dropdown-content input')"
    )
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "() => !!document.activeElement?.closest('.dash-dropdown-content [role=option]')"
    )
    page.keyboard.press("Enter")
    page.wait_for_function(
        "([s, b]) => document.querySelector(s).innerText !== b", arg=[outcome, before]
    )
    # the menu hands the focus back to its button once it has closed (a frame later)
    page.wait_for_function("() => document.activeElement?.id === 'audit-filter-outcome'")
    tab_to(page, "a.dash-datepicker-clear")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('audit-filter-dates').value === ''")
    tab_to(page, "#audit-search")
    with page.expect_response(lambda r: "_dash-update-component" in r.url and r.ok):
        page.keyboard.press("Enter")  # the search runs

    brief = next(s for s in SCREENS if s.path == "/briefings" and s.lang == "zh-CN")
    page = open_screen(new_page, live_server, brief)
    tab_to(page, "#brief-period input[type=radio]")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#brief-period input[value=weekly]:checked")
    console.check()
