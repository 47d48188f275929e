"""Scale benchmark: what users look at, on the 1M and the 10M city, side by side.

    python bench/scale.py --incidents 10000000 [--base 1000000] [--runs 10]
    python bench/scale.py --smoke      # the configured database, one run each (a test)
    python bench/scale.py --only density,incidents,areas   # the map layers only

Seeds (or resumes seeding, ``bench/seed.py``) both benchmark databases, gives each the
demo accounts, then measures in this one process, first on the base city and then on the
large one, as the app serves them:

* the map layers through the Flask app in-process (a city-wide ``layers:read`` token):
  density city-wide over 365 and 30 days, one county over 30 days; incidents city-wide
  and one street over 30 days; the areas layer;
* the wall's snapshot and the dispatch board as the commander sees them; the weekly
  packet and the monthly scorecards (departments and grids) as the commander asks for
  them; the city's daily briefing (figures and map, then the PDF);

and prints p50 / p95 per row for each city and the ratio of the p95s, against the
issue's targets (layers over windows up to 30 days <= 1.5x, density over 365 days <= 3x,
screens <= 2x, the briefing under 5 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CITY = "114.9,22.5,116.3,23.7"
STREET = "115.33,22.76,115.37,22.79"


@dataclass(frozen=True)
class Probe:
    """One thing a user looks at: its label, the target ratio of p95s (large / base) and
    an absolute bound in seconds if the issue sets one; ``kept``: it shows a closed
    period, whose figures its first request computes and keeps (``geodata/queries/kept.py``)."""

    label: str
    ratio: float
    bound_s: float | None
    call: Callable[[], None]
    kept: bool = False


@dataclass(frozen=True)
class Timing:
    p50: float
    p95: float
    first: float  # the first request (for a kept probe: computes and keeps the figures)


def _p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def timed(fn: Callable[[], None], runs: int) -> Timing:
    t0 = time.perf_counter()
    fn()  # warm-up: plans, caches, first imports; a closed period's figures kept
    first = time.perf_counter() - t0
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return Timing(statistics.median(out), _p95(out), first)


def _forget_kept() -> int:
    """Remove every kept period figure, so each kept probe's first request computes them
    as the first user (or the morning export) of a closed period does."""
    from sqlalchemy import text

    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        return int(s.execute(text("DELETE FROM kept_figure")).rowcount or 0)  # type: ignore[attr-defined]


def _accounts() -> None:
    """The demo accounts, once (the benchmark cities are seeded without them)."""
    from sqlalchemy import text

    from geodata.db import session_scope
    from governance.demo_accounts import seed_accounts

    with session_scope(admin=True) as s:
        # (another benchmark may have made accounts of its own here: look for the demo's)
        if not s.execute(
            text("SELECT EXISTS (SELECT 1 FROM app_user WHERE username = 'commander')")
        ).scalar_one():
            seed_accounts(s)


def _principal(username: str) -> Any:
    from sqlalchemy import select

    from geodata.db import session_scope
    from geodata.models import AppUser
    from governance.accounts import principal_of

    with session_scope(admin=True) as s:
        user = s.execute(select(AppUser).where(AppUser.username == username)).scalar_one()
        return principal_of(s, user)


def _county_bbox() -> str:
    from sqlalchemy import text

    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        row = s.execute(
            text("""
            SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (
              SELECT (SELECT ST_Envelope(d.geom)::box2d FROM ST_Dump(geom) d
                      ORDER BY ST_Area(d.geom) DESC LIMIT 1) AS b
              FROM area WHERE level = 'county' ORDER BY code LIMIT 1) x""")
        ).one()
    return ",".join(f"{v:.4f}" for v in row)


def probes(fmt: str = "pdf") -> list[Probe]:
    """Every measured request, on the database the settings point at now (the briefing
    printed as ``fmt``: the smoke mode takes HTML, without Chromium)."""
    from app import server
    from bench import seed as bench_seed
    from bench.density import layer_token
    from briefings.render import render
    from governance import briefings, consult, dispatch_board, evaluation, wall
    from governance.briefing_period import period_for
    from governance.filters import LOCAL_TZ
    from governance.uow import unit_of_work

    _accounts()
    commander = _principal("commander")
    client = server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {layer_token()}"
    county = _county_bbox()

    def layer(name: str, bbox: str, z: int, extra: str = "") -> Callable[[], None]:
        def call() -> None:
            r = client.get(
                f"/api/v1/layers/{name}?bbox={bbox}&z={z}{extra}",
                headers={"Accept-Encoding": "gzip"},
            )
            if r.status_code != 200:
                raise RuntimeError(f"{name}: {r.status_code} {r.data[:200]!r}")

        return call

    def screen(fn: Callable[[Any], object]) -> Callable[[], None]:
        def call() -> None:
            with unit_of_work(commander) as s:
                fn(s)

        return call

    with unit_of_work(commander) as s:
        at = bench_seed.measured_instant(s)  # the screens' "now" (None: real time)
    day = (at or datetime.now(LOCAL_TZ)).date()
    period = period_for("daily", day - timedelta(days=1))

    def briefing() -> None:
        with unit_of_work(commander) as s:
            b = briefings.build(s, None, period)
        render(b, fmt)

    return [
        Probe("density city 365 d z9", 3.0, None, layer("density", CITY, 9, "&window=365d")),
        Probe("density city 30 d z9", 1.5, None, layer("density", CITY, 9, "&window=30d")),
        Probe("density county 30 d z11", 1.5, None, layer("density", county, 11, "&window=30d")),
        Probe("incidents city 30 d z9", 1.5, None, layer("incidents", CITY, 9, "&window=30d")),
        Probe(
            "incidents street 30 d z15", 1.5, None, layer("incidents", STREET, 15, "&window=30d")
        ),
        Probe("areas city z9", 1.5, None, layer("areas", CITY, 9)),
        Probe("wall snapshot", 2.0, None, screen(lambda s: wall.snapshot(s, commander, now=at))),
        Probe(
            "dispatch board",
            2.0,
            None,
            screen(lambda s: dispatch_board.board(s, commander, now=at)),
        ),
        Probe(
            "weekly packet", 2.0, None, screen(lambda s: consult.weekly(s, commander)), kept=True
        ),
        Probe(
            "scorecards departments",
            2.0,
            None,
            screen(lambda s: evaluation.monthly(s, commander, None, "department")),
            kept=True,
        ),
        Probe(
            "scorecards grids",
            2.0,
            None,
            screen(lambda s: evaluation.monthly(s, commander, None, "grid")),
            kept=True,
        ),
        Probe(f"daily briefing ({fmt})", 2.0, 5.0, briefing, kept=True),
    ]


def _total() -> int:
    from sqlalchemy import text

    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        return int(s.execute(text("SELECT count(*) FROM incident")).scalar_one())


def measure(
    runs: int, fmt: str = "pdf", only: tuple[str, ...] = ()
) -> tuple[int, dict[str, Timing], list[Probe]]:
    """(incidents, label -> timing, probes) on the database the settings point at;
    ``only``: the probes whose label starts with one of these words."""
    ps = [p for p in probes(fmt) if not only or p.label.split()[0] in only]
    total = _total()
    _forget_kept()
    out = {}
    for p in ps:
        out[p.label] = timed(p.call, runs)
        print(f"  {p.label:28} p50 {out[p.label].p50 * 1000:8.1f} ms", flush=True)
    return total, out, ps


def report(ps: list[Probe], sizes: list[tuple[int, dict[str, Timing]]]) -> list[bool]:
    """The table: p50/p95 per city, the ratio of p95s and whether the target holds."""
    head = f"{'request':28}" + "".join(f" {f'{n:,} p50/p95 ms':>24}" for n, _ in sizes)
    if len(sizes) == 2:
        head += f" {'p95 ratio':>9} {'target':>7}  ok"
    print("\n" + head)
    print("-" * len(head))
    oks = []
    for p in ps:
        line = f"{p.label:28}"
        for _, t in sizes:
            line += f" {t[p.label].p50 * 1000:>11.1f}/{t[p.label].p95 * 1000:<12.1f}"
        if len(sizes) == 2:
            base, big = sizes[0][1][p.label], sizes[1][1][p.label]
            ratio = big.p95 / base.p95
            ok = ratio <= p.ratio and (p.bound_s is None or big.p95 <= p.bound_s)
            oks.append(ok)
            bound = f" and < {p.bound_s:g} s" if p.bound_s else ""
            line += f" {ratio:>8.2f}x {p.ratio:>6.1f}x{bound}  {'ok' if ok else 'MISSED'}"
        print(line)
    kept = [p for p in ps if p.kept]
    if kept:
        print(
            "\nfirst request of a closed period (counts its figures and keeps them; the "
            "morning export or the period's first reader pays it once), ms"
        )
        for p in kept:
            print(f"{p.label:28}" + "".join(f" {t[p.label].first * 1000:>24.1f}" for _, t in sizes))
    return oks


def main(argv: list[str] | None = None) -> None:
    # what it costs to compute each answer: the layer cache (bench/load.py measures it)
    # would answer the repeated requests from memory
    os.environ["MINQING_LAYER_CACHE_MB"] = "0"
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--incidents", type=int, default=10_000_000)
    ap.add_argument("--base", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--smoke", action="store_true", help="the configured database, once")
    ap.add_argument(
        "--only",
        default="",
        help="comma-separated first words of the rows to measure (e.g. density,incidents,areas)",
    )
    args = ap.parse_args(argv)
    if args.smoke:
        total, t, ps = measure(1, "html")
        report(ps, [(total, t)])
        return

    from bench import seed

    sizes = []
    measured: list[Probe] = []
    for n in (args.base, args.incidents):
        seed.seed(n)
        print(f"\n{n:,} incidents ({seed.suffix_for(n)}), runs: {args.runs}", flush=True)
        total, t, measured = measure(args.runs, only=tuple(filter(None, args.only.split(","))))
        sizes.append((total, t))
    print(f"\n{datetime.now():%Y-%m-%d %H:%M}, this machine; times in ms")
    report(measured, sizes)


if __name__ == "__main__":
    main()
