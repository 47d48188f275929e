"""Incident intake over REST: one, bulk, idempotent, any CRS, all or nothing.

Requests are made as a source system makes them: a client without cookies sending
``Authorization: Bearer mq_...``. Tokens are created with ``governance.tokens``.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from geodata import crs
from geodata.crypto import cipher
from geodata.db import session_scope
from geodata.hexagons import cells_for_points
from i18n import t
from tests.conftest import signed_in_client

NOW = datetime.now(UTC).isoformat()


# --------------------------------------------------------------------------- helpers
def make_token(
    source: str = "12345",
    scopes: tuple[str, ...] = ("incidents:write", "incidents:read"),
    area_code: str | None = None,
    name: str | None = None,
) -> str:
    from governance.tokens import create_source_token

    with session_scope(admin=True) as s:
        return create_source_token(
            s, source=source, scopes=scopes, name=name, area_code=area_code
        ).token


def machine():  # type: ignore[no-untyped-def]
    """A client without cookies: every request stands on its own."""
    from app import server

    return server.test_client(use_cookies=False)


def post(token: str | None, path: str, body: Any, lang: str = "en", raw: bytes | None = None):  # type: ignore[no-untyped-def]
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False)
    return machine().post(f"{path}?lang={lang}", data=data, headers=headers)


def counts() -> tuple[int, int, int]:
    """(incidents, timeline events, reporters)."""
    with session_scope(admin=True) as s:
        return tuple(  # type: ignore[return-value]
            s.execute(
                text(
                    "SELECT (SELECT count(*) FROM incident), (SELECT count(*) FROM "
                    "incident_event), (SELECT count(*) FROM incident_reporter)"
                )
            ).one()
        )


def eid() -> str:
    return f"t-{uuid.uuid4().hex[:16]}"


def item(point: tuple[float, float], **kw: Any) -> dict[str, Any]:
    return {
        "external_id": eid(),
        "category": "city.garbage",
        "occurred_at": NOW,
        "lon": point[0],
        "lat": point[1],
        **kw,
    }


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    with session_scope(admin=True) as s:
        return float(
            s.execute(
                text(
                    "SELECT ST_Distance(ST_MakePoint(:a, :b)::geography, "
                    "ST_MakePoint(:c, :d)::geography)"
                ),
                {"a": a[0], "b": a[1], "c": b[0], "d": b[1]},
            ).scalar_one()
        )


@pytest.fixture(scope="module")
def grid() -> dict[str, Any]:
    """A grid and a WGS84 point well inside it."""
    with session_scope(admin=True) as s:
        row = s.execute(
            text("""
            SELECT id, code, name, ST_X(p) AS lon, ST_Y(p) AS lat FROM (
              SELECT id, code, name, ST_PointOnSurface(geom) AS p FROM area
              WHERE level = 'grid' ORDER BY code LIMIT 1) x""")
        ).one()
    return dict(row._mapping)


@pytest.fixture(scope="module")
def point(grid: dict[str, Any]) -> tuple[float, float]:
    return (grid["lon"], grid["lat"])


@pytest.fixture(scope="module")
def hotline() -> str:
    return make_token(name="12345 热线平台")


@pytest.fixture
def reject_outside(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from governance import intake_write as intake
    from settings import get_settings

    strict = get_settings().model_copy(update={"intake_outside": "reject"})
    monkeypatch.setattr(intake, "get_settings", lambda: strict)
    yield


def street_and_far_point(grid: dict[str, Any]) -> tuple[str, tuple[float, float]]:
    """The street of ``grid`` and a point inside another county."""
    with session_scope(admin=True) as s:
        street, other = s.execute(
            text("""
            SELECT (SELECT st.code FROM area g JOIN area c ON c.id = g.parent_id
                    JOIN area st ON st.id = c.parent_id WHERE g.code = :g),
                   (SELECT ST_AsText(ST_PointOnSurface(geom)) FROM area
                    WHERE level = 'grid' AND left(code, 6) <> left(:g, 6) ORDER BY code LIMIT 1)
            """),
            {"g": grid["code"]},
        ).one()
    assert street is not None
    x, y = (float(v) for v in other.removeprefix("POINT(").rstrip(")").split())
    return street, (x, y)


# --------------------------------------------------------------------------- one incident
def test_one_incident_is_registered_with_grid_h3_and_timeline(hotline, grid, point) -> None:  # type: ignore[no-untyped-def]
    body = item(point, priority=2, description="垃圾满溢", address="香洲路 1 号")
    resp = post(hotline, "/api/v1/incidents", body)
    assert resp.status_code == 201, resp.get_json()
    data = resp.get_json()
    assert data["created"] is True and data["replayed"] is False
    assert data["lon"] == round(point[0], 7) and data["lat"] == round(point[1], 7)
    assert data["grid"] == {"id": grid["id"], "code": grid["code"], "name": grid["name"]}
    assert data["location_flag"] is None and data["status"] == "registered"
    with session_scope(admin=True) as s:
        row = s.execute(
            text("""SELECT source, external_id, grid_id, priority, status, version,
                    h3_6, h3_7, h3_8, h3_9, h3_10 FROM incident WHERE id = :i"""),
            {"i": data["id"]},
        ).one()
        events = s.execute(
            text("""SELECT action, to_status, version, actor_role, actor_name, actor_token_id
                    FROM incident_event WHERE incident_id = :i"""),
            {"i": data["id"]},
        ).all()
        token_id = s.execute(
            text("SELECT id FROM api_token WHERE name = '12345 热线平台'")
        ).scalar_one()
    assert row.source == "hotline_12345" and row.external_id == body["external_id"]
    assert (row.grid_id, row.priority, row.status, row.version) == (grid["id"], 2, "registered", 1)
    cells = cells_for_points([point[1]], [point[0]])
    assert [row.h3_6, row.h3_7, row.h3_8, row.h3_9, row.h3_10] == [
        int(cells[r][0]) for r in (6, 7, 8, 9, 10)
    ]
    assert events == [("register", "registered", 1, "token", "12345 热线平台", token_id)]


def test_priority_defaults_to_the_category_and_naive_time_is_beijing(hotline, point) -> None:  # type: ignore[no-untyped-def]
    naive = (datetime.now(UTC) + timedelta(hours=8) - timedelta(hours=1)).replace(tzinfo=None)
    body = item(point, category="safety.gas_leak", occurred_at=naive.isoformat(timespec="seconds"))
    resp = post(hotline, "/api/v1/incidents", body)
    assert resp.status_code == 201, resp.get_json()
    with session_scope(admin=True) as s:
        prio, at, default = s.execute(
            text("""SELECT i.priority, i.occurred_at, c.default_priority FROM incident i
                    JOIN incident_category c ON c.code = i.category_code WHERE i.id = :i"""),
            {"i": resp.get_json()["id"]},
        ).one()
    assert prio == default
    assert abs((datetime.now(UTC) - at).total_seconds() - 3600) < 120


@pytest.mark.parametrize("system", ["gcj02", "bd09", "cgcs2000"])
def test_chinese_datums_land_within_5_m_of_the_wgs84_point(hotline, point, system: str) -> None:  # type: ignore[no-untyped-def]
    lon, lat = crs.from_wgs84(*point, system if system != "cgcs2000" else "wgs84")
    if system != "cgcs2000":
        assert metres((lon, lat), point) > 100  # the offset is real: a few hundred metres
    resp = post(hotline, "/api/v1/incidents", item((lon, lat), crs=system.upper()))
    assert resp.status_code == 201, resp.get_json()
    data = resp.get_json()
    with session_scope(admin=True) as s:
        stored = s.execute(
            text("SELECT ST_X(geom), ST_Y(geom) FROM incident WHERE id = :i"), {"i": data["id"]}
        ).one()
    assert metres(tuple(stored), point) < 5  # type: ignore[arg-type]
    assert metres((data["lon"], data["lat"]), point) < 5


def test_swapped_lat_lon_is_detected(hotline, grid, point) -> None:  # type: ignore[no-untyped-def]
    resp = post(hotline, "/api/v1/incidents", item((point[1], point[0])))
    assert resp.status_code == 201, resp.get_json()
    data = resp.get_json()
    assert data["location_flag"] == "swapped_lat_lon"
    assert (data["lon"], data["lat"]) == (round(point[0], 7), round(point[1], 7))
    assert data["grid"]["id"] == grid["id"]


def test_outside_point_is_flagged(hotline) -> None:  # type: ignore[no-untyped-def]
    resp = post(hotline, "/api/v1/incidents", item((113.26, 23.13)))  # Guangzhou
    assert resp.status_code == 201, resp.get_json()
    data = resp.get_json()
    assert data["grid"] is None and data["location_flag"] == "outside_jurisdiction"


def test_outside_point_is_refused_when_configured(hotline, point, reject_outside) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    resp = post(hotline, "/api/v1/incidents", item((113.26, 23.13)))
    assert resp.status_code == 400
    data = resp.get_json()
    assert data["errors"][0]["field"] == "location"
    assert data["errors"][0]["key"] == "intake.field.outside"
    bulk = [item(point), item((113.26, 23.13)), item(point)]
    resp = post(hotline, "/api/v1/incidents/bulk", {"items": bulk})
    assert resp.status_code == 400
    assert [(e["index"], e["key"]) for e in resp.get_json()["errors"]] == [
        (1, "intake.field.outside")
    ]
    assert counts() == before


# --------------------------------------------------------------------------- idempotency
def test_replay_returns_the_stored_incident_and_says_what_differs(hotline, point) -> None:  # type: ignore[no-untyped-def]
    body = item(point, description="第一次")
    first = post(hotline, "/api/v1/incidents", body)
    assert first.status_code == 201
    before = counts()
    again = post(hotline, "/api/v1/incidents", body)
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["replayed"] is True and again.get_json()["differs"] == []
    changed = post(hotline, "/api/v1/incidents", {**body, "description": "改过的", "priority": 1})
    assert changed.status_code == 200
    data = changed.get_json()
    assert data["id"] == first.get_json()["id"] and data["created"] is False
    assert data["differs"] == ["priority", "description"]
    assert counts() == before
    with session_scope(admin=True) as s:
        desc = s.execute(
            text("SELECT description FROM incident WHERE id = :i"), {"i": data["id"]}
        ).scalar_one()
    assert desc == "第一次"


def test_the_same_external_id_from_another_source_is_another_incident(hotline, point) -> None:  # type: ignore[no-untyped-def]
    police = make_token(source="110")
    body = item(point)
    a = post(hotline, "/api/v1/incidents", body)
    b = post(police, "/api/v1/incidents", body)
    assert a.status_code == b.status_code == 201
    assert a.get_json()["id"] != b.get_json()["id"]


@pytest.mark.commits
def test_100_concurrent_replays_write_one_row_and_one_event(hotline, point) -> None:  # type: ignore[no-untyped-def]
    """Needs commits: a hundred threads on their own connections must see each other's
    row; the incident is deleted at the end."""
    body = json.dumps(item(point))
    try:
        _replay_concurrently(hotline, body)
    finally:
        with session_scope(admin=True) as s:
            s.execute(
                text("DELETE FROM incident WHERE source = 'hotline_12345' AND external_id = :e"),
                {"e": json.loads(body)["external_id"]},
            )


def _replay_concurrently(hotline: str, body: str) -> None:
    n = 100
    barrier = threading.Barrier(n)

    def send(_: int) -> tuple[int, int]:
        client = machine()
        barrier.wait()
        r = client.post(
            "/api/v1/incidents",
            data=body,
            headers={"Authorization": f"Bearer {hotline}", "Content-Type": "application/json"},
        )
        return r.status_code, r.get_json()["id"]

    with ThreadPoolExecutor(n) as pool:
        results = list(pool.map(send, range(n)))
    statuses = sorted(s for s, _ in results)
    assert statuses == [200] * (n - 1) + [201], statuses
    assert len({i for _, i in results}) == 1
    with session_scope(admin=True) as s:
        rows, events = s.execute(
            text("""SELECT count(*), (SELECT count(*) FROM incident_event e
                    WHERE e.incident_id = min(i.id)) FROM incident i
                    WHERE source = 'hotline_12345' AND external_id = :e"""),
            {"e": json.loads(body)["external_id"]},
        ).one()
    assert (rows, events) == (1, 1)


# --------------------------------------------------------------------------- bulk
def test_bulk_is_all_or_nothing_and_replays_return_the_same_ids(hotline, point) -> None:  # type: ignore[no-untyped-def]
    items = [item(point, description=f"批量 {k}") for k in range(50)]
    before = counts()
    bad = [*items[:37], {**items[37], "category": "no.such"}, *items[38:]]
    resp = post(hotline, "/api/v1/incidents/bulk", {"items": bad})
    assert resp.status_code == 400
    data = resp.get_json()
    assert data["key"] == "intake.error.invalid_items"
    assert [(e["index"], e["field"]) for e in data["errors"]] == [(37, "category")]
    assert "/api/v1/categories" in data["errors"][0]["message"]
    assert counts() == before

    resp = post(hotline, "/api/v1/incidents/bulk", items)  # a bare array works too
    assert resp.status_code == 200, resp.get_json()
    out = resp.get_json()
    assert out["summary"] == {"items": 50, "created": 50, "replayed": 0}
    assert [e["index"] for e in out["items"]] == list(range(50))
    ids = [e["id"] for e in out["items"]]
    assert len(set(ids)) == 50 and all(e["created"] for e in out["items"])
    assert counts() == (before[0] + 50, before[1] + 50, before[2])

    again = post(hotline, "/api/v1/incidents/bulk", {"items": items}).get_json()
    assert again["summary"] == {"items": 50, "created": 0, "replayed": 50}
    assert [e["id"] for e in again["items"]] == ids
    assert counts() == (before[0] + 50, before[1] + 50, before[2])


def test_bulk_duplicates_in_one_body_first_wins(hotline, point) -> None:  # type: ignore[no-untyped-def]
    a, b = item(point, description="first"), item(point)
    resp = post(hotline, "/api/v1/incidents/bulk", {"items": [a, b, {**a, "description": "x"}]})
    assert resp.status_code == 200, resp.get_json()
    out = resp.get_json()["items"]
    assert out[0]["created"] and out[1]["created"]
    assert out[2] == {"index": 2, "id": out[0]["id"], "created": False, "replayed": True,
                      "duplicate_of": 0}  # fmt: skip
    with session_scope(admin=True) as s:
        desc = s.execute(
            text("SELECT description FROM incident WHERE id = :i"), {"i": out[0]["id"]}
        ).scalar_one()
    assert desc == "first"


def test_bulk_mixed_crs_and_flags(hotline, grid, point) -> None:  # type: ignore[no-untyped-def]
    gcj = crs.from_wgs84(*point, "gcj02")
    bd = crs.from_wgs84(*point, "bd09")
    items = [
        item(gcj, crs="gcj02"),
        item(bd, crs="bd09"),
        item((point[1], point[0])),
        item((113.26, 23.13)),
    ]
    resp = post(hotline, "/api/v1/incidents/bulk", {"items": items})
    assert resp.status_code == 200, resp.get_json()
    ids = [e["id"] for e in resp.get_json()["items"]]
    with session_scope(admin=True) as s:
        rows = {
            r.id: r
            for r in s.execute(
                text("""SELECT id, ST_X(geom) AS lon, ST_Y(geom) AS lat, grid_id, location_flag
                        FROM incident WHERE id = ANY(:ids)"""),
                {"ids": ids},
            )
        }
    for iid in ids[:3]:
        assert metres((rows[iid].lon, rows[iid].lat), point) < 5
        assert rows[iid].grid_id == grid["id"]
    assert [rows[i].location_flag for i in ids] == [
        None,
        None,
        "swapped_lat_lon",
        "outside_jurisdiction",
    ]
    assert rows[ids[3]].grid_id is None


# --------------------------------------------------------------------------- reporters
def test_reporter_is_stored_encrypted_and_never_echoed(hotline, point) -> None:  # type: ignore[no-untyped-def]
    name, phone = "测试人（演示）", "+86 199-7319-4286"
    one = post(hotline, "/api/v1/incidents", item(point, reporter={"name": name, "phone": phone}))
    bulk = post(
        hotline,
        "/api/v1/incidents/bulk",
        [item(point, reporter={"phone": "19900005678"}), item(point)],
    )
    assert one.status_code == 201 and bulk.status_code == 200, (one.get_json(), bulk.get_json())
    iid = one.get_json()["id"]
    bulk_ids = [e["id"] for e in bulk.get_json()["items"]]
    readback = machine().get(
        f"/api/v1/incidents/{iid}", headers={"Authorization": f"Bearer {hotline}"}
    )
    for resp in (one, bulk, readback):
        raw = resp.get_data(as_text=True)
        assert name not in raw and phone not in raw and "19973194286" not in raw
        assert "19900005678" not in raw
    c = cipher()
    with session_scope(admin=True) as s:
        rows = {
            r.incident_id: r
            for r in s.execute(
                text("""SELECT incident_id, name_enc, phone_enc, phone_bidx
                        FROM incident_reporter WHERE incident_id = ANY(:ids)"""),
                {"ids": [iid, *bulk_ids]},
            )
        }
    assert set(rows) == {iid, bulk_ids[0]}
    stored = rows[iid]
    assert phone.encode() not in bytes(stored.phone_enc) and name.encode() not in bytes(
        stored.name_enc
    )
    assert c.decrypt(stored.name_enc, c.place("incident_reporter", "name", iid)) == name
    assert c.decrypt(stored.phone_enc, c.place("incident_reporter", "phone", iid)) == phone
    assert bytes(stored.phone_bidx) == c.blind_index(phone, "phone")
    other = rows[bulk_ids[0]]
    assert other.name_enc is None
    assert (
        c.decrypt(other.phone_enc, c.place("incident_reporter", "phone", bulk_ids[0]))
        == "19900005678"
    )
    # staff see it masked, as every other reporter
    detail = signed_in_client("commander").get(f"/api/v1/incidents/{iid}").get_json()
    assert detail["reporter"]["masked"] is True and name not in json.dumps(
        detail, ensure_ascii=False
    )


# --------------------------------------------------------------------------- bad input
BAD_ITEMS: list[tuple[str, dict[str, Any] | None, str, str]] = [
    # (label, changes to a valid item (None: remove), field, key)
    ("missing lon", {"lon": None}, "lon", "intake.field.missing"),
    ("missing external_id", {"external_id": None}, "external_id", "intake.field.missing"),
    ("unknown category", {"category": "weather.typhoon"}, "category", "intake.field.category"),
    ("group category", {"category": "city"}, "category", "intake.field.category"),
    ("source in body", {"source": "weibo"}, "source", "intake.field.source"),
    ("lat out of range", {"lat": 95.0}, "lat", "intake.field.lat_range"),
    ("lon out of range", {"lon": 200.0, "lat": 22.0}, "lon", "intake.field.lon_range"),
    ("lon not a number", {"lon": "east"}, "lon", "intake.field.not_number"),
    ("unknown crs", {"crs": "mars"}, "crs", "intake.field.crs"),
    ("priority", {"priority": 7}, "priority", "intake.field.priority"),
    ("time format", {"occurred_at": "yesterday"}, "occurred_at", "intake.field.time_format"),
    (
        "future",
        {"occurred_at": "2099-01-01T00:00:00+08:00"},
        "occurred_at",
        "intake.field.time_future",
    ),
    (
        "before 2000",
        {"occurred_at": "1999-12-31T00:00:00Z"},
        "occurred_at",
        "intake.field.time_past",
    ),
    ("external id", {"external_id": "x" * 65}, "external_id", "intake.field.too_long"),
    ("control chars", {"external_id": "a\x00b"}, "external_id", "intake.field.control_chars"),
    ("description", {"description": "长" * 2001}, "description", "intake.field.too_long"),
    ("address", {"address": 12}, "address", "intake.field.not_text"),
    ("phone", {"reporter": {"phone": "call me"}}, "reporter.phone", "intake.field.phone"),
    ("reporter", {"reporter": "张三"}, "reporter", "intake.field.reporter"),
    ("unknown field", {"lng": 115.3}, "lng", "intake.field.unknown"),
]


@pytest.mark.parametrize(
    ("label", "change", "field", "key"), BAD_ITEMS, ids=[b[0] for b in BAD_ITEMS]
)
def test_bad_item_is_refused_with_a_clear_message(  # type: ignore[no-untyped-def]
    hotline, point, label: str, change: dict[str, Any], field: str, key: str
) -> None:
    body = item(point)
    for k, v in change.items():
        if v is None:
            body.pop(k)
        else:
            body[k] = v
    before = counts()
    resp = post(hotline, "/api/v1/incidents", body)
    assert resp.status_code == 400, resp.get_json()
    data = resp.get_json()
    assert data["key"] == "intake.error.invalid_item"
    assert (data["errors"][0]["field"], data["errors"][0]["key"]) == (field, key)
    assert data["message"].startswith(f"Invalid field '{field}'")
    assert counts() == before


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinite_coordinates_are_refused(hotline, point, literal: str) -> None:  # type: ignore[no-untyped-def]
    raw = json.dumps(item(point)).replace(json.dumps(point[0]), literal, 1).encode()
    before = counts()
    resp = post(hotline, "/api/v1/incidents", None, raw=raw)
    assert resp.status_code == 400
    err = resp.get_json()["errors"][0]
    assert (err["field"], err["key"]) == ("lon", "intake.field.not_finite")
    assert counts() == before


def test_messages_are_translated(hotline, point) -> None:  # type: ignore[no-untyped-def]
    body = {**item(point), "crs": "mars"}
    zh = post(hotline, "/api/v1/incidents", body, lang="zh-CN").get_json()
    en = post(hotline, "/api/v1/incidents", body, lang="en").get_json()
    assert zh["key"] == en["key"] == "intake.error.invalid_item"
    detail_en = t("intake.field.crs", "en", value="mars", choices=", ".join(crs.SUPPORTED))
    assert en["message"] == f"Invalid field 'crs': {detail_en}. Nothing was written"
    assert zh["message"].startswith("字段“crs”无效：未知坐标系“mars”")
    assert zh["errors"][0]["message"].startswith("未知坐标系")
    malformed = post(hotline, "/api/v1/incidents", None, lang="zh-CN", raw=b'{"lon": 1,')
    assert malformed.status_code == 400
    assert malformed.get_json()["message"].startswith("JSON 格式错误：第 1 行")
    malformed = post(hotline, "/api/v1/incidents", None, raw=b'{"lon": 1,')
    assert malformed.get_json()["message"].startswith("Malformed JSON at line 1, column 11")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (b'{"external_id": "a", ', "intake.error.json"),
        (b"", "intake.error.empty_body"),
        (b"\xff\xfe{", "intake.error.encoding"),
        (b"[1, 2]", "intake.error.object"),
    ],
)
def test_malformed_bodies_are_refused(hotline, raw: bytes, key: str) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    resp = post(hotline, "/api/v1/incidents", None, raw=raw)
    assert resp.status_code == 400
    assert resp.get_json()["key"] == key
    assert counts() == before


@pytest.mark.parametrize(
    ("body", "key"),
    [({"items": []}, "intake.error.no_items"), ({"rows": [1]}, "intake.error.bulk_shape"),
     ("items", "intake.error.bulk_shape")],
)  # fmt: skip
def test_malformed_bulk_bodies_are_refused(hotline, body: object, key: str) -> None:  # type: ignore[no-untyped-def]
    resp = post(hotline, "/api/v1/incidents/bulk", body)
    assert resp.status_code == 400 and resp.get_json()["key"] == key


def test_too_many_items_is_413_and_writes_nothing(hotline, point) -> None:  # type: ignore[no-untyped-def]
    one = item(point)
    items = [{**one, "external_id": f"many-{k}"} for k in range(10_001)]
    before = counts()
    resp = post(hotline, "/api/v1/incidents/bulk", {"items": items})
    assert resp.status_code == 413
    data = resp.get_json()
    assert data["key"] == "intake.error.too_many" and "10000" in data["message"]
    assert counts() == before


def test_too_large_body_is_413_and_writes_nothing(hotline) -> None:  # type: ignore[no-untyped-def]
    raw = b'{"items": [' + b" " * (21 * 2**20) + b"]}"
    before = counts()
    resp = post(hotline, "/api/v1/incidents/bulk", None, lang="zh-CN", raw=raw)
    assert resp.status_code == 413
    data = resp.get_json()
    assert data["key"] == "intake.error.too_large" and "20 MB" in data["message"]
    assert counts() == before


# --------------------------------------------------------------------------- who may write
def test_token_without_write_scope_is_403(point) -> None:  # type: ignore[no-untyped-def]
    reader = make_token(scopes=("layers:read", "incidents:read"))
    before = counts()
    for path, body in (
        ("/api/v1/incidents", item(point)),
        ("/api/v1/incidents/bulk", [item(point)]),
    ):
        resp = post(reader, path, body)
        assert resp.status_code == 403
        assert resp.get_json()["key"] == "error.token_scope"
    assert counts() == before


def test_no_or_bad_credentials_are_401(point) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    for token in ("", "mq_" + "x" * 43, "not-a-token"):
        resp = post(token, "/api/v1/incidents", item(point))
        assert resp.status_code == 401, token
        assert resp.get_json()["key"] == "error.token_invalid"
    from app import server

    browser = server.test_client()
    browser.get("/login")  # an anonymous session with its CSRF token
    csrf = browser.get_cookie("_csrf_token")
    headers = {"Content-Type": "application/json", "X-CSRFToken": csrf.value if csrf else ""}
    resp = browser.post("/api/v1/incidents", data=json.dumps(item(point)), headers=headers)
    assert resp.status_code == 401 and resp.get_json()["key"] == "error.login_required"
    assert machine().get("/api/v1/categories").status_code == 401
    assert counts() == before


def test_unknown_source_or_scope_gives_no_token_and_a_kiosk_token_cannot_write(point) -> None:  # type: ignore[no-untyped-def]
    from governance.errors import InvalidInput
    from governance.kiosks import create_kiosk_token
    from governance.tokens import create_source_token

    with session_scope(admin=True) as s:
        with pytest.raises(InvalidInput) as err:
            create_source_token(s, source="weibo", scopes=("incidents:write",))
        assert err.value.key == "error.token_source"
        with pytest.raises(InvalidInput) as err:
            create_source_token(s, source="12345", scopes=("incidents:delete",))
        assert err.value.key == "error.token_scope_unknown"
        kiosk = create_kiosk_token(s, area_code=None, name="大屏").token
    before = counts()
    resp = post(kiosk, "/api/v1/incidents", item(point))
    assert resp.status_code == 401 and resp.get_json()["key"] == "error.token_invalid"
    assert counts() == before


@pytest.mark.parametrize("username", ["commander", "gridworker", "admin"])
def test_session_users_cannot_use_the_intake_routes(username: str, point) -> None:  # type: ignore[no-untyped-def]
    client = signed_in_client(username)
    headers = {
        "Content-Type": "application/json",
        "X-CSRFToken": client.get_cookie("_csrf_token").value,
    }
    before = counts()
    for path, body in (
        ("/api/v1/incidents", item(point)),
        ("/api/v1/incidents/bulk", [item(point)]),
    ):
        resp = client.post(path, data=json.dumps(body), headers=headers)
        assert resp.status_code == 403 and resp.get_json()["key"] == "error.token_scope"
    assert counts() == before


def test_area_token_may_only_report_inside_its_area(grid, point) -> None:  # type: ignore[no-untyped-def]
    street, xy = street_and_far_point(grid)
    token = make_token(source="iot", scopes=("incidents:write",), area_code=street)
    assert post(token, "/api/v1/incidents", item(point)).status_code == 201
    before = counts()
    resp = post(token, "/api/v1/incidents", item(xy))
    assert resp.status_code == 400
    err = resp.get_json()["errors"][0]
    assert (err["field"], err["key"]) == ("location", "intake.field.out_of_area")
    assert street in err["message"]
    resp = post(token, "/api/v1/incidents/bulk", [item(point), item(xy)])
    assert resp.status_code == 400
    assert [e["index"] for e in resp.get_json()["errors"]] == [1]
    assert counts() == before


def test_a_source_is_offered_its_own_open_incidents_nearby_as_duplicates(hotline) -> None:  # type: ignore[no-untyped-def]
    police = make_token(source="110", scopes=("incidents:write",), name="110 接警平台")
    with session_scope(admin=True) as s:  # a grid the other tests leave alone
        point = s.execute(
            text("""SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p
                    FROM area WHERE level = 'grid' ORDER BY code DESC LIMIT 1) x""")
        ).one()
    near = (point[0] + 0.00005, point[1])  # ~5 m east
    a = post(hotline, "/api/v1/incidents", item(point, category="city.garbage")).get_json()
    assert all(c["id"] != a["id"] for c in a["possible_duplicates"])
    b_item = item(near, category="city.garbage")
    b = post(hotline, "/api/v1/incidents", b_item).get_json()
    mine = {c["id"]: c for c in b["possible_duplicates"]}
    assert a["id"] in mine and b["id"] not in mine
    assert mine[a["id"]]["category"] == "city.garbage" and mine[a["id"]]["distance_m"] < 10
    assert set(mine[a["id"]]) == {"id", "external_id", "category", "status", "occurred_at",
                                  "distance_m"}  # fmt: skip
    other_category = post(hotline, "/api/v1/incidents", item(near, category="city.clutter"))
    assert a["id"] not in {c["id"] for c in other_category.get_json()["possible_duplicates"]}
    # another channel's report of the same thing: it is not told about the hotline's
    c = post(police, "/api/v1/incidents", item(near, category="city.garbage")).get_json()
    assert not {a["id"], b["id"]} & {x["id"] for x in c["possible_duplicates"]}
    d = post(hotline, "/api/v1/incidents", item(point, category="city.garbage")).get_json()
    seen = {x["id"] for x in d["possible_duplicates"]}
    assert {a["id"], b["id"]} <= seen and c["id"] not in seen
    replay = post(hotline, "/api/v1/incidents", b_item).get_json()
    assert replay["replayed"] and a["id"] in {x["id"] for x in replay["possible_duplicates"]}


# --------------------------------------------------------------------------- reading back
def test_token_reads_its_own_incident_with_the_timeline(hotline, point) -> None:  # type: ignore[no-untyped-def]
    created = post(hotline, "/api/v1/incidents", item(point)).get_json()
    resp = machine().get(
        f"/api/v1/incidents/{created['id']}", headers={"Authorization": f"Bearer {hotline}"}
    )
    assert resp.status_code == 200, resp.get_json()
    data = resp.get_json()
    assert data["id"] == created["id"] and data["source"] == "hotline_12345"
    assert (data["lon"], data["lat"], data["grid"]) == (
        created["lon"],
        created["lat"],
        created["grid"],
    )
    assert data["status"] == "registered"
    assert [(e["action"], e["to_status"], e["actor_role"]) for e in data["timeline"]] == [
        ("register", "registered", "token")
    ]
    # another source's incident does not exist for this token; a token without
    # incidents:read may not read at all
    police = make_token(source="110")
    assert (
        machine()
        .get(f"/api/v1/incidents/{created['id']}", headers={"Authorization": f"Bearer {police}"})
        .status_code
        == 404
    )
    writer = make_token(scopes=("incidents:write",))
    resp = machine().get(
        f"/api/v1/incidents/{created['id']}", headers={"Authorization": f"Bearer {writer}"}
    )
    assert resp.status_code == 403 and resp.get_json()["key"] == "error.token_scope"


def test_categories_for_tokens_and_users(hotline) -> None:  # type: ignore[no-untyped-def]
    by_token = machine().get("/api/v1/categories", headers={"Authorization": f"Bearer {hotline}"})
    by_user = signed_in_client("dept").get("/api/v1/categories")
    assert by_token.status_code == by_user.status_code == 200
    cats = by_token.get_json()["categories"]
    assert cats == by_user.get_json()["categories"]
    leaf = next(c for c in cats if c["code"] == "city.garbage")
    assert leaf["parent"] == "city" and leaf["leaf"] is True and 1 <= leaf["default_priority"] <= 4
    assert leaf["name_zh"] == "垃圾清运" and leaf["name_en"] == "Garbage collection"
    group = next(c for c in cats if c["code"] == "city")
    assert group["parent"] is None and group["leaf"] is False
