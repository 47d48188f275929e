"""Patrol on the supervisor's map in real Chromium: the coverage layer draws the street's
areas with a legend, key sites carry their patrol ring, a site's panel lists its visits."""

from __future__ import annotations

from typing import Any

import pytest

from pages.map_ids import MapIds
from tests.e2e.conftest import readme_picture
from tests.e2e.test_live import _open
from tests.e2e.test_map import count, layer_switch, wait_count

pytestmark = pytest.mark.e2e


def test_a_supervisor_sees_patrol_on_the_map(browser: Any, live_server: str) -> None:
    from tests.e2e.conftest import Console

    console = Console()
    page = _open(browser, live_server, "supervisor", console)
    switches = page.locator(f"#{MapIds.LAYERS}").inner_text()
    assert "巡查覆盖" in switches
    layer_switch(page, "coverage").click()
    wait_count(page, ".mq-coverage", present=True)
    legend = page.locator(".mq-legend-coverage").inner_text()
    assert "按时完成" in legend and "%" in legend
    # the coverage tooltip names the area and its share (or says too few visits)
    first = page.locator("path.mq-coverage").first
    first.hover(force=True)
    page.wait_for_selector(".mq-tip", state="attached")
    # key sites with a patrol status wear their ring class
    wait_count(page, ".mq-site", present=True)
    rings = count(page, ".mq-site.mq-patrol-done, .mq-site.mq-patrol-due, "
                        ".mq-site.mq-patrol-overdue, .mq-site.mq-patrol-failed")  # fmt: skip
    assert rings > 0
    assert "巡查状态" in page.locator(".mq-legend-sites").inner_text()
    page.screenshot(path=str(readme_picture("screenshot-patrol-map.png")))
    # a site's panel: its visits and open findings
    # a site the cards leave uncovered (the map fits its area beside them; a neighbour's
    # sites may lie under the control card)
    free = page.evaluate(
        """() => [...document.querySelectorAll('.mq-site')].findIndex(s => {
            const r = s.getBoundingClientRect();
            const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
            return e && (e === s || s.contains(e));
        })"""
    )
    assert free >= 0
    page.locator(".mq-site").nth(free).click(force=True)
    page.wait_for_selector(".mq-panel-subtitle")
    assert "巡查记录" in page.locator(f"#{MapIds.PANEL}").inner_text()
    console.check()
    page.context.close()
