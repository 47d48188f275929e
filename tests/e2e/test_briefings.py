"""The briefings screen in a real Chromium: the commander opens /briefings, chooses a
weekly HTML briefing of the whole city, clicks the button and gets the file; then a
county's daily PDF. Every wait is on a condition of the page (an element, a download)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pages.briefings_ids import BriefIds
from tests.e2e.conftest import Console

pytestmark = pytest.mark.e2e


def _choose(page: Any, radio_id: str, value: str) -> None:
    page.check(f"#{radio_id} input[value='{value}']")


def test_commander_downloads_briefings(
    page: Any, live_server: str, console: Console, tmp_path: Path
) -> None:
    page.goto(live_server + "/briefings")
    page.wait_for_selector(f"#{BriefIds.SUBMIT}")
    assert "全市" in page.inner_text(f"#{BriefIds.AREA}")
    _choose(page, BriefIds.PERIOD, "weekly")
    _choose(page, BriefIds.FORMAT, "html")
    with page.expect_download() as info:
        page.click(f"#{BriefIds.SUBMIT}")
    download = info.value
    assert download.suggested_filename.startswith("briefing-weekly-city-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    doc = saved.read_text("utf-8")
    assert "全市周会商简报" in doc and "data:image/png;base64," in doc
    page.wait_for_function(
        "id => document.getElementById(id).innerText.includes('已生成')", arg=BriefIds.STATUS
    )

    # a county, daily, PDF: pick the county in the searchable area list
    page.click(f"#{BriefIds.AREA}")
    page.keyboard.type("海丰县")
    # click the option the search left (Enter raced the filtering once and kept 全市)
    page.get_by_role("option", name="海丰县").first.click()
    page.keyboard.press("Escape")
    page.wait_for_function(
        "id => document.getElementById(id).innerText.includes('海丰县')", arg=BriefIds.AREA
    )
    _choose(page, BriefIds.PERIOD, "daily")
    _choose(page, BriefIds.FORMAT, "pdf")
    with page.expect_download(timeout=60_000) as info:
        page.click(f"#{BriefIds.SUBMIT}")
    pdf = info.value
    assert pdf.suggested_filename.startswith("briefing-daily-441521")
    saved = tmp_path / pdf.suggested_filename
    pdf.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    console.check()
