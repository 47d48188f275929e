"""Possible duplicates (governance/duplicates.py) on a real PostGIS: distance, time,
category and status decide; nearest first; no personal fields; 同址重复 counts addresses
after normalisation (spaces, punctuation, full-width). Plus the map panel's block."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from governance import duplicates
from settings import get_settings

# Far from the demo data's time range, so only this test's rows can match.
T0 = datetime(2020, 3, 1, 8, 0, tzinfo=UTC)
M_PER_DEG_LAT = 111_320.0


@pytest.fixture
def grid(session: Any) -> dict[str, Any]:
    """The demo grid worker's grid: id and a point inside it."""
    row = session.execute(
        text("""SELECT a.id, ST_X(ST_PointOnSurface(a.geom)) AS lon,
                       ST_Y(ST_PointOnSurface(a.geom)) AS lat
                FROM area a JOIN app_user u ON u.area_id = a.id
                WHERE u.username = 'gridworker'""")
    ).mappings()
    return dict(row.one())


@pytest.fixture
def category(session: Any) -> str:
    return str(
        session.execute(
            text("""SELECT code FROM incident_category c WHERE parent_code IS NOT NULL
                    ORDER BY sort_order, code LIMIT 1""")
        ).scalar_one()
    )


def add(
    session: Any,
    grid: dict[str, Any],
    category: str,
    *,
    north_m: float = 0.0,
    hours: float = 0.0,
    status: str = "registered",
    address: str | None = "测试路1号",
    at: datetime = T0,
) -> int:
    """An incident ``north_m`` metres north of the grid's point, ``hours`` after ``at``."""
    lat = grid["lat"] + north_m / M_PER_DEG_LAT
    return int(
        session.execute(
            text("""
        INSERT INTO incident (source, external_id, category_code, occurred_at, reported_at,
            grid_id, status, priority, description, address, geom,
            h3_6, h3_7, h3_8, h3_9, h3_10, version)
        VALUES ('grid', 'dup-' || gen_random_uuid(), :cat, :at, :at, :grid, :status, 3,
            '重复测试', :addr, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 0, 0, 0, 0, 0, 1)
        RETURNING id"""),
            {
                "cat": category,
                "at": at + timedelta(hours=hours),
                "grid": grid["id"],
                "status": status,
                "addr": address,
                "lon": grid["lon"],
                "lat": lat,
            },
        ).scalar_one()
    )


def _ids(found: list[dict[str, Any]]) -> list[int]:
    return [c["id"] for c in found]


def test_candidates_by_distance_time_category_and_status(
    session: Any, grid: dict[str, Any], category: str
) -> None:
    near = add(session, grid, category, north_m=30, hours=5)
    nearer = add(session, grid, category, north_m=-10, hours=-60)
    farther = add(session, grid, category, north_m=90, hours=1)
    add(session, grid, category, north_m=130)  # beyond 100 m
    add(session, grid, category, north_m=20, hours=80)  # beyond 72 h
    add(session, grid, category, north_m=20, hours=-80)
    other = session.execute(
        text(
            "SELECT code FROM incident_category WHERE parent_code IS NOT NULL AND code <> :c "
            "LIMIT 1"
        ),
        {"c": category},
    ).scalar_one()
    add(session, grid, other, north_m=5)  # another category
    for status in ("closed", "evaluated", "rejected", "merged"):
        add(session, grid, category, north_m=5, status=status)
    busy = add(session, grid, category, north_m=8, status="in_progress")  # open: offered
    found = duplicates.candidates(session, category, grid["lon"], grid["lat"], T0)
    ids = _ids(found)
    assert ids == [busy, nearer, near, farther]
    assert [c["distance_m"] for c in found] == sorted(c["distance_m"] for c in found)
    assert abs(found[1]["distance_m"] - 10) < 1 and abs(found[-1]["distance_m"] - 90) < 1
    assert all(set(c) == {"id", "category", "status", "distance_m", "occurred_at"} for c in found)
    assert {c["status"] for c in found} == {"registered", "in_progress"}
    # the incident itself is left out
    assert nearer not in _ids(
        duplicates.candidates(session, category, grid["lon"], grid["lat"], T0, exclude_id=nearer)
    )


@pytest.fixture
def wider(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MINQING_DUPLICATE_METERS", "200")
    monkeypatch.setenv("MINQING_DUPLICATE_HOURS", "100")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_distance_and_window_are_settings(
    session: Any, grid: dict[str, Any], category: str, wider: None
) -> None:
    far = add(session, grid, category, north_m=150)
    late = add(session, grid, category, north_m=10, hours=90)
    assert set(_ids(duplicates.candidates(session, category, grid["lon"], grid["lat"], T0))) == {
        far,
        late,
    }


def test_at_most_ten_nearest(session: Any, grid: dict[str, Any], category: str) -> None:
    ids = [add(session, grid, category, north_m=i * 5) for i in range(12)]
    found = duplicates.candidates(session, category, grid["lon"], grid["lat"], T0)
    assert _ids(found) == ids[:10]


def test_address_normalisation() -> None:
    norm = duplicates.normalise_address
    assert norm("幸福路１２号 Ａ栋") == norm("幸福路12号A栋") == norm("幸福路 12 号，a栋。")
    assert norm("幸福路（东）12号") == "幸福路东12号"
    assert norm("  ") == "" and norm(None) == ""
    assert norm("幸福路12号") != norm("幸福路13号")


def test_same_address_count(session: Any, grid: dict[str, Any], category: str) -> None:
    now = datetime.now(UTC)
    base = "测试大道９９９号　ＺＺ栋"
    for addr in ("测试大道999号ZZ栋", "测试大道 999 号，zz栋", "测试大道９９９号（ＺＺ栋）"):
        add(session, grid, category, address=addr, at=now - timedelta(days=3))
    add(session, grid, category, address="测试大道998号ZZ栋", at=now)  # another address
    add(session, grid, category, address="测试大道999号ZZ栋", at=now - timedelta(days=400))
    other = session.execute(
        text("SELECT id FROM area WHERE level = 'grid' AND id <> :g ORDER BY id LIMIT 1"),
        {"g": grid["id"]},
    ).scalar_one()
    assert duplicates.same_address_count(session, base, grid["id"]) == 3
    assert duplicates.same_address_count(session, base, other) == 0
    assert duplicates.same_address_count(session, "", grid["id"]) == 0
    assert duplicates.same_address_count(session, base, None) == 0


# --------------------------------------------------------------------------- map panel
def test_panel_offers_duplicates_and_a_button_selects_one() -> None:
    """The incident panel lists possible duplicates (ids as buttons) and the repeated
    address; a click on an id selects that incident."""
    from geodata.db import session_scope
    from tests.conftest import signed_in_client
    from tests.integration.test_persons_ui import _post, _raw, panel_body

    now = datetime.now(UTC)
    with session_scope(admin=True) as s:
        g = (
            s.execute(
                text("""SELECT a.id, ST_X(ST_PointOnSurface(a.geom)) AS lon,
                    ST_Y(ST_PointOnSurface(a.geom)) AS lat FROM area a
                    JOIN app_user u ON u.area_id = a.id WHERE u.username = 'gridworker'""")
            )
            .mappings()
            .one()
        )
        cat = s.execute(
            text("SELECT code FROM incident_category WHERE parent_code IS NOT NULL LIMIT 1")
        ).scalar_one()
        first = add(s, dict(g), cat, north_m=400, address="面板测试路7号", at=now)
        second = add(s, dict(g), cat, north_m=440, address="面板测试路７号", at=now)
    try:
        sup = signed_in_client("supervisor")
        panel = _raw(_post(sup, panel_body({"kind": "incident", "id": first})))
        assert "可能重复的事件" in panel and f"#{second}" in panel
        assert "同址重复" in panel and "2 次" in panel
        assert "面板测试路" not in panel.split("可能重复的事件", 1)[1].split("同址重复")[0]
        resp = _post(sup, open_body(second))
        assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
        assert resp.get_json()["response"]["map-selection"]["data"]["id"] == second
        for bad in ("x", None, -1, [1]):  # hand-made ids: nothing selected, never a 500
            assert _post(sup, open_body(bad)).status_code == 204
    finally:
        with session_scope(admin=True) as s:
            s.execute(text("DELETE FROM incident WHERE id IN (:a, :b)"), {"a": first, "b": second})


def open_body(incident: Any) -> dict[str, Any]:
    """The body a click on a candidate's id button sends."""
    from pages.map_duplicates import ITEM_TYPE
    from tests.integration.test_persons_ui import _callback_map, _prop_id

    key = next(k for k in _callback_map() if k.startswith("map-selection.data@"))
    button = {"type": ITEM_TYPE, "incident": incident}
    return {
        "output": key,
        "outputs": {"id": "map-selection", "property": key.split(".", 1)[1]},
        "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
        "state": [],
        "changedPropIds": [_prop_id(button, "n_clicks")],
    }
