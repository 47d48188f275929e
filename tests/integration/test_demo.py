"""The demo city on a real PostGIS: tiling, counts, point-in-grid, H3, determinism.

Self-contained: the fixtures create throwaway databases in the embedded cluster and
drop them afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import h3
import pytest
from sqlalchemy import text

from geodata import demo, migrate
from geodata.db import get_engine, session_scope
from geodata.embedded import EmbeddedCluster
from geodata.models import PersonCategory, SiteType
from geodata.queries.persons import person_row
from settings import get_settings

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
N_INCIDENTS = 3000
DB_MAIN = "minqing_demotest"
DB_TWIN = "minqing_demotest_twin"
# table -> ordering key for the md5 fingerprint
TABLES = {
    "area": "id",
    "department": "id",
    "incident_category": "code",
    "key_site": "id",
    "key_person": "id",
    "incident": "id",
}


@pytest.fixture(scope="module")
def cluster() -> EmbeddedCluster:
    c = EmbeddedCluster.from_settings(get_settings())
    c.start()
    return c


def _fresh(cluster: EmbeddedCluster, name: str) -> str:
    cluster.drop_database(name)
    cluster.ensure_database(name)
    url = cluster.url(name)
    migrate.upgrade(url)
    return url


def _drop(cluster: EmbeddedCluster, name: str) -> None:
    get_engine(cluster.url(name)).dispose()
    cluster.drop_database(name)


def _seed(url: str) -> demo.SeedReport:
    with session_scope(url) as s:
        return demo.seed(s, incidents=N_INCIDENTS, seed=7, now=NOW)


@pytest.fixture(scope="module")
def seeded(cluster: EmbeddedCluster) -> Iterator[tuple[str, demo.SeedReport]]:
    url = _fresh(cluster, DB_MAIN)
    report = _seed(url)
    yield url, report
    _drop(cluster, DB_MAIN)


@pytest.fixture(scope="module")
def twin(cluster: EmbeddedCluster) -> Iterator[str]:
    url = _fresh(cluster, DB_TWIN)
    yield url
    _drop(cluster, DB_TWIN)


def _rows(url: str, sql: str, **params: object) -> list[tuple]:
    with session_scope(url) as s:
        return [tuple(r) for r in s.execute(text(sql), params).all()]


def _one(url: str, sql: str, **params: object) -> object:
    return _rows(url, sql, **params)[0][0]


def _identities(url: str) -> list[dict]:
    """Every key person's identity, decrypted (ciphertexts differ run to run: random nonces)."""
    with session_scope(url) as s:
        ids = [pid for (pid,) in s.execute(text("SELECT person_id FROM key_person_identity"))]
        return [person_row(s, pid) or {} for pid in sorted(ids)]


def _fingerprint(url: str) -> dict[str, str]:
    prints = {
        t: str(_one(url, f"SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.{key})) FROM {t} t"))
        for t, key in TABLES.items()
    }
    prints["key_person_identity"] = hashlib.md5(repr(_identities(url)).encode()).hexdigest()
    return prints


# --- structure ------------------------------------------------------------------------------
def test_counts_within_ranges(seeded: tuple[str, demo.SeedReport]) -> None:
    url, report = seeded
    assert report.counties == 4
    assert 40 <= report.streets <= 60
    assert 1000 <= report.grids <= 3000
    assert 1800 <= report.sites <= 2200
    assert report.persons == 1000
    assert report.incidents == N_INCIDENTS
    assert report.departments == 14
    assert set(report.seconds) >= {"hierarchy", "incidents_generate", "total"}
    per_town = _rows(url, "SELECT count(*) FROM area WHERE level = 'community' GROUP BY parent_id")
    assert all(6 <= n <= 22 for (n,) in per_town)  # 6-20 plus at most a few islands
    types = {t for (t,) in _rows(url, "SELECT DISTINCT site_type FROM key_site")}
    assert len(types) >= 8 and types <= {t.value for t in SiteType}
    cats = {c for (c,) in _rows(url, "SELECT DISTINCT category FROM key_person")}
    assert cats == {c.value for c in PersonCategory}
    assert _one(url, "SELECT count(*) FROM key_person_identity") == 1000
    assert _one(url, "SELECT count(*) FROM incident") == N_INCIDENTS
    leaves = _one(url, "SELECT count(*) FROM incident_category WHERE parent_code IS NOT NULL")
    assert 23 <= leaves <= 31  # with the care categories of patrol findings


def test_area_rows_are_well_formed(seeded: tuple[str, demo.SeedReport]) -> None:
    url, _ = seeded
    bad = _rows(
        url,
        """
        SELECT a.id, a.code FROM area a LEFT JOIN area p ON p.id = a.parent_id
        WHERE NOT ST_IsValid(a.geom) OR ST_IsEmpty(a.geom) OR ST_SRID(a.geom) <> 4326
           OR GeometryType(a.geom) <> 'MULTIPOLYGON' OR NOT ST_Covers(a.geom, a.label_point)
           OR (a.level = 'county') <> (a.parent_id IS NULL)
           OR (a.level = 'street'
               AND (p.level <> 'county' OR left(a.code, 6) <> left(p.code, 6)))
           OR (a.level = 'community'
               AND (p.level <> 'street' OR left(a.code, 9) <> left(p.code, 9)))
           OR (a.level = 'grid' AND (p.level <> 'community' OR left(a.code, 12) <> p.code
                                     OR length(a.code) <> 15 OR a.worker_phone NOT LIKE '199000%'
                                     OR a.population IS NULL))
    """,
    )
    assert bad == []


@pytest.mark.parametrize("level", ["street", "community", "grid"])
def test_children_tile_their_parent(seeded: tuple[str, demo.SeedReport], level: str) -> None:
    url, _ = seeded
    # areas add up ...
    worst = _one(
        url,
        """
        SELECT max(abs(s.a - ST_Area(p.geom)) / ST_Area(p.geom)) FROM area p
        JOIN (SELECT parent_id, sum(ST_Area(geom)) AS a FROM area WHERE level = :lv
              GROUP BY parent_id) s ON s.parent_id = p.id
    """,
        lv=level,
    )
    assert worst < 1e-6
    # ... children stay inside the parent ...
    outside = _one(
        url,
        """
        SELECT max(ST_Area(ST_Difference(c.geom, p.geom))) FROM area c
        JOIN area p ON p.id = c.parent_id WHERE c.level = :lv
    """,
        lv=level,
    )
    assert outside < 1e-9
    # ... and siblings do not overlap (so their union is the parent)
    overlap = _one(
        url,
        """
        SELECT COALESCE(max(ST_Area(ST_Intersection(a.geom, b.geom))), 0) FROM area a
        JOIN area b ON a.parent_id = b.parent_id AND a.id < b.id AND a.geom && b.geom
        WHERE a.level = :lv AND ST_Intersects(a.geom, b.geom)
    """,
        lv=level,
    )
    assert overlap < 1e-9


def test_every_parent_has_children(seeded: tuple[str, demo.SeedReport]) -> None:
    url, _ = seeded
    childless = _one(
        url,
        """
        SELECT count(*) FROM area p WHERE p.level <> 'grid'
        AND NOT EXISTS (SELECT 1 FROM area c WHERE c.parent_id = p.id)
    """,
    )
    assert childless == 0


def test_urban_grids_are_smaller(seeded: tuple[str, demo.SeedReport]) -> None:
    url, _ = seeded
    urban, rural = _rows(
        url,
        """
        SELECT avg(ST_Area(geom::geography)) FILTER (WHERE is_urban),
               avg(ST_Area(geom::geography)) FILTER (WHERE NOT is_urban)
        FROM area WHERE level = 'grid'
    """,
    )[0]
    assert urban < rural / 2


# --- points -----------------------------------------------------------------------------------
@pytest.mark.parametrize("table", ["incident", "key_site", "key_person"])
def test_points_lie_in_their_grid(seeded: tuple[str, demo.SeedReport], table: str) -> None:
    url, _ = seeded
    wrong = _one(
        url,
        f"""
        SELECT count(*) FROM {table} x LEFT JOIN area g ON g.id = x.grid_id
        WHERE g.level IS DISTINCT FROM 'grid' OR NOT ST_Covers(g.geom, x.geom)
    """,
    )
    assert wrong == 0


def test_h3_cells_match_the_point(seeded: tuple[str, demo.SeedReport]) -> None:
    url, _ = seeded
    rows = _rows(
        url,
        "SELECT ST_Y(geom), ST_X(geom), h3_6, h3_7, h3_8, h3_9, h3_10 FROM incident ORDER BY id",
    )
    for lat, lon, *cells in rows:
        expected = [h3.str_to_int(h3.latlng_to_cell(lat, lon, r)) for r in (6, 7, 8, 9, 10)]
        assert cells == expected


def test_incident_fields(seeded: tuple[str, demo.SeedReport]) -> None:
    url, _ = seeded
    lo, hi, rep_max, bad_order = _rows(
        url,
        """
        SELECT min(occurred_at), max(occurred_at), max(reported_at),
               count(*) FILTER (WHERE reported_at < occurred_at) FROM incident
    """,
    )[0]
    assert lo >= NOW - timedelta(days=365) and hi < NOW and rep_max <= NOW and bad_order == 0
    non_leaf = _one(
        url,
        """
        SELECT count(*) FROM incident i JOIN incident_category c ON c.code = i.category_code
        WHERE c.parent_code IS NULL
    """,
    )
    assert non_leaf == 0
    shares = dict(
        _rows(url, "SELECT source, count(*)::float / :n FROM incident GROUP BY 1", n=N_INCIDENTS)
    )
    assert abs(shares["grid"] - 0.35) < 0.05 and abs(shares["hotline_12345"] - 0.30) < 0.05
    assert set(shares) == {"grid", "hotline_12345", "police_110", "iot", "public"}
    old_open = _one(
        url,
        """
        SELECT avg((status IN ('closed', 'evaluated'))::int) FROM incident
        WHERE reported_at < :t
    """,
        t=NOW - timedelta(days=30),
    )
    assert old_open > 0.8
    assert _one(url, "SELECT count(*) FROM incident WHERE description = '' OR address IS NULL") == 0


def test_identities_are_visibly_fake(seeded: tuple[str, demo.SeedReport]) -> None:
    url, _ = seeded
    people = _identities(url)
    assert len(people) == 1000
    bad = [
        p
        for p in people
        if not p["full_name"].endswith("（演示）")
        or not p["id_number"].startswith("990")
        or len(p["id_number"]) != 18
        or not p["phone"].startswith("199000")
    ]
    assert bad == []


def test_identities_and_reporters_are_encrypted_at_rest(
    seeded: tuple[str, demo.SeedReport],
) -> None:
    url, _ = seeded
    stored = _rows(url, "SELECT full_name_enc, id_number_enc FROM key_person_identity LIMIT 50")
    assert stored and all(bytes(b)[:1] == b"\x01" and len(bytes(b)) > 28 for r in stored for b in r)
    names = {p["full_name"].encode() for p in _identities(url)}
    blobs = b"".join(bytes(b) for r in stored for b in r)
    assert not any(n in blobs for n in names)
    # hotline and public reports come with a reporter; grid, police and sensors do not
    counts = dict(
        _rows(
            url,
            """SELECT i.source, count(r.incident_id) FROM incident i
               LEFT JOIN incident_reporter r ON r.incident_id = i.id GROUP BY i.source""",
        )
    )
    assert counts["hotline_12345"] > 0 and counts["public"] > 0
    assert counts["grid"] == counts["police_110"] == counts["iot"] == 0


def test_seed_refuses_a_non_empty_database(seeded: tuple[str, demo.SeedReport]) -> None:
    url, _ = seeded
    with session_scope(url) as s:
        assert not demo.is_empty(s)
        with pytest.raises(demo.DemoError):
            demo.seed(s, incidents=10, now=NOW)


# --- determinism and growth ------------------------------------------------------------------
def test_same_seed_gives_identical_rows(seeded: tuple[str, demo.SeedReport], twin: str) -> None:
    url, _ = seeded
    _seed(twin)
    first = _fingerprint(url)
    assert first == _fingerprint(twin)
    with session_scope(twin) as s:
        demo.reset(s)
    with session_scope(twin) as s:
        assert demo.is_empty(s)
    _seed(twin)  # after reset: identities restart, rows identical again
    assert _fingerprint(twin) == first


def test_seed_incidents_adds_unique_rows(twin: str) -> None:
    with session_scope(twin) as s:
        if demo.is_empty(s):
            demo.seed(s, incidents=N_INCIDENTS, seed=7, now=NOW)
    before = _one(twin, "SELECT max(id) FROM incident")
    with session_scope(twin) as s:
        assert demo.seed_incidents(s, n=1500, seed=8, now=NOW) == 1500
    with session_scope(twin) as s:
        assert demo.seed_incidents(s, n=500, seed=8, now=NOW, external_prefix="bench") == 500
    assert _one(twin, "SELECT count(*) FROM incident") == N_INCIDENTS + 2000
    assert _one(twin, "SELECT min(id) FROM incident WHERE id > :b", b=before) == before + 1
    dupes = _one(twin, "SELECT count(*) - count(DISTINCT (source, external_id)) FROM incident")
    assert dupes == 0
    wrong = _one(
        twin,
        """
        SELECT count(*) FROM incident x JOIN area g ON g.id = x.grid_id
        WHERE x.id > :b AND NOT ST_Covers(g.geom, x.geom)
    """,
        b=before,
    )
    assert wrong == 0
    # the id sequence continues after the explicit ids
    with session_scope(twin) as s:
        nxt = s.execute(text("SELECT nextval(pg_get_serial_sequence('incident', 'id'))")).scalar()
    assert nxt == before + 2001


def test_demo_incidents_carry_the_history_their_status_implies(
    seeded: tuple[str, demo.SeedReport],
) -> None:
    url, _ = seeded
    # a returned case waits to be dispatched again with its old dispatch time, as in the
    # app; the version counts the steps, not the SLA sweep's reviews
    bad = _one(
        url,
        """
        SELECT count(*) FROM incident WHERE
          (status IN ('dispatched', 'accepted', 'in_progress', 'resolved', 'closed')
           AND (lead_department_id IS NULL OR dispatched_at IS NULL
                OR resolve_due_at <= dispatched_at OR accept_due_at <= dispatched_at))
          OR (status IN ('accepted', 'in_progress', 'resolved', 'closed') AND accepted_at IS NULL)
          OR (status IN ('registered', 'verified') AND dispatched_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM incident_event e WHERE e.incident_id = incident.id
                              AND e.action = 'return'))
          OR version <> (SELECT count(*) FROM incident_event e WHERE e.incident_id = incident.id
                         AND e.action NOT IN ('review', 'remind', 'supervise'))
    """,
    )
    assert bad == 0
    # resolve-by falls within or at the end of a working day of the calendar (weekdays
    # but public holidays, and the adjusted working weekends, 调休)
    off_days = _one(
        url,
        """SELECT count(*) FROM incident i
           CROSS JOIN LATERAL (SELECT ((i.resolve_due_at AT TIME ZONE 'Asia/Shanghai')
                                       - interval '1 second')::date AS day) d
           LEFT JOIN calendar_day c ON c.day = d.day
           WHERE i.resolve_due_at IS NOT NULL
             AND NOT coalesce(c.workday, extract(isodow FROM d.day) <= 5)""",
    )
    assert off_days == 0
    assert _one(url, "SELECT count(*) FROM sla_policy") == 4
    assert _one(url, "SELECT count(*) FROM calendar_day WHERE NOT workday") >= 30
