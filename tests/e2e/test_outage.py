"""A database outage under an open map, in a real Chromium: the banner, then recovery.

The database is this module's own (``tests/outage_server.py``), really stopped and
started again under a running gunicorn. What a person sees: a callback fired during
the outage shows the translated banner instead of failing, and its result arrives by
itself once the database is back (no reload); a page opened during the outage is the
503 page, which turns into the screen by itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from governance.demo_accounts import DEMO_ACCOUNTS
from i18n import t
from pages.map_ids import MapIds
from tests.e2e.conftest import VIEWPORT, sign_in
from tests.outage_server import OutageServer, outage_server

pytestmark = pytest.mark.e2e

BANNER = "#mq-outage-banner"
# what Chromium logs for a 503 answer, and for an EventSource answered with JSON
EXPECTED_CONSOLE = ("503", "EventSource")


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[OutageServer]:
    keep = [False]
    with outage_server(keep_log=keep) as srv:
        yield srv
        keep[0] = bool(request.session.testsfailed)


@pytest.fixture
def page(browser: Any, server: OutageServer) -> Iterator[tuple[Any, list[str]]]:
    """The commander's map on the outage server, and its unexpected console errors."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    errors: list[str] = []
    pg.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not any(s in m.text for s in EXPECTED_CONSOLE)
            else None
        ),
    )
    pg.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    acc = next(a for a in DEMO_ACCOUNTS if a.username == "commander")
    sign_in(pg, server.base, acc.username, acc.password)
    yield pg, errors
    context.close()
    if not server.cluster.running():
        server.start_database()


def open_map(page: Any, base: str) -> None:
    page.goto(base + "/")
    page.wait_for_selector(".mq-area", state="attached")
    page.wait_for_function("() => window.minqing.live.state === 'live'")


def zoom_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["z"][0]


def test_an_open_map_shows_the_banner_and_recovers_by_itself(
    page: tuple[Any, list[str]], server: OutageServer
) -> None:
    pg, errors = page
    open_map(pg, server.base)
    assert pg.locator(BANNER).count() == 0

    server.stop_database()
    # the map moves: its layer-URL callback is answered 503, and held
    pg.evaluate(
        "([id, v]) => window.dash_clientside.set_props(id, {viewport: v})",
        [MapIds.MAP, {"center": [22.78, 115.37], "zoom": 14, "transition": "setView"}],
    )
    pg.wait_for_selector(BANNER, state="visible")
    assert pg.locator(BANNER).inner_text() == t("outage.retrying", "zh-CN")
    assert pg.evaluate("window.minqing.outage.held") >= 1
    pg.wait_for_function("() => window.minqing.live.state === 'reconnecting'")
    assert pg.locator(".mq-area").count() > 0  # what was drawn stays

    t0 = time.monotonic()
    with pg.expect_response(
        lambda r: "/api/v1/layers/areas?" in r.url and zoom_of(r.url) == "14" and r.ok,
        timeout=45_000,
    ):
        server.start_database()
    pg.wait_for_selector(BANNER, state="hidden")
    recovered_in = time.monotonic() - t0
    state = pg.evaluate("window.minqing.outage")
    assert state["state"] == "ok" and state["held"] == 0 and state["recovered"] >= 1
    assert not errors, errors
    print(f"\nthe map recovered {recovered_in:.1f} s after the database was started")


def test_a_page_opened_during_the_outage_retries_by_itself(
    page: tuple[Any, list[str]], server: OutageServer
) -> None:
    pg, errors = page
    server.stop_database()
    resp = pg.goto(server.base + "/")
    assert resp is not None and resp.status == 503
    assert pg.locator("#outage-message").inner_text() == t("outage.retrying", "zh-CN")
    t0 = time.monotonic()
    server.start_database()
    pg.wait_for_selector(".mq-area", state="attached", timeout=30_000)  # the refresh did it
    assert not errors, errors
    print(f"\nthe 503 page became the map {time.monotonic() - t0:.1f} s after the restart")
