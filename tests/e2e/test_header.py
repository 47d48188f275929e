"""The header every signed-in screen shares, in a real Chromium: the screens menu closes
on Esc (the focus back on its summary) and on a click outside; /import keeps sign-out
and its language switch. Every wait is on a condition of the page, never on the clock."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from i18n import t
from pages.import_ids import ImportIds
from pages.map_ids import MapIds

pytestmark = pytest.mark.e2e

OPEN = "document.querySelector('details.mq-nav').open"
IS_OPEN = f"() => {OPEN}"
IS_CLOSED = f"() => !{OPEN}"


def test_the_screens_menu_closes_on_escape_and_outside_clicks(page: Any, console: Any) -> None:
    page.wait_for_selector(f"#{MapIds.ACCOUNT}")
    summary = page.locator("details.mq-nav > summary")
    summary.click()
    page.wait_for_function(IS_OPEN)
    assert page.locator("details.mq-nav a[href='/dispatch']").is_visible()
    page.keyboard.press("Escape")
    page.wait_for_function(IS_CLOSED)
    assert page.evaluate("() => document.activeElement.matches('details.mq-nav > summary')")
    # from the keyboard: Enter opens it again, Esc closes it again
    page.keyboard.press("Enter")
    page.wait_for_function(IS_OPEN)
    page.keyboard.press("Escape")
    page.wait_for_function(IS_CLOSED)
    # a click elsewhere closes it; a click inside does not
    summary.click()
    page.wait_for_function(IS_OPEN)
    page.locator("details.mq-nav nav").dispatch_event("click")  # inside: stays open
    assert page.evaluate(IS_OPEN)
    page.click(".mq-title")
    page.wait_for_function(IS_CLOSED)
    console.check()


def test_import_keeps_sign_out_and_the_language_switch(page: Any, live_server: str) -> None:
    page.goto(live_server + "/import")
    page.wait_for_url(lambda url: urlsplit(url).path == "/import")
    page.wait_for_selector(f"#{ImportIds.LOGOUT}")
    assert page.locator("header a[href='/']").count() >= 1  # back to the map, as an extra
    page.click(f"#{ImportIds.LANG_BUTTON}")
    page.wait_for_selector(f"#{ImportIds.LOGOUT} >> text={t('auth.logout', 'en')}")
    page.wait_for_function("() => document.title.indexOf('File import') >= 0")
    page.click(f"#{ImportIds.LOGOUT}")
    page.wait_for_url(lambda url: "/login" in url)
