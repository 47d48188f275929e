"""Time playback on the map in a real Chromium: a month by the day plays, the date shown is
the date of the frame drawn (its request, its data and the slider agree), the live layers
give way while it is on and come back after; and the control works on a 360 px phone.

Every wait is on a condition of the page (an attribute, a request), never on the clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from pages.map_ids import MapIds
from pages.map_playback import PlaybackIds as P
from tests.e2e import axe
from tests.e2e.conftest import readme_picture
from tests.e2e.test_phone import (
    assert_inside_viewport,
    assert_no_sideways_scroll,
    assert_readable,
    assert_touch_targets,
    phone,  # noqa: F401  # the phone-page fixture
)

pytestmark = pytest.mark.e2e

SCREENSHOT = readme_picture("screenshots/playback.png")
FRAME_API = "/api/v1/playback/frame"
HEXES = ".leaflet-mq-playback-pane path.mq-hex"

# The frame drawn, read in one go: the label, the drawn frame's attributes, the slider.
SHOWN_JS = """ids => {
    const d = document.getElementById(ids.date);
    const thumb = document.querySelector("#" + ids.slider + " [role=slider]");
    return {text: d.textContent, frame: d.dataset.frame, start: d.dataset.frameStart,
            label: d.dataset.frameLabel, mapStart: document.getElementById(ids.map).dataset.playbackStart,
            slider: thumb ? thumb.getAttribute("aria-valuenow") : null,
            badge: document.getElementById(ids.badge).textContent,
            hexes: document.querySelectorAll(ids.hexes).length};
}"""
IDS = {"date": P.DATE, "slider": P.SLIDER, "map": MapIds.MAP, "hexes": HEXES, "badge": P.BADGE}


def frame_requests(page: Any) -> list[dict[str, str]]:
    """The query of every frame request the page makes."""
    seen: list[dict[str, str]] = []

    def on_request(r: Any) -> None:
        if FRAME_API in r.url:
            seen.append({k: v[0] for k, v in parse_qs(urlsplit(r.url).query).items()})

    page.on("request", on_request)
    return seen


def switch_on(page: Any) -> None:
    page.locator(f"#{P.ON} label").click()
    page.wait_for_function(
        "id => !document.getElementById(id).disabled", arg=P.PLAY
    )  # the server accepted the period


def settled(page: Any) -> dict[str, Any]:
    """Wait until the label, the drawn frame and the slider say the same frame."""
    page.wait_for_function(
        """ids => {
            const d = document.getElementById(ids.date);
            const thumb = document.querySelector("#" + ids.slider + " [role=slider]");
            return d.dataset.frame !== undefined && thumb
                && thumb.getAttribute("aria-valuenow") === d.dataset.frame
                && d.textContent.startsWith(d.dataset.frameLabel)
                && document.getElementById(ids.badge).textContent === d.textContent;
        }""",
        arg=IDS,
    )
    return dict(page.evaluate(SHOWN_JS, IDS))


def check_frame(
    page: Any, base: str, shown: dict[str, Any], first: date, asked: list[dict]
) -> None:
    """The date shown is the frame's day, the one requested, and its hexagons are drawn."""
    n = int(shown["frame"])
    day = first + timedelta(days=n)
    assert shown["label"] == day.isoformat() and shown["text"].startswith(day.isoformat())
    assert shown["badge"] == shown["text"]  # the same date over the map
    assert shown["start"] == shown["mapStart"] == f"{day.isoformat()}T00:00:00+08:00"
    mine = [q for q in asked if q["frame"] == str(n)]
    assert mine and all(q["start"] == first.isoformat() and q["step"] == "day" for q in mine)
    query = "&".join(f"{k}={v}" for k, v in mine[-1].items())
    body = page.request.get(f"{base}{FRAME_API}?{query}").json()
    assert body["label"] == shown["label"]
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length === n",
        arg=[HEXES, len(body["density"]["features"])],
    )
    points = (body["points"] or {}).get("features", [])
    page.wait_for_function(
        "n => document.querySelectorAll('path.mq-playback-point').length === n", arg=len(points)
    )


def test_a_month_plays_by_the_day_and_the_date_shown_is_the_frame_drawn(
    page: Any, live_server: str, console: Any
) -> None:
    asked = frame_requests(page)
    page.goto(live_server + "/")
    page.wait_for_selector(".mq-area", state="attached")
    page.wait_for_selector(".mq-incident, .mq-incident-cluster", state="attached")
    switch_on(page)
    today = date.today()
    first = today - timedelta(days=29)  # the default period: the last 30 days
    shown = settled(page)
    assert shown["frame"] == "0"
    check_frame(page, live_server, shown, first, asked)
    axe.assert_clean(page, "/ (playback on)")  # the slider's handle is named, and so on
    # the live layers give way to the frame
    page.wait_for_selector(".mq-main.mq-playback-active")
    assert page.locator(".mq-incident-cluster, .mq-incident").first.is_hidden()

    play = page.locator(f"#{P.PLAY}")
    speed = page.locator(f"#{P.SPEED} label", has=page.locator("input[value='8']"))
    speed.click()
    for at_least in (4, 12):
        play.click()  # play ...
        page.wait_for_function(
            "([id, n]) => Number(document.getElementById(id).dataset.frame) >= n",
            arg=[P.DATE, at_least],
        )
        play.click()  # ... and pause
        page.wait_for_selector(f"#{P.PLAY}[aria-pressed=false]")
        shown = settled(page)
        assert int(shown["frame"]) >= at_least
        check_frame(page, live_server, shown, first, asked)
    # frames ahead were fetched while one was shown (prefetch), never the whole month at once
    n = int(shown["frame"])
    assert {str(k) for k in range(n + 1, n + 4)} <= {q["frame"] for q in asked}
    assert len({q["frame"] for q in asked}) < 30

    # the keyboard moves the slider to the last frame: today
    page.locator(f"#{P.SLIDER} [role=slider]").focus()
    page.keyboard.press("End")
    page.wait_for_function("id => document.getElementById(id).dataset.frame === '29'", arg=P.DATE)
    shown = settled(page)
    check_frame(page, live_server, shown, first, asked)
    assert shown["label"] == today.isoformat()

    # back to the middle of the month for the README's picture
    page.keyboard.press("Home")
    for _ in range(14):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("id => document.getElementById(id).dataset.frame === '14'", arg=P.DATE)
    check_frame(page, live_server, settled(page), first, asked)
    # zoomed in on 城区 the same frame is drawn again, with its incidents as dots (the key
    # sites switched off, for the README's picture)
    page.locator(f"#{MapIds.LAYERS} label", has=page.locator("input[value='sites']")).click()
    page.wait_for_function("() => document.querySelectorAll('.mq-site').length === 0")
    with page.expect_request(lambda r: FRAME_API in r.url and "z=13" in r.url):
        page.evaluate(
            "([id, v]) => window.dash_clientside.set_props(id, {viewport: v})",
            [MapIds.MAP, {"center": [22.79, 115.37], "zoom": 13, "transition": "setView"}],
        )
    shown = settled(page)
    assert shown["frame"] == "14"
    check_frame(page, live_server, shown, first, asked)
    page.evaluate("() => document.querySelector('.mq-section-playback').scrollIntoView()")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    # off: the frame goes, the live layers come back
    page.locator(f"#{P.ON} label").click()
    page.wait_for_selector(".mq-main:not(.mq-playback-active)")
    page.wait_for_function("sel => document.querySelectorAll(sel).length === 0", arg=HEXES)
    page.wait_for_selector(".mq-incident, .mq-incident-cluster", state="visible")
    assert page.locator(f"#{P.DATE}").inner_text() == ""
    console.check()


def test_a_too_long_period_is_explained_not_played(
    page: Any, live_server: str, console: Any
) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector(".mq-area", state="attached")
    page.evaluate(
        "([id, s, e]) => window.dash_clientside.set_props(id, {start_date: s, end_date: e})",
        [P.DATES, "2024-01-01", "2025-06-30"],
    )
    page.locator(f"#{P.ON} label").click()
    page.wait_for_function(
        "id => document.getElementById(id).textContent.includes('366')", arg=P.MESSAGE
    )
    assert page.locator(f"#{P.PLAY}").is_disabled()
    console.check()


def test_playback_on_a_360px_phone(phone: Any, live_server: str, console: Any) -> None:  # noqa: F811
    page = phone((360, 640), "supervisor")
    page.goto(live_server + "/")
    page.wait_for_selector(".mq-area", state="attached")
    page.locator(f"#{MapIds.CONTROLS_TOGGLE}").tap()
    section = page.locator(".mq-section-playback")
    section.scroll_into_view_if_needed()
    page.locator(f"#{P.ON} label").tap()
    page.wait_for_function("id => !document.getElementById(id).disabled", arg=P.PLAY)
    page.wait_for_function("id => document.getElementById(id).dataset.frame === '0'", arg=P.DATE)
    assert_touch_targets(page, ".mq-section-playback")
    assert_readable(page, ".mq-section-playback")
    thumb = page.locator(f"#{P.SLIDER} [role=slider]").bounding_box()
    assert thumb is not None and min(thumb["width"], thumb["height"]) >= 30, thumb
    box = section.bounding_box()
    assert box is not None and box["width"] <= 360, box
    assert_no_sideways_scroll(page)
    page.locator(f"#{P.PLAY}").tap()
    page.wait_for_function(
        "id => Number(document.getElementById(id).dataset.frame) >= 2", arg=P.DATE
    )
    page.locator(f"#{P.PLAY}").tap()
    # with the sheet shut, the frame's date stays in sight over the map, clear of the button
    page.locator(f"#{MapIds.CONTROLS_TOGGLE}").tap()
    page.locator(f"#{MapIds.CONTROLS} .mq-card-body").wait_for(state="hidden")
    badge = page.locator(f"#{P.BADGE}")
    assert badge.is_visible() and badge.inner_text() == page.locator(f"#{P.DATE}").text_content()
    assert_inside_viewport(page, f"#{P.BADGE}")
    toggle = page.locator(f"#{MapIds.CONTROLS_TOGGLE}").bounding_box()
    box = badge.bounding_box()
    assert box is not None and toggle is not None
    assert box["y"] + box["height"] <= toggle["y"] or box["x"] >= toggle["x"] + toggle["width"], box
    console.check()
