"""The dispatch board in a real Chromium: a supervisor signs in, opens /dispatch,
dispatches the oldest queued case with one click, sees it leave the queue, and downloads
the queue as XLSX. Every wait is on a condition of the page, never on the clock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from geodata.db import session_scope
from governance import dispatch_board as board_service
from governance.demo_accounts import DEMO_ACCOUNTS
from governance.uow import unit_of_work
from pages.dispatch_ids import DispatchIds
from tests.e2e.conftest import Console, sign_in
from tests.integration.test_dispatch_board import _principal, seed_queue

pytestmark = pytest.mark.e2e

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
QUEUE = f"#{DispatchIds.list_id('queue')}"
FALLBACK_MS = 60_000  # pages/dispatch.py REFRESH_MS (importing a page needs the app first)
ROW_GONE = """([sel, id]) => document.querySelector(sel) !== null &&
    !document.querySelector(`${sel} tr[data-incident="${id}"]`)"""


def _queue_ids() -> list[int]:
    """The supervisor's queue by direct SQL: undispatched cases of their street, oldest
    first."""
    with session_scope(admin=True) as s:
        return list(
            s.execute(
                text("""SELECT i.id FROM incident i JOIN area g ON g.id = i.grid_id
                        JOIN app_user u ON u.username = 'supervisor'
                        JOIN area a ON a.id = u.area_id
                        WHERE g.code LIKE left(a.code, 9) || '%'
                          AND i.status IN ('registered', 'verified')
                        ORDER BY i.reported_at, i.id"""),
            ).scalars()
        )


def _dispatch_elsewhere(incident_id: int) -> None:
    """The commander dispatches the case from another screen (committed: it is pushed)."""
    with session_scope(admin=True) as s:
        version = s.execute(
            text("SELECT version FROM incident WHERE id = :i"), {"i": incident_id}
        ).scalar_one()
    boss = _principal("commander")
    with unit_of_work(boss) as s:
        board_service.dispatch(s, boss, incident_id, expected_version=version)


def _events(incident_id: int) -> list[tuple[str, str | None]]:
    with session_scope(admin=True) as s:
        return [
            (str(a), r)
            for a, r in s.execute(
                text("""SELECT action, actor_role FROM incident_event
                        WHERE incident_id = :i ORDER BY id"""),
                {"i": incident_id},
            ).all()
        ]


def test_supervisor_dispatches_the_oldest_case(
    anon_page: Any, live_server: str, console: Console, tmp_path: Path
) -> None:
    seed_queue((400, 300))  # the oldest of the street's queue: verified, long overdue
    page = anon_page
    page.on(
        "console",
        lambda m: (
            console.errors.append(m.text) if m.type == "error" and "favicon" not in m.text else None
        ),
    )
    sign_in(page, live_server, "supervisor", PASSWORDS["supervisor"])
    page.goto(live_server + "/dispatch")
    page.wait_for_selector(f"{QUEUE} tr.mq-dispatch-row")
    expected = _queue_ids()
    shown = [
        int(x)
        for x in page.eval_on_selector_all(
            f"{QUEUE} tr.mq-dispatch-row", "rows => rows.map(r => r.dataset.incident)"
        )
    ]
    assert shown == expected[: len(shown)]
    oldest = shown[0]
    row = page.locator(f'{QUEUE} tr[data-incident="{oldest}"]')
    assert row.get_attribute("class") and "mq-sla-row-red" in str(row.get_attribute("class"))
    assert "建议" in row.inner_text()

    row.locator(".mq-dispatch-go").click()
    page.wait_for_selector(f"#{DispatchIds.MESSAGE}.mq-dispatch-ok")
    assert f"#{oldest}" in page.inner_text(f"#{DispatchIds.MESSAGE}")
    page.wait_for_function(
        ROW_GONE,
        arg=[QUEUE, str(oldest)],
    )
    events = _events(oldest)
    assert events[-1] == ("dispatch", "supervisor")
    assert [a for a, _ in events].count("dispatch") == 1
    assert oldest not in _queue_ids()

    with page.expect_download() as info:
        page.click(f'{QUEUE} a[data-format="xlsx"]')
    target = tmp_path / "queue.xlsx"
    info.value.save_as(target)
    sheet = load_workbook(target, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "id"
    assert [int(r[0]) for r in rows[1:]] == _queue_ids()

    # a change made elsewhere is pushed (/api/v1/stream): the row leaves without a click,
    # long before the fallback refresh tick
    nxt = _queue_ids()[0]
    page.wait_for_selector(f'{QUEUE} tr[data-incident="{nxt}"]')
    _dispatch_elsewhere(nxt)
    page.wait_for_function(
        ROW_GONE,
        arg=[QUEUE, str(nxt)],
        timeout=FALLBACK_MS / 3,
    )
    console.check()


def test_map_export_menu_follows_the_view(page: Any, live_server: str, console: Console) -> None:
    """The commander's map offers its layers as files under its filters and view."""
    page.goto(live_server + "/")
    link = page.locator('.mq-export-link[data-dataset="incidents"][data-format="csv"]')
    link.wait_for()
    href = str(link.get_attribute("href"))
    assert href.startswith("/export/incidents.csv?") and "bbox=" in href and "window=30d" in href
    assert page.locator('.mq-export-link[data-dataset="grids"]').count() == 4
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename.endswith(".csv")
    console.check()


TICK_JS = """(id) => window.dash_clientside.set_props(id,
    {n_intervals: new window.dash_clientside.Patch().add([], 1).build()})"""


def bump(page: Any, interval: str, answered_by: str) -> Any:
    """Add one to ``interval``'s ticks as the live client does for a pushed change; the
    response of the callback whose request names ``answered_by``."""
    with page.expect_response(
        lambda r: "_dash-update-component" in r.url and answered_by in (r.request.post_data or "")
    ) as info:
        page.evaluate(TICK_JS, interval)
    return info.value


CARDS_JS = """(ids) => Object.fromEntries(ids.map(id => {
    const el = document.getElementById(id);
    return [id, el ? {html: el.outerHTML, kept: el.mqMark === true} : null];
}))"""


def test_a_pushed_change_redraws_only_the_lists_that_changed(
    anon_page: Any, live_server: str, console: Console
) -> None:
    """A refresh tick (what a pushed change does) draws again only the list cards whose
    contents changed: the others keep their elements, so a browser is not blocked for
    seconds by every change in the area, and a department half-picked in the queue
    stays picked. A case dispatched elsewhere still leaves the queue at the next tick."""
    from pages.dispatch_parts import LIST_KINDS

    seed_queue((500,))
    page = anon_page
    sign_in(page, live_server, "supervisor", PASSWORDS["supervisor"])
    page.goto(live_server + "/dispatch")
    page.wait_for_selector(f"{QUEUE} tr.mq-dispatch-row")
    ids = [DispatchIds.list_id(k) for k in LIST_KINDS]

    def tick() -> None:
        """Bump the refresh tick as the live stream does; wait until it is drawn."""
        as_of = bump(page, DispatchIds.INTERVAL, DispatchIds.AS_OF).json()["response"][
            DispatchIds.AS_OF
        ]["children"]
        page.wait_for_function(
            "([id, text]) => document.getElementById(id).innerText === text",
            arg=[DispatchIds.AS_OF, as_of],
        )

    def mark() -> dict[str, Any]:
        page.evaluate("(ids) => ids.forEach(id => { document.getElementById(id).mqMark = true; })",
                      ids)  # fmt: skip
        return dict(page.evaluate(CARDS_JS, ids))

    before = mark()
    tick()
    after = page.evaluate(CARDS_JS, ids)
    same = [i for i in ids if after[i]["html"] == before[i]["html"]]
    assert same, "every list changed between two ticks"
    assert all(after[i]["kept"] for i in same), (same, after)

    queued = int(page.locator(f"{QUEUE} tr.mq-dispatch-row").first.get_attribute("data-incident"))
    before = mark()
    _dispatch_elsewhere(queued)
    tick()
    page.wait_for_function(
        ROW_GONE,
        arg=[QUEUE, str(queued)],
    )
    after = page.evaluate(CARDS_JS, ids)
    assert not after[DispatchIds.list_id("queue")]["kept"]
    assert all(after[i]["kept"] for i in ids if after[i]["html"] == before[i]["html"]), after
    console.check()
