"""Time playback benchmark: one frame from the service vs a naive pandas baseline.

    python bench/analytics_playback.py [--incidents 1000000] [--hour-frames 400]
    python bench/analytics_playback.py --smoke     # a week of the configured database

Uses (or seeds up to ``--incidents``) the benchmark database ``<name>_bench`` of
bench/density.py. For the city (zoom 9, H3 res 6) and one county (its mainland bbox and
``area``, zoom 11, res 8), stepped by the day (every frame of the last 365 days) and by
the hour (``--hour-frames`` frames spread evenly over the year), it times
:func:`governance.playback.render_frame` per frame (validation, both SQL queries, JSON,
in its own unit of work as a request does) and prints median and p95 against the
target of 100 ms.

The naive baseline is what a client-side replay would do without the stored H3 columns'
indexed ``GROUP BY`` per frame: load the period's points (time and cell) into pandas,
then count each frame in Python loops. Its first frame is ready only after the whole
load and loop; the ratio printed is that time to the first frame over the service's
median frame, and the whole replay both ways. Every measured frame's counts are checked
equal to the baseline's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


CITY = "114.9,22.5,116.3,23.7"
TARGET_MS = 100.0


@dataclass(frozen=True)
class View:
    label: str
    bbox: str
    z: int
    area: str | None


@dataclass(frozen=True)
class Row:
    """One view x step: the service's frame times and the baseline's."""

    label: str
    step: str
    frames: int
    median_ms: float
    p95_ms: float
    service_total_s: float
    baseline_first_s: float
    baseline_total_s: float
    equal: bool
    incidents: int

    @property
    def ratio(self) -> float:
        return self.baseline_first_s * 1000 / max(self.median_ms, 1e-9)


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def commander() -> Any:
    """A city-wide commander (the widest scope and every layer), as a request has one."""
    from governance.access import Principal

    return Principal(user_id=0, username="bench", display_name="bench", role="commander")


def service_frames(view: View, first: date, last: date, step: str, frames: list[int]) -> tuple[
    list[float], dict[int, Counter[int]]
]:  # fmt: skip
    """Each frame through the service in its own unit of work: times (s) and counts."""
    import json

    from governance.playback import render_frame
    from governance.uow import unit_of_work

    who = commander()
    args = {"bbox": view.bbox, "z": str(view.z), "start": first.isoformat(),
            "end": last.isoformat(), "step": step}  # fmt: skip
    if view.area:
        args["area"] = view.area
    times: list[float] = []
    counts: dict[int, Counter[int]] = {}
    for n in frames:
        t0 = time.perf_counter()
        with unit_of_work(who) as s:
            body = render_frame(s, {**args, "frame": str(n)}, who).body
        times.append(time.perf_counter() - t0)
        feats = json.loads(body)["density"]["features"]
        counts[n] = Counter(
            {int(f["properties"]["cell"], 16): f["properties"]["count"] for f in feats}
        )
    return times, counts


def baseline(
    view: View, first: date, last: date, step: str
) -> tuple[float, dict[int, Counter[int]], int]:
    """The naive replay: the period's points into pandas, then frames counted in Python
    loops. Returns (seconds until every frame is counted, counts per frame, points)."""
    import pandas as pd

    from geodata.hexagons import resolution_for_zoom
    from geodata.queries.playback import period_points
    from governance.playback import period
    from governance.uow import unit_of_work

    per = period(first, last, step)
    lo = per.start
    hi = per.bounds(per.frames - 1)[1]
    bbox = [float(v) for v in view.bbox.split(",")]
    t0 = time.perf_counter()
    with unit_of_work(commander()) as s:
        rows = period_points(s, bbox, lo, hi, view.area, resolution_for_zoom(view.z))
    df = pd.DataFrame(rows, columns=["at", "cell"])
    width = 3600.0 if step == "hour" else 86400.0
    counts: dict[int, Counter[int]] = defaultdict(Counter)
    for at, cell in zip(df["at"], df["cell"], strict=True):
        counts[int((at - lo).total_seconds() // width)][int(cell)] += 1
    return time.perf_counter() - t0, counts, len(df)


def measure(view: View, first: date, last: date, step: str, sample: int | None) -> Row:
    from governance.playback import period

    total = period(first, last, step).frames
    every = max(1, total // sample) if sample else 1
    frames = list(range(0, total, every))
    times, got = service_frames(view, first, last, step, frames[:1])  # warm-up (plans)
    times, got = service_frames(view, first, last, step, frames)
    naive_s, expected, points = baseline(view, first, last, step)
    equal = all(got[n] == expected.get(n, Counter()) for n in frames)
    ms = [t * 1000 for t in times]
    return Row(view.label, step, len(frames), statistics.median(ms), p95(ms),
               sum(times) * total / len(frames), naive_s, naive_s, equal, points)  # fmt: skip


def report(rows: list[Row]) -> None:
    head = (
        f"{'view':28} {'step':5} {'frames':>6} {'points':>9} {'frame p50/p95 ms':>17} "
        f"{'replay s':>9} {'naive s':>8} {'naive/frame':>12} {'equal':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        ok = "ok" if r.median_ms <= TARGET_MS else "SLOW"
        print(
            f"{r.label:28} {r.step:5} {r.frames:>6} {r.incidents:>9,} "
            f"{r.median_ms:>7.1f}/{r.p95_ms:<7.1f}{ok:>3} {r.service_total_s:>9.1f} "
            f"{r.baseline_first_s:>8.2f} {r.ratio:>11.0f}x {'yes' if r.equal else 'NO':>6}",
            flush=True,
        )
    print(
        f"\nframe = governance.playback.render_frame per frame (target <= {TARGET_MS:.0f} ms); "
        "replay s = all frames of the period at that rate;\nnaive s = pandas load of the "
        "period + Python loop, the time before its first frame; naive/frame = naive s over "
        "the median frame."
    )


def county_view() -> View:
    from sqlalchemy import text

    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        name, code, *box = s.execute(
            text("""
            SELECT name, left(code, 6), ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (
              SELECT name, code, (SELECT ST_Envelope(d.geom)::box2d FROM ST_Dump(geom) d
                                  ORDER BY ST_Area(d.geom) DESC LIMIT 1) AS b
              FROM area WHERE level = 'county' ORDER BY code LIMIT 1) x""")
        ).one()
    return View(f"county {name}", ",".join(f"{v:.4f}" for v in box), 11, code)


def run(first: date, last: date, hour_frames: int | None) -> list[Row]:
    views = [View("city-wide", CITY, 9, None), county_view()]
    rows = []
    for view in views:
        rows.append(measure(view, first, last, "day", None))
        rows.append(measure(view, first, last, "hour", hour_frames))
    report(rows)
    return rows


def seed_bench(incidents: int) -> None:
    """Point the settings at the benchmark database, seeded to ``incidents``, analysed."""
    from sqlalchemy import text

    from bench.density import seeded_bench_database
    from geodata.db import session_scope

    seeded_bench_database(incidents)
    with session_scope(admin=True) as s:
        s.execute(text("ANALYZE incident"))


def main(argv: list[str] | None = None) -> list[Row]:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--hour-frames", type=int, default=400, help="hour frames sampled")
    ap.add_argument("--smoke", action="store_true", help="a week of the configured database")
    args = ap.parse_args(argv)
    from governance.filters import LOCAL_TZ

    today = datetime.now(LOCAL_TZ).date()
    if args.smoke:
        return run(today - timedelta(days=6), today, None)
    seed_bench(args.incidents)
    from sqlalchemy import text

    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        total = s.execute(text("SELECT count(*) FROM incident")).scalar_one()
    print(f"incidents in database: {total:,}; period: the last 365 days\n")
    return run(today - timedelta(days=364), today, args.hour_frames)


if __name__ == "__main__":
    main()
