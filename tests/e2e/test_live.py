"""Live updates in real Chromium: two people have the map open, changes reach both.

A supervisor (one street) and the commander (the whole city) open the map. A transition
made in this process and a new incident registered through the intake service reach both
pages within 2 s, without a reload: the incidents layer is fetched again (and no other
layer), and the new incident pulses. An incident in another county reaches only the
commander's page. When the server's database connection drops, the maps refetch once it
is back. The wall screen updates its figures and pulses on a push.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance.access import Principal
from pages.map_ids import MapIds
from tests.e2e.conftest import VIEWPORT, Console, sign_in
from tests.e2e.test_map import open_map
from tests.integration.test_workflow import new_incident

pytestmark = pytest.mark.e2e

BUDGET = 2.0  # seconds from the commit to the screen
GRIDWORKER_GRID = "g.id = (SELECT area_id FROM app_user WHERE username = :u)"


def principal(username: str) -> Principal:
    from geodata.models import AppUser
    from governance.accounts import principal_of

    with session_scope(admin=True) as s:
        return principal_of(s, s.query(AppUser).filter_by(username=username).one())


def _open(browser: Any, base: str, username: str, console: Console) -> Any:
    from governance.demo_accounts import DEMO_ACCOUNTS

    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda exc: console.errors.append(f"{username}: {exc}"))
    page.on(
        "console",
        lambda m: (
            console.errors.append(f"{username}: {m.text}")
            if m.type == "error" and "favicon" not in m.text
            else None
        ),
    )
    acc = next(a for a in DEMO_ACCOUNTS if a.username == username)
    sign_in(page, base, acc.username, acc.password)
    open_map(page, base)
    page.wait_for_function("() => window.minqing && window.minqing.live.state === 'live'")
    page.wait_for_selector(".mq-live-live .mq-live-label")
    page.evaluate("() => { window.__sameDocument = true; }")  # gone if the page reloads
    page.requests = []  # type: ignore[attr-defined]
    page.on(
        "request",
        lambda r: page.requests.append(r.url) if "/api/v1/layers/" in r.url else None,  # type: ignore[attr-defined]
    )
    return page


@pytest.fixture
def pages(browser: Any, live_server: str) -> Iterator[tuple[Any, Any, Console]]:
    console = Console()
    sup = _open(browser, live_server, "supervisor", console)
    cmd = _open(browser, live_server, "commander", console)
    yield sup, cmd, console
    sup.context.close()
    cmd.context.close()


def seen(page: Any) -> list[int]:
    return list(page.evaluate("() => window.minqing.live.seen"))


def wait_seen(page: Any, incident_id: int, timeout_s: float = BUDGET) -> None:
    page.wait_for_function(
        "id => window.minqing.live.seen.indexOf(id) >= 0",
        arg=incident_id,
        timeout=timeout_s * 1000,
    )


def wait_refetch(page: Any, before: int, t0: float) -> float:
    """Seconds from ``t0`` until the page fetched its incidents layer again."""
    page.wait_for_function(
        "n => window.minqing.live.refreshes.i >= n", arg=before + 1, timeout=BUDGET * 1000
    )
    while not any("/layers/incidents" in u for u in page.requests):
        assert time.monotonic() - t0 < BUDGET, "the incidents layer was not fetched again"
        page.wait_for_timeout(20)
    return time.monotonic() - t0


def refreshes(page: Any) -> int:
    return int(page.evaluate("() => window.minqing.live.refreshes.i || 0"))


def point_in_grid(where: str, params: dict[str, Any]) -> tuple[float, float]:
    with session_scope(admin=True) as s:
        row = s.execute(
            text(f"""SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(g.geom) AS p
                    FROM area g WHERE g.level = 'grid' AND {where} ORDER BY g.code LIMIT 1) q"""),
            params,
        ).one()
    return float(row[0]), float(row[1])


def register(actor_user: str, lon: float, lat: float) -> int:
    """A new incident through the intake service, as the front desk would register it."""
    from datetime import datetime

    from governance import intake
    from governance.filters import LOCAL_TZ
    from governance.uow import unit_of_work

    with session_scope(admin=True) as s:
        category = s.execute(
            text("SELECT code FROM incident_category WHERE parent_code IS NOT NULL LIMIT 1")
        ).scalar_one()
    body = {
        "external_id": f"live-e2e-{uuid4()}",
        "category": category,
        "occurred_at": datetime.now(LOCAL_TZ).isoformat(timespec="seconds"),
        "lon": lon,
        "lat": lat,
        "description": "实时推送测试",
    }
    with unit_of_work() as s:
        view, created = intake.create_one(s, body, intake.Actor.from_user(principal(actor_user)))
    assert created
    return int(view["id"])


def test_changes_reach_every_open_map_within_two_seconds(pages: Any) -> None:
    sup, cmd, console = pages
    scope = principal("supervisor").scope
    assert scope

    # 1. a state change in the supervisor's street: both maps refetch incidents, only them
    iid = new_incident()
    counts = refreshes(sup), refreshes(cmd)
    sup.requests.clear()
    cmd.requests.clear()
    t0 = time.monotonic()
    from tests.integration.test_workflow import transition

    transition(iid, "verify", expected_version=1, principal=principal("commander"))
    for page, before in zip((sup, cmd), counts, strict=True):
        wait_seen(page, iid)
        assert wait_refetch(page, before, t0) < BUDGET
    for page in (sup, cmd):
        page.wait_for_timeout(300)  # let any other fetch show itself
        others = [u for u in page.requests if "/layers/incidents" not in u]
        assert not others, f"layers refetched besides incidents: {others}"
        assert "v=" in next(u for u in page.requests if "/layers/incidents" in u)
        assert page.evaluate("() => window.__sameDocument === true")  # no reload

    # 2. a new incident in the supervisor's street: it pulses on both maps
    lon, lat = point_in_grid(GRIDWORKER_GRID, {"u": "gridworker"})
    t0 = time.monotonic()
    new_id = register("gridworker", lon, lat)
    pulse = f".mq-live-pulse[data-incident='{new_id}']"
    for page in (sup, cmd):
        page.wait_for_selector(pulse, state="attached", timeout=BUDGET * 1000)
    assert time.monotonic() - t0 < BUDGET + 0.5  # both pages, checked one after the other
    for page in (sup, cmd):
        assert new_id in seen(page)
        assert page.evaluate("() => window.__sameDocument === true")

    # 3. another county: the commander sees it, the supervisor's stream never carries it
    lon, lat = point_in_grid("NOT starts_with(g.code, :p)", {"p": scope[:6]})
    far_id = register("commander", lon, lat)
    wait_seen(cmd, far_id)
    near_id = register("gridworker", *point_in_grid(GRIDWORKER_GRID, {"u": "gridworker"}))
    wait_seen(sup, near_id)  # events arrive in commit order: far_id would have come first
    assert far_id not in seen(sup) and far_id in seen(cmd)
    assert cmd.locator(f"#{MapIds.LIVE}").inner_text() == "实时"

    # 4. the server's database connection drops: it reconnects, and the maps refetch
    before = refreshes(cmd)
    terminate_server_listener()
    cmd.wait_for_function(
        "n => (window.minqing.live.refreshes.i || 0) > n", arg=before, timeout=10_000
    )
    cmd.wait_for_function("() => window.minqing.live.state === 'live'")
    console.check()


def terminate_server_listener() -> None:
    """Cut the live server's LISTEN connection (not this process's, if it has one)."""
    from governance import live

    own = live._hub.listener.backend_pid if live._hub and live._hub.listener else None
    with session_scope(admin=True) as s:
        cut = s.execute(
            text("""SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                    WHERE application_name = 'minqing-live' AND datname = current_database()
                      AND pid IS DISTINCT FROM :own"""),
            {"own": own},
        ).scalar_one()
    assert cut >= 1


def test_the_wall_screen_updates_its_figures_and_pulses_on_a_push(
    browser: Any, live_server: str
) -> None:
    from pages.wall_ids import WallIds
    from tests.e2e.test_wall import WALL_VIEWPORT, kiosk_token, open_wall, set_interval

    console = Console()
    context = browser.new_context(viewport=WALL_VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda exc: console.errors.append(f"wall: {exc}"))
    try:
        _, token = kiosk_token()  # city-wide
        open_wall(page, live_server, token)
        page.wait_for_function("() => window.minqing.live.state === 'live'")
        set_interval(page, 3_600_000)  # no tick of its own during the test: only the push
        today = ".mq-wall-kpi-value[data-kpi='today']"
        before = int(page.inner_text(today).replace(",", ""))
        t0 = time.monotonic()
        new_id = register("gridworker", *point_in_grid(GRIDWORKER_GRID, {"u": "gridworker"}))
        page.wait_for_selector(
            f"#{WallIds.MAP} .mq-live-pulse[data-incident='{new_id}']",
            state="attached",
            timeout=BUDGET * 1000,
        )
        page.wait_for_function(
            "([s, n]) => Number(document.querySelector(s).textContent.replace(/,/g, '')) > n",
            arg=[today, before],
            timeout=BUDGET * 1000,
        )
        assert time.monotonic() - t0 < BUDGET
        assert page.locator(f"#{WallIds.LIVE}").inner_text() == "实时"
        console.check()
    finally:
        context.close()
