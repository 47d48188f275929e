"""The wall screen in a real Chromium at 1920x1080, opened by its kiosk URL.

Every wait is on a condition of the page, never on the clock. To see refresh failures
and revocation without waiting 10 s per tick, the test shortens the page's own refresh
interval (the dcc.Interval's `interval` prop), as a faster wall would be configured.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from pages.wall_ids import WallIds

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
UPDATE = "**/_dash-update-component*"  # Dash's callback endpoint (with an ?endId= query)
WALL_VIEWPORT = {"width": 1920, "height": 1080}
SCREENSHOT = (
    ROOT / "docs"
    if os.environ.get("MINQING_UPDATE_SCREENSHOTS") == "1"
    else ROOT / ".data" / "screenshots"
) / "screenshot-wall.png"


def kiosk_token(area_code: str | None = None) -> tuple[int, str]:
    from geodata.db import session_scope
    from governance.kiosks import create_kiosk_token

    with session_scope() as s:
        tok = create_kiosk_token(s, area_code=area_code, name="e2e 指挥中心大屏")
    return tok.id, tok.token


@pytest.fixture
def wall_page(browser: Any, console: Any, live_server: str) -> Any:
    context = browser.new_context(viewport=WALL_VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)

    def on_console(msg: Any) -> None:
        if msg.type == "error" and "favicon" not in msg.text:
            console.errors.append(f"console: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    yield page
    context.close()


def open_wall(page: Any, base: str, token: str) -> None:
    page.goto(f"{base}/wall/k/{token}")
    page.wait_for_url(lambda url: url.endswith("/wall"))
    # figures arrive with the first refresh; the base map with the first layer response
    page.wait_for_function(
        "() => [...document.querySelectorAll('.mq-wall-kpi-value')]"
        ".filter(e => /^[0-9,]+$/.test(e.textContent)).length === 3"
    )
    page.wait_for_selector(f"#{WallIds.MAP} .mq-area", state="attached")


def clock_class(page: Any) -> str:
    return str(page.get_attribute(f"#{WallIds.CLOCK}", "class") or "")


def wait_clock(page: Any, *, stale: bool) -> None:
    """Wait until the clock is (or is no longer) red."""
    page.wait_for_function(
        f"id => {'' if stale else '!'}document.getElementById(id).className.includes('mq-wall-stale')",
        arg=WallIds.CLOCK,
    )


def set_interval(page: Any, ms: int) -> None:
    page.evaluate(
        "([id, ms]) => window.dash_clientside.set_props(id, {interval: ms})",
        [WallIds.INTERVAL, ms],
    )


def test_kiosk_wall_fills_the_screen(wall_page: Any, live_server: str, console: Any) -> None:
    _, token = kiosk_token()
    open_wall(wall_page, live_server, token)
    page = wall_page
    labels = page.locator(".mq-wall-kpi-label").all_inner_texts()
    assert labels == ["今日新增事件", "在办事件", "近 1 小时事件"]
    assert page.locator(f"#{WallIds.MAP}.leaflet-container").is_visible()
    assert page.locator(f"#{WallIds.CATEGORIES} .mq-wall-rank-row, #{WallIds.CATEGORIES} "
                        ".mq-wall-empty").count() >= 1  # fmt: skip
    # the clock shows the time of the last refresh, not red
    page.wait_for_function(
        "id => /^\\d\\d:\\d\\d:\\d\\d$/.test(document.getElementById(id).textContent)",
        arg=WallIds.CLOCK_TIME,
    )
    assert "mq-wall-stale" not in clock_class(page)
    # density hexagons whenever the API has incidents of the last 24 h to draw
    density_url = page.evaluate(
        "() => [...performance.getEntriesByType('resource')].map(e => e.name)"
        ".filter(n => n.includes('/api/v1/layers/density')).pop() || null"
    )
    if density_url:
        stats = page.request.get(density_url).json()["stats"]
        if stats["total"]:
            page.wait_for_selector(".mq-hex", state="attached")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    # one screen: no scrollbars, nothing cut off inside the tiles and lists
    fits = page.evaluate(
        """() => {
            const d = document.documentElement;
            const clipped = [...document.querySelectorAll(
                '.mq-wall-kpi, .mq-wall-card, .mq-wall-header')]
                .filter(e => e.scrollHeight > e.clientHeight + 1
                          || e.getBoundingClientRect().bottom > innerHeight + 0.5)
                .map(e => e.className);
            return {h: d.scrollHeight, w: d.scrollWidth, ih: innerHeight, iw: innerWidth, clipped};
        }"""
    )
    assert fits["h"] <= fits["ih"] and fits["w"] <= fits["iw"], fits
    assert not fits["clipped"], fits
    console.check()


def test_failed_refreshes_turn_the_clock_red_and_revocation_locks(
    wall_page: Any, live_server: str
) -> None:
    token_id, token = kiosk_token()
    page = wall_page
    open_wall(page, live_server, token)
    set_interval(page, 1000)
    # refreshes fail (the network refuses them): the clock turns red, in the browser
    page.route(UPDATE, lambda route: route.abort())
    wait_clock(page, stale=True)
    assert page.locator(".mq-wall-stale-note").is_visible()
    page.unroute(UPDATE)
    wait_clock(page, stale=False)
    # refreshes hang (the server accepts them and never answers): red as well
    held: list[Any] = []
    hold = [True]

    def handler(route: Any) -> None:
        if hold[0]:
            held.append(route)  # no answer until we let go
        else:
            route.continue_()

    page.route(UPDATE, handler)
    wait_clock(page, stale=True)
    hold[0] = False
    for route in held:
        route.continue_()
    page.unroute(UPDATE)
    wait_clock(page, stale=False)
    # the token is revoked: the next refresh shows the locked screen, no figures
    from geodata.db import session_scope
    from governance.tokens import revoke_token

    with session_scope() as s:
        revoke_token(s, token_id)
    page.wait_for_selector(".mq-wall-locked-on", state="visible")
    assert "大屏已锁定" in page.inner_text(f"#{WallIds.LOCKED}")
    assert not page.locator(".mq-wall-kpi-value").all_inner_texts() or all(
        v == "—" for v in page.locator(".mq-wall-kpi-value").all_inner_texts()
    )
    page.reload()
    assert "大屏已锁定" in page.inner_text("body")
