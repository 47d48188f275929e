"""Intake benchmark: bulk intake through the whole app vs plain COPY of the same rows.

    python bench/ingest.py [--batches 5] [--batch 10000] [--reporters 0.3]

Uses (or seeds once) the separate database ``<name>_bench`` of ``bench/density.py``.
A real source token (12345 hotline) posts batches of 10,000 incidents to
``POST /api/v1/incidents/bulk`` through the full Flask app in-process: token check,
JSON, validation, H3, grid by point-in-polygon, idempotency, timeline events, encrypted
reporters, audit, one transaction per batch. The baselines COPY the very same incident
rows (read back from the database), in the same process: into ``incident`` itself (the
target's reference: see :func:`report`), and into two scratch copies of it with the same
indexes and no foreign keys, one empty and one holding the table's rows. Then the same
batches are posted again (every item a replay), and single incidents are posted one per
request. The rows the benchmark wrote are deleted at the end and its token revoked.

Intake overlaps its Python work (validation, H3, encryption) with the database's
(``governance/intake_bulk.py``), so it needs both cores of this machine: run it on an
otherwise idle machine.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.density import p95  # noqa: E402
from bench.seed import bench_database, use  # noqa: E402

SCRATCH = "bench_incident_copy"
SCRATCH_FULL = "bench_incident_full"
COLUMNS = (
    "id, source, external_id, category_code, occurred_at, reported_at, grid_id, status, "
    "priority, description, address, geom, h3_6, h3_7, h3_8, h3_9, h3_10, version, "
    "location_flag"
)
PREFIX = "bench-ingest-"


def make_items(n: int, run: str, batch: int, reporters: float, seed: int) -> list[dict]:
    """``n`` incidents at random points of the city (PostGIS ST_GeneratePoints), a
    realistic mix of categories, times in the last 30 days, some with a reporter."""
    import random

    from sqlalchemy import text

    from geodata.db import session_scope

    rnd = random.Random(seed)
    with session_scope(admin=True) as s:
        pts = s.execute(
            text("""
            SELECT ST_X(d.geom), ST_Y(d.geom) FROM (
              SELECT (ST_Dump(ST_GeneratePoints(ST_Union(geom), :n, :seed))).geom
              FROM area WHERE level = 'county') d"""),
            {"n": n, "seed": seed},
        ).all()
        leaves = list(
            s.execute(
                text("""SELECT code FROM incident_category c WHERE NOT EXISTS
                        (SELECT 1 FROM incident_category k WHERE k.parent_code = c.code)""")
            ).scalars()
        )
    now = datetime.now(UTC)
    items = []
    for k, (lon, lat) in enumerate(pts):
        it: dict = {
            "external_id": f"{PREFIX}{run}-{batch}-{k:05d}",
            "category": rnd.choice(leaves),
            "occurred_at": (now - timedelta(seconds=rnd.randrange(30 * 86400))).isoformat(),
            "lon": round(lon, 7),
            "lat": round(lat, 7),
            "description": f"市民来电反映第 {k} 号问题，请尽快处理。",
            "address": f"汕尾市某路 {k % 500} 号",
        }
        if rnd.random() < reporters:
            it["reporter"] = {"name": "测试（演示）", "phone": f"199{rnd.randrange(10**8):08d}"}
        items.append(it)
    return items


def plain_copy(owner_engine, table: str, ids: list[int]) -> float:  # type: ignore[no-untyped-def]
    """Read the rows intake wrote, then time COPYing them (CSV built in Python, as a plain
    loader would) into ``table``, and the commit."""
    return _timed_copy(owner_engine, table, COLUMNS, _read(owner_engine, COLUMNS, ids))


def plain_copy_into_incident(owner_engine, ids: list[int]) -> float:  # type: ignore[no-untyped-def]
    """The same rows COPYed into ``incident`` itself (its indexes, constraints, foreign
    keys and 200,000 rows; new ids from its sequence, ``-copy`` external ids), timed as in
    :func:`plain_copy`; the copies are deleted and the table vacuumed afterwards, untimed."""
    from sqlalchemy import text

    cols = COLUMNS.removeprefix("id, ")
    rows = [(r[0], f"{r[1]}-copy", *r[2:]) for r in _read(owner_engine, cols, ids)]
    try:
        return _timed_copy(owner_engine, "incident", cols, rows)
    finally:
        with owner_engine.begin() as conn:
            conn.execute(
                text(
                    "DELETE FROM incident WHERE source = 'hotline_12345' AND external_id = ANY(:e)"
                ),
                {"e": [r[1] for r in rows]},
            )
        # the next batch must not pay for these dead rows in the table's indexes
        with owner_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM incident"))


def _read(owner_engine, cols: str, ids: list[int]) -> list:  # type: ignore[no-untyped-def,type-arg]
    from sqlalchemy import text

    with owner_engine.connect() as conn:
        return list(
            conn.execute(
                text(f"SELECT {cols} FROM incident WHERE id = ANY(:ids) ORDER BY id"), {"ids": ids}
            )
        )


def _timed_copy(owner_engine, table: str, cols: str, rows: list) -> float:  # type: ignore[no-untyped-def,type-arg]
    raw = owner_engine.raw_connection()
    try:
        t0 = time.perf_counter()
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        buf.seek(0)
        with raw.cursor() as cur:
            cur.copy_expert(
                f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (description))",
                buf,
            )
        raw.commit()
        return time.perf_counter() - t0
    finally:
        raw.close()


def _count(session) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    return int(session.execute(text("SELECT count(*) FROM incident")).scalar_one())


def scratch_tables(session, *, full: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Two scratch copies of ``incident`` with its columns, defaults, checks and indexes
    (no foreign keys, no triggers): one empty, one holding the same rows as ``incident``
    (index sizes as the real table's; left out if not ``full``)."""
    from sqlalchemy import text

    like = "LIKE incident INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES"
    for table in (SCRATCH, SCRATCH_FULL):
        session.execute(text(f"DROP TABLE IF EXISTS {table}"))
    for table in (SCRATCH, SCRATCH_FULL) if full else (SCRATCH,):
        session.execute(text(f"CREATE TABLE {table} ({like})"))
    if full:
        session.execute(text(f"INSERT INTO {SCRATCH_FULL} SELECT * FROM incident"))
        session.execute(text(f"ANALYZE {SCRATCH_FULL}"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--incidents", type=int, default=200_000, help="seed if the db is empty")
    ap.add_argument(
        "--city", type=int, default=None, help="the bench/seed.py city of this size (10000000)"
    )
    ap.add_argument(
        "--smoke", action="store_true", help="the configured database, 1 small batch (a test)"
    )
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--batches", type=int, default=5, help="measured batches (after 1 warm-up)")
    ap.add_argument("--reporters", type=float, default=0.3, help="share with a reporter")
    ap.add_argument("--singles", type=int, default=300, help="one-incident requests")
    args = ap.parse_args(argv)

    from sqlalchemy import text

    from geodata import demo, migrate
    from geodata.db import admin_database_url, get_admin_engine, session_scope
    from governance.token_revocation import revoke_token
    from governance.tokens import create_source_token

    if args.smoke:  # the configured database as it is
        args.batch, args.batches, args.singles = 200, 1, 5
        owner = admin_database_url()
    elif args.city:
        from bench import seed

        seed.seed(args.city)
        owner = admin_database_url()
    else:
        url, owner = bench_database()
        use(url, owner)
        migrate.upgrade(owner)
        with session_scope(admin=True) as s:
            if demo.is_empty(s):
                t0 = time.perf_counter()
                demo.seed(s, incidents=args.incidents)
                print(f"seeded {args.incidents:,} incidents in {time.perf_counter() - t0:.1f}s")
    with session_scope(admin=True) as s:
        cleanup(s)  # rows of an interrupted run
    with session_scope(admin=True) as s:
        # the copy holding every row is left out above 2M rows (minutes and gigabytes)
        scratch_tables(s, full=_count(s) <= 2_000_000)
        s.execute(text("ANALYZE incident"))
        total = s.execute(text("SELECT count(*) FROM incident")).scalar_one()
        grids = s.execute(text("SELECT count(*) FROM area WHERE level = 'grid'")).scalar_one()
        tok = create_source_token(s, source="12345", scopes="incidents:write", name="bench")

    from app import server

    client = server.test_client(use_cookies=False)
    headers = {"Authorization": f"Bearer {tok.token}", "Content-Type": "application/json"}
    owner_engine = get_admin_engine(owner)
    run = uuid.uuid4().hex[:8]
    print(
        f"\nincidents in database: {total:,}; grids: {grids}; batches: 1 warm-up + "
        f"{args.batches} x {args.batch:,} items; {args.reporters:.0%} with a reporter",
        flush=True,
    )
    kinds = ("intake", "incident", "empty", "full", "replay")
    with session_scope(admin=True) as s:
        have_full = bool(s.execute(text(f"SELECT to_regclass('{SCRATCH_FULL}')")).scalar())
    times: dict[str, list[float]] = {k: [] for k in kinds if have_full or k != "full"}
    try:
        for b in range(args.batches + 1):
            items = make_items(args.batch, run, b, args.reporters, seed=1000 + b)
            body = json.dumps({"items": items}, ensure_ascii=False).encode()
            t0 = time.perf_counter()
            r = client.post("/api/v1/incidents/bulk", data=body, headers=headers)
            dt = {"intake": time.perf_counter() - t0}
            assert r.status_code == 200, r.get_data(as_text=True)[:500]
            out = r.get_json()
            assert out["summary"]["created"] == len(items), out["summary"]
            ids = [e["id"] for e in out["items"]]
            dt["incident"] = plain_copy_into_incident(owner_engine, ids)
            dt["empty"] = plain_copy(owner_engine, SCRATCH, ids)
            if "full" in times:
                dt["full"] = plain_copy(owner_engine, SCRATCH_FULL, ids)
            t0 = time.perf_counter()
            r = client.post("/api/v1/incidents/bulk", data=body, headers=headers)
            dt["replay"] = time.perf_counter() - t0
            assert r.get_json()["summary"]["replayed"] == len(items)
            if b:  # batch 0 warms caches and plans
                for k, v in dt.items():
                    times[k].append(v)
        singles = []
        for it in make_items(args.singles, run, 99_999, args.reporters, seed=99):
            data = json.dumps(it, ensure_ascii=False).encode()
            t0 = time.perf_counter()
            r = client.post("/api/v1/incidents", data=data, headers=headers)
            singles.append(time.perf_counter() - t0)
            assert r.status_code == 201, r.get_data(as_text=True)[:300]
        report(args.batch * args.batches, times, singles)
    finally:
        with session_scope(admin=True) as s:
            cleanup(s)
            revoke_token(s, tok.id)


def cleanup(session) -> None:  # type: ignore[no-untyped-def]
    """Delete every incident a run of this benchmark wrote; drop the scratch tables."""
    from sqlalchemy import text

    # (migration 0008 indexes incident.merged_into_id, so the DELETE stays linear)
    session.execute(
        text("DELETE FROM incident WHERE source = 'hotline_12345' AND external_id LIKE :p"),
        {"p": f"{PREFIX}%"},
    )
    for table in (SCRATCH, SCRATCH_FULL):
        session.execute(text(f"DROP TABLE IF EXISTS {table}"))


def report(n: int, times: dict[str, list[float]], singles: list[float]) -> None:
    """Print the table of rates, each path against the plain-COPY baselines. The target
    (bulk intake >= 0.5x plain COPY) is read against COPY into ``incident`` itself: the
    same rows into the same table, with everything a real load pays for (its foreign
    keys, its 15 indexes at their real size). The two scratch copies have no foreign keys,
    and the empty one tiny indexes: lower bounds no loader of this database gets."""
    rate = {k: n / sum(v) for k, v in times.items()}
    p50 = {k: statistics.median(v) * 1000 for k, v in times.items()}
    rows = [
        ("bulk intake, full app (new incidents)", "intake"),
        ("plain COPY into incident itself", "incident"),
        ("plain COPY into an empty copy (no FKs)", "empty"),
        ("plain COPY into a full copy (no FKs)", "full"),
        ("bulk replay, full app (every item a replay)", "replay"),
    ]
    head = (
        f"{'path':44} {'incidents/s':>11} {'p50/batch':>10} {'/ COPY':>7} "
        f"{'/ empty':>8} {'/ full':>7}"
    )
    print("\n" + head + "\n" + "-" * len(head))
    rows = [(label, k) for label, k in rows if k in rate]
    rate.setdefault("full", float("nan"))  # left out on a large city
    for label, k in rows:
        print(
            f"{label:44} {rate[k]:>11,.0f} {p50[k]:>8.0f}ms {rate[k] / rate['incident']:>6.2f}x "
            f"{rate[k] / rate['empty']:>7.2f}x {rate[k] / rate['full']:>6.2f}x"
        )
    one = len(singles) / sum(singles)
    print(
        f"\none incident per request (POST /api/v1/incidents, sequential): {one:,.0f}/s, "
        f"p50 {statistics.median(singles) * 1000:.1f} ms, p95 {p95(singles) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
