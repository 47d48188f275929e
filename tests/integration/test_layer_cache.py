"""The layer cache in the app (governance/layer_cache.py wired in GET /api/v1/layers):
a committed change shows in the next request once its notification arrives, a body is
never shared across scopes or capabilities, and hostile query strings are still a 4xx.

The suite runs with the cache off (tests/conftest.py: rolled-back writes send no
notification); each test here puts a live cache, with its own listener on the test
database, in its place."""

from __future__ import annotations

import gzip
import json
import urllib.parse
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from geodata.db import session_scope
from governance import layer_cache
from governance.layer_cache import LayerCache
from tests.conftest import signed_in_client

CITY = "110,18,120,25"
LISTEN_TIMEOUT = 20.0


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[LayerCache]:
    """A live cache (64 MB, a minute) listening on the test database."""
    live = LayerCache(64 * 1024 * 1024, 60.0)
    monkeypatch.setattr(layer_cache, "_CACHE", live)
    live.start()
    assert live.wait_generation(0, LISTEN_TIMEOUT) and live.active, "the listener never connected"
    yield live
    live.stop()


@pytest.fixture(scope="module")
def point() -> tuple[float, float]:
    with session_scope(admin=True) as s:
        row = s.execute(
            text("""SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM area
                    WHERE level = 'grid' ORDER BY code LIMIT 1) x""")
        ).one()
    return float(row[0]), float(row[1])


@pytest.fixture(scope="module")
def hotline() -> str:
    from governance.tokens import create_source_token

    with session_scope(admin=True) as s:
        return create_source_token(
            s,
            source="12345",
            scopes=("incidents:write", "layers:read"),
            name="test_layer_cache",
        ).token


@pytest.fixture(scope="module")
def commander() -> Any:
    return signed_in_client("commander")


def machine() -> Any:
    from app import server

    return server.test_client(use_cookies=False)


def get(client: Any, url: str, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    resp = client.get(url, headers=headers)
    assert resp.status_code == 200, resp.get_data()[:300]
    return resp


def ids(resp: Any) -> set[int]:
    return {f["properties"]["id"] for f in resp.get_json()["features"]}


@pytest.mark.commits
def test_a_committed_incident_shows_in_the_next_request(
    cache: LayerCache, hotline: str, point: tuple[float, float]
) -> None:
    lon, lat = point
    bbox = f"{lon - 0.01:.6f},{lat - 0.01:.6f},{lon + 0.01:.6f},{lat + 0.01:.6f}"
    points_url = f"/api/v1/layers/incidents?bbox={bbox}&z=15&window=30d"
    density_url = f"/api/v1/layers/density?bbox={bbox}&z=15&window=30d"
    client = machine()
    first = get(client, points_url, hotline)
    dens = get(client, density_url, hotline)
    assert first.headers["X-Layer-Cache"] == "miss"
    again = get(client, points_url, hotline)
    assert again.headers["X-Layer-Cache"] == "hit" and again.data == first.data
    assert get(client, density_url, hotline).headers["X-Layer-Cache"] == "hit"
    zipped = client.get(
        points_url, headers={"Authorization": f"Bearer {hotline}", "Accept-Encoding": "gzip"}
    )
    assert zipped.headers["X-Layer-Cache"] == "hit"
    assert (
        zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    )
    assert gzip.decompress(zipped.data) == first.data

    generation = cache.generation
    made = client.post(
        "/api/v1/incidents",
        data=json.dumps(
            {
                "external_id": f"cache-{uuid.uuid4().hex[:12]}",
                "category": "city.garbage",
                "occurred_at": datetime.now(UTC).isoformat(),
                "lon": lon,
                "lat": lat,
            }
        ),
        headers={"Authorization": f"Bearer {hotline}", "Content-Type": "application/json"},
    )
    assert made.status_code == 201, made.get_json()
    new_id = made.get_json()["id"]
    # the notification reaches this process as it reaches the live maps: once it has,
    # no request may be answered from before it
    assert cache.wait_generation(generation, LISTEN_TIMEOUT)
    after = get(client, points_url, hotline)
    assert after.headers["X-Layer-Cache"] == "miss"
    assert ids(after) == ids(first) | {new_id}
    dens_after = get(client, density_url, hotline)
    assert dens_after.get_json()["stats"]["total"] == dens.get_json()["stats"]["total"] + 1


def test_a_body_is_never_shared_across_scopes_or_capabilities(cache: LayerCache) -> None:
    url = f"/api/v1/layers/density?bbox={CITY}&z=11&window=365d"
    bodies: dict[str, bytes] = {}
    for user in ("commander", "supervisor", "gridworker", "wall"):
        client = signed_in_client(user)
        resp = get(client, url)
        assert resp.headers["X-Layer-Cache"] == "miss", user  # never the previous one's
        assert get(client, url).headers["X-Layer-Cache"] == "hit", user
        bodies[user] = resp.data
    # what each would get from an uncached render
    off = LayerCache(0, 60.0, listen=False)
    layer_cache._CACHE = off
    for user, body in bodies.items():
        resp = get(signed_in_client(user), url)
        assert resp.headers["X-Layer-Cache"] == "off"
        assert resp.data == body, user
    totals = {u: json.loads(b)["stats"]["total"] for u, b in bodies.items()}
    assert (
        totals["supervisor"] < totals["commander"] and totals["gridworker"] <= totals["supervisor"]
    )
    # the wall sees aggregates only: coarse cells, never the commander's resolution
    assert (
        json.loads(bodies["wall"])["stats"]["res"] < json.loads(bodies["commander"])["stats"]["res"]
    )


def test_a_street_supervisor_never_gets_the_commanders_cached_points(
    cache: LayerCache, point: tuple[float, float]
) -> None:
    url = f"/api/v1/layers/incidents?bbox={CITY}&z=9&window=365d"
    commander = get(signed_in_client("commander"), url)
    supervisor = get(signed_in_client("supervisor"), url)
    assert supervisor.headers["X-Layer-Cache"] == "miss"
    assert supervisor.data != commander.data


KEYS = ["bbox", "z", "window", "start", "end", "categories", "sources", "urgency", "due",
        "res", "format", "mode", "level", "types", "x"]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "30d",
            "7d",
            "12",
            "99",
            "-1",
            "nan",
            "1e999",
            "115,22,116,23",
            "116,23,115,22",
            "overdue",
            "geobuf",
            "8",
            "2026-02-30",
            "９",
            "city.garbage",
            "a,,b",
            "\x00",
            "\u202e",
        ]
    ),  # fmt: skip
    st.text(max_size=40),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    layer=st.sampled_from(["incidents", "density"]),
    params=st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6),
)
def test_hostile_query_strings_are_still_a_4xx(
    cache: LayerCache, commander: Any, layer: str, params: dict[str, str]
) -> None:
    url = f"/api/v1/layers/{layer}?" + urllib.parse.urlencode(params)
    for _ in range(2):  # and once more, when the first answer may have been stored
        resp = commander.get(url)
        assert resp.status_code in (200, 400, 422), (url, resp.status_code, resp.get_data()[:300])
        if resp.status_code != 200:
            assert resp.headers.get("X-Layer-Cache") is None
            answer = resp.get_json()
            assert answer["key"] and answer["message"], answer
