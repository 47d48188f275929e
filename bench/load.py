"""Load benchmark: map clients panning a city against the layer API, and the same SQL.

    python bench/load.py                          # 1M city, 50 map clients, 60 s each side
    python bench/load.py --cache-mb 0             # the same with the layer cache off
    python bench/load.py --walls 100              # plus 100 open wall screens
    python bench/load.py --city 10000000          # the 10M city (bench/seed.py seeds it)
    python bench/load.py --demo                   # the demo city of make run (~200k incidents)
    python bench/load.py --smoke                  # the configured database, seconds (a test)

Serves the app as it runs (``python app.py serve``: gunicorn gthread workers, see
bench/servers.py) on the benchmark database, then, in one run and at the same
concurrency:

* **SQL**: threads of this process run the queries the endpoint runs for each request
  (``governance.layers.incident_where`` + ``geodata.queries``: ``h3_counts`` for density,
  the rollup's where it exists; ``count_incidents`` then the points or the clusters for
  incidents), each in its own transaction with the city-wide row-level-security scope, nothing serialised,
  for the bbox as the map sends it (what the endpoint ran before the layer cache; with
  the cache on, a miss asks for the bbox aligned to whole tiles, a little larger:
  governance/layer_cache.py);
* **endpoint**: ``--clients`` map clients (threads, keep-alive HTTP/1.1, gzip accepted)
  each ask for the density and the incidents layer (30-day window) of their viewport,
  one request after another with no pause, with a city-wide ``layers:read`` token.

A client's viewport is a 1600 x 900 px map at zoom 11-14 in the city
(114.9,22.5,116.3,23.7); it mostly pans by a fraction of its size, sometimes zooms in or
out, now and then jumps elsewhere, and asks for the URLs the map itself builds
(``layers/urls.py``: padded, snapped to a quarter-tile grid), so neighbours and repeats
occur as they do in a command centre. The SQL threads replay the same walks (same seeds).

``--walls N`` adds N wall screens signed in as the commander while the map clients run:
each holds a live stream (``GET /api/v1/stream``, reconnecting after the server's retry
delay when told the worker is busy, as EventSource does) and every 10 s asks the wall's
refresh callback (``POST /_dash-update-component``: KPIs, lists) and, once a minute (when
the wall's URL changes), its density, areas and labels layers.

Printed: p50 / p95 / requests per second / errors of each side, the endpoint's cache hits,
the ratio endpoint / SQL, and each figure against its target (p95 <= 300 ms and <= 1.5x
the SQL's, no error; with walls: p95 <= 500 ms), plus the machine's load average.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from math import cos, radians
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import servers  # noqa: E402
from bench.density import layer_token, p95  # noqa: E402

CITY = (114.9, 22.5, 116.3, 23.7)
ZOOMS = (11, 14)
SCREEN = (1600, 900)  # px of the map pane
WALL_TICK = 10.0  # s: pages/wall.py REFRESH_MS
TARGET_P95_MS, TARGET_RATIO, TARGET_WALLS_P95_MS = 300.0, 1.5, 500.0


# ----------------------------------------------------------------------------- viewports
@dataclass
class Walk:
    """One map client's viewport, moved as a person pans and zooms."""

    rng: random.Random
    lon: float = 0.0
    lat: float = 0.0
    z: int = 12

    def __post_init__(self) -> None:
        self.jump()

    def jump(self) -> None:
        self.lon = self.rng.uniform(CITY[0], CITY[2])
        self.lat = self.rng.uniform(CITY[1], CITY[3])
        self.z = self.rng.randint(*ZOOMS)

    def bbox(self) -> tuple[float, float, float, float]:
        deg = 360.0 / (256 * 2**self.z)
        w, h = SCREEN[0] * deg / 2, SCREEN[1] * deg * cos(radians(self.lat)) / 2
        return (self.lon - w, self.lat - h, self.lon + w, self.lat + h)

    def step(self) -> None:
        r = self.rng.random()
        if r < 0.75:  # pan by a fraction of the view
            minlon, minlat, maxlon, maxlat = self.bbox()
            self.lon += self.rng.uniform(-0.4, 0.4) * (maxlon - minlon)
            self.lat += self.rng.uniform(-0.4, 0.4) * (maxlat - minlat)
            self.lon = min(max(self.lon, CITY[0]), CITY[2])
            self.lat = min(max(self.lat, CITY[1]), CITY[3])
        elif r < 0.93:
            self.z = min(max(self.z + self.rng.choice((-1, 1)), ZOOMS[0]), ZOOMS[1])
        else:
            self.jump()

    def urls(self) -> list[str]:
        """The density and incidents URLs the map builds for this view."""
        from layers.density import density_url
        from layers.incidents import incidents_url
        from layers.urls import LayerFilters, padded_bbox

        bbox = padded_bbox(self.bbox(), self.z)
        filters = LayerFilters()  # the map's default: the last 30 days
        return [density_url(bbox, self.z, filters), incidents_url(bbox, self.z, filters)]


# ----------------------------------------------------------------------------- recording
@dataclass
class Record:
    """Latencies (s) and outcomes of requests started inside the measuring window."""

    start: float = 0.0
    end: float = 0.0
    lat: list[float] = field(default_factory=list)
    errors: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, t0: float, seconds: float, ok: bool, outcome: str = "") -> None:
        if not self.start <= t0 < self.end:
            return
        with self.lock:
            self.lat.append(seconds)
            self.errors += not ok
            if outcome:
                self.outcomes[outcome] += 1

    def summary(self) -> dict[str, float]:
        xs = self.lat or [float("nan")]
        return {
            "n": len(self.lat),
            "p50": statistics.median(xs) * 1000,
            "p95": p95(xs) * 1000,
            "rps": len(self.lat) / (self.end - self.start),
            "errors": self.errors,
        }


def run_threads(n: int, body: Callable[[int, threading.Event], None], seconds: float) -> None:
    stop = threading.Event()
    threads = [threading.Thread(target=body, args=(i, stop), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(60)


# ----------------------------------------------------------------------------- SQL side
def sql_side(url: str, clients: int, warmup: float, seconds: float, seed: int) -> Record:
    """The queries of each request (governance/layers.py render_layer), no serialising."""
    from dataclasses import replace

    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from geodata.db import ALL_AREAS, CONNECTION_OPTIONS, set_scope
    from geodata.hexagons import covering_cells, resolution_for_zoom
    from geodata.queries import coarse
    from geodata.queries import layers as q
    from governance import layer_query
    from governance.layers import MAX_COVER_CELLS, cluster_resolution, incident_where
    from settings import get_settings

    cap = get_settings().max_features
    engine = create_engine(  # the server settings of the app's own connections
        url,
        pool_size=clients,
        max_overflow=0,
        connect_args={"application_name": "bench-load", "options": CONNECTION_OPTIONS},
    )
    rec = Record()

    def queries(s: Session, path: str) -> None:
        layer, _, qs = path.rpartition("/")[2].partition("?")
        args = dict(p.split("=", 1) for p in qs.split("&"))
        query = layer_query.parse(args)
        bbox, where = query.bbox.as_tuple(), incident_where(query, None)
        if layer == "density":  # the rollups (migrations 0024, 0028)
            coarse.h3_counts(s, bbox, where, resolution_for_zoom(query.z), cap + 1)
            return
        cover = covering_cells(bbox, 8, MAX_COVER_CELLS) if query.z >= 13 else None
        if cover:
            where = replace(where, cells8=cover)
        if q.count_incidents(s, bbox, where, cap + 1) <= cap:
            q.incident_points_geojson(s, bbox, where, cap)
        else:
            coarse.clusters(s, bbox, where, cluster_resolution(query.z), cap + 1)

    def client(i: int, stop: threading.Event) -> None:
        walk = Walk(random.Random(seed + i))
        while not stop.is_set():
            for path in walk.urls():
                t0 = time.perf_counter()
                ok = True
                try:
                    with Session(engine) as s, s.begin():
                        set_scope(s, ALL_AREAS)  # a city-wide token's unit of work
                        queries(s, path)
                except SQLAlchemyError as exc:  # counted and shown
                    ok = False
                    print(f"  SQL error: {exc!s:.200}", file=sys.stderr)
                rec.add(t0, time.perf_counter() - t0, ok)
            walk.step()

    now = time.perf_counter()
    rec.start, rec.end = now + warmup, now + warmup + seconds
    run_threads(clients, client, warmup + seconds)
    engine.dispose()
    return rec


# ----------------------------------------------------------------------------- HTTP side
def get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[int, str]:
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    resp.read()
    return resp.status, resp.getheader("X-Layer-Cache") or ""


def map_clients(
    port: int, token: str, clients: int, seed: int, rec: Record
) -> Callable[[int, threading.Event], None]:
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}

    def client(i: int, stop: threading.Event) -> None:
        walk = Walk(random.Random(seed + i))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while not stop.is_set():
            for path in walk.urls():
                t0 = time.perf_counter()
                try:
                    status, cache = get(conn, path, headers)
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    status, cache = 0, "failed"
                rec.add(t0, time.perf_counter() - t0, status == 200, cache or str(status))
            walk.step()
        conn.close()

    return client


BENCH_COMMANDER = "bench_load_commander"


def commander_account() -> tuple[str, str]:
    """(username, password) of a city-wide commander for the walls: a benchmark account,
    created once and given a fresh password each run (the benchmark cities have no users)."""
    import secrets

    from geodata.db import session_scope
    from governance.accounts import create_user, set_password
    from governance.demo_accounts import DEMO_ACCOUNTS
    from governance.errors import InvalidInput

    demo = next(a for a in DEMO_ACCOUNTS if a.username == "commander")
    password = "Bench-" + secrets.token_urlsafe(18)
    with session_scope(admin=True) as s:
        try:
            create_user(s, username=BENCH_COMMANDER, password=password, role=demo.role)
        except InvalidInput:  # made by an earlier run (nothing was written)
            set_password(s, BENCH_COMMANDER, password)
    return BENCH_COMMANDER, password


def sign_in(base: str) -> dict[str, str]:
    """Cookie and CSRF headers of a commander's session, signed in through the form."""
    from bench.live import sign_in as form_sign_in

    http_session = form_sign_in(base, *commander_account())
    cookies = "; ".join(f"{k}={v}" for k, v in http_session.cookies.items())
    return {"Cookie": cookies, "X-CSRFToken": http_session.cookies.get("_csrf_token", "")}


def refresh_body(tick: int) -> bytes:
    """The wall's 10-second refresh callback (callbacks/wall.py ``refresh``) as Dash posts it,
    with an empty fingerprint store (pages/redraw.py), so every part comes back: the most
    a refresh costs."""
    from callbacks.wall import REFRESHED
    from pages.wall_ids import WallIds

    outputs = [{"id": i, "property": "children"} for i in REFRESHED] + [
        {"id": WallIds.LOCKED, "property": "className"},
        {"id": WallIds.STATUS, "property": "data"},
        {"id": WallIds.SHOWN, "property": "data"},
    ]
    return json.dumps(
        {
            "output": ".." + "...".join(f"{o['id']}.{o['property']}" for o in outputs) + "..",
            "outputs": outputs,
            "inputs": [{"id": WallIds.INTERVAL, "property": "n_intervals", "value": tick}],
            "changedPropIds": [f"{WallIds.INTERVAL}.n_intervals"],
            "state": [{"id": WallIds.SHOWN, "property": "data", "value": None}],
        }
    ).encode()


@dataclass
class WallStats:
    streams_open: int = 0  # streams that got the stream's first line (retry:)
    busy: int = 0  # told the worker has no stream to spare (they retry)
    lock: threading.Lock = field(default_factory=threading.Lock)


def wall_clients(
    port: int, auth: dict[str, str], rec: Record, stats: WallStats, spread: float
) -> Callable[[int, threading.Event], None]:
    from pages.wall_parts import layer_urls

    bounds = [[CITY[1], CITY[0]], [CITY[3], CITY[2]]]

    def stream(stop: threading.Event) -> None:
        import requests

        opened = False
        while not stop.is_set():
            try:
                with requests.get(
                    f"http://127.0.0.1:{port}/api/v1/stream",
                    headers={"Cookie": auth["Cookie"]},
                    stream=True,
                    timeout=(30, 3 * 15.0),  # three heartbeats (web/live.py: every 15 s)
                ) as resp:
                    for line in resp.iter_lines(decode_unicode=True):
                        if line.startswith("retry:") and not opened:
                            opened = True
                            with stats.lock:
                                stats.streams_open += 1
                        elif line.startswith("data:") and '"busy"' in line:
                            with stats.lock:
                                stats.busy += 1
                        if stop.is_set():
                            break
            except (OSError, requests.RequestException):
                pass
            finally:
                if opened:
                    with stats.lock:
                        stats.streams_open -= 1
                opened = False
            stop.wait(2.0)  # the stream's retry delay (web/live.py RETRY_MS)

    def wall(i: int, stop: threading.Event) -> None:
        threading.Thread(target=stream, args=(stop,), daemon=True).start()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        stop.wait(random.Random(i).uniform(0, spread))  # screens opened at different times
        tick, minute = 0, ""
        post_headers = {**auth, "Content-Type": "application/json"}
        while not stop.is_set():
            tick += 1
            paths: list[tuple[str, str]] = [("POST", "/_dash-update-component")]
            now = datetime.now()
            if now.strftime("%H:%M") != minute:  # the wall's URLs change once a minute
                minute = now.strftime("%H:%M")
                paths += [("GET", u) for u in layer_urls(bounds, 10, now) if u]
            for method, path in paths:
                t0 = time.perf_counter()
                status = 0
                for _attempt in range(2):  # the server closed the idle keep-alive
                    try:  # connection in the 10 s: a browser reconnects and sends again
                        body = refresh_body(tick) if method == "POST" else None
                        conn.request(method, path, body=body, headers=post_headers)
                        resp = conn.getresponse()
                        resp.read()
                        status = resp.status
                        break
                    except (OSError, http.client.HTTPException):
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                rec.add(t0, time.perf_counter() - t0, status == 200, str(status))
            stop.wait(WALL_TICK)
        conn.close()

    return wall


# ----------------------------------------------------------------------------- main
def serve(url: str, cache_mb: int, workers: int, threads: int) -> tuple[Any, int]:
    port = servers.free_port()
    log = open(ROOT / ".data" / f"bench_load_{port}.log", "w")
    env = {"MINQING_LOG_LEVEL": "WARNING", "MINQING_LAYER_CACHE_MB": str(cache_mb)}
    proc = servers.spawn(port, url, log, workers=workers, threads=threads, env=env)
    servers.wait_healthy(f"http://127.0.0.1:{port}", proc, log.name)
    return proc, port


def row(label: str, s: dict[str, float]) -> None:
    print(
        f"{label:30} {s['n']:>7} {s['p50']:>8.1f} {s['p95']:>8.1f} {s['rps']:>8.1f} "
        f"{s['errors']:>6}",
        flush=True,
    )


def verdict(name: str, ok: bool) -> str:
    return f"{name}: {'met' if ok else 'NOT met'}"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--city", type=int, default=1_000_000, help="incidents of the bench city")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--walls", type=int, default=0, help="wall screens besides the map clients")
    ap.add_argument("--seconds", type=float, default=60.0, help="measured, each side")
    ap.add_argument("--warmup", type=float, default=10.0)
    ap.add_argument("--cache-mb", type=int, default=64, help="MINQING_LAYER_CACHE_MB (0: off)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=32)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument(
        "--demo",
        action="store_true",
        help="the configured database: the demo city make run loads (~200k incidents, "
        "the city issue 17 measured), not a bench city",
    )
    ap.add_argument("--smoke", action="store_true", help="configured database, a few seconds")
    args = ap.parse_args(argv)

    if args.smoke:
        args.clients, args.seconds, args.warmup = 3, 2.0, 0.5
        args.walls = min(args.walls, 2) if args.walls else 2
    if args.smoke or args.demo:
        from geodata.db import database_url

        url = database_url()  # the configured database (the test database in a test)
    else:
        from bench.seed import bench_database, suffix_for, use

        url, owner = bench_database(suffix_for(args.city))
        use(url, owner)
    from sqlalchemy import text

    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        total = s.execute(text("SELECT count(*) FROM incident")).scalar_one()
    if not total and not args.smoke:
        raise SystemExit(f"no incidents in the bench database: python bench/seed.py {args.city}")
    token = layer_token()
    load = os.getloadavg()
    print(
        f"{total:,} incidents; {args.clients} map clients (zoom {ZOOMS[0]}-{ZOOMS[1]}, density "
        f"+ incidents, 30 d){f', {args.walls} wall screens' if args.walls else ''}; layer cache "
        f"{args.cache_mb} MB; gunicorn {args.workers} x {args.threads} threads; "
        f"load average before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        flush=True,
    )
    print(f"{'':30} {'requests':>7} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'errors':>6}")
    sql = sql_side(url, args.clients, args.warmup, args.seconds, args.seed)
    row("SQL alone", sql.summary())

    proc, port = serve(url, args.cache_mb, args.workers, args.threads)
    try:
        end = Record()
        walls_rec, wstats = Record(), WallStats()
        bodies = [map_clients(port, token, args.clients, args.seed, end)]
        counts = [args.clients]
        if args.walls:
            auth = sign_in(f"http://127.0.0.1:{port}")
            spread = min(WALL_TICK, args.warmup + args.seconds / 2)
            bodies.append(wall_clients(port, auth, walls_rec, wstats, spread))
            counts.append(args.walls)
        now = time.perf_counter()
        for rec in (end, walls_rec):
            rec.start, rec.end = now + args.warmup, now + args.warmup + args.seconds

        def everyone(i: int, stop: threading.Event) -> None:
            body, j = (bodies[0], i) if i < counts[0] else (bodies[1], i - counts[0])
            body(j, stop)

        run_threads(sum(counts), everyone, args.warmup + args.seconds)
        open_at_end = wstats.streams_open
    finally:
        servers.stop(proc)
    e, q = end.summary(), sql.summary()
    row("endpoint" + (f" (+{args.walls} walls)" if args.walls else ""), e)
    if args.walls:
        row("  wall refreshes and layers", walls_rec.summary())
        print(
            f"  wall streams open at the end: {open_at_end}; told busy "
            f"{wstats.busy} times; wall answers {dict(walls_rec.outcomes)}"
        )
    hits = end.outcomes.get("hit", 0)
    print(f"  layer cache: {dict(end.outcomes)} ({hits / max(1, e['n']):.0%} hits)")
    ratio = e["p95"] / q["p95"] if q["p95"] else float("nan")
    load = os.getloadavg()
    print(f"endpoint / SQL: p95 {ratio:.2f}x, p50 {e['p50'] / q['p50']:.2f}x")
    limit = TARGET_WALLS_P95_MS if args.walls else TARGET_P95_MS
    print(
        "targets: "
        + "; ".join(
            [
                verdict(f"p95 <= {limit:.0f} ms", e["p95"] <= limit),
                verdict(f"<= {TARGET_RATIO}x SQL", ratio <= TARGET_RATIO),
                verdict("0 errors", e["errors"] == 0),
            ]
        )
    )
    print(f"load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    return {"endpoint": e, "sql": q, "ratio": ratio, "outcomes": dict(end.outcomes),
            "walls": walls_rec.summary() if args.walls else None}  # fmt: skip


if __name__ == "__main__":
    main()
