"""The wall screen over HTTP: kiosk sessions, the locked state, privacy, KPIs, access.

Callbacks are called as the browser calls them (POST /_dash-update-component), so what
is checked is exactly what a wall screen receives.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance.filters import LOCAL_TZ
from pages.wall_ids import WallIds
from tests.conftest import demo_password, signed_in_client
from tests.integration.wall_helpers import (
    BOUNDS,
    LAYERS,
    find_props,
    kpi_values,
    new_kiosk,
    open_kiosk,
    personal_values,
    post_callback,
    refresh_payload,
    router_payload,
    sql_kpis,
    urls_payload,
)

PERSONAL_KEYS = ('"description"', '"address"', '"full_name"', '"phone"', '"id_number"')


@pytest.fixture(scope="module")
def county(seeded_database: str) -> str:
    """The county with the most incidents (the kiosk's area in these tests)."""
    with session_scope() as s:
        return str(
            s.execute(
                text("""SELECT c.code FROM incident i JOIN area g ON g.id = i.grid_id
                JOIN area c ON c.level = 'county' AND g.code LIKE substr(c.code, 1, 6) || '%'
                GROUP BY c.code ORDER BY count(*) DESC LIMIT 1""")
            ).scalar_one()
        )


@pytest.fixture(scope="module")
def kiosk(county: str) -> tuple[int, str]:
    return new_kiosk(county, "指挥中心大屏")


# ----------------------------------------------------------------------------- sessions
def test_kiosk_url_opens_a_wall_session(kiosk, county: str) -> None:
    token_id, token = kiosk
    client = open_kiosk(token)
    page = client.get("/wall")
    assert page.status_code == 200
    routed = post_callback(client, router_payload("/wall"))
    assert routed.status_code == 200 and WallIds.MAP in routed.get_data(as_text=True)
    refreshed = post_callback(client, refresh_payload())
    assert refreshed.status_code == 200
    assert "mq-wall-locked-on" not in refreshed.get_data(as_text=True)
    assert client.get("/").status_code == 403  # the wall role has no map page
    with session_scope() as s:
        row = s.execute(
            text("""SELECT action, username, role, detail FROM audit_log
            WHERE action = 'login' AND username = :u ORDER BY id DESC LIMIT 1"""),
            {"u": f"kiosk-{token_id}"},
        ).one()
        assert row.role == "wall" and row.detail["kiosk_token"] == token_id
        assert token not in json.dumps(row.detail)
        used = s.execute(
            text("SELECT last_used_at FROM api_token WHERE id = :i"), {"i": token_id}
        ).scalar_one()
        assert used is not None


def test_a_tick_sends_only_the_parts_that_changed(kiosk) -> None:
    """The wall gets a tick for every change in its area: a part that would be drawn the
    same is not sent again (pages/redraw.py), whatever else its store holds; the figures'
    clock is."""
    from callbacks.wall import REFRESHED

    client = open_kiosk(kiosk[1])
    first = post_callback(client, refresh_payload()).get_json()["response"]
    assert all(i in first for i in REFRESHED)
    marks = first[WallIds.SHOWN]["data"]
    assert set(marks) == set(REFRESHED)
    again = post_callback(client, refresh_payload(2, marks)).get_json()["response"]
    assert WallIds.STATUS in again and WallIds.SHOWN in again
    sent = [i for i in REFRESHED if i in again]
    assert len(sent) < len(REFRESHED), sent  # the feed may have moved meanwhile, not all
    for shown in (None, "x", [marks], {k: 1 for k in marks}, {"__proto__": marks}):
        whole = post_callback(client, refresh_payload(3, shown)).get_json()["response"]
        assert all(i in whole for i in REFRESHED), shown


def test_kiosk_session_is_exempt_from_the_timeouts(kiosk) -> None:
    client = open_kiosk(kiosk[1])
    with client.session_transaction() as sess:
        sess["seen_at"] = int(time.time()) - 31 * 60
        sess["login_at"] = int(time.time()) - 13 * 3600
    assert post_callback(client, refresh_payload()).status_code == 200
    assert client.get("/wall").status_code == 200


def test_invalid_kiosk_link_shows_the_locked_page_and_opens_nothing() -> None:
    from app import server

    client = server.test_client()
    resp = client.get("/wall/k/mq_" + "C" * 43)
    assert resp.status_code == 403 and "大屏已锁定" in resp.get_data(as_text=True)
    assert client.get("/wall").status_code == 302  # still anonymous: to the sign-in page
    with session_scope() as s:
        last = s.execute(
            text(
                "SELECT object_id, detail FROM audit_log WHERE action = 'access_denied' "
                "ORDER BY id DESC LIMIT 1"
            )  # fmt: skip
        ).one()
    assert last.detail["check"] == "kiosk" and last.detail["reason"] == "unknown"
    assert last.object_id == "GET /wall/k/*"  # never the presented token


@pytest.mark.parametrize("how", ["revoke", "expire"])
def test_a_dead_token_locks_the_wall(how: str, county: str) -> None:
    token_id, token = new_kiosk(county)
    client = open_kiosk(token)
    assert "mq-wall-locked-on" not in post_callback(client, refresh_payload()).get_data(
        as_text=True
    )
    if how == "revoke":
        from governance.token_revocation import revoke_token

        with session_scope() as s:
            revoke_token(s, token_id)
    else:
        with session_scope() as s:
            s.execute(
                text("UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = :i"),
                {"i": token_id},
            )
    for _ in range(3):  # every later poll: the locked state, not an error
        resp = post_callback(client, refresh_payload())
        assert resp.status_code == 200
        out = resp.get_json()["response"]
        assert "mq-wall-locked-on" in out[WallIds.LOCKED]["className"]
        assert out[WallIds.STATUS]["data"]["locked"] is True
        assert kpi_values(resp.get_json()) == {}  # no figures left on the screen
        assert out[WallIds.CATEGORIES]["children"] == []
    urls = post_callback(client, urls_payload()).get_json()["response"]
    assert all(urls[i]["url"] is None for i in LAYERS)
    page = client.get("/wall")
    assert page.status_code == 403 and "大屏已锁定" in page.get_data(as_text=True)
    api = client.get("/api/v1/layers/density?bbox=110,18,120,25&z=9")
    assert api.status_code == 401 and api.get_json()["key"] == "error.kiosk_locked"
    other = post_callback(client, router_payload("/"))  # not a wall callback: refused
    assert other.status_code == 401
    with session_scope() as s:
        n = s.execute(
            text("""SELECT count(*) FROM audit_log WHERE action = 'access_denied'
            AND object_type = 'api_token' AND object_id = :i"""),
            {"i": str(token_id)},
        ).scalar_one()
    assert n == 1  # audited once, not at every poll


def test_a_kiosk_account_has_no_usable_password(kiosk) -> None:
    from governance.accounts import authenticate
    from governance.errors import Unauthorized
    from governance.kiosks import UNUSABLE_PASSWORD, account_name

    for guess in ("", UNUSABLE_PASSWORD, kiosk[1]):
        with pytest.raises(Unauthorized):
            authenticate(account_name(kiosk[0]), guess)


def test_a_city_wide_kiosk_shows_the_city(session) -> None:
    from click.testing import CliRunner

    from cli.main import cli

    out = CliRunner().invoke(cli, ["tokens", "add-kiosk", "--name", "全市大屏"]).output
    token = re.search(r"/wall/k/(mq_[A-Za-z0-9_-]{43})", out)
    assert token, out
    client = open_kiosk(token.group(1))
    shown = kpi_values(post_callback(client, refresh_payload()).get_json())
    _shown_equal(shown, sql_kpis(session, "", datetime.now(LOCAL_TZ)))
    routed = post_callback(client, router_payload("/wall")).get_json()
    assert find_props(routed, WallIds.AREA)["children"] == "全市"


def test_demo_wall_account_signs_in_and_lands_on_the_wall() -> None:
    import re as _re

    from app import server

    client = server.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = _re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    resp = client.post(
        "/login",
        data={
            "username": "wall",
            "password": demo_password("wall"),
            "csrf_token": csrf,
            "next": "/",
        },
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/wall")
    assert client.get("/wall").status_code == 200
    assert post_callback(client, refresh_payload()).status_code == 200


# ----------------------------------------------------------------------------- access
@pytest.mark.parametrize(
    "username", ["dept", "gridworker", "supervisor", "auditor", "admin", "security"]
)
def test_roles_without_wall_view_are_refused(username: str) -> None:
    client = signed_in_client(username)
    page = client.get("/wall")
    assert page.status_code == 403
    for payload in (refresh_payload(), urls_payload(), router_payload("/wall")):
        resp = post_callback(client, payload)
        assert resp.status_code == 403, (username, payload["output"])


@pytest.mark.parametrize("username", ["commander", "wall"])
def test_roles_with_wall_view_get_the_wall(username: str) -> None:
    client = signed_in_client(username)
    assert client.get("/wall").status_code == 200
    for payload in (refresh_payload(), urls_payload(), router_payload("/wall")):
        assert post_callback(client, payload).status_code == 200


def test_wall_role_reads_only_aggregate_layers() -> None:
    client = signed_in_client("wall")
    city = "110,18,120,25"
    for layer in ("areas", "labels", "density"):
        assert client.get(f"/api/v1/layers/{layer}?bbox={city}&z=9").status_code == 200
    for layer in ("incidents", "sites", "persons"):
        assert client.get(f"/api/v1/layers/{layer}?bbox={city}&z=9").status_code == 403


def test_every_wall_callback_is_guarded() -> None:
    """Every server-side callback writing to wall- ids is refused to a map-only role."""
    from app import app

    signed_in_client("commander").get("/")
    keys = [k for k, cb in app.callback_map.items() if "callback" in cb and "wall-" in k]
    assert len(keys) == 3, keys  # figures, layer URLs, spike warnings (callbacks/spikes.py)
    assert all(k.strip(".").split("...")[0].startswith("wall-") for k in keys)


# ----------------------------------------------------------------------------- KPIs
def _shown_equal(shown: dict[str, float | None], expected: dict[str, float | None]) -> None:
    """The tiles' figures equal the independent ones (rates to the tenth shown)."""
    assert set(shown) == {
        "today",
        "awaiting",
        "handling",
        "overdue",
        "on_time",
        "satisfaction",
        "patrol",
    }
    for key, value in shown.items():
        want = expected[key]
        if want is None or value is None:
            assert value == want, key
        else:
            assert value == pytest.approx(want, abs=1e-6), key


def test_kpis_on_the_wall_equal_direct_sql_counts(kiosk, county: str, session) -> None:
    client = open_kiosk(kiosk[1])
    shown = kpi_values(post_callback(client, refresh_payload()).get_json())
    _shown_equal(shown, sql_kpis(session, county[:6], datetime.now(LOCAL_TZ)))


def test_kpi_service_at_a_busy_moment_equals_direct_sql(county: str, session) -> None:
    """One minute and six hours after the area's latest received incident, its last day
    is full of incidents and transitions: every figure and every comparison equals the
    independent one. (Anchored on the latest *received* case, since "today" counts cases
    received: the latest to occur may be minutes after local midnight and not received
    yet, as the demo's planted burst of the last hours often is.)"""
    from governance import wall as wall_service
    from governance.access import Principal
    from governance.uow import unit_of_work

    latest = session.execute(
        text("""SELECT max(reported_at) FROM incident i JOIN area g ON g.id = i.grid_id
        WHERE g.code LIKE :p AND i.status NOT IN ('merged', 'rejected')"""),
        {"p": county[:6] + "%"},
    ).scalar_one()
    name, level = session.execute(
        text("SELECT name, level FROM area WHERE code = :c"), {"c": county}
    ).one()
    principal = Principal(0, "kiosk-x", "x", "wall", 1, county, level, name)
    for later in (timedelta(hours=6), timedelta(minutes=1)):
        now = (latest + later).astimezone(LOCAL_TZ)
        with unit_of_work(principal) as s:
            snap = wall_service.snapshot(s, principal, "zh-CN", now=now)
        got = {k.key: k.value for k in snap.kpis}
        got |= {f"{k.key}_prev": k.previous for k in snap.kpis}
        expected = sql_kpis(session, county[:6], now)
        assert set(got) == set(expected)
        for key, value in got.items():
            want = expected[key]
            assert value == (None if want is None else pytest.approx(want)), (later, key)
    assert got["today"] >= 1  # type: ignore[operator]
    assert got["awaiting_prev"] + got["handling_prev"] > 0  # type: ignore[operator]
    cats = dict(
        session.execute(
            text("""SELECT i.category_code, count(*) FROM incident i JOIN area g
            ON g.id = i.grid_id WHERE g.code LIKE :p AND i.reported_at >= :s
            AND i.reported_at < :e AND i.status NOT IN ('merged', 'rejected')
            GROUP BY 1"""),
            {"p": county[:6] + "%", "s": now - timedelta(days=1), "e": now},
        ).all()
    )
    assert {c.code: c.count for c in snap.categories} == dict(
        sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    )
    grids = session.execute(
        text("""SELECT g.code, g.name, count(*) FROM incident i JOIN area g
        ON g.id = i.grid_id WHERE g.code LIKE :p AND i.reported_at >= :s
        AND i.reported_at < :e AND i.status NOT IN ('merged', 'rejected')
        GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 5"""),
        {"p": county[:6] + "%", "s": now - timedelta(days=1), "e": now},
    ).all()
    assert grids
    assert [(g.code, g.label, g.count) for g in snap.grids] == [tuple(r) for r in grids]


def test_city_wall_counts_the_whole_city(session) -> None:
    client = signed_in_client("commander")
    shown = kpi_values(post_callback(client, refresh_payload()).get_json())
    _shown_equal(shown, sql_kpis(session, "", datetime.now(LOCAL_TZ)))


# ----------------------------------------------------------------------------- privacy
def test_no_personal_data_reaches_the_wall(kiosk, county: str, session) -> None:
    client = open_kiosk(kiosk[1])
    bodies = {
        "page": client.get("/wall").get_data(as_text=True),
        "router": post_callback(client, router_payload("/wall")).get_data(as_text=True),
        "refresh": post_callback(client, refresh_payload()).get_data(as_text=True),
    }
    urls_resp = post_callback(client, urls_payload(11)).get_json()["response"]
    bodies["urls"] = json.dumps(urls_resp, ensure_ascii=False)
    for cid in LAYERS:
        url = urls_resp[cid]["url"]
        if url:
            bodies[cid] = client.get(url.replace("format=geobuf", "format=geojson")).get_data(
                as_text=True
            )
    for name in ("router", "refresh"):
        bodies[name] = json.dumps(json.loads(bodies[name]), ensure_ascii=False)
    # Dash's index page has a <meta name="description" content=""> of its own
    bodies["page"] = re.sub(r"<meta [^>]*>", "", bodies["page"])
    assert "mq-wall-kpi-value" in bodies["refresh"]
    personal = personal_values(session, county[:6])
    assert len(personal) > 100
    # the feed shows masked descriptions: no address beyond its community, no house number
    tails = [
        a[-6:]
        for (a,) in session.execute(text("SELECT address FROM incident WHERE address ~ '[0-9]号$'"))
    ]
    assert "mq-wall-feed-text" in bodies["refresh"] and len(tails) > 100
    for where, body in bodies.items():
        for key in PERSONAL_KEYS:
            assert key not in body, (where, key)
        leaked = [v for v in personal if v in body]
        assert not leaked, (where, leaked[:3])
        assert not [a for a in tails if a in body], where
    assert not re.search(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", bodies["refresh"])  # no mobile


def test_no_personal_data_on_the_city_wall(session) -> None:
    client = signed_in_client("wall")
    refresh = json.dumps(post_callback(client, refresh_payload()).get_json(), ensure_ascii=False)
    personal = personal_values(session, "")
    assert not [v for v in personal if v in refresh]
    assert not [k for k in PERSONAL_KEYS if k in refresh]


def test_messages_are_translated_and_unique() -> None:
    from i18n import CATALOG, t
    from i18n.messages_wall import WALL

    assert all(set(v) == {"zh-CN", "en"} for v in WALL.values())
    assert all(CATALOG[k] is v for k, v in WALL.items())
    assert t("wall.kpi.awaiting", "en") == "Awaiting dispatch"


def test_change_vs_yesterday_is_rendered() -> None:
    from governance.wall import Kpi
    from pages.wall_parts import kpi_tiles

    up, down, same, none = kpi_tiles(
        [Kpi("a", "A", 12, 10), Kpi("b", "B", 5, 8), Kpi("c", "C", 3, 3), Kpi("d", "D", 4, None, note="n")],
        "zh-CN",
    )  # fmt: skip
    from plotly.utils import PlotlyJSONEncoder

    text_of = json.dumps([up, down, same, none], cls=PlotlyJSONEncoder, ensure_ascii=False)
    assert "▲ 2 (+20%)" in text_of and "▼ 3 (-38%)" in text_of and "＝ 0" in text_of
    assert "mq-wall-up" in text_of and "mq-wall-down" in text_of


def test_density_url_covers_the_last_24_hours() -> None:
    from urllib.parse import parse_qs, urlsplit

    from pages.wall_parts import layer_urls

    now = datetime(2026, 3, 1, 10, 30, 15, tzinfo=LOCAL_TZ)
    *_, dens = layer_urls(BOUNDS, 9, now)
    q = {k: v[0] for k, v in parse_qs(urlsplit(dens).query).items()}
    assert q["start"] == "2026-02-28T10:31" and q["end"] == "2026-03-01T10:31"
    assert "window" not in q


def test_a_kiosk_link_keeps_its_rotation_and_nothing_else(kiosk) -> None:  # type: ignore[no-untyped-def]
    from app import server

    _, token = kiosk
    for query, expected in (
        ("?rotate=30", "/wall?rotate=30"),
        ("?rotate=30&next=https://evil.example", "/wall?rotate=30"),
        ("?rotate=abc", "/wall"),
        ("", "/wall"),
    ):
        resp = server.test_client().get(f"/wall/k/{token}{query}")
        assert resp.status_code == 302 and resp.headers["Location"].endswith(expected), query
