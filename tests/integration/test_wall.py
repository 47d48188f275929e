"""The wall screen over HTTP: kiosk sessions, the locked state, privacy, KPIs, access.

Callbacks are called as the browser calls them (POST /_dash-update-component), so what
is checked is exactly what a wall screen receives.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance.filters import LOCAL_TZ
from pages.wall_ids import WallIds
from tests.conftest import demo_password, signed_in_client

PERSONAL_KEYS = ('"description"', '"address"', '"full_name"', '"phone"', '"id_number"')
BOUNDS = [[22.6, 115.0], [23.6, 116.2]]


# ----------------------------------------------------------------------------- helpers
def post_callback(client, payload: dict):  # type: ignore[no-untyped-def]
    cookie = client.get_cookie("_csrf_token")
    return client.post(
        "/_dash-update-component",
        data=json.dumps(payload),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookie.value if cookie else ""},
    )


Dep = tuple[str, str, Any]  # (component id, property, value)


def _payload(
    outputs: list[tuple[str, str]], inputs: list[Dep], state: list[Dep] | None = None
) -> dict:
    outs = [{"id": i, "property": p} for i, p in outputs]
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": outs,
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state or []],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
    }


def refresh_payload(tick: int = 1) -> dict:
    return _payload(
        [
            (WallIds.KPIS, "children"),
            (WallIds.CATEGORIES, "children"),
            (WallIds.GRIDS, "children"),
            (WallIds.LOCKED, "className"),
            (WallIds.STATUS, "data"),
        ],
        [(WallIds.INTERVAL, "n_intervals", tick)],
    )


LAYERS = (WallIds.LAYER_AREAS, WallIds.LAYER_CONTEXT, WallIds.LAYER_LABELS, WallIds.LAYER_DENSITY)


def urls_payload(zoom: float = 9) -> dict:
    return _payload(
        [(i, "url") for i in LAYERS],
        [
            (WallIds.MAP, "bounds", BOUNDS),
            (WallIds.MAP, "zoom", zoom),
            (WallIds.INTERVAL, "n_intervals", 1),
        ],
        [(i, "url", None) for i in LAYERS],
    )


def router_payload(path: str) -> dict:
    return _payload(
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", path), ("_pages_location", "search", "")],
    )


def kpi_values(response: dict) -> dict[str, int]:
    """KPI values by key, from the rendered tiles of a refresh response."""
    found: dict[str, int] = {}

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            props = node.get("props") or {}
            if props.get("className") == "mq-wall-kpi-value" and "data-kpi" in props:
                found[props["data-kpi"]] = int(str(props["children"]).replace(",", ""))
            walk(props.get("children"))

    walk(response["response"][WallIds.KPIS]["children"])
    return found


def find_props(node: Any, component_id: str) -> dict:
    """The props of the component with ``component_id`` in a JSON layout tree."""
    if isinstance(node, list):
        for n in node:
            if found := find_props(n, component_id):
                return found
    elif isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return dict(node["props"])
        for v in node.values():
            if found := find_props(v, component_id):
                return found
    return {}


def open_kiosk(token: str):  # type: ignore[no-untyped-def]
    from app import server

    client = server.test_client()
    resp = client.get(f"/wall/k/{token}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/wall"), resp.status
    return client


def new_kiosk(area_code: str, name: str = "测试大屏") -> tuple[int, str]:
    from governance.kiosks import create_kiosk_token

    with session_scope() as s:
        tok = create_kiosk_token(s, area_code=area_code, name=name)
    return tok.id, tok.token


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
        from governance.tokens import revoke_token

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

    from app import cli

    out = CliRunner().invoke(cli, ["tokens", "add-kiosk", "--name", "全市大屏"]).output
    token = re.search(r"/wall/k/(mq_[A-Za-z0-9_-]{43})", out)
    assert token, out
    client = open_kiosk(token.group(1))
    shown = kpi_values(post_callback(client, refresh_payload()).get_json())
    expected = _sql_kpis(session, "")
    assert shown == {k: expected[k] for k in ("today", "open", "hour")}
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
    assert len(keys) == 2, keys
    assert all(k.strip(".").split("...")[0].startswith("wall-") for k in keys)


# ----------------------------------------------------------------------------- KPIs
def _sql_kpis(
    session: Any, prefix: str, now_sql: str = "now()", params: dict | None = None
) -> dict[str, int]:
    """The KPIs by an independent SQL formulation (local days via AT TIME ZONE)."""
    row = session.execute(
        text(f"""
        WITH t AS (SELECT {now_sql} AS now,
                   date_trunc('day', {now_sql} AT TIME ZONE 'Asia/Shanghai')
                       AT TIME ZONE 'Asia/Shanghai' AS midnight),
             i AS (SELECT i.* FROM incident i LEFT JOIN area g ON g.id = i.grid_id
                   -- city-wide: also the cases flagged outside every grid at intake
                   WHERE :p = '%' OR g.code LIKE :p)
        SELECT
          (SELECT count(*) FROM i, t WHERE occurred_at >= t.midnight AND occurred_at < t.now),
          (SELECT count(*) FROM i, t WHERE occurred_at >= t.midnight - interval '1 day'
                                        AND occurred_at < t.now - interval '1 day'),
          (SELECT count(*) FROM i WHERE status NOT IN ('closed', 'evaluated', 'rejected',
                                                       'merged')),
          (SELECT count(*) FROM i, t WHERE occurred_at >= t.now - interval '1 hour'
                                        AND occurred_at < t.now),
          (SELECT count(*) FROM i, t WHERE occurred_at >= t.now - interval '25 hours'
                                        AND occurred_at < t.now - interval '24 hours')
        """),
        {"p": prefix + "%", **(params or {})},
    ).one()
    return dict(zip(("today", "today_prev", "open", "hour", "hour_prev"), row, strict=True))


def test_kpis_on_the_wall_equal_direct_sql_counts(kiosk, county: str, session) -> None:
    client = open_kiosk(kiosk[1])
    shown = kpi_values(post_callback(client, refresh_payload()).get_json())
    expected = _sql_kpis(session, county[:6])
    assert shown == {k: expected[k] for k in ("today", "open", "hour")}


def test_kpi_service_at_a_busy_moment_equals_direct_sql(county: str, session) -> None:
    """At one minute after the area's latest incident every window holds incidents."""
    from governance import wall as wall_service
    from governance.access import Principal

    latest = session.execute(
        text("""SELECT max(occurred_at) FROM incident i JOIN area g ON g.id = i.grid_id
        WHERE g.code LIKE :p"""),
        {"p": county[:6] + "%"},
    ).scalar_one()
    now = (latest + timedelta(minutes=1)).astimezone(LOCAL_TZ)
    name, level = session.execute(
        text("SELECT name, level FROM area WHERE code = :c"), {"c": county}
    ).one()
    principal = Principal(0, "kiosk-x", "x", "wall", 1, county, level, name)
    snap = wall_service.snapshot(principal, "zh-CN", now=now)
    got = {k.key: k.value for k in snap.kpis} | {
        "today_prev": snap.kpis[0].previous,
        "hour_prev": snap.kpis[2].previous,
    }
    expected = _sql_kpis(session, county[:6], "CAST(:now AS timestamptz)", {"now": now})
    assert got == expected and got["today"] >= 1 and got["hour"] >= 1
    cats = dict(
        session.execute(
            text("""SELECT i.category_code, count(*) FROM incident i JOIN area g
            ON g.id = i.grid_id WHERE g.code LIKE :p AND i.occurred_at >= :s
            AND i.occurred_at < :e GROUP BY 1"""),
            {"p": county[:6] + "%", "s": now - timedelta(days=1), "e": now},
        ).all()
    )
    assert {c.code: c.count for c in snap.categories} == dict(
        sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    )
    assert sum(g.count for g in snap.grids) <= sum(cats.values())


def test_city_wall_counts_the_whole_city(session) -> None:
    client = signed_in_client("commander")
    shown = kpi_values(post_callback(client, refresh_payload()).get_json())
    expected = _sql_kpis(session, "")
    assert shown == {k: expected[k] for k in ("today", "open", "hour")}


# ----------------------------------------------------------------------------- privacy
def _personal_values(session, prefix: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Clear personal values the wall must never show: incident texts of the area, key
    persons' identities, grid workers' names and phones, incident reporters (decrypted
    where the database keeps them encrypted)."""
    values: list[str] = []
    for desc, addr in session.execute(
        text("""SELECT i.description, i.address FROM incident i JOIN area g
        ON g.id = i.grid_id WHERE g.code LIKE :p"""),
        {"p": prefix + "%"},
    ):
        values += [desc, addr]
    values += [v for row in session.execute(
        text("SELECT worker_name, worker_phone FROM area WHERE worker_name IS NOT NULL")
    ) for v in row]  # fmt: skip
    columns = {
        r[0]
        for r in session.execute(
            text("""SELECT column_name FROM information_schema.columns
            WHERE table_name = 'key_person_identity'""")
        )
    }
    identity = ("full_name", "id_number", "phone", "address")
    if "full_name" in columns:  # stored in clear
        for row in session.execute(text(f"SELECT {', '.join(identity)} FROM key_person_identity")):
            values += list(row)
    else:  # encrypted at rest (migration 0006): decrypt to know what to look for
        from geodata.crypto import cipher

        c = cipher()
        cols = ", ".join(f"{col}_enc" for col in identity)
        for pid, *blobs in session.execute(
            text(f"SELECT person_id, {cols} FROM key_person_identity")
        ):
            for col, blob in zip(identity, blobs, strict=True):
                values.append(c.decrypt(blob, c.place("key_person_identity", col, pid)))
    reporters = session.execute(text("SELECT to_regclass('incident_reporter')")).scalar()
    if reporters:  # who reported an incident (migration 0006), encrypted at rest
        from geodata.crypto import cipher

        c = cipher()
        for iid, name, phone in session.execute(
            text("SELECT incident_id, name_enc, phone_enc FROM incident_reporter")
        ):
            values.append(c.decrypt(name, c.place("incident_reporter", "name", iid)))
            values.append(c.decrypt(phone, c.place("incident_reporter", "phone", iid)))
    return [v for v in values if v and len(v) >= 4]


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
    personal = _personal_values(session, county[:6])
    assert len(personal) > 100
    for where, body in bodies.items():
        for key in PERSONAL_KEYS:
            assert key not in body, (where, key)
        leaked = [v for v in personal if v in body]
        assert not leaked, (where, leaked[:3])


def test_no_personal_data_on_the_city_wall(session) -> None:
    client = signed_in_client("wall")
    refresh = json.dumps(post_callback(client, refresh_payload()).get_json(), ensure_ascii=False)
    personal = _personal_values(session, "")
    assert not [v for v in personal if v in refresh]
    assert not [k for k in PERSONAL_KEYS if k in refresh]


def test_messages_are_translated_and_unique() -> None:
    from i18n import CATALOG, t
    from i18n.messages_wall import WALL

    assert all(set(v) == {"zh-CN", "en"} for v in WALL.values())
    assert all(CATALOG[k] is v for k, v in WALL.items())
    assert t("wall.kpi.open", "en") == "Open incidents"


def test_change_vs_yesterday_is_rendered() -> None:
    from governance.wall import Kpi
    from pages.wall_parts import kpi_tiles

    up, down, same, none = kpi_tiles(
        [Kpi("a", "A", 12, 10), Kpi("b", "B", 5, 8), Kpi("c", "C", 3, 3), Kpi("d", "D", 4, None, "n")],
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
