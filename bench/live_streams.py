"""Hundreds of open screens (issue 17): N concurrent live streams while maps keep working.

    python bench/live.py [--streams 500] [--changes 150] [--map-clients 50]
    python bench/live.py --smoke

Serves the app as ``app.py serve`` does (gunicorn 2 gthread workers and the stream server,
``web/streams.py``), signs in sessions of three kinds (the commander: city-wide; the
street supervisor: one street; the wall: city-wide, coarse points) and opens ``--streams``
real HTTP SSE connections to the stream server, spread evenly over them (a process of
their own: bench/sse_clients.py). Then, while ``--map-clients`` threads ask the incidents
and density layers as fast as they are answered, it makes ``--changes`` changes through
the app's API, a few per second, in turn: a transition of an incident inside the
supervisor's street, one outside it, and an intake (``POST /api/v1/incidents``). It prints

* streams connected (of those asked) and the reconnections meanwhile;
* deliveries: every in-scope change at every stream (expected = the scope rules of
  ``governance/live.py``, from each incident's grid); lost (expected, never arrived; must
  be 0) and out of scope (arrived where the scope forbids; must be 0);
* commit to client, p50 / p95 / max: from the commit (the moment a separate LISTEN
  connection of the benchmark hears the change's notification, which PostgreSQL sends at
  commit) to the event at each client; and, for comparison, from the change's HTTP answer
  (sent after the commit) and from sending its request (before the commit);
* layer requests of the map clients: p50 / p95 and requests per second, with no stream
  open and then with the streams open and the changes flowing.

The baseline (``--baseline``, on unless --smoke): the same streams against the threaded
path (``MINQING_STREAM_SERVER=0``: each stream holds a gunicorn thread, at most half a
worker's threads): how many streams it holds at once, and the map clients meanwhile.
"""

from __future__ import annotations

import argparse
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

LAYERS = (  # what an open map asks (bench/density.py's viewport around the city centre)
    "/api/v1/layers/incidents?bbox=115.33,22.76,115.37,22.79&z=15&window=30d",
    "/api/v1/layers/density?bbox=115.28,22.74,115.42,22.84&z=13&window=365d",
)
KINDS = (("commander", "city"), ("supervisor", "street"), ("wall", "city"))


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--streams", type=int, default=500, help="concurrent SSE streams")
    ap.add_argument("--changes", type=int, default=150, help="changes made during the run")
    ap.add_argument("--rate", type=float, default=5.0, help="changes per second")
    ap.add_argument("--map-clients", type=int, default=50, help="threads asking layers")
    ap.add_argument("--map-seconds", type=float, default=20.0, help="layer phase length")
    ap.add_argument("--sessions", type=int, default=4, help="sign-ins per account kind")
    ap.add_argument(
        "--baseline",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also run the threaded path (default: on, off with --smoke)",
    )


def p(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] if xs else float("nan")


# ---------------------------------------------------------------------- map clients
class MapClients:
    """``n`` threads asking the map's layers one after another until stopped."""

    def __init__(self, base: str, cookies: Any, n: int) -> None:
        self.times: list[float] = []
        self.errors = 0
        self._stop = threading.Event()
        self._threads = []
        for k in range(n):
            http = requests.Session()
            http.cookies.update(cookies)
            t = threading.Thread(target=self._run, args=(base, http, k), daemon=True)
            self._threads.append(t)

    def _run(self, base: str, http: Any, k: int) -> None:
        i = k
        while not self._stop.is_set():
            t0 = time.perf_counter()
            try:
                r = http.get(base + LAYERS[i % len(LAYERS)], timeout=30)
                ok = r.status_code == 200
            except OSError:
                ok = False
            if ok:
                self.times.append(time.perf_counter() - t0)
            else:
                self.errors += 1
            i += 1

    def run_for(self, seconds: float) -> MapClients:
        self.start()
        time.sleep(seconds)
        return self.stop()

    def start(self) -> None:
        self.started = time.perf_counter()
        for t in self._threads:
            t.start()

    def stop(self) -> MapClients:
        self._stop.set()
        for t in self._threads:
            t.join(35)
        self.seconds = time.perf_counter() - self.started
        return self

    def row(self, label: str) -> str:
        ms = [x * 1000 for x in self.times]
        return (
            f"{label:38} {p(ms, 0.5):>8.0f} {p(ms, 0.95):>8.0f} "
            f"{len(ms) / self.seconds:>8.1f} {self.errors:>7}"
        )


# ---------------------------------------------------------------------- streams
class Streams:
    """The SSE client processes (bench/sse_clients.py): ``procs`` of them, stream ``i`` in
    process ``i % procs`` with cookie ``i % len(cookies)``."""

    def __init__(self, url: str, origin: str, cookies: list[str], n: int, procs: int = 2) -> None:
        from bench import sse_clients

        ctx = multiprocessing.get_context("spawn")
        self.n, self.procs = n, max(1, min(procs, n))
        self._conns = []
        self._procs = []
        for k in range(self.procs):
            mine = [cookies[i % len(cookies)] for i in range(k, n, self.procs)]
            conn, child = ctx.Pipe()
            proc = ctx.Process(target=sse_clients.run, args=(url, origin, mine, child), daemon=True)
            proc.start()
            self._conns.append(conn)
            self._procs.append(proc)
        self._connected = [0] * self.procs

    @property
    def connected(self) -> int:
        return sum(self._connected)

    def wait_connected(self, n: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.connected < n and time.monotonic() < deadline:
            for k, conn in enumerate(self._conns):
                while conn.poll(0.05):
                    _kind, self._connected[k] = conn.recv()
        return self.connected

    def finish(self) -> tuple[list[list[tuple[int, int | None, float]]], dict[str, int]]:
        for conn in self._conns:
            conn.send("stop")
        arrivals: list[list[tuple[int, int | None, float]]] = [[] for _ in range(self.n)]
        counters: dict[str, int] = {}
        for k, conn in enumerate(self._conns):
            while True:
                msg = conn.recv()
                if msg[0] == "arrivals":
                    break
            for j, got in enumerate(msg[1]):
                arrivals[k + j * self.procs] = got
            for key, value in msg[2].items():
                counters[key] = counters.get(key, 0) + value
            self._procs[k].join(10)
        return arrivals, counters


class CommitClock:
    """When each change was committed (bench/sse_clients.py: commit_clock)."""

    def __init__(self, database_url: str) -> None:
        from bench import sse_clients

        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=sse_clients.commit_clock, args=(database_url, child), daemon=True
        )
        self.proc.start()
        assert self._conn.poll(60) and self._conn.recv() == ("ready",)

    def finish(self) -> dict[tuple[int, int | None], float]:
        self._conn.send("stop")
        _kind, commits = self._conn.recv()
        self.proc.join(10)
        out: dict[tuple[int, int | None], float] = {}
        for iid, version, at in commits:
            out.setdefault((iid, version), at)
            out.setdefault((iid, None), at)  # an intake is matched by id
        return out


@dataclass
class Change:
    kind: str
    incident: int
    version: int | None
    sent: float
    answered: float


@dataclass
class Writer:
    """Makes the changes through the app's API: transitions (commander) and intakes."""

    base: str
    http: Any
    token: str
    category: str
    inside: int
    outside: int
    versions: dict[int, int] = field(default_factory=dict)
    intake_http: requests.Session = field(default_factory=requests.Session)

    def transition(self, incident: int) -> Change:
        version = self.versions.get(incident, 1)
        action = "suspend" if version % 2 else "resume"
        sent = time.monotonic()
        r = self.http.post(
            f"{self.base}/api/v1/incidents/{incident}/transitions",
            json={"action": action, "expected_version": version, "note": "基准测试"},
            headers={"X-CSRFToken": self.http.cookies.get("_csrf_token")},
            timeout=30,
        )
        answered = time.monotonic()
        r.raise_for_status()
        self.versions[incident] = int(r.json()["version"])
        kind = "in street" if incident == self.inside else "outside"
        return Change(kind, incident, self.versions[incident], sent, answered)

    def intake(self, k: int) -> Change:
        from bench.live import post_intake

        iid, sent, answered = post_intake(
            self.intake_http, self.base, self.token, self.category, k, time.monotonic
        )
        return Change("intake", iid, None, sent, answered)

    def change(self, k: int) -> Change:
        turn = k % 3
        if turn == 0:
            return self.transition(self.inside)
        if turn == 1:
            return self.transition(self.outside)
        return self.intake(k)


def fresh_incident(street: str, inside: bool = True) -> int:
    """A new dispatched incident in (or outside) ``street`` (a code prefix; "": any grid),
    so that suspend / resume can alternate on it."""
    from sqlalchemy import text

    from geodata.db import session_scope

    op = "LIKE" if inside else "NOT LIKE"  # ``street``: the scope's code prefix
    with session_scope(admin=True) as s:
        return int(
            s.execute(
                text(f"""
            INSERT INTO incident (source, external_id, category_code, occurred_at, reported_at,
                grid_id, status, priority, description, address, geom,
                h3_6, h3_7, h3_8, h3_9, h3_10, version, lead_department_id, dispatched_at)
            SELECT 'grid', 'bench-live-' || gen_random_uuid(), category_code, now(), now(),
                   grid_id, 'dispatched', 3, '', NULL, geom, h3_6, h3_7, h3_8, h3_9, h3_10, 1,
                   (SELECT id FROM department ORDER BY id LIMIT 1), now()
            FROM incident WHERE grid_id IN (SELECT id FROM area WHERE code {op} :p)
            ORDER BY id LIMIT 1 RETURNING id"""),
                {"p": street + "%"},
            ).scalar_one()
        )


def scopes() -> dict[str, str | None]:
    """The area scope of each account kind (None: city-wide)."""
    from geodata.db import session_scope
    from governance.access import scope_prefix
    from governance.demo_accounts import demo_scopes

    with session_scope(admin=True) as s:
        areas = demo_scopes(s)
    return {
        user: (None if kind == "city" else scope_prefix(areas[kind], kind)) for user, kind in KINDS
    }


@dataclass
class Tally:
    expected: int = 0
    lost: int = 0
    leaked: int = 0
    from_answer: list[float] = field(default_factory=list)
    from_sent: list[float] = field(default_factory=list)
    from_commit: list[float] = field(default_factory=list)


def tally(
    changes: list[Change],
    arrivals: list[list[tuple[int, int | None, float]]],
    stream_scopes: list[str | None],
    commits: dict[tuple[int, int | None], float],
) -> Tally:
    """Compare what each stream received with what its scope should have received."""
    from geodata.db import session_scope
    from geodata.queries.live import changed_incidents
    from governance.live import visible

    with session_scope(admin=True) as s:
        grids = {
            i: r["grid_code"]
            for i, r in changed_incidents(s, [c.incident for c in changes]).items()
        }
    out = Tally()
    for got, scope in zip(arrivals, stream_scopes, strict=True):
        by_version: dict[tuple[int, int | None], float] = {}
        by_id: dict[int, float] = {}
        for iid, ver, at in got:
            by_version.setdefault((iid, ver), at)
            by_id.setdefault(iid, at)
        for c in changes:
            at = (
                by_id.get(c.incident)
                if c.version is None
                else by_version.get((c.incident, c.version))
            )
            if visible(scope, grids.get(c.incident)):
                out.expected += 1
                if at is None:
                    out.lost += 1
                else:
                    out.from_answer.append(max(0.0, at - c.answered))
                    out.from_sent.append(at - c.sent)
                    committed = commits.get((c.incident, c.version))
                    if committed is not None:
                        out.from_commit.append(max(0.0, at - committed))
            elif at is not None:
                out.leaked += 1
    return out


# ---------------------------------------------------------------------- the run
def _signed_in(base: str, n: int) -> dict[str, list[Any]]:
    from bench.live import sign_in

    return {user: [sign_in(base, user) for _ in range(n)] for user, _ in KINDS}


def _cookie(http: Any) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def _serve(url: str, args: argparse.Namespace, stream_server: bool) -> tuple[Any, str]:
    from bench import servers
    from bench.live import ROOT

    port = servers.free_port()
    log = open(ROOT / ".data" / f"bench_live_streams_{port}.log", "w")
    env = {"MINQING_LOG_LEVEL": "WARNING", "MINQING_STREAM_SERVER": "1" if stream_server else "0"}
    proc = servers.spawn(port, url, log, workers=args.workers, threads=args.threads, env=env)
    base = f"http://127.0.0.1:{port}"
    servers.wait_healthy(base, proc, log.name)
    return proc, base


def stream_server_pid(serve_pid: int) -> int | None:
    """The stream server started by the ``app.py serve`` process ``serve_pid``."""
    from pathlib import Path

    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == serve_pid and " streams --fd " in cmd:
            return int(entry.name)
    return None


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of ``pid`` so far (0 if unknown)."""
    import os
    from pathlib import Path

    if pid is None:
        return 0.0
    fields = (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1]).split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stream_url(base: str, http: Any) -> str:
    """Where a page opens its stream: the app's 307 says (the stream server's port)."""
    r = http.get(base + "/api/v1/stream", allow_redirects=False, timeout=10)
    assert r.status_code == 307, f"no stream server: {r.status_code}"
    return str(r.headers["Location"])


def run(args: argparse.Namespace) -> dict[str, Any]:
    """The measurement (see the module docstring); returns its figures."""
    from bench import servers
    from settings import get_settings

    if args.smoke:
        args.streams, args.changes, args.map_clients = 20, 6, 4
        args.map_seconds, args.sessions, args.rate = 1.5, 1, 10.0
        args.workers, args.threads = 1, 8
    baseline = (not args.smoke) if args.baseline is None else args.baseline
    url = get_settings().database_url
    scope_of = scopes()
    street = scope_of["supervisor"]
    assert street is not None
    from bench.live import intake_token

    token, category = intake_token()
    writer_at = (fresh_incident(street, True), fresh_incident(street, False))
    figures: dict[str, Any] = {}
    proc, base = _serve(url, args, stream_server=True)
    try:
        sessions = _signed_in(base, args.sessions)
        commander = sessions["commander"][0]
        order = [
            (user, h)
            for k in range(args.sessions)
            for user, _ in KINDS
            for h in [sessions[user][k]]
        ]
        cookies = [_cookie(h) for _, h in order]
        stream_scopes = [scope_of[order[i % len(order)][0]] for i in range(args.streams)]
        before = MapClients(base, commander.cookies, args.map_clients).run_for(args.map_seconds)
        target = _stream_url(base, commander)
        t0 = time.monotonic()
        streams = Streams(target, base, cookies, args.streams)
        connected = streams.wait_connected(args.streams, timeout=60 + args.streams * 0.2)
        connect_s = time.monotonic() - t0
        time.sleep(0.5)
        clock = CommitClock(url)
        writer = Writer(base, commander, token, category, *writer_at)
        during = MapClients(base, commander.cookies, args.map_clients)
        server_pid = stream_server_pid(proc.pid)
        cpu_before = cpu_seconds(server_pid)
        during.start()
        changes: list[Change] = []
        start = time.monotonic()
        for k in range(args.changes):
            changes.append(writer.change(k))
            time.sleep(max(0.0, start + (k + 1) / args.rate - time.monotonic()))
        rest = args.map_seconds - (time.monotonic() - start)
        time.sleep(max(2.0, rest))
        cpu = cpu_seconds(server_pid) - cpu_before
        cpu_wall = time.monotonic() - start
        changing = changes[-1].answered - changes[0].sent if changes else 0.0
        during.stop()
        arrivals, counters = streams.finish()
        result = tally(changes, arrivals, stream_scopes, clock.finish())
    finally:
        servers.stop(proc, timeout=20)
    threaded = None
    if baseline:
        threaded = _baseline(url, args, cookies_of=_cookie)
    figures.update(
        streams=args.streams,
        connected=connected,
        connect_seconds=connect_s,
        reconnects=counters["reconnects"],
        expected=result.expected,
        lost=result.lost,
        leaked=result.leaked,
        p50=p(result.from_commit, 0.5),
        p95=p(result.from_commit, 0.95),
        timed=len(result.from_commit),
        p95_from_sent=p(result.from_sent, 0.95),
        layer_p95_before=p(before.times, 0.95),
        layer_p95_during=p(during.times, 0.95),
        map_errors=before.errors + during.errors,
        stream_server_cpu=cpu,
        changes_per_second=len(changes) / changing if changing > 0 else 0.0,
        stream_server_cpu_share=cpu / cpu_wall,
    )
    _print(args, figures, result, before, during, changes, threaded)
    return figures


def _baseline(
    url: str, args: argparse.Namespace, cookies_of: Callable[[Any], str]
) -> dict[str, Any]:
    """The same streams on gunicorn's threads (the path before the stream server)."""
    from bench import servers

    proc, base = _serve(url, args, stream_server=False)
    try:
        sessions = _signed_in(base, args.sessions)
        cookies = [cookies_of(h) for hs in sessions.values() for h in hs]
        streams = Streams(base + "/api/v1/stream", base, cookies, args.streams, procs=1)
        time.sleep(min(15.0, 3 + args.streams * 0.02))
        during = MapClients(base, sessions["commander"][0].cookies, args.map_clients)
        during.run_for(args.map_seconds)
        _arrivals, counters = streams.finish()
    finally:
        servers.stop(proc, timeout=20)
    return {"most_open": counters["most_open"], "map": during}


def _print(
    args: argparse.Namespace,
    f: dict[str, Any],
    t: Tally,
    before: MapClients,
    during: MapClients,
    changes: list[Change],
    threaded: dict[str, Any] | None,
) -> None:
    kinds = {k: sum(1 for c in changes if c.kind == k) for k in ("in street", "outside", "intake")}
    print(
        f"\n{args.streams} streams (thirds: commander city-wide, supervisor one street, wall "
        f"city-wide coarse) over {args.sessions * len(KINDS)} sessions; gunicorn "
        f"{args.workers} workers x {args.threads} threads + the stream server"
    )
    print(
        f"streams connected          {f['connected']} / {args.streams} in {f['connect_seconds']:.1f} s"
        f"; reconnections meanwhile {f['reconnects']}"
    )
    print(
        f"changes                    {len(changes)} at {f['changes_per_second']:.1f}/s "
        f"(asked {args.rate:g}/s; one at a time) "
        f"(transitions in the street {kinds['in street']}, outside {kinds['outside']}, "
        f"intakes {kinds['intake']})"
    )
    print(
        f"deliveries                 expected {t.expected}, received {t.expected - t.lost}, "
        f"lost {t.lost}, out of scope {t.leaked}"
    )
    for label, xs, note in (
        ("commit to client", t.from_commit, f"({len(t.from_commit)} deliveries timed)"),
        ("answer to client", t.from_answer, "(from the change's HTTP answer)"),
        ("request to client", t.from_sent, "(from sending the change's request)"),
    ):
        ms = [x * 1000 for x in xs]
        print(
            f"{label + ' (ms)':26} p50 {p(ms, 0.5):.0f}  p95 {p(ms, 0.95):.0f}  "
            f"max {max(ms, default=float('nan')):.0f}   {note}"
        )
    print(
        f"stream server CPU          {f['stream_server_cpu']:.1f} s while the changes flowed "
        f"({f['stream_server_cpu_share'] * 100:.0f} % of one core; "
        f"{f['stream_server_cpu'] * 1000 / max(1, len(changes)):.0f} ms per change, "
        f"heartbeats and session re-checks included)"
    )
    head = f"{'layer requests, ' + str(args.map_clients) + ' map clients':38} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'errors':>7}"
    print("\n" + head + "\n" + "-" * len(head))
    print(before.row("no stream open"))
    print(during.row(f"{f['connected']} streams open, changes flowing"))
    if threaded is not None:
        print(threaded["map"].row(f"baseline: threaded path, {args.streams} asked"))
        print(
            f"\nbaseline (MINQING_STREAM_SERVER=0, streams on gunicorn threads): at most "
            f"{threaded['most_open']} of {args.streams} streams open at once; the rest told "
            f"'busy, come back later'"
        )
