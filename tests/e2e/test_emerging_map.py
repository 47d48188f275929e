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
    page.locator("path.mq-emerging").first.hover(force=True)
    page.wait_for_selector(".mq-tip", state="attached")
    tip = page.locator(".mq-tip").last.inner_text()
    assert "周热点" in tip and ("聚集" in tip or "趋势" in tip)
    page.screenshot(path=str(readme_picture("screenshots/emerging_hotspots.png")))
    # switched off: no cells, no legend section
    layer_switch(page, "emerging").click()
    wait_count(page, "path.mq-emerging", present=False)
    assert page.locator(".mq-legend-emerging").count() == 0
    console.check()
    page.context.close()
