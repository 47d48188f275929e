"""Walking-order benchmark: governance.route_order.order_stops on random patrol stops,
against the nearest-neighbour walk alone (the baseline it starts from) and, up to
EXACT_MAX stops, against the shortest walk (Held-Karp), in the same process.

    python bench/route.py [--sets 300] [--sizes 10,25,50] [--seed 1]
    python bench/route.py --smoke      # a few small sets, as tests/unit/test_bench_route.py runs it

For each box (a grid, ~2 km square, and a county, ~50 km square, around 汕尾) and each
number of stops, draws ``--sets`` random sets of stops and a worker's position in the
box (fixed seed), times each call once after a warm-up, and prints p50 / p95 of
order_stops and of the nearest-neighbour walk, the walk's length over the
nearest-neighbour walk's (mean and best), and over the shortest walk's (mean, worst, and
how often it is the shortest). No database.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from governance.route_order import (  # noqa: E402
    EXACT_MAX,
    Route,
    nearest_neighbour,
    order_stops,
    shortest_order,
)

Point = tuple[float, float]
# (name, west, south, east, north): about 2 km and 50 km square at 23°N
BOXES: tuple[tuple[str, float, float, float, float], ...] = (
    ("grid ~2 km", 115.350, 22.780, 115.3695, 22.798),
    ("county ~50 km", 115.100, 22.700, 115.5880, 23.150),
)
TARGET_P95_MS = 50.0  # for 50 stops
TARGET_STOPS = 50


@dataclass(frozen=True)
class Figures:
    """One row: a box and a number of stops (milliseconds, length ratios)."""

    box: str
    stops: int
    sets: int
    p50_ms: float
    p95_ms: float
    nn_p50_ms: float
    vs_nn_mean: float
    vs_nn_best: float
    vs_shortest_mean: float | None
    vs_shortest_worst: float | None
    shortest_share: float | None


def draw(rng: np.random.Generator, box: Sequence[float], n: int) -> tuple[Point, list[Point]]:
    """A worker's position and ``n`` stops, uniform in ``box`` (west, south, east, north)."""
    west, south, east, north = box
    xy = rng.uniform((west, south), (east, north), (n + 1, 2))
    points = [(float(x), float(y)) for x, y in xy]
    return points[0], points[1:]


def timed(fn: Callable[[], Route]) -> tuple[Route, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t0) * 1000


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def ratio(a: float, b: float) -> float:
    return a / b if b > 0 else 1.0


def measure(name: str, box: Sequence[float], n: int, sets: int, seed: list[int]) -> Figures:
    """Time and compare ``sets`` random sets of ``n`` stops in ``box``."""
    rng = np.random.default_rng(seed)
    start, stops = draw(rng, box, n)
    order_stops(start, stops), nearest_neighbour(start, stops)  # warm-up (caches, imports)
    ours, nn, vs_nn, vs_best = [], [], [], []
    for _ in range(sets):
        start, stops = draw(rng, box, n)
        route, ms = timed(functools.partial(order_stops, start, stops))
        base, nn_ms = timed(functools.partial(nearest_neighbour, start, stops))
        ours.append(ms)
        nn.append(nn_ms)
        vs_nn.append(ratio(route.length_m, base.length_m))
        if n <= EXACT_MAX:
            vs_best.append(ratio(route.length_m, shortest_order(start, stops).length_m))
    return Figures(
        box=name,
        stops=n,
        sets=sets,
        p50_ms=percentile(ours, 50),
        p95_ms=percentile(ours, 95),
        nn_p50_ms=percentile(nn, 50),
        vs_nn_mean=statistics.fmean(vs_nn),
        vs_nn_best=min(vs_nn),
        vs_shortest_mean=statistics.fmean(vs_best) if vs_best else None,
        vs_shortest_worst=max(vs_best) if vs_best else None,
        shortest_share=sum(r <= 1 + 1e-9 for r in vs_best) / len(vs_best) if vs_best else None,
    )


def report(rows: Sequence[Figures]) -> None:
    head = (
        f"{'box':14} {'stops':>5} {'sets':>5} {'order p50 / p95':>17} {'NN p50':>9}"
        f" {'vs NN mean / best':>18} {'vs shortest mean / worst / is shortest':>39}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        best = (
            f"{r.vs_shortest_mean:.3f} / {r.vs_shortest_worst:.3f} / {r.shortest_share:6.1%}"
            if r.vs_shortest_mean is not None and r.shortest_share is not None
            else "-"
        )
        print(
            f"{r.box:14} {r.stops:5d} {r.sets:5d} {r.p50_ms:7.2f} / {r.p95_ms:6.2f} ms"
            f" {r.nn_p50_ms:6.2f} ms {r.vs_nn_mean:9.3f} / {r.vs_nn_best:6.3f}"
            f" {best:>39}"
        )
    at_target = [r for r in rows if r.stops == TARGET_STOPS]
    if at_target:
        worst = max(r.p95_ms for r in at_target)
        verdict = "met" if worst <= TARGET_P95_MS else "NOT met"
        print(f"\ntarget p95 <= {TARGET_P95_MS:.0f} ms for {TARGET_STOPS} stops: {verdict}", end="")
        print(f" (worst box {worst:.2f} ms)")


def main(argv: list[str] | None = None) -> list[Figures]:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sets", type=int, default=300, help="random sets per row")
    ap.add_argument("--sizes", default="10,25,50", help="numbers of stops, comma-separated")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--smoke", action="store_true", help="5 sets of 4 and 10 stops")
    args = ap.parse_args(argv)
    sets, sizes = (
        (5, [4, 10]) if args.smoke else (args.sets, [int(s) for s in args.sizes.split(",")])
    )
    print(
        f"walking order, governance/route_order.py: {sets} random sets per row, seed"
        f" {args.seed}; times per call, after a warm-up; lengths as ratios (lower is better)\n"
    )
    rows = [
        measure(name, box, n, sets, [args.seed, i, n])
        for i, (name, *box) in enumerate(BOXES)
        for n in sizes
    ]
    report(rows)
    return rows


if __name__ == "__main__":
    main()
