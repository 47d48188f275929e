"""逆向倒查 in a real Chromium: a supervisor opens the cross-check of their street, picks
the last year, and sees the blind-spot cells on the map with the legend (as many as the
service finds), the planted grid ranked with its counts, a finding's external cases
listed with links to the map, and the page in English after the switch.

Every wait is on a condition of the page (an element, a text), never on the clock.
"""

from __future__ import annotations

from typing import Any

import pytest

from geodata.db import session_scope
from governance.accounts import principal_of
from governance.crosscheck import crosscheck
from governance.demo_accounts import DEMO_ACCOUNTS
from governance.uow import unit_of_work
from pages.crosscheck_ids import CrosscheckIds as Ids
from tests.e2e import axe
from tests.e2e.conftest import VIEWPORT, Console, readme_picture, sign_in

pytestmark = pytest.mark.e2e

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}


def _expected() -> dict:
    from geodata.models import AppUser

    with session_scope(admin=True) as s:
        who = principal_of(s, s.query(AppUser).filter_by(username="supervisor").one())
    with unit_of_work(who) as s:
        return crosscheck(s, who, window="365d", lang="zh-CN")


def test_supervisor_sees_the_blind_spots_of_their_street(
    anon_page: Any, live_server: str, console: Console
) -> None:
    page = anon_page
    sign_in(page, live_server, "supervisor", PASSWORDS["supervisor"])
    page.goto(f"{live_server}/crosscheck")
    page.wait_for_selector(f"#{Ids.METHOD} .mq-crosscheck-method")
    assert "Benjamini-Hochberg" in page.inner_text(f"#{Ids.METHOD}")

    page.locator(f"#{Ids.WINDOW}").click()
    page.get_by_role("option", name="近一年", exact=True).click()
    want = _expected()
    cells = {f["place"] for f in want["cells"]}
    assert cells and want["by_grid"], "the planted blind spot of the supervisor's street"
    page.wait_for_selector(f"#{Ids.MAP} path.mq-blind-cell", state="visible")
    assert page.locator(f"#{Ids.MAP} path.mq-blind-cell").count() == len(cells)
    # the grids with blind spots frame the cells
    assert page.locator(f"#{Ids.MAP} path.mq-blind-grid").count() == len(want["by_grid"])
    legend = page.inner_text(".mq-crosscheck-legend")
    assert "新出现的盲区" in legend and "持续的盲区" in legend
    top = want["by_grid"][0]
    ranked = page.inner_text(".mq-crosscheck-ranked")
    assert top["grid"] in ranked and str(top["external"]) in ranked
    assert "网格自报 0 件" in page.inner_text(".mq-crosscheck-findings")

    picture = readme_picture("screenshot-crosscheck.png")
    picture.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1600, "height": 1500})  # the map and the ranked grids
    page.screenshot(path=str(picture))
    page.set_viewport_size(VIEWPORT)
    axe.assert_clean(page, "/crosscheck")

    # the first finding's external reports, each a link that opens its case on the map
    first = want["grids"][0]
    page.locator(".mq-crosscheck-findings button").first.click()
    page.wait_for_selector(f"#{Ids.CASES} .mq-crosscheck-cases a")
    links = page.locator(f"#{Ids.CASES} .mq-crosscheck-cases a")
    assert links.count() == min(first["external"], 50)
    assert (links.first.get_attribute("href") or "").startswith("/?incident=")

    page.click(f"#{Ids.LANG_BUTTON}")
    page.wait_for_selector(f"#{Ids.ROOT}.mq-lang-en")
    page.wait_for_selector(f"#{Ids.METHOD} >> text=Period, inputs and method")
    console.check()
