"""The wall sees aggregates only, and none fine enough to find one incident: density at
most H3 resolution 7 over at least 24 hours, live pulses at coarse cell centres."""

from __future__ import annotations

from datetime import UTC, timedelta

from h3.api import basic_int
from sqlalchemy import text

from geodata.db import session_scope
from governance import coarse
from governance.live import Change, Notice
from tests.conftest import signed_in_client

CITY = "114.5,22.5,116.5,23.7"


def _density(client, res: int, start: str, end: str) -> dict:  # type: ignore[no-untyped-def]
    url = f"/api/v1/layers/density?bbox={CITY}&z=9&res={res}&start={start}&end={end}"
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp.get_json()


def test_the_wall_gets_no_fine_density_and_no_short_window() -> None:
    with session_scope(admin=True) as s:
        last = s.execute(text("SELECT max(occurred_at) FROM incident")).scalar_one()
    end = last.astimezone(UTC)
    hour = (end - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), end.strftime("%Y-%m-%dT%H:%M")
    day = (end - timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M"), hour[1]
    wall, commander = signed_in_client("wall"), signed_in_client("commander")
    fine = _density(wall, 10, *hour)
    assert fine["stats"]["res"] == coarse.MAX_RES
    as_day = _density(wall, 7, *day)
    assert fine["stats"]["total"] == as_day["stats"]["total"]  # the hour became a day
    # a role that may see points anyway gets what it asks for
    assert _density(commander, 10, *hour)["stats"]["res"] == 10


def test_live_pulses_for_the_wall_are_at_coarse_cell_centres() -> None:
    lon, lat = 115.3712, 22.7865
    item = {"id": 1, "status": "registered", "lon": lon, "lat": lat, "category": "x"}
    notice = Notice("register", (Change("441502001001001", item),))
    fine = notice.message(None)
    rough = notice.message(None, coarse=True)
    assert fine is not None and rough is not None
    assert f"{lon}" in fine and f"{lon}" not in rough
    cell = basic_int.latlng_to_cell(lat, lon, coarse.MAX_RES)
    cx, cy = coarse.snapped(item)["lon"], coarse.snapped(item)["lat"]
    assert basic_int.latlng_to_cell(cy, cx, coarse.MAX_RES) == cell
    assert coarse.snapped({"lon": None, "lat": None})["lon"] is None


def test_the_stream_marks_wall_subscriptions_coarse() -> None:
    from governance.access import Principal

    wall = Principal(user_id=1, username="w", display_name="w", role="wall")
    cmd = Principal(user_id=2, username="c", display_name="c", role="commander")
    assert coarse.aggregate_only(wall) and not coarse.aggregate_only(cmd)
