"""Concurrent writers benchmark (issue 17): workflow transitions per second with 1, 5 and
20 writers, each a thread with a connection of its own, through the service layer the API
calls (:func:`governance.workflow.transition`: the row lock, the update, the timeline
event, the audit record and the notification, committed as one transaction).

    python bench/writers.py [--incidents 100000] [--writers 1,5,20] [--seconds 8]
    python bench/writers.py --smoke     # the configured database, 1 and 4 writers, ~1 s each

Uses (or seeds once) the database ``<name>_bench_writers`` so the development data is
untouched, and refuses to run against the application's own database. Every writer owns
its incidents (cases being handled: dispatched, accepted, in progress), so no two writers
ever wait for the same incident row: what they share is the audit trail. Each writer
suspends and resumes its cases in turn (a real pair of transitions that leaves the case
in the state it had; after an odd count the last case is resumed, untimed).

For every number of writers it prints transitions/s, the median and p95 of one
transition, the speed-up over one writer of the same run (the baseline: with N writers
and nothing shared but the audit trail, a speed-up near 1 means the writers queue), and
the share of the writers' time spent waiting for the audit chain's lock
(``pg_stat_activity`` sampled every 10 ms: ``Lock/advisory``). Then the same for the
audit append alone (a transaction that only records), the chain's own ceiling.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


APP_NAME = "minqing-bench-writer"
HANDLING = ("dispatched", "accepted", "in_progress")
PER_WRITER = 3  # incidents each writer cycles through


@dataclass
class Level:
    """What N writers did in one timed window."""

    label: str
    writers: int
    seconds: float
    done: int
    failed: int
    latencies: list[float] = field(default_factory=list)
    lock_wait_share: float = 0.0

    @property
    def per_s(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


# The application's database as the environment gave it, read before this file or the
# test suite points MINQING_DATABASE_URL at a bench or test database.
_GIVEN_URL = os.environ.get(
    "TESTS_ORIGINAL_MINQING_DATABASE_URL", os.environ.get("MINQING_DATABASE_URL", "")
)


def refuse_app_database(url: str) -> None:
    """Stop unless ``url`` names another database than the application's own (the
    embedded cluster's ``database_name``, or the database of the URL configured): the
    bench writes transitions and audit records, which must never land in real data."""
    from sqlalchemy.engine import make_url

    from settings import Settings

    app = {Settings().database_name}
    if _GIVEN_URL:
        app.add(make_url(_GIVEN_URL).database or "")
    if make_url(url).database in app:
        raise SystemExit(
            f"bench/writers.py refuses to write into the app's database {make_url(url).database!r}"
        )


def _bench_setup(incidents: int) -> str:
    """Point the settings at ``<name>_bench_writers`` (migrated, seeded once with the demo
    city and its accounts); returns its app URL."""
    from bench.seed import bench_database, use

    url, owner = bench_database("_bench_writers")
    refuse_app_database(url)
    use(url, owner)

    from geodata import demo, migrate
    from geodata.db import session_scope
    from governance.demo_accounts import seed_accounts

    migrate.upgrade(owner)
    with session_scope(admin=True) as s:
        if demo.is_empty(s):
            t0 = time.perf_counter()
            demo.seed(s, incidents=incidents, seed=42)
            seed_accounts(s)
            print(f"seeded {incidents:,} incidents in {time.perf_counter() - t0:.1f}s")
    return url


def _commander() -> Any:
    """The principal of the demo commander (city-wide; suspends and resumes cases)."""
    from geodata.db import session_scope
    from geodata.models import AppUser
    from governance.accounts import principal_of

    with session_scope(admin=True) as s:
        user = s.query(AppUser).filter_by(username="commander").one()
        return principal_of(s, user)


def _cases(n: int) -> list[tuple[int, int]]:
    """``(id, version)`` of ``n`` cases being handled (not suspended), oldest ids first."""
    from sqlalchemy import text

    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        rows = s.execute(
            text("SELECT id, version FROM incident WHERE status = ANY(:st) ORDER BY id LIMIT :n"),
            {"st": list(HANDLING), "n": n},
        ).all()
    return [(int(r[0]), int(r[1])) for r in rows]


class Writer:
    """One writer: a connection of its own and its own cases, cycling suspend/resume."""

    def __init__(self, url: str, principal: Any, cases: list[tuple[int, int]]) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker

        from geodata.db import CONNECTION_OPTIONS

        self.engine = create_engine(  # the server settings of the app's own connections
            url,
            pool_size=1,
            max_overflow=0,
            connect_args={"application_name": APP_NAME, "options": CONNECTION_OPTIONS},
        )
        self.sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.principal = principal
        self.cases = [[cid, version, False] for cid, version in cases]  # id, version, suspended
        self.turn = 0

    def transition(self) -> None:
        """The next transition of the cycle, as the API route runs it (one unit of work)."""
        from geodata.db import seal_audit, set_scope
        from governance import workflow

        case = self.cases[self.turn % len(self.cases)]
        self.turn += 1
        action = "resume" if case[2] else "suspend"
        with self.sessions() as s:
            with s.begin():
                set_scope(s, self.principal.rls_scope)
                out = workflow.transition(
                    s,
                    int(case[0]),
                    action,
                    expected_version=int(case[1]),
                    principal=self.principal,
                    note="bench/writers.py: 压测 suspend" if action == "suspend" else None,
                    client_addr="127.0.0.1",
                )
            seal_audit(s)  # as the unit of work does after its commit
        case[1], case[2] = out["version"], not case[2]

    def audit_only(self) -> None:
        """The audit append alone: a transaction that only records."""
        from geodata.db import seal_audit
        from governance import audit

        with self.sessions() as s:
            with s.begin():
                audit.record(
                    s,
                    action="data_change",
                    username=self.principal.username,
                    role=self.principal.role,
                    object_type="bench",
                    object_id=self.turn,
                    detail={"bench": "writers"},
                )
            seal_audit(s)
        self.turn += 1

    def settle(self) -> None:
        """Resume every case left suspended, so each ends in the state it started in."""
        for i, case in enumerate(self.cases):
            if case[2]:
                self.turn = i
                self.transition()

    def close(self) -> None:
        self.engine.dispose()


def _sample_waits(owner_url: str, stop: threading.Event, counts: list[int]) -> None:
    """Every 10 ms: how many bench writers are active and how many of them wait for the
    advisory lock (the audit chain's)."""
    from sqlalchemy import create_engine, text

    eng = create_engine(owner_url, pool_size=1, max_overflow=0)
    sql = text("""SELECT count(*) FILTER (WHERE state = 'active'),
                         count(*) FILTER (WHERE wait_event_type = 'Lock'
                                            AND wait_event = 'advisory')
                  FROM pg_stat_activity WHERE application_name = :app""")
    with eng.connect() as c:
        while not stop.is_set():
            active, waiting = c.execute(sql, {"app": APP_NAME}).one()
            c.rollback()
            counts[0] += int(active)
            counts[1] += int(waiting)
            time.sleep(0.01)
    eng.dispose()


def run_level(
    label: str, writers: list[Writer], op: Callable[[Writer], None], seconds: float, owner: str
) -> Level:
    """Run ``op`` in every writer's thread for ``seconds``; count what committed."""
    stop, go = threading.Event(), threading.Barrier(len(writers) + 1)
    lat: list[list[float]] = [[] for _ in writers]
    failed = [0]

    def loop(i: int, w: Writer) -> None:
        op(w)  # warm-up: connect, plans
        go.wait()
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                op(w)
            except Exception as exc:  # noqa: BLE001 - counted, and the first one shown
                failed[0] += 1
                if failed[0] == 1:
                    print(f"  a writer failed: {exc!r}", flush=True)
                continue
            lat[i].append(time.perf_counter() - t0)

    threads = [threading.Thread(target=loop, args=(i, w)) for i, w in enumerate(writers)]
    for t in threads:
        t.start()
    go.wait()
    counts = [0, 0]
    sampler = threading.Thread(target=_sample_waits, args=(owner, stop, counts))
    sampler.start()
    t0 = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    elapsed = time.perf_counter() - t0
    for t in [*threads, sampler]:
        t.join()
    all_lat = [x for xs in lat for x in xs]
    share = counts[1] / counts[0] if counts[0] else 0.0
    return Level(label, len(writers), elapsed, len(all_lat), failed[0], all_lat, share)


def report_head() -> None:
    print(
        f"{'what':26} {'writers':>7} {'per s':>8} {'median ms':>9} {'p95 ms':>7} "
        f"{'vs 1 writer':>11} {'lock wait':>9} {'failed':>6}"
    )


def report(row: Level, one: Level) -> None:
    xs = sorted(row.latencies) or [0.0]
    p95 = xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
    ratio = row.per_s / one.per_s if one.per_s else 0.0
    print(
        f"{row.label:26} {row.writers:7d} {row.per_s:8.1f} {statistics.median(xs) * 1e3:9.1f} "
        f"{p95 * 1e3:7.1f} {ratio:10.2f}x {row.lock_wait_share:8.0%} {row.failed:6d}",
        flush=True,
    )


def measure(levels: list[int], seconds: float) -> list[Level]:
    """Transitions, then the audit append alone, at every number of writers."""
    from geodata.db import admin_database_url, database_url

    url, owner = database_url(), admin_database_url()
    refuse_app_database(url)
    principal = _commander()
    top = max(levels)
    cases = _cases(top * PER_WRITER)
    per = max(1, len(cases) // top)
    if len(cases) < top:
        raise SystemExit(f"{top} writers need {top} cases being handled; found {len(cases)}")
    pool = [Writer(url, principal, cases[i * per : (i + 1) * per]) for i in range(top)]
    start = _head()
    out: list[Level] = []
    try:
        report_head()
        for label, op in (
            ("transition (suspend/resume)", Writer.transition),
            ("audit append alone", Writer.audit_only),
        ):
            first: Level | None = None
            for n in levels:
                row = run_level(label[:26], pool[:n], op, seconds, owner)
                first = first or row
                report(row, first)
                out.append(row)
    finally:
        for w in pool:
            w.settle()
            w.close()
    verify_chain(start)
    return out


def _head() -> int:
    """The id of the newest audit record (0: none)."""
    from sqlalchemy import text

    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        return int(s.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one())


def verify_chain(start: int) -> None:
    """Seal what is pending and verify the chain from the run's first record on: the
    speed must keep the chain (every record sealed, linked in id order)."""
    from geodata.db import session_scope
    from governance import audit

    with session_scope(admin=True) as s:
        result = audit.verify(s, since_id=start + 1)
    print(f"audit chain of the run: {result.reason}, {result.rows:,} records", flush=True)
    if not result.ok:
        raise SystemExit(result.message("en"))


def main(argv: list[str] | None = None) -> list[Level]:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--incidents", type=int, default=100_000, help="seed if the db is empty")
    ap.add_argument("--writers", default="1,5,20", help="numbers of concurrent writers")
    ap.add_argument("--seconds", type=float, default=8.0, help="timed window per level")
    ap.add_argument("--smoke", action="store_true", help="the configured database, briefly")
    args = ap.parse_args(argv)
    if args.smoke:
        return measure([1, 4], 1.0)
    _bench_setup(args.incidents)
    return measure([int(n) for n in args.writers.split(",")], args.seconds)


if __name__ == "__main__":
    main()
