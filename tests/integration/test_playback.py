"""Time playback's frames on the real PostGIS test database (seeded demo city): the counts
of a frame are a direct COUNT of the hour or day, a scoped user never gets a cell or a
point outside their area, and any query string is a translated 4xx, never a 5xx."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from governance.filters import LOCAL_TZ
from tests.conftest import signed_in_client

URL = "/api/v1/playback/frame"
CITY = "114.9,22.5,116.3,23.7"


def frame(client, **params: Any):  # type: ignore[no-untyped-def]
    resp = client.get(URL + "?" + urlencode({k: str(v) for k, v in params.items()}, safe=","))
    return resp, (json.loads(resp.data) if resp.mimetype.endswith("json") else None)


@pytest.fixture(scope="module")
def supervisor():  # type: ignore[no-untyped-def]
    return signed_in_client("supervisor")


@pytest.fixture(scope="module")
def busiest(seeded_database: str) -> tuple[date, int]:
    """The local day with the most counted incidents, and its busiest hour."""
    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        day, hour = s.execute(
            text("""SELECT (occurred_at AT TIME ZONE 'Asia/Shanghai')::date,
                           extract(hour FROM occurred_at AT TIME ZONE 'Asia/Shanghai')::int
                    FROM incident WHERE status NOT IN ('merged', 'rejected')
                    GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1""")
        ).one()
    return day, hour


def direct_counts(session, lo: datetime, hi: datetime, res: int, bbox: str,  # type: ignore[no-untyped-def]
                  scope: str | None = None) -> Counter[int]:  # fmt: skip
    """The frame's counts, straight from the incident table."""
    minlon, minlat, maxlon, maxlat = (float(v) for v in bbox.split(","))
    rows = session.execute(
        text(f"""SELECT i.h3_{res}, count(*) FROM incident i LEFT JOIN area g ON g.id = i.grid_id
                 WHERE i.occurred_at >= :lo AND i.occurred_at < :hi
                   AND i.status NOT IN ('merged', 'rejected')
                   AND ST_Intersects(i.geom, ST_MakeEnvelope(:a, :b, :c, :d, 4326))
                   AND (CAST(:scope AS text) IS NULL OR g.code LIKE :scope)
                 GROUP BY 1"""),
        {"lo": lo, "hi": hi, "a": minlon, "b": minlat, "c": maxlon, "d": maxlat,
         "scope": scope + "%" if scope else None},
    )  # fmt: skip
    return Counter({int(c): int(n) for c, n in rows})


def drawn(body: dict[str, Any]) -> Counter[int]:
    return Counter(
        {
            int(f["properties"]["cell"], 16): f["properties"]["count"]
            for f in body["density"]["features"]
        }
    )


@pytest.mark.parametrize(("z", "res"), [(9, 6), (10, 7), (12, 8), (14, 9)])
def test_a_day_frame_counts_what_a_direct_count_finds(
    flask_client, session, busiest, z, res
) -> None:  # type: ignore[no-untyped-def]
    day, _ = busiest
    first = day - timedelta(days=3)
    resp, body = frame(flask_client, bbox=CITY, z=z, start=first, end=day, step="day", frame=3)
    assert resp.status_code == 200, body
    lo = datetime.combine(day, time(), LOCAL_TZ)
    expected = direct_counts(session, lo, lo + timedelta(days=1), res, CITY)
    assert body["res"] == res and body["label"] == day.isoformat()
    assert body["start"] == lo.isoformat() and body["frames"] == 4
    assert drawn(body) == expected and body["total"] == sum(expected.values()) > 0
    assert (body["points"] is None) == (z < 13)


def test_an_hour_frame_counts_its_hour_and_lists_its_points(flask_client, session, busiest) -> None:  # type: ignore[no-untyped-def]
    day, hour = busiest
    resp, body = frame(flask_client, bbox=CITY, z=14, start=day, end=day, step="hour", frame=hour)
    assert resp.status_code == 200 and body["frames"] == 24
    lo = datetime.combine(day, time(hour), LOCAL_TZ)
    expected = direct_counts(session, lo, lo + timedelta(hours=1), 9, CITY)
    assert drawn(body) == expected and sum(expected.values()) > 0
    assert body["label"] == f"{day.isoformat()} {hour:02d}:00"
    points = body["points"]["features"]
    assert len(points) == min(300, sum(expected.values()))
    for p in points:  # the incidents layer's fields, nothing personal
        assert set(p["properties"]) == {"id", "category_code", "color", "status", "occurred_at"}
        assert p["properties"]["occurred_at"].startswith(f"{day.isoformat()}T{hour:02d}:")


def street_of(session) -> str:  # type: ignore[no-untyped-def]
    return session.execute(
        text("""SELECT left(a.code, 9) FROM app_user u JOIN area a ON a.id = u.area_id
                WHERE u.username = 'supervisor'""")
    ).scalar_one()


def test_a_street_user_never_gets_a_cell_or_point_outside_the_street(  # type: ignore[no-untyped-def]
    supervisor, flask_client, session, busiest
) -> None:
    street = street_of(session)
    day, _ = busiest
    first = day - timedelta(days=6)
    seen_points = 0
    for n in range(7):
        resp, body = frame(supervisor, bbox=CITY, z=14, start=first, end=day, step="day", frame=n)
        assert resp.status_code == 200
        lo = datetime.combine(first + timedelta(days=n), time(), LOCAL_TZ)
        expected = direct_counts(session, lo, lo + timedelta(days=1), 9, CITY, street)
        assert drawn(body) == expected
        ids = [p["properties"]["id"] for p in body["points"]["features"]]
        seen_points += len(ids)
        if ids:
            outside = session.execute(
                text("""SELECT count(*) FROM incident i JOIN area g ON g.id = i.grid_id
                        WHERE i.id = ANY(:ids) AND g.code NOT LIKE :s"""),
                {"ids": ids, "s": street + "%"},
            ).scalar_one()
            assert outside == 0
        city = frame(flask_client, bbox=CITY, z=14, start=first, end=day, step="day", frame=n)[1]
        assert body["total"] <= city["total"]
    assert seen_points > 0
    # asking for the county around the street keeps the street; another county is refused
    county = street[:6]
    _, same = frame(supervisor, bbox=CITY, z=12, start=day, end=day, step="day", frame=0,
                    area=county)  # fmt: skip
    _, own = frame(supervisor, bbox=CITY, z=12, start=day, end=day, step="day", frame=0)
    assert same["density"] == own["density"]
    other = session.execute(
        text("SELECT code FROM area WHERE level = 'county' AND code NOT LIKE :c LIMIT 1"),
        {"c": county + "%"},
    ).scalar_one()
    resp, body = frame(supervisor, bbox=CITY, z=12, start=day, end=day, step="day", frame=0,
                       area=other[:6])  # fmt: skip
    assert resp.status_code == 403 and body["key"] == "error.out_of_scope"


def test_a_commander_narrows_to_one_county(flask_client, session, busiest) -> None:  # type: ignore[no-untyped-def]
    day, _ = busiest
    county = session.execute(
        text("SELECT left(code, 6) FROM area WHERE level = 'county' ORDER BY code LIMIT 1")
    ).scalar_one()
    resp, body = frame(flask_client, bbox=CITY, z=12, start=day, end=day, step="day", frame=0,
                       area=county)  # fmt: skip
    assert resp.status_code == 200
    lo = datetime.combine(day, time(), LOCAL_TZ)
    assert drawn(body) == direct_counts(session, lo, lo + timedelta(days=1), 8, CITY, county)


def test_the_wall_gets_coarse_cells_and_no_points(busiest) -> None:  # type: ignore[no-untyped-def]
    day, hour = busiest
    resp, body = frame(signed_in_client("wall"), bbox=CITY, z=14, start=day, end=day,
                       step="hour", frame=hour)  # fmt: skip
    assert resp.status_code == 200
    assert body["res"] == 7 and body["points"] is None


def test_a_role_without_the_density_layer_is_refused(busiest) -> None:  # type: ignore[no-untyped-def]
    day, _ = busiest
    resp, _body = frame(signed_in_client("auditor"), bbox=CITY, z=12, start=day, end=day,
                        step="day", frame=0)  # fmt: skip
    assert resp.status_code == 403


def test_a_past_frame_is_private_cacheable_and_revalidated(flask_client, busiest) -> None:  # type: ignore[no-untyped-def]
    day, _ = busiest
    q = {"bbox": CITY, "z": 10, "start": day, "end": day, "step": "day", "frame": 0}
    resp, _ = frame(flask_client, **q)
    assert resp.headers["Cache-Control"] == "private, max-age=86400"
    etag = resp.headers["ETag"]
    again = flask_client.get(URL + "?" + urlencode({k: str(v) for k, v in q.items()}, safe=","),
                             headers={"If-None-Match": etag})  # fmt: skip
    assert again.status_code == 304
    today = datetime.now(LOCAL_TZ).date()
    resp, _ = frame(flask_client, **{**q, "start": today, "end": today, "frame": 0})
    assert resp.headers["Cache-Control"] == "private, max-age=60"
    resp, body = frame(flask_client, **{**q, "z": 14})  # with incident points: never kept
    assert body["points"]["features"] and resp.headers["Cache-Control"] == "no-store"


BAD = [
    ({"start": "2026-05-02", "end": "2026-05-01"}, "playback.error.inverted"),
    ({"start": "2025-01-01", "end": "2026-01-02"}, "playback.error.too_long"),
    ({"step": "week"}, "playback.error.step"),
    ({"step": ""}, "playback.error.step"),
    ({"frame": "30"}, "playback.error.frame"),
    ({"step": "hour", "frame": "720"}, "playback.error.frame"),
    ({"frame": "-1"}, "error.input.range"),
    ({"frame": "1e3"}, "error.input.integer"),
    ({"start": "yesterday"}, "playback.error.day"),
    ({"end": "2026-02-30"}, "error.input.date"),
    ({"start": "2026-05-01T10:00"}, "playback.error.day"),
    ({"bbox": "1,2,3"}, "error.bbox_format"),
    ({"bbox": "116,22,115,23"}, "error.bbox_range"),
    ({"bbox": "nan,22,115,23"}, "error.bbox_range"),
    ({"z": "23"}, "error.zoom_range"),
    ({"area": "44150%"}, "playback.error.area"),
]
GOOD = {"bbox": CITY, "z": "10", "start": "2026-05-01", "end": "2026-05-30", "step": "day",
        "frame": "0"}  # fmt: skip


@pytest.mark.parametrize(("change", "key"), BAD)
def test_bad_input_is_a_translated_400(flask_client, change: dict[str, str], key: str) -> None:
    resp, body = frame(flask_client, **{**GOOD, **change, "lang": "en"})
    assert resp.status_code == 400, body
    assert body["key"] == key and body["message"] and "{" not in body["message"]


def test_a_missing_parameter_is_a_400(flask_client) -> None:  # type: ignore[no-untyped-def]
    for name in GOOD:
        resp, body = frame(flask_client, **{k: v for k, v in GOOD.items() if k != name})
        assert resp.status_code == 400 and body["key"], name


VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["0", "-0", "365", "8783", "8784", "1" * 40, "2026-02-29", "2099-12-31",
                     "2000-01-01", "hour", "day", " day", "4415", "%00", "１２", "1,2,3,4"]),
)  # fmt: skip


@settings(max_examples=120, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(st.dictionaries(st.sampled_from(sorted(GOOD) + ["area"]), VALUES, max_size=4))
def test_any_query_string_is_a_200_or_a_translated_4xx(  # type: ignore[no-untyped-def]
    flask_client, supervisor, change: dict[str, str]
) -> None:
    qs = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in {**GOOD, **change}.items())
    for client in (flask_client, supervisor):
        resp = client.get(URL + "?" + qs)
        assert resp.status_code in (200, 400, 403), (qs, resp.status_code, resp.data[:200])
        if resp.status_code != 200:
            body = resp.get_json()
            assert body["key"] and body["message"], qs
