"""Density benchmark: the endpoint vs its SQL (rollup) vs the raw SQL vs a naive baseline.

    python bench/density.py --incidents 1000000
    python bench/density.py --smoke     # the configured database, one run each (a test)

Uses (or seeds once) a separate database ``<name>_bench`` so the development data is
untouched, then prints, side by side from one run: median and p95 of the density
endpoint (Flask in-process, gzip on), of its SQL alone (the coarse rollup for whole days
plus the raw rows of the partial ones, ``geodata/queries/coarse.py``; 0024's finer rollup
where the coarse one does not serve), of the same
counts from the raw rows (``geodata/queries/layers.py``; the answers must be equal, and
the run stops if they are not), and of the naive baseline (load the points into
geopandas, compute H3 in Python, count), for a city-wide and a county viewport; and the
bytes per visible feature of every layer.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed import seed  # noqa: E402


def seeded_bench_database(incidents: int) -> str:
    """Point the settings at the benchmark database, migrated and seeded up to
    ``incidents`` (``bench/seed.py``: in committed chunks, resumed if stopped); returns
    its app URL."""
    url, _ = seed(incidents)
    return url


def layer_token() -> str:
    """A day-long city-wide token with ``layers:read`` in the benchmark database (created
    and audited as any token is; it expires by itself)."""
    from geodata.db import session_scope
    from governance.tokens import LAYERS_READ, create_source_token

    with session_scope(admin=True) as s:
        made = create_source_token(
            s, source="12345", scopes=(LAYERS_READ,), name="bench/density.py", expires_days=1
        )
    return made.token


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm-up (plans, caches)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def measure(
    client,
    engine,
    label: str,
    bbox: str,
    z: int,
    window: str,  # type: ignore[no-untyped-def]
    runs: int,
    baseline_runs: int,
) -> None:
    """Time the endpoint, its SQL and the naive baseline for one viewport; print a row."""
    import geopandas as gpd
    import h3
    from sqlalchemy import text

    from geodata.db import session_scope
    from geodata.hexagons import resolution_for_zoom
    from geodata.queries.coarse import h3_counts as rollup_counts
    from geodata.queries.layers import IncidentWhere, h3_counts
    from governance.filters import parse_time

    res = resolution_for_zoom(z)
    endpoint = f"/api/v1/layers/density?bbox={bbox}&z={z}&window={window}"
    tr = parse_time(window)
    where = IncidentWhere(tr.start, tr.end)
    bb = [float(v) for v in bbox.split(",")]

    def call_endpoint() -> None:
        r = client.get(endpoint, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200, r.data[:200]

    def call_sql() -> int:
        with session_scope() as s:
            return len(rollup_counts(s, bb, where, res, 5001))

    def call_raw() -> int:
        with session_scope() as s:
            return len(h3_counts(s, bb, where, res, 5001))

    def call_naive() -> int:
        gdf = gpd.read_postgis(
            text(
                "SELECT geom FROM incident WHERE occurred_at >= :s AND occurred_at < :e "
                "AND geom && ST_MakeEnvelope(:a, :b, :c, :d, 4326)"
            ),
            engine,
            geom_col="geom",
            params={"s": tr.start, "e": tr.end, "a": bb[0], "b": bb[1], "c": bb[2], "d": bb[3]},
        )
        cells = [
            h3.latlng_to_cell(y, x, res)
            for x, y in zip(gdf.geometry.x, gdf.geometry.y, strict=True)
        ]
        return int(gdf.assign(cell=cells).groupby("cell").size().shape[0])

    t_end = timed(call_endpoint, runs)
    t_sql = timed(call_sql, runs)
    t_raw = timed(call_raw, runs)
    t_naive = timed(call_naive, baseline_runs)
    with session_scope() as s:
        fast = rollup_counts(s, bb, where, res, 10**6)
        raw = [(int(c), int(n)) for c, n in h3_counts(s, bb, where, res, 10**6)]
    if fast != raw:
        raise SystemExit(f"{label}: the rollup's density differs from the raw rows' (rollup-check)")
    cells = len(fast)
    m_end, m_sql, m_raw, m_naive = (
        statistics.median(x) * 1000 for x in (t_end, t_sql, t_raw, t_naive)
    )
    print(
        f"{label:34} {cells:>6} {m_end:>8.1f}/{p95(t_end) * 1000:<9.1f} "
        f"{m_sql:>6.1f}/{p95(t_sql) * 1000:<8.1f} {m_raw:>6.1f}/{p95(t_raw) * 1000:<8.1f} "
        f"{m_naive:>10.0f} {m_raw / m_sql:>7.2f}x {m_naive / m_end:>8.1f}x",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--baseline-runs", type=int, default=3)
    ap.add_argument(
        "--smoke", action="store_true", help="the configured database as it is, one run each"
    )
    args = ap.parse_args(argv)
    if args.smoke:
        args.runs = args.baseline_runs = 1
        url: str | None = None  # the configured database (geodata.db's default engine)
    else:
        url = seeded_bench_database(args.incidents)

    from sqlalchemy import text

    from geodata.db import get_engine, session_scope

    with session_scope(admin=True) as s:
        s.execute(text("ANALYZE incident"))
        total = s.execute(text("SELECT count(*) FROM incident")).scalar_one()
        county = s.execute(
            text("""
            SELECT name, ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (
              SELECT name, (SELECT ST_Envelope(d.geom)::box2d FROM ST_Dump(geom) d
                            ORDER BY ST_Area(d.geom) DESC LIMIT 1) AS b
              FROM area WHERE level = 'county' ORDER BY code LIMIT 1) x""")
        ).one()

    from app import server

    client = server.test_client()
    # the layers answer signed-in users and tokens only (401 since sign-in came): the
    # benchmark reads them as a city-wide API client with ``layers:read`` would
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {layer_token()}"

    views = [
        ("city-wide, 365 d, z9", "114.9,22.5,116.3,23.7", 9, "365d"),
        ("city-wide, 30 d, z9", "114.9,22.5,116.3,23.7", 9, "30d"),
        (f"county {county[0]}, 30 d, z11", ",".join(f"{v:.4f}" for v in county[1:]), 11, "30d"),
    ]
    print(
        f"\nincidents in database: {total:,}; runs: {args.runs} "
        f"(baseline {args.baseline_runs}); times in ms\n"
    )
    head = (
        f"{'viewport':34} {'cells':>6} {'endpoint p50/p95':>18} {'SQL p50/p95':>15} "
        f"{'raw p50/p95':>15} {'naive p50':>10} {'raw/SQL':>8} {'naive/end':>9}"
    )
    print(head)
    print("-" * len(head))
    engine = get_engine(url)
    for label, bbox, z, window in views:
        measure(client, engine, label, bbox, z, window, args.runs, args.baseline_runs)

    print("\nbytes per visible feature (gzip), viewport around 海城/汕尾 city centre:")
    print(f"{'layer':10} {'z':>3} {'features':>9} {'raw B':>9} {'gzip B':>8} {'B/feature':>10}")
    probes = [
        ("areas", 9, "114.9,22.5,116.3,23.7", ""),
        ("areas", 13, "115.28,22.74,115.42,22.84", ""),
        ("areas", 13, "115.28,22.74,115.42,22.84", "&format=geobuf"),
        ("labels", 13, "115.28,22.74,115.42,22.84", ""),
        ("sites", 12, "115.2,22.7,115.5,22.9", ""),
        ("incidents", 15, "115.33,22.76,115.37,22.79", "&window=30d"),
        ("incidents", 9, "114.9,22.5,116.3,23.7", "&window=30d"),
        ("density", 9, "114.9,22.5,116.3,23.7", "&window=30d"),
        ("density", 13, "115.28,22.74,115.42,22.84", "&window=365d"),
    ]
    for layer, z, bbox, extra in probes:
        r = client.get(
            f"/api/v1/layers/{layer}?bbox={bbox}&z={z}{extra}", headers={"Accept-Encoding": "gzip"}
        )
        raw = gzip.decompress(r.data) if r.headers.get("Content-Encoding") == "gzip" else r.data
        n = int(r.headers["X-Feature-Count"])
        name = layer + (" (geobuf)" if "geobuf" in extra else "")
        print(
            f"{name:18} {z:>3} {n:>9} {len(raw):>9} {len(r.data):>8} "
            f"{(len(r.data) / n if n else 0):>10.1f}"
        )


if __name__ == "__main__":
    main()
