"""Alerts in Chromium: a supervisor subscribes on /alerts as a person would; an alert is
published (in a unit of work, as the spike engine will) and the header's badge and the
inbox row appear without a reload; marking it read clears the badge; the screen fits a
360 px phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance import alerts
from governance.uow import unit_of_work
from pages.alerts_ids import AlertsIds
from tests.e2e.test_persons_ui import page_as  # noqa: F401  (fixture)
from tests.e2e.test_phone import PHONES, assert_header_fits, assert_no_sideways_scroll, phone  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.commits]
LIVE_BUDGET_MS = 10_000
KEY = "e2e-alert-"


@pytest.fixture
def clean() -> Iterator[None]:
    yield
    with session_scope(admin=True) as s:
        s.execute(text("DELETE FROM alert WHERE dedup_key LIKE 'e2e-alert-%'"))
        s.execute(text("DELETE FROM alert_subscription"))


def _grid_of_supervisor() -> str:
    with session_scope(admin=True) as s:
        return str(
            s.execute(
                text("""SELECT g.code FROM area g, app_user u JOIN area a ON a.id = u.area_id
                        WHERE u.username = 'supervisor' AND g.level = 'grid'
                          AND starts_with(g.code, left(a.code, 9)) ORDER BY g.code LIMIT 1""")
            ).scalar_one()
        )


def _publish(grid: str, key: str) -> int:
    with unit_of_work() as s:
        return alerts.publish(
            s, kind="spike", area_code=grid, category=None, key=KEY + key,
            evidence={"observed": 14, "expected": 3.1, "window_hours": 24},
        )  # fmt: skip


def _open_alerts(page: Any, base: str) -> None:
    page.goto(base + "/alerts")
    page.wait_for_selector(f"#{AlertsIds.UNREAD}")  # the lists are drawn
    page.wait_for_function("() => window.minqing && window.minqing.alerts.stream === 'live'")


def test_the_badge_and_inbox_update_live(
    page_as: Any,  # noqa: F811
    live_server: str,
    console: Any,
    clean: None,
) -> None:
    page = page_as("supervisor")
    _open_alerts(page, live_server)
    badge = page.locator(".mq-alerts-badge .mq-alerts-count")
    assert badge.inner_text() == ""
    page.click(f"#{AlertsIds.ADD}")  # spike warnings, the whole street, every category
    page.wait_for_selector(f"#{AlertsIds.MESSAGE}:has-text('已订阅')")
    page.locator(".mq-alerts-sub").wait_for()  # the list is redrawn after the message
    assert page.locator(".mq-alerts-sub").count() == 1
    page.evaluate("() => { window.__noReload = true; }")

    assert _publish(_grid_of_supervisor(), "one") == 1
    page.wait_for_function(
        "() => document.querySelector('.mq-alerts-badge .mq-alerts-count').textContent === '1'",
        timeout=LIVE_BUDGET_MS,
    )
    row = page.locator(".mq-alert.mq-alert-unread")
    row.wait_for(timeout=LIVE_BUDGET_MS)
    assert "近 24 小时发生 14 件" in row.inner_text()
    assert row.locator(".mq-alert-words").evaluate("e => getComputedStyle(e).fontWeight") == "700"
    assert page.evaluate("() => window.__noReload === true")  # no reload happened

    row.locator("button").click()  # mark read
    page.locator(".mq-alert.mq-alert-read").wait_for()
    page.wait_for_function(
        "() => document.querySelector('.mq-alerts-badge .mq-alerts-count').textContent === ''"
    )
    assert page.locator(".mq-alert").count() == 1
    console.check()


def test_the_badge_updates_on_the_map_through_its_own_stream(
    page_as: Any,  # noqa: F811
    live_server: str,
    console: Any,
    clean: None,
) -> None:
    """On a screen that holds a live stream already, the badge listens to that one."""
    page = page_as("supervisor")
    with unit_of_work() as s:
        s.execute(text("SELECT 1"))
    from governance.uow import unit_of_work as uow
    from tests.integration.test_alerts import _principal

    who = _principal("supervisor")
    with uow(who) as s:
        alerts.subscribe(s, who, kind="spike", area=None, category=None)
    page.goto(live_server + "/")
    page.wait_for_selector(".mq-live-live", timeout=30_000)
    assert page.evaluate("() => window.minqing.alerts.stream") == "off"  # the map's stream
    _publish(_grid_of_supervisor(), "map")
    page.wait_for_function(
        "() => document.querySelector('.mq-alerts-badge .mq-alerts-count').textContent === '1'",
        timeout=LIVE_BUDGET_MS,
    )
    console.check()


def test_the_alerts_screen_fits_a_phone(
    phone: Any,  # noqa: F811
    live_server: str,
    console: Any,
    clean: None,
) -> None:
    page = phone(PHONES["360x640"], "supervisor")
    _open_alerts(page, live_server)
    assert_no_sideways_scroll(page)
    assert_header_fits(page, AlertsIds.LOGOUT)
    page.click(f"#{AlertsIds.ADD}")
    page.wait_for_selector(f"#{AlertsIds.MESSAGE}:has-text('已订阅')")
    _publish(_grid_of_supervisor(), "phone")
    page.locator(".mq-alert.mq-alert-unread").wait_for(timeout=LIVE_BUDGET_MS)
    assert_no_sideways_scroll(page)
    console.check()


def test_the_administrator_is_refused_an_internal_webhook_url(
    page_as: Any,  # noqa: F811
    live_server: str,
    console: Any,
) -> None:
    from pages.webhooks_ids import WebhooksIds as W

    with session_scope(admin=True) as s:
        before = s.execute(text("SELECT count(*) FROM webhook_target")).scalar_one()
    page = page_as("admin")
    page.goto(live_server + "/admin/webhooks")
    page.wait_for_selector(f"#{W.TARGETS} > *")
    page.fill(f"#{W.NAME}", "内网测试")
    page.fill(f"#{W.URL}", "http://169.254.169.254/latest/meta-data/")
    page.click(f"#{W.ADD}")
    page.wait_for_selector(f"#{W.MESSAGE}:has-text('内网')")
    page.fill(f"#{W.URL}", "http://2130706433/hook")
    page.click(f"#{W.ADD}")
    page.wait_for_selector(f"#{W.MESSAGE}:has-text('本机')")
    with session_scope(admin=True) as s:
        assert s.execute(text("SELECT count(*) FROM webhook_target")).scalar_one() == before
    console.check()
