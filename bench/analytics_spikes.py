"""Spike warnings benchmark: one city-wide evaluation of every street x category (the counts
in SQL, the model in NumPy/SciPy, the evidence of the flagged series) against a naive
baseline that reads every incident of the 8 weeks and the day and computes the same expected
values and p values one series at a time with pandas and Python loops.

    python bench/analytics_spikes.py [--runs 3]   # the 1M-incident database <name>_bench
    python bench/analytics_spikes.py --smoke      # one run on the configured database

The evaluation time is just after the database's latest incident. The measured part is
``governance.spikes.analyse`` plus ``evidence_of`` for the flagged series: everything
``evaluate`` does but its one INSERT and its notification (the benchmark database is shared
and stays at its own migration, so nothing is written; the integration tests cover the
write). Both sides must agree: expected counts and p values to 1e-9 relative, the same
flagged set. Target: at most 10 s per run.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from settings import get_settings  # noqa: E402

TARGET_S = 10.0


@dataclass(frozen=True)
class Result:
    """One side's answer: per (street id, category) the expected count and the p value,
    and the flagged series."""

    expected: dict[tuple[int, str], float]
    p: dict[tuple[int, str], float]
    flagged: frozenset[tuple[int, str]]
    flagged_codes: frozenset[tuple[str, str]] = frozenset()  # (street code, category)


@dataclass(frozen=True)
class Figures:
    series: int
    flagged: int
    incidents: int
    fast_s: float
    naive_s: float

    @property
    def ratio(self) -> float:
        return self.naive_s / self.fast_s


def fast(s: Any, at: datetime) -> Result:
    """What the server runs (``governance/spikes.py``), without the write."""
    import numpy as np

    from geodata.queries.spikes import streets
    from governance import spikes

    a = spikes.analyse(s, at)
    flagged = [int(k) for k in np.flatnonzero(a.tested.spike)]
    spikes.evidence_of(s, a, flagged)
    codes = {i: code for i, code, _ in streets(s)}
    return Result(
        {key: float(v) for key, v in zip(a.series, a.base.expected, strict=True)},
        {key: float(v) for key, v in zip(a.series, a.tested.p, strict=True)},
        frozenset(a.series[k] for k in flagged),
        frozenset((codes[a.series[k][0]], a.series[k][1]) for k in flagged),
    )


def _bh(p: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg q values, by hand: sorted, scaled by m / rank, made monotone
    from the largest down."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        q[i] = min(running, 1.0)
    return q


def naive(s: Any, at: datetime) -> Result:
    """The same model, one series at a time: pandas filters and Python loops."""
    import pandas as pd
    from scipy import stats

    from geodata.queries import spikes as q
    from governance import spike_stats as m
    from governance.spikes import window_slots

    win_start = at - timedelta(hours=m.WINDOW_HOURS)
    hist_start = win_start - timedelta(weeks=m.HISTORY_WEEKS)
    df = pd.DataFrame(q.raw_incidents(s, hist_start, at), columns=["street", "cat", "at"])
    df["at"] = pd.to_datetime(df["at"], utc=True)
    streets = [a for a, _, _ in q.streets(s)]
    cats = sorted(df["cat"].unique())
    hist = df[df["at"] < win_start]
    local = hist["at"].dt.tz_convert("Asia/Shanghai")
    hist = hist.assign(how=local.dt.day_of_week * 24 + local.dt.hour)
    slots = window_slots(win_start)
    share: dict[str, float] = {}
    for c in cats:
        rows = hist[hist["cat"] == c]
        counts = [int((rows["how"] == h).sum()) + 1 for h in range(m.HOURS_OF_WEEK)]
        share[c] = sum(counts[h] for h in slots) / sum(counts)
    weekly: dict[tuple[int, str], list[int]] = {}
    observed: dict[tuple[int, str], int] = {}
    for a in streets:
        for c in cats:
            rows = df[(df["street"] == a) & (df["cat"] == c)]
            observed[(a, c)] = int((rows["at"] >= win_start).sum())
            weeks = [0] * m.HISTORY_WEEKS
            for t in rows["at"][rows["at"] < win_start]:
                k = math.floor((win_start - t.to_pydatetime()).total_seconds() / 604800)
                if 0 <= k < m.HISTORY_WEEKS:
                    weeks[k] += 1
            weekly[(a, c)] = weeks
    cat_level = {
        c: statistics.mean(sum(weekly[(a, c)]) for a in streets) / m.HISTORY_WEEKS for c in cats
    }
    keys = [(a, c) for a in streets for c in cats]
    expected, p = {}, {}
    for key in keys:
        w, c = weekly[key], key[1]
        shape = m.PRIOR_WEEKS * cat_level[c] + sum(w)
        level = shape / (m.PRIOR_WEEKS + m.HISTORY_WEEKS)
        mean, var = statistics.mean(w), statistics.variance(w)
        phi = (var - mean) / mean**2 if mean > 0 and var > mean else 0.0
        inv = (1 / shape if shape > 0 else math.inf) + phi
        size = 1 / inv if inv > 0 else math.inf
        mu = level * share[c]
        obs = observed[key]
        if obs == 0:
            pv = 1.0
        elif mu <= 0:
            pv = 0.0
        elif math.isinf(size):
            pv = float(stats.poisson.sf(obs - 1, mu))
        else:
            pv = float(stats.nbinom.sf(obs - 1, size, size / (size + mu)))
        expected[key], p[key] = mu, min(max(pv, 0.0), 1.0)
    qv = _bh([p[k] for k in keys])
    flagged = frozenset(
        k
        for k, qk in zip(keys, qv, strict=True)
        if qk <= m.ALPHA and observed[k] >= m.MIN_COUNT and observed[k] >= m.MIN_RATIO * expected[k]
    )
    return Result(expected, p, flagged)


def _timed(fn: Callable[[], Result], runs: int) -> tuple[float, Result]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    assert out is not None
    return statistics.median(times), out


def _same(a: Result, b: Result) -> None:
    assert a.expected.keys() == b.expected.keys(), "different series"
    for k in a.expected:
        assert math.isclose(a.expected[k], b.expected[k], rel_tol=1e-9, abs_tol=1e-12), k
        assert math.isclose(a.p[k], b.p[k], rel_tol=1e-9, abs_tol=1e-300), (k, a.p[k], b.p[k])
    assert a.flagged == b.flagged, (sorted(a.flagged ^ b.flagged))[:10]


def measure(runs: int, baseline_runs: int, plant: int = 0) -> Figures:
    """Both sides at one instant (just after the latest incident); ``plant`` > 0 first
    moves that many old incidents into each of the demo's planted bursts (rolled back)."""
    from geodata.db import session_scope
    from geodata.demo.planted_spikes import PLANTED
    from geodata.queries import spikes as q

    with session_scope() as s:
        last = q.last_occurred(s)
        if last is None:
            raise SystemExit("no incidents in the database")
        at = last + timedelta(minutes=1)
        if plant:  # the demo's bursts, if the database was seeded before they were planted
            for b in PLANTED:
                q.move_into_burst(s, b.street_code, b.category, at, b.first, b.last, plant)
        n = len(q.raw_incidents(s, at - timedelta(hours=24, weeks=8), at))
        fast_s, mine = _timed(lambda: fast(s, at), runs)
        naive_s, theirs = _timed(lambda: naive(s, at), baseline_runs)
        s.rollback()  # the bursts moved in were for this measurement only
    _same(mine, theirs)
    if plant:
        wanted = {(b.street_code, b.category) for b in PLANTED}
        assert wanted <= mine.flagged_codes, (wanted, mine.flagged_codes)
    return Figures(len(mine.expected), len(mine.flagged), n, fast_s, naive_s)


def main(argv: list[str] | None = None) -> Figures:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline-runs", type=int, default=1)
    ap.add_argument("--smoke", action="store_true", help="one run on the configured database")
    ap.add_argument(
        "--plant",
        type=int,
        default=None,
        help="incidents moved into each of the demo's planted bursts for the measurement "
        "(rolled back); default: 60 on the benchmark database (seeded before the demo planted "
        "them), 0 in smoke mode (the test city has them)",
    )
    args = ap.parse_args(argv)
    if not args.smoke:
        from bench.seed import bench_database

        url, owner = bench_database()
        os.environ["MINQING_DATABASE_URL"] = url
        os.environ["MINQING_ADMIN_DATABASE_URL"] = owner
        get_settings.cache_clear()
    runs, baseline_runs = (1, 1) if args.smoke else (args.runs, args.baseline_runs)
    plant = args.plant if args.plant is not None else (0 if args.smoke else 60)
    f = measure(runs, baseline_runs, plant)
    print(
        f"series (street x category): {f.series:,}; incidents read by the baseline: "
        f"{f.incidents:,}; flagged: {f.flagged} (the same on both sides)"
    )
    print(f"evaluation (SQL counts + NumPy/SciPy): {f.fast_s:8.3f} s  (median of {runs})")
    print(f"naive baseline (pandas + loops):       {f.naive_s:8.3f} s  (median of {baseline_runs})")
    print(f"ratio naive / evaluation:              {f.ratio:8.1f}x")
    if not args.smoke and f.fast_s > TARGET_S:
        print(f"SLOWER than the target of {TARGET_S:.0f} s per run")
    return f


if __name__ == "__main__":
    main()
