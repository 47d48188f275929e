"""Layer endpoints on the real PostGIS test database (seeded demo city)."""

from __future__ import annotations

import gzip
import json
from collections import Counter

import h3
import pytest
from sqlalchemy import text

CITY = "114.9,22.5,116.3,23.7"  # mainland Shanwei
EVERYWHERE = "110,18,120,25"  # includes the offshore islands of 陆丰市
LAYERS = ("areas", "labels", "sites", "incidents", "density")
ALL_TIME = "start=2000-01-01&end=2099-12-31"  # every incident, whatever the clock says


def get_json(client, url: str, **headers: str):  # type: ignore[no-untyped-def]
    resp = client.get(url, headers=headers)
    return resp, (json.loads(resp.data) if resp.mimetype.endswith("json") else None)


def busiest_bbox(session, half: float = 0.03) -> str:  # type: ignore[no-untyped-def]
    """A small viewport around the densest H3 res-7 cell of the last 365 days."""
    cell = session.execute(
        text("SELECT h3_7 FROM incident GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    ).scalar_one()
    lat, lon = h3.cell_to_latlng(h3.int_to_str(cell))
    return f"{lon - half:.4f},{lat - half:.4f},{lon + half:.4f},{lat + half:.4f}"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("/api/v1/layers/roads?bbox=" + CITY + "&z=9", "error.unknown_layer"),
        ("/api/v1/layers/areas?z=9", "error.bbox_format"),
        ("/api/v1/layers/areas?bbox=1,2,3&z=9", "error.bbox_format"),
        ("/api/v1/layers/areas?bbox=a,b,c,d&z=9", "error.bbox_format"),
        ("/api/v1/layers/areas?bbox=116,22,115,23&z=9", "error.bbox_range"),
        ("/api/v1/layers/areas?bbox=115,22,190,23&z=9", "error.bbox_range"),
        ("/api/v1/layers/areas?bbox=nan,22,115,23&z=9", "error.bbox_range"),
        ("/api/v1/layers/areas?bbox=" + CITY + "&z=23", "error.zoom_range"),
        ("/api/v1/layers/areas?bbox=" + CITY + "&z=-1", "error.zoom_range"),
        ("/api/v1/layers/areas?bbox=" + CITY + "&z=x", "error.zoom_range"),
        ("/api/v1/layers/areas?bbox=" + CITY + "&z=9&level=planet", "error.unknown_value"),
        ("/api/v1/layers/sites?bbox=" + CITY + "&z=9&format=geobuf", "error.format"),
        (
            "/api/v1/layers/density?bbox=" + CITY + "&z=9&start=2026-05-01&end=2026-04-01",
            "error.time_inverted",
        ),
        ("/api/v1/layers/density?bbox=" + CITY + "&z=9&start=yesterday", "error.time_format"),
        ("/api/v1/layers/density?bbox=" + CITY + "&z=9&window=2y", "error.time_window"),
        ("/api/v1/layers/density?bbox=" + CITY + "&z=9&categories=nope", "error.unknown_category"),
        ("/api/v1/layers/incidents?bbox=" + CITY + "&z=9&sources=fax", "error.unknown_value"),
        ("/api/v1/layers/density?bbox=" + CITY + "&z=9&res=12", "error.unknown_value"),
    ],
)
def test_bad_input_is_a_400_with_a_clear_message(flask_client, url: str, key: str) -> None:
    resp, body = get_json(flask_client, url)
    assert resp.status_code == 400, resp.data[:300]
    assert body["key"] == key
    assert body["message"] and "Traceback" not in body["message"]


def test_error_message_follows_the_language_cookie(flask_client) -> None:
    resp, body = get_json(flask_client, "/api/v1/layers/areas?bbox=1,2,3&z=9")
    assert "格式错误" in body["message"]
    flask_client.set_cookie("minqing_lang", "en")
    try:
        resp, body = get_json(flask_client, "/api/v1/layers/areas?bbox=1,2,3&z=9")
        assert body["message"].startswith("Malformed bbox")
    finally:
        flask_client.delete_cookie("minqing_lang")


def test_unknown_api_path_is_json_404(flask_client) -> None:
    resp, body = get_json(flask_client, "/api/v1/nothing-here")
    assert resp.status_code == 404 and body["error"] == "not_found"


def test_healthz_reports_database(flask_client) -> None:
    resp, body = get_json(flask_client, "/healthz")
    assert resp.status_code == 200
    assert body["database"]["status"] == "ok" and body["database"]["schema"]
    assert body["database"]["row_security"] == "enforced"  # the app role is unprivileged


def test_openapi_describes_the_layers(flask_client) -> None:
    resp, body = get_json(flask_client, "/api/v1/openapi.json")
    assert body["openapi"].startswith("3.")
    params = body["paths"]["/api/v1/layers/{layer}"]["get"]["parameters"]
    assert set(params[0]["schema"]["enum"]) == {*LAYERS, "persons", "coverage", "emerging"}
    assert {"bbox", "z", "window", "categories"} <= {p["name"] for p in params}


def test_density_equals_an_independent_count(flask_client, session) -> None:
    """The stored-H3 GROUP BY equals H3 computed here from the raw points."""
    bbox = busiest_bbox(session, 0.08)
    minlon, minlat, maxlon, maxlat = map(float, bbox.split(","))
    for res, z in ((7, 10), (8, 12), (9, 13)):
        resp, body = get_json(flask_client, f"/api/v1/layers/density?bbox={bbox}&z={z}&{ALL_TIME}")
        assert resp.status_code == 200
        assert body["stats"]["res"] == res
        got = {int(f["properties"]["cell"], 16): f["properties"]["count"] for f in body["features"]}
        pts = session.execute(
            text("""
            SELECT ST_Y(geom), ST_X(geom) FROM incident
            WHERE ST_X(geom) BETWEEN :a AND :c AND ST_Y(geom) BETWEEN :b AND :d
              AND status NOT IN ('merged', 'rejected')  -- a duplicate counts once
        """),
            {"a": minlon, "b": minlat, "c": maxlon, "d": maxlat},
        ).all()
        expected = Counter(h3.str_to_int(h3.latlng_to_cell(lat, lon, res)) for lat, lon in pts)
        assert sum(expected.values()) > 50
        assert got == dict(expected)
        assert body["stats"]["total"] == len(pts)


def test_density_respects_categories(flask_client, session) -> None:
    cat, parent = session.execute(
        text("""
        SELECT c.code, c.parent_code FROM incident i JOIN incident_category c
          ON c.code = i.category_code GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1""")
    ).one()
    n_leaf = session.execute(
        text(
            "SELECT count(*) FROM incident WHERE category_code = :c"
            " AND status NOT IN ('merged', 'rejected')"
        ),
        {"c": cat},
    ).scalar_one()
    n_group = session.execute(
        text("""SELECT count(*) FROM incident i JOIN incident_category c
        ON c.code = i.category_code WHERE c.parent_code = :p
        AND i.status NOT IN ('merged', 'rejected')"""),
        {"p": parent},
    ).scalar_one()
    _, body = get_json(
        flask_client, f"/api/v1/layers/density?bbox={EVERYWHERE}&z=8&{ALL_TIME}&categories={cat}"
    )
    assert body["stats"]["total"] == n_leaf
    _, group = get_json(
        flask_client, f"/api/v1/layers/density?bbox={EVERYWHERE}&z=8&{ALL_TIME}&categories={parent}"
    )
    assert group["stats"]["total"] == n_group > n_leaf


def test_incident_points_lie_in_the_bbox(flask_client, session) -> None:
    bbox = busiest_bbox(session, 0.01)
    minlon, minlat, maxlon, maxlat = map(float, bbox.split(","))
    resp, body = get_json(flask_client, f"/api/v1/layers/incidents?bbox={bbox}&z=16&{ALL_TIME}")
    assert resp.status_code == 200 and not body.get("clustered")
    feats = body["features"]
    assert feats, "the busiest cell has incidents"
    from geodata.queries.layers import coordinate_digits

    tol = 10.0 ** -coordinate_digits(16)  # coordinates are rounded to the zoom's precision
    for f in feats:
        lon, lat = f["geometry"]["coordinates"]
        assert minlon - tol <= lon <= maxlon + tol and minlat - tol <= lat <= maxlat + tol
    ids = [f["properties"]["id"] for f in feats]
    n = session.execute(
        text("""SELECT count(*) FROM incident WHERE geom && ST_MakeEnvelope(
        :a, :b, :c, :d, 4326) AND status NOT IN ('merged', 'rejected')"""),
        {"a": minlon, "b": minlat, "c": maxlon, "d": maxlat},
    ).scalar_one()
    assert len(ids) == len(set(ids)) == n


def test_far_away_viewport_is_empty(flask_client) -> None:
    for layer in LAYERS:
        resp, body = get_json(
            flask_client, f"/api/v1/layers/{layer}?bbox=116.3,39.8,116.5,40.0&z=12"
        )
        assert resp.status_code == 200 and body["features"] == []


def test_city_wide_incidents_are_clustered_and_complete(flask_client, session) -> None:
    resp, body = get_json(
        flask_client, f"/api/v1/layers/incidents?bbox={EVERYWHERE}&z=9&{ALL_TIME}"
    )
    total = session.execute(
        text("SELECT count(*) FROM incident WHERE status NOT IN ('merged', 'rejected')")
    ).scalar_one()
    assert total > 5000
    assert body["clustered"] is True
    assert sum(f["properties"]["count"] for f in body["features"]) == total


def test_clusters_are_the_density_layers_cells_and_complete(flask_client, session) -> None:
    """Server clusters are cells of the zoom's density resolution (the browser merges
    anything within 60 px, so finer cells would not be seen), which the coarse rollup
    holds; and they are every incident, not the 5,000 largest of finer cells."""
    from geodata.hexagons import resolution_for_zoom

    total = session.execute(
        text("SELECT count(*) FROM incident WHERE status NOT IN ('merged', 'rejected')")
    ).scalar_one()
    assert total > 5000
    for z in (10, 11, 12):
        resp, body = get_json(
            flask_client, f"/api/v1/layers/incidents?bbox={EVERYWHERE}&z={z}&{ALL_TIME}"
        )
        assert body["clustered"] is True, z
        cells = [f["properties"]["cell"] for f in body["features"]]
        assert {h3.get_resolution(c) for c in cells} == {resolution_for_zoom(z)}, z
        assert sum(f["properties"]["count"] for f in body["features"]) == total, z


def test_areas_level_follows_zoom(flask_client) -> None:
    for z, level in ((8, "county"), (10, "street"), (12, "community"), (14, "grid")):
        _, body = get_json(
            flask_client, f"/api/v1/layers/areas?bbox=115.30,22.75,115.40,22.82&z={z}"
        )
        assert body["features"], z
        assert {f["properties"]["level"] for f in body["features"]} == {level}


def test_areas_geobuf_is_smaller_than_geojson(flask_client) -> None:
    base = f"/api/v1/layers/areas?bbox={CITY}&z=11&level=community"
    gj = flask_client.get(base)
    gb = flask_client.get(base + "&format=geobuf")
    assert gb.status_code == 200 and gb.mimetype == "application/x-protobuf"
    assert int(gb.headers["X-Feature-Count"]) == len(json.loads(gj.data)["features"])
    assert len(gb.data) < len(gj.data) * 0.7


def test_areas_geobuf_of_an_empty_viewport_is_an_empty_collection(flask_client) -> None:
    """No areas in the viewport (open sea): still a geobuf FeatureCollection, the two
    bytes of an empty Data.feature_collection, not an empty body (which the map's
    geobuf decoder turns into an object without features, and a TypeError)."""
    resp = flask_client.get("/api/v1/layers/areas?bbox=0,0,0.1,0.1&z=12&format=geobuf")
    assert resp.status_code == 200 and resp.mimetype == "application/x-protobuf"
    assert resp.headers["X-Feature-Count"] == "0"
    assert resp.data == b"\x22\x00"


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("z", [7, 9, 11, 13, 15, 18])
def test_no_response_exceeds_the_caps(flask_client, layer: str, z: int) -> None:
    """<= 5,000 features and <= ~1 MB gzipped, even for a city-wide box at any zoom."""
    resp = flask_client.get(
        f"/api/v1/layers/{layer}?bbox={CITY}&z={z}&window=365d", headers={"Accept-Encoding": "gzip"}
    )
    assert resp.status_code == 200
    assert int(resp.headers["X-Feature-Count"]) <= 5000
    body = resp.data
    compressed = (
        len(body) if resp.headers.get("Content-Encoding") == "gzip" else len(gzip.compress(body))
    )
    assert compressed <= 1_000_000
    raw = gzip.decompress(body) if resp.headers.get("Content-Encoding") == "gzip" else body
    assert len(json.loads(raw)["features"]) <= 5000
