"""有事找书记 in Chromium, without signing in: a resident files a report, follows it with
the tracking code and rates it; dissatisfied reopens the case, satisfied closes it. The
staff's steps in between go through governance.workflow as the demo users."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from tests.integration.test_public import case, choices, resolve  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e


def parents(community: str) -> tuple[str, str]:
    """(county code, street code) of a community."""
    with session_scope(admin=True) as s:
        street, county = s.execute(
            text("""SELECT st.code, co.code FROM area c JOIN area st ON st.id = c.parent_id
                    JOIN area co ON co.id = st.parent_id WHERE c.code = :c"""),
            {"c": community},
        ).one()
    return county, street


def rate(page: Any, rating: str, comment: str = "") -> None:
    page.check(f"#track-rating-{rating}")
    if comment:
        page.fill("#track-comment", comment)
    page.click("#track-feedback-submit")
    page.wait_for_selector("#track-rated")


def test_report_track_and_rate(
    anon_page: Any,
    live_server: str,
    console: Any,
    choices: dict[str, str],  # noqa: F811
) -> None:
    page = anon_page
    page.goto(live_server + "/report")
    assert "/login" not in page.url
    county, street = parents(choices["community"])
    page.select_option("#report-category", choices["category"])
    page.fill("#report-description", "垃圾桶满了三天没人清运")
    page.select_option("#report-county", county)
    page.select_option("#report-street", street)
    # the script narrowed the communities to the chosen street
    others = page.locator("#report-community option:not([disabled])[data-parent]")
    assert others.count() >= 1
    assert all(p == street for p in others.evaluate_all("os => os.map(o => o.dataset.parent)"))
    page.select_option("#report-community", choices["community"])
    page.fill("#report-address", "文明路 12 号")
    page.fill("#report-phone", "13700002222")
    assert page.is_visible("#report-locate")  # geolocation offered when the browser has it
    page.click("#report-submit")
    page.wait_for_selector("#report-code")
    code = page.inner_text("#report-code").strip()
    assert case(code)["source"] == "public"

    page.click("#report-track-link")
    page.wait_for_selector("#track-status")
    assert page.get_attribute("#track-status", "data-status") == "registered"
    assert "13700002222" not in page.content() and "文明路" not in page.content()
    assert page.locator("#track-feedback-form").count() == 0

    resolve(code)
    page.reload()
    assert page.get_attribute("#track-status", "data-status") == "resolved"
    rate(page, "dissatisfied", "还是很脏")
    assert page.get_attribute("#track-status", "data-status") == "in_progress"
    assert page.is_visible("#track-reopened")
    assert case(code)["status"] == "in_progress"

    resolve(code)
    page.goto(f"{live_server}/track/{code}")
    rate(page, "satisfied")
    assert page.get_attribute("#track-status", "data-status") == "closed"
    assert page.locator("#track-feedback-form").count() == 0
    assert case(code)["status"] == "closed"
    console.check()
