"""Emerging hot spots on the map in real Chromium: a supervisor switches the layer on and
sees H3 cells coloured by category, a tooltip in words and the legend with every
category, the period and the method."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance import emerging
from governance.uow import unit_of_work
from pages.map_ids import MapIds
from tests.e2e.conftest import Console, readme_picture
from tests.e2e.test_live import _open
from tests.e2e.test_map import layer_switch, wait_count

pytestmark = pytest.mark.e2e


@pytest.fixture
def stored_city() -> Any:
    """The city's analysis as the daily job stores it (removed afterwards: the live
    server's database is shared by the session's browser tests)."""
    with unit_of_work() as s:
        out = emerging.run_system(s, weeks=52, permutations=99, lang="zh-CN")
    yield out
    with session_scope(admin=True) as s:
        s.execute(text("DELETE FROM emerging_run"))


def test_a_supervisor_sees_emerging_hot_spots(browser: Any, live_server: str, stored_city) -> None:  # type: ignore[no-untyped-def]
    console = Console()
    page = _open(browser, live_server, "supervisor", console)
    assert "新兴热点" in page.locator(f"#{MapIds.LAYERS}").inner_text()
    layer_switch(page, "emerging").click()
    wait_count(page, "path.mq-emerging", present=True)
    legend = page.locator(".mq-legend-emerging").inner_text()
    for words in ("新增热点", "加剧热点", "持续热点", "历史冷点", "Getis-Ord Gi*", "Mann-Kendall"):
        assert words in legend, words
    assert "52 周" in legend and "99 次条件置换" in legend
    fills = page.evaluate(
        "() => [...new Set([...document.querySelectorAll('path.mq-emerging')]"
        ".map(p => p.getAttribute('fill')))]"
    )
    assert fills and all(f and f.startswith("#") for f in fills)
    # the cells alone over the areas (sites and incidents off), the legend in view
    for other in ("sites", "incidents"):
        layer_switch(page, other).click()
    wait_count(page, ".mq-site", present=False)
    # the legend is drawn again as layers go off: scroll whichever element is there now
    page.evaluate(
        "() => document.querySelector('.mq-legend-emerging').scrollIntoView({block: 'nearest'})"
    )
    # the cell's tooltip (a grid's outline may lie over it: send the pointer to the cell)
    page.locator("path.mq-emerging").first.dispatch_event("mouseover")
    tip = page.locator(".mq-tip", has_text="周热点").first
    tip.wait_for(state="attached")
    assert "周冷点" in tip.inner_text() and (
        "聚集" in tip.inner_text() or "趋势" in tip.inner_text()
    )
    page.screenshot(path=str(readme_picture("screenshots/emerging_hotspots.png")))
    # switched off: no cells, no legend section
    layer_switch(page, "emerging").click()
    wait_count(page, "path.mq-emerging", present=False)
    # the legend is another callback's output: wait for it to be drawn without the section
    page.wait_for_selector(".mq-legend-emerging", state="detached")
    console.check()
    page.context.close()
