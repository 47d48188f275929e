"""The wall screen in a real Chromium, opened by its kiosk URL, at 1920x1080 and
3840x2160.

Every wait is on a condition of the page, never on the clock. To see refresh failures,
revocation and rotation without waiting 10-20 s per tick, the test shortens the page's
own intervals (the dcc.Interval's `interval` prop), as a faster wall would be configured.
Figures are compared with SQL computed here (tests/integration/wall_helpers.py).
"""

from __future__ import annotations

import contextlib
import json
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from governance.filters import LOCAL_TZ
from pages.wall_ids import WallIds
from tests.e2e.conftest import readme_picture
from tests.e2e.wall_server import RestartableServer
from tests.integration.wall_helpers import sql_kpis

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
UPDATE = "**/_dash-update-component*"  # Dash's callback endpoint (with an ?endId= query)
HD = {"width": 1920, "height": 1080}
WALL_VIEWPORT = HD  # (tests/e2e/test_live.py opens the wall with it)
UHD = {"width": 3840, "height": 2160}
SCREENSHOT = readme_picture("screenshot-wall.png")
SCREENSHOT_4K = readme_picture("screenshot-wall-4k.png")
# The smallest text meant to be read, in px per 1080 px of screen height (README "The wall
# screen", assets/css/minqing.css): 24 px at 1920x1080, 48 px at 3840x2160.
MIN_TEXT_PX = 24
SERIOUS = ("serious", "critical")
# Every visible element with a text of its own (a direct, non-blank text node), except
# what is hidden from assistive technology (aria-hidden: decoration), with its font size.
TEXT_SIZES_JS = """() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const e = n.parentElement;
        if (!e || seen.has(e) || !n.textContent.trim() || e.closest('[aria-hidden=true]')
            || e.closest('script, style, noscript, title')) { continue; }
        seen.add(e);
        const r = e.getBoundingClientRect();
        if (!r.width || !r.height || r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight
            || r.left >= innerWidth) { continue; }
        if (!e.checkVisibility({visibilityProperty: true, opacityProperty: true})) { continue; }
        out.push({size: parseFloat(getComputedStyle(e).fontSize),
                  what: (e.id ? '#' + e.id : '') + '.' + String(e.className).split(' ')[0]
                        + ' "' + n.textContent.trim().slice(0, 24) + '"'});
    }
    return out;
}"""
LABELS = [
    "今日新增事件", "待派遣", "办理中", "超时未办", "今日按时办结率", "今日群众满意度", "今日巡查完成率"
]  # fmt: skip
# Elements that must show all of their text (ellipsis is allowed only where the CSS asks
# for it, on free-text lines and names), and must lie inside the screen.
FITS_JS = """() => {
    const d = document.documentElement;
    const visible = e => {
        const s = getComputedStyle(e);
        return s.visibility !== 'hidden' && s.display !== 'none' && e.getClientRects().length;
    };
    const inView = e => !e.closest('.mq-wall-view') ||
        getComputedStyle(e.closest('.mq-wall-view')).visibility !== 'hidden';
    const all = [...document.querySelectorAll('.mq-wall *')].filter(e => visible(e) && inView(e)
        && !e.closest('.leaflet-container'));
    const overflowing = all.filter(e => {
        const s = getComputedStyle(e);
        if (s.textOverflow === 'ellipsis') { return false; }
        return e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0
            || e.scrollHeight > e.clientHeight + 1 && e.clientHeight > 0 && s.overflowY !== 'visible';
    }).map(e => e.className + ' ' + e.textContent.slice(0, 40));
    const outside = all.filter(e => {
        const r = e.getBoundingClientRect();
        return r.width && (r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5
            || r.left < -0.5 || r.top < -0.5);
    }).map(e => e.className + ' ' + e.textContent.slice(0, 40));
    const clipped = [...document.querySelectorAll('.mq-wall-kpi, .mq-wall-card, .mq-wall-header,'
        + ' .mq-wall-feed, .mq-wall-sla, .mq-wall-ranks')]
        .filter(e => visible(e) && inView(e) && e.scrollHeight > e.clientHeight + 1)
        .map(e => e.className);
    return {h: d.scrollHeight, w: d.scrollWidth, ih: innerHeight, iw: innerWidth,
            overflowing, outside, clipped};
}"""

# Names (categories, grids, departments, places, the area) that are cut off: wider than
# their box, or taller once their two-line clamp is lifted (a name may wrap, never be cut).
NAMES = (".mq-wall-area, .mq-wall-rank-label, .mq-wall-chip, .mq-wall-feed-grid,"
         " .mq-wall-sla-meta, .mq-wall-hot-place, .mq-wall-hot-cat")  # fmt: skip
CUT_NAMES_JS = """names => [...document.querySelectorAll(names)].filter(e => {
    if (!e.checkVisibility({visibilityProperty: true}) || !e.getClientRects().length
        || e.closest('.mq-wall-row-off')) { return false; }
    if (e.scrollWidth > e.clientWidth + 1) { return true; }
    const clamped = e.getBoundingClientRect().height;
    e.style.webkitLineClamp = 'none';
    const whole = e.getBoundingClientRect().height;
    e.style.webkitLineClamp = '';
    return whole > clamped + 1;
}).map(e => e.className + ' ' + e.textContent)"""


def kiosk_token(area_code: str | None = None) -> tuple[int, str]:
    from geodata.db import session_scope
    from governance.kiosks import create_kiosk_token

    with session_scope() as s:
        tok = create_kiosk_token(s, area_code=area_code, name="e2e 指挥中心大屏")
    return tok.id, tok.token


def new_page(browser: Any, console: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)

    def on_console(msg: Any) -> None:
        if msg.type == "error" and "favicon" not in msg.text:
            console.errors.append(f"console: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    return page


@pytest.fixture
def wall_page(browser: Any, console: Any, live_server: str) -> Iterator[Any]:
    page = new_page(browser, console, HD)
    yield page
    page.context.close()


def open_wall(page: Any, base: str, token: str) -> None:
    page.goto(f"{base}/wall/k/{token}")
    page.wait_for_url(lambda url: url.endswith("/wall"))
    # figures arrive with the first refresh; the base map with the first layer response
    page.wait_for_function("() => document.querySelectorAll('[data-kpi]').length === 7")
    page.wait_for_selector(f"#{WallIds.MAP} .mq-area", state="attached")


def save_picture(page: Any, path: Path) -> None:
    """A screenshot of the page as a PNG of at most 256 colours (the dark theme has few;
    the 4K picture stays near a megabyte)."""
    import io

    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    shot.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )


def kpis_shown(page: Any) -> dict[str, tuple[float | None, str]]:
    """KPI figures on the screen: (exact value or None, text shown) by key."""
    rows = page.evaluate(
        "() => [...document.querySelectorAll('[data-kpi]')].map(e => "
        "[e.dataset.kpi, e.dataset.value, e.textContent])"
    )
    return {k: (float(v) if v else None, shown) for k, v, shown in rows}


def clock_class(page: Any) -> str:
    return str(page.get_attribute(f"#{WallIds.CLOCK}", "class") or "")


def wait_clock(page: Any, *, stale: bool, timeout: float = 30_000) -> None:
    """Wait until the clock is (or is no longer) red."""
    page.wait_for_function(
        f"id => {'' if stale else '!'}document.getElementById(id).className.includes('mq-wall-stale')",
        arg=WallIds.CLOCK,
        timeout=timeout,
    )


def set_interval(page: Any, ms: int, component_id: str = WallIds.INTERVAL) -> None:
    """Set a dcc.Interval's period in the page (default: the refresh tick)."""
    page.evaluate(
        "([id, ms]) => window.dash_clientside.set_props(id, {interval: ms})",
        [component_id, ms],
    )


def show_view(page: Any, n: int) -> None:
    page.evaluate(
        "([id, n]) => window.dash_clientside.set_props(id, {n_intervals: n})", [WallIds.ROTATE, n]
    )
    page.wait_for_selector(f"#{WallIds.VIEWS}.mq-wall-show-{n % 3}")
    page.wait_for_timeout(700)  # the views cross-fade (CSS transition of 0.6 s)


def expected_kpis(t0: datetime, t1: datetime) -> list[dict[str, float | None]]:
    """The city's KPIs by direct SQL at the start and at the end of the page's load (the
    screen shows one of the two unless a deadline passed in between twice)."""
    from geodata.db import session_scope
    from tests.conftest import OWNER_URL

    with session_scope(OWNER_URL, admin=True) as s:
        return [sql_kpis(s, "", t) for t in (t0, t1)]


def matches(shown: dict[str, tuple[float | None, str]], expected: dict[str, float | None]) -> bool:
    for key, (value, _text) in shown.items():
        want = expected[key]
        if (value is None) != (want is None) or (want is not None and abs(value - want) > 1e-6):  # type: ignore[operator]
            return False
    return True


@pytest.mark.parametrize(
    ("viewport", "lang"), [(HD, "zh-CN"), (UHD, "zh-CN"), (HD, "en")], ids=["1080p", "2160p", "en"]
)
def test_kiosk_wall_fills_the_screen(
    browser: Any, live_server: str, console: Any, viewport: dict[str, int], lang: str
) -> None:
    _, token = kiosk_token()
    page = new_page(browser, console, viewport)
    page.context.add_cookies([{"name": "minqing_lang", "value": lang, "url": live_server}])
    t0 = datetime.now(LOCAL_TZ)
    open_wall(page, live_server, token)
    page.wait_for_selector(f"#{WallIds.SLA} .mq-wall-sla-row, #{WallIds.SLA} .mq-wall-empty")
    shown = kpis_shown(page)
    t1 = datetime.now(LOCAL_TZ)
    assert list(shown) == [
        "today", "awaiting", "handling", "overdue", "on_time", "satisfaction", "patrol"
    ]  # fmt: skip
    if lang == "zh-CN":
        assert page.locator(".mq-wall-kpi-label").all_inner_texts() == LABELS
    else:
        assert page.locator(".mq-wall-kpi-label").first.inner_text() == "New incidents today"
    assert any(matches(shown, e) for e in expected_kpis(t0, t1)), (shown, expected_kpis(t0, t1))
    for value, shown_text in shown.values():  # the text is the figure
        if value is None:
            assert shown_text == "—"
        else:
            assert float(shown_text.replace(",", "").rstrip("%")) == pytest.approx(value, abs=0.05)
    show_view(page, 0)  # the views rotate by themselves; a slow load may have moved on
    assert page.locator(f"#{WallIds.MAP}.leaflet-container").is_visible()
    assert page.locator(f"#{WallIds.FEED} .mq-wall-feed-row").count() >= 1
    # the clock shows the time of the last refresh, not red; the countdowns tick
    page.wait_for_function(
        "id => /^\\d\\d:\\d\\d:\\d\\d$/.test(document.getElementById(id).textContent)",
        arg=WallIds.CLOCK_TIME,
    )
    assert "mq-wall-stale" not in clock_class(page)
    if page.locator(".mq-wall-sla-left").count():
        page.wait_for_function(
            "() => /\\d\\d:\\d\\d:\\d\\d$/.test("
            "document.querySelector('.mq-wall-sla-left').textContent)"
        )
    # the live stream is open for the kiosk
    page.wait_for_function("() => window.minqing && window.minqing.live.state === 'live'")
    # density hexagons whenever the API has incidents of the last 24 h to draw
    density_url = page.evaluate(
        "() => [...performance.getEntriesByType('resource')].map(e => e.name)"
        ".filter(n => n.includes('/api/v1/layers/density')).pop() || null"
    )
    if density_url and page.request.get(density_url).json()["stats"]["total"]:
        page.wait_for_selector(".mq-hex", state="attached")
    if lang == "zh-CN":  # the README's pictures, at both resolutions
        save_picture(page, SCREENSHOT if viewport == HD else SCREENSHOT_4K)
    # one screen in every view: no scrollbars, no text cut off or beyond the screen
    for n in (0, 1, 2):
        show_view(page, n)
        fits = page.evaluate(FITS_JS)
        assert fits["h"] <= fits["ih"] and fits["w"] <= fits["iw"], (n, fits)
        assert not fits["overflowing"] and not fits["outside"] and not fits["clipped"], (n, fits)
    # the same sizes relative to the screen at any resolution
    ratio = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.mq-wall-kpi-value'))"
        ".fontSize) / innerHeight"
    )
    assert 0.05 < ratio < 0.07, ratio  # KPI figures about 6 % of the screen height
    page.context.close()
    console.check()


def test_views_rotate_by_themselves(wall_page: Any, live_server: str) -> None:
    _, token = kiosk_token()
    page = wall_page
    open_wall(page, live_server, token)
    assert page.get_attribute(f"#{WallIds.VIEWS}", "class").endswith("mq-wall-show-0")
    set_interval(page, 1000, WallIds.ROTATE)
    for n in (1, 2, 0):
        page.wait_for_selector(f"#{WallIds.VIEWS}.mq-wall-show-{n}")
        active = page.locator(f".mq-wall-view-{n}")
        page.wait_for_function(
            "n => getComputedStyle(document.querySelector('.mq-wall-view-' + n)).visibility"
            " === 'visible'",
            arg=n,
        )
        assert active.is_visible()
    assert page.locator(f"#{WallIds.HANDOFF_STATUSES} .mq-wall-rank-row").count() == 7
    page.goto(f"{live_server}/wall?rotate=7")  # the URL parameter: same page, other period
    page.wait_for_function("() => document.querySelectorAll('[data-kpi]').length === 7")


def test_a_new_incident_appears_without_reload(wall_page: Any, live_server: str) -> None:
    from geodata.db import session_scope
    from governance.tokens import create_source_token

    _, token = kiosk_token()
    page = wall_page
    open_wall(page, live_server, token)
    page.wait_for_function("() => window.minqing && window.minqing.live.state === 'live'")
    before = kpis_shown(page)["today"][0] or 0
    with session_scope(admin=True) as s:
        source = create_source_token(s, source="12345", scopes=("incidents:write",), name="e2e")
        lon, lat = s.execute(
            text("""SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p
            FROM area WHERE level = 'grid' ORDER BY code LIMIT 1) x""")
        ).one()
    body = {
        "external_id": f"e2e-wall-{datetime.now().timestamp()}",
        "category": "safety.fire_hazard",
        "occurred_at": datetime.now(LOCAL_TZ).isoformat(),
        "lon": lon,
        "lat": lat,
        "description": "群众反映幸福路18号楼道电动车充电，联系人电话13900001111",
        "address": "幸福路18号",
    }
    req = urllib.request.Request(
        f"{live_server}/api/v1/incidents",
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {source.token}"},
    )
    with urllib.request.urlopen(req, timeout=20) as resp:
        assert resp.status == 201
        new_id = json.load(resp)["id"]
    # pushed by the live stream: no reload, no wait for the 10-second tick
    row = page.locator(f"#{WallIds.FEED} .mq-wall-feed-row").first
    page.wait_for_function(
        "([id, n]) => document.querySelector('#wall-feed .mq-wall-feed-row')?.dataset.incident"
        " === String(n)",
        arg=[WallIds.FEED, new_id],
        timeout=8_000,
    )
    text_shown = row.locator(".mq-wall-feed-text").inner_text()
    assert "13900001111" not in text_shown and "18号" not in text_shown
    assert "消防" in row.inner_text() or "火" in row.inner_text()
    page.wait_for_selector(f".mq-live-pulse[data-incident='{new_id}']", state="attached")
    page.wait_for_function(
        "n => Number(document.querySelector('[data-kpi=today]').dataset.value) >= n",
        arg=before + 1,
    )


@pytest.fixture
def own_server(seeded_database: str) -> Iterator[RestartableServer]:
    server = RestartableServer(seeded_database)
    server.start()
    yield server
    server.stop()


def test_clock_turns_red_when_the_server_stops_and_recovers(
    browser: Any, console: Any, own_server: RestartableServer
) -> None:
    page = new_page(browser, console, HD)
    _, token = kiosk_token()
    open_wall(page, own_server.url, token)
    set_interval(page, 1000)
    wait_clock(page, stale=False)
    own_server.stop()
    wait_clock(page, stale=True)
    assert page.locator(".mq-wall-stale-note").is_visible()
    own_server.start()
    # nobody touches the screen: the next refresh after the restart turns it back
    wait_clock(page, stale=False, timeout=60_000)
    assert page.locator("[data-kpi=today]").get_attribute("data-value")
    page.wait_for_function(
        "() => window.minqing.live.state === 'live'", timeout=90_000
    )  # the live stream reconnects too
    # the database drops every connection (as a database restart does): the next
    # refreshes reconnect by themselves and the live listener comes back
    shown = page.inner_text(f"#{WallIds.CLOCK_TIME}")
    assert drop_database_connections() > 0
    page.wait_for_function(
        "([id, was]) => document.getElementById(id).textContent !== was",
        arg=[WallIds.CLOCK_TIME, shown],
    )
    wait_clock(page, stale=False)
    page.wait_for_function("() => window.minqing.live.state === 'live'", timeout=60_000)
    page.context.close()


def drop_database_connections() -> int:
    """Terminate every other connection to the test database; how many there were."""
    from geodata.db import session_scope
    from tests.conftest import OWNER_URL

    with session_scope(OWNER_URL, admin=True) as s:
        return int(
            s.execute(
                text("""SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()""")
            ).scalar_one()
        )


def test_failed_refreshes_turn_the_clock_red_and_revocation_locks(
    wall_page: Any, live_server: str
) -> None:
    token_id, token = kiosk_token()
    page = wall_page
    open_wall(page, live_server, token)
    set_interval(page, 1000)
    # refreshes fail (the network refuses them): the clock turns red, in the browser
    page.route(UPDATE, lambda route: route.abort())
    wait_clock(page, stale=True)
    assert page.locator(".mq-wall-stale-note").is_visible()
    # the warning is as readable as the rest and still fits the header
    assert not small_texts(page, MIN_TEXT_PX)[1]
    fits = page.evaluate(FITS_JS)
    assert not fits["overflowing"] and not fits["outside"] and not fits["clipped"], fits
    page.unroute(UPDATE)
    wait_clock(page, stale=False)
    # refreshes hang (the server accepts them and never answers): red as well
    held: list[Any] = []
    hold = [True]

    def handler(route: Any) -> None:
        if hold[0]:
            held.append(route)  # no answer until we let go
        else:
            route.continue_()

    page.route(UPDATE, handler)
    wait_clock(page, stale=True)
    hold[0] = False
    for route in held:
        route.continue_()
    page.unroute(UPDATE)
    wait_clock(page, stale=False)
    # the token is revoked: the next refresh shows the locked screen, no figures
    from geodata.db import session_scope
    from governance.token_revocation import revoke_token

    with session_scope() as s:
        revoke_token(s, token_id)
    page.wait_for_selector(".mq-wall-locked-on", state="visible")
    assert "大屏已锁定" in page.inner_text(f"#{WallIds.LOCKED}")
    assert not page.locator(".mq-wall-kpi-value").all_inner_texts() or all(
        v == "—" for v in page.locator(".mq-wall-kpi-value").all_inner_texts()
    )
    assert page.locator(f"#{WallIds.FEED} .mq-wall-feed-row").count() == 0
    assert not small_texts(page, MIN_TEXT_PX)[1]
    page.reload()
    assert "大屏已锁定" in page.inner_text("body")
    count, small = small_texts(page, MIN_TEXT_PX)  # the server-rendered locked page
    assert count >= 3 and not small, small


def small_texts(page: Any, minimum: float) -> tuple[int, list[str]]:
    """How many texts are on the screen, and those below ``minimum`` px (with sizes)."""
    texts = page.evaluate(TEXT_SIZES_JS)
    return len(texts), [f"{t['what']} {t['size']}px" for t in texts if t["size"] < minimum - 0.01]


@pytest.mark.parametrize(
    ("viewport", "lang"),
    [(HD, "zh-CN"), (HD, "en"), (UHD, "zh-CN"), (UHD, "en")],
    ids=["1080p", "1080p-en", "2160p", "2160p-en"],
)
def test_every_text_is_readable_from_five_metres(
    browser: Any, live_server: str, console: Any, viewport: dict[str, int], lang: str
) -> None:
    """No text meant to be read is under 24 px per 1080 px of screen height, in every
    view, and none of them is cut off (names wrap; only free text ends in an ellipsis)."""
    _, token = kiosk_token()
    page = new_page(browser, console, viewport)
    page.context.add_cookies([{"name": "minqing_lang", "value": lang, "url": live_server}])
    open_wall(page, live_server, token)
    page.wait_for_selector(f"#{WallIds.SLA} .mq-wall-sla-row, #{WallIds.SLA} .mq-wall-empty")
    page.wait_for_selector(f"#{WallIds.MAP} .mq-label", state="attached")
    minimum = MIN_TEXT_PX * viewport["height"] / 1080
    for n in (0, 1, 2):
        show_view(page, n)
        count, small = small_texts(page, minimum)
        assert count > 20, count  # the walk sees the screen's texts
        assert not small, f"view {n}: {len(small)} of {count} texts under {minimum} px:\n" + (
            "\n".join(small)
        )
        cut = page.evaluate(CUT_NAMES_JS, NAMES)
        assert not cut, f"view {n}: names cut off: {cut}"
        shots = ROOT / ".data" / "screenshots"  # for a person to look at; not checked in
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"wall-{viewport['height']}-{lang}-{n}.png"))
    page.context.close()
    console.check()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_no_serious_accessibility_violation(wall_page: Any, live_server: str, lang: str) -> None:
    """axe-core (4.12, in Chromium) finds nothing serious or critical in any view."""
    from axe_playwright_python.sync_playwright import Axe

    _, token = kiosk_token()
    page = wall_page
    page.context.add_cookies([{"name": "minqing_lang", "value": lang, "url": live_server}])
    open_wall(page, live_server, token)
    assert page.get_attribute("html", "lang") == lang
    page.wait_for_selector(f"#{WallIds.SLA} .mq-wall-sla-row, #{WallIds.SLA} .mq-wall-empty")
    axe = Axe()
    for n in (0, 1, 2):
        show_view(page, n)
        results = axe.run(page)
        bad = [
            (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:5])
            for v in results.response["violations"]
            if v["impact"] in SERIOUS
        ]
        assert not bad, f"view {n}: {bad}"


def test_countdowns_overdue_first_and_marked_in_words(wall_page: Any, live_server: str) -> None:
    """On the screen: the rows by seconds left, overdue ones first with the word 超时 shown;
    a row whose clock runs out while shown gets the word at once (in the browser)."""
    _, token = kiosk_token()
    page = wall_page
    open_wall(page, live_server, token)
    page.wait_for_selector(f"#{WallIds.SLA} .mq-wall-sla-row")
    page.wait_for_function(  # the browser has filled the countdowns in
        "() => document.querySelector('.mq-wall-sla-left').textContent.length > 0"
    )
    # the rows shown: those that do not fit whole are hidden (wall.js fit()) with their
    # badges, for instance while a spike warnings card takes room above the feed
    rows = page.evaluate(
        """() => [...document.querySelectorAll('#wall-sla .mq-wall-sla-row')]
            .filter(r => r.checkVisibility()).map(r => ({
            left: Number(r.querySelector('.mq-wall-sla-left').dataset.left),
            badge: r.querySelector('.mq-wall-sla-badge').checkVisibility()
                ? r.querySelector('.mq-wall-sla-badge').textContent : null,
            text: r.querySelector('.mq-wall-sla-left').textContent}))"""
    )
    lefts = [r["left"] for r in rows]
    assert rows and lefts == sorted(lefts), rows
    for r in rows:
        assert (r["badge"] == "超时") == (r["left"] < 0), r
        assert r["text"].startswith("已超" if r["left"] < 0 else "剩余"), r
    # a clock that runs out on the screen: the word appears without waiting for the server
    page.evaluate(
        """() => {
            const row = [...document.querySelectorAll('#wall-sla .mq-wall-sla-row')]
                .filter(r => r.checkVisibility()).pop();
            row.classList.remove('mq-wall-sla-late');
            row.querySelector('.mq-wall-sla-left').dataset.left = '-1';
            row.id = 'running-out';
        }"""
    )
    page.wait_for_function(
        "() => document.querySelector('#running-out .mq-wall-sla-badge').checkVisibility()"
    )


def test_place_names_on_the_map_never_overlap(wall_page: Any, live_server: str) -> None:
    """Where two names would overlap, one gives way (the higher level stays)."""
    _, token = kiosk_token()
    page = wall_page
    open_wall(page, live_server, token)
    page.wait_for_selector(f"#{WallIds.MAP} .mq-label", state="attached")
    clashes_js = """() => {
        const boxes = [...document.querySelectorAll('#wall-map .mq-label')]
            .filter(l => l.checkVisibility({visibilityProperty: true}))
            .map(l => ({r: l.querySelector('.mq-label-text').getBoundingClientRect(),
                        county: l.classList.contains('mq-label-county'), name: l.textContent}));
        const clashes = [];
        boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
            if (a.r.left < b.r.right && b.r.left < a.r.right && a.r.top < b.r.bottom
                && b.r.top < a.r.bottom) { clashes.push([a.name, b.name]); }
        }));
        return {clashes, counties: boxes.filter(b => b.county).length, shown: boxes.length};
    }"""
    # the collision pass runs on the animation frame after the labels arrive: wait for it
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):  # the assertion below reports what overlaps
        page.wait_for_function(f"() => ({clashes_js})().clashes.length === 0", timeout=10_000)
    seen = page.evaluate(clashes_js)
    assert seen["counties"] and seen["shown"] > seen["counties"], seen
    clashes = seen["clashes"]
    assert not clashes, clashes
