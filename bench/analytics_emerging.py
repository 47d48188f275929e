"""Emerging hot-spot benchmark: governance/emerging.analyse (SQL weekly counts, Gi* with
conditional permutations over all bins at once, vectorised Mann-Kendall, ESRI's
categories) against a naive baseline computing the same numbers with pandas and Python
loops (Gi* per cell per bin, Mann-Kendall per cell, the categories by ``if``s).

    python bench/analytics_emerging.py [--weeks 52] [--permutations 99]
    python bench/analytics_emerging.py --smoke     # a few weeks on the configured database

The full run reads the 1M-incident benchmark database ``<name>_bench`` (bench/density.py
seeds it) and writes nothing: it times the analysis, not the storing. Both sides use the
same permutation draws (same seed, same order of draws), so their categories must agree
cell for cell; the benchmark checks it. Target: the analysis of the whole city over 52
weeks with 99 permutations in 60 s or less.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from settings import get_settings  # noqa: E402

TARGET_S = 60.0


@dataclass(frozen=True)
class Figures:
    """One run: sizes, times and whether both sides agree."""

    cells: int
    weeks: int
    permutations: int
    incidents: int
    fast_s: float
    naive_s: float
    same: bool

    @property
    def ratio(self) -> float:
        return self.naive_s / self.fast_s if self.fast_s > 0 else float("inf")


# ----------------------------------------------------------------------------- the baseline
def naive(s, weeks: int, permutations: int, now: datetime) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """The same analysis the slow way: pandas for the counts, then loops."""
    import pandas as pd
    from h3.api import basic_int
    from scipy import stats
    from sqlalchemy import text

    from governance.emerging import period
    from governance.emerging_stats import ALPHA, SHARE

    start, end = period(weeks, now)
    df = pd.read_sql(
        text(
            "SELECT i.h3_8 AS cell, i.occurred_at FROM incident i JOIN area g ON g.id = i.grid_id "
            "WHERE i.occurred_at >= :a AND i.occurred_at < :b AND i.status <> 'merged'"
        ),
        s.connection(),
        params={"a": start, "b": end},
    )
    if df.empty:
        return {}
    local = pd.to_datetime(df["occurred_at"], utc=True)
    df["week"] = ((local - pd.Timestamp(start)).dt.total_seconds() // (7 * 86400)).astype(int)
    table = df.groupby(["cell", "week"]).size().unstack(fill_value=0)
    table = table.reindex(columns=range(weeks), fill_value=0).sort_index()
    cells = [int(c) for c in table.index]
    y = table.to_numpy()
    n = len(cells)
    where = {c: k for k, c in enumerate(cells)}
    nbrs = [
        [where[r] for r in sorted(basic_int.grid_disk(c, 1)) if r != c and r in where]
        for c in cells
    ]
    nbrs = [sorted(x) for x in nbrs]
    seed = int(start.strftime("%Y%m%d"))
    rng = np.random.default_rng(seed)
    max_k = min(max((len(x) for x in nbrs), default=0), n - 1)
    draws = [rng.choice(n - 1, size=max_k, replace=False) for _ in range(permutations)]
    draws_arr = np.array(draws).reshape(permutations, max_k)
    hot = np.zeros((n, weeks), dtype=bool)
    cold = np.zeros((n, weeks), dtype=bool)
    z = np.zeros((n, weeks))
    for b in range(weeks):
        col = y[:, b].astype(float)
        total = col.sum()
        mean = total / n
        var = (col * col).sum() / n - mean * mean
        if total <= 0 or var <= 1e-12 or n < 2:
            continue
        for i in range(n):
            k = len(nbrs[i]) + 1
            lag = col[i] + sum(col[j] for j in nbrs[i])
            z[i, b] = (lag - k * mean) / np.sqrt(k * (n - k) / (n - 1) * var)
            if permutations:
                ids = draws_arr[:, : len(nbrs[i])]
                ids = np.where(ids >= i, ids + 1, ids)
                sims = col[i] + col[ids].sum(axis=1)
                larger = int((sims >= lag).sum())
                smaller = int((sims <= lag).sum())
                p = (min(larger, smaller) + 1) / (permutations + 1)
                upper = larger <= smaller
            else:
                p = 2 * stats.norm.sf(abs(z[i, b]))
                upper = z[i, b] > 0
            if p < ALPHA:
                hot[i, b] = upper and z[i, b] > 0
                cold[i, b] = (not upper) and z[i, b] < 0
    out = {}
    for i, c in enumerate(cells):
        tz, tp = _mk(z[i].tolist())
        out[c] = _category(hot[i].tolist(), cold[i].tolist(), tz, tp, ALPHA, SHARE)
    return out


def _mk(x: list[float]) -> tuple[float, float]:
    """Mann-Kendall by the textbook: S over all pairs, tie-corrected variance."""
    from scipy import stats

    t = len(x)
    s = 0
    for i in range(t - 1):
        for j in range(i + 1, t):
            s += (x[j] > x[i]) - (x[j] < x[i])
    groups: dict[float, int] = {}
    for v in x:
        groups[v] = groups.get(v, 0) + 1
    var = (t * (t - 1) * (2 * t + 5) - sum(g * (g - 1) * (2 * g + 5) for g in groups.values())) / 18
    if var <= 0 or s == 0:
        return 0.0, 1.0
    zz = (s - 1) / var**0.5 if s > 0 else (s + 1) / var**0.5
    return zz, 2 * stats.norm.sf(abs(zz))


def _category(
    hot: list[bool], cold: list[bool], tz: float, tp: float, alpha: float, share: float
) -> str:
    """ESRI's rules, one cell at a time (hot side, then cold, the final bin deciding)."""

    def side(sig: list[bool], other: list[bool], rising: float, kind: str) -> str | None:
        t = len(sig)
        count = sum(sig)
        final = sig[-1]
        run = 0
        for v in reversed(sig):
            if not v:
                break
            run += 1
        trend = tp < alpha
        if count >= share * t:
            if not final:
                return f"historical_{kind}"
            if trend and rising > 0:
                return f"intensifying_{kind}"
            if trend and rising < 0:
                return f"diminishing_{kind}"
            return f"persistent_{kind}"
        if not final:
            return None
        if any(other):
            return f"oscillating_{kind}"
        if count == 1:
            return f"new_{kind}"
        if run >= 2 and count == run:
            return f"consecutive_{kind}"
        return f"sporadic_{kind}"

    h = side(hot, cold, tz, "hot")
    c = side(cold, hot, -tz, "cold")
    if h and c:
        return c if cold[-1] else h
    return h or c or "none"


# ----------------------------------------------------------------------------- the run
def run(weeks: int, permutations: int, now: datetime) -> Figures:
    from geodata.db import ALL_AREAS, session_scope
    from governance.emerging import analyse

    with session_scope(scope=ALL_AREAS) as s:
        t0 = time.perf_counter()
        run_, cells = analyse(s, "", weeks, permutations, now)
        fast = time.perf_counter() - t0
        t0 = time.perf_counter()
        slow = naive(s, weeks, permutations, now)
        slow_s = time.perf_counter() - t0
        s.rollback()
    ours = {c["h3_8"]: c["category"] for c in cells}
    return Figures(
        cells=len(ours),
        weeks=weeks,
        permutations=permutations,
        incidents=run_["incidents"],
        fast_s=fast,
        naive_s=slow_s,
        same=ours == slow,
    )


def report(f: Figures) -> None:
    print(
        f"emerging hot spots: {f.cells:,} H3 res-8 cells x {f.weeks} weeks, "
        f"{f.permutations} permutations, {f.incidents:,} incidents"
    )
    print(f"  governance/emerging.analyse (SQL + numpy/scipy) {f.fast_s:8.2f} s")
    print(f"  naive baseline (pandas + Python loops)          {f.naive_s:8.2f} s")
    print(f"  ratio naive / ours                              {f.ratio:8.1f} x")
    print(f"  same category for every cell: {'yes' if f.same else 'NO'}")
    if f.permutations >= 99 and f.weeks >= 52:
        verdict = "met" if f.fast_s <= TARGET_S else "MISSED"
        print(f"  target <= {TARGET_S:.0f} s: {verdict}")


def main(argv: list[str] | None = None) -> Figures:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--permutations", type=int, default=99)
    ap.add_argument("--smoke", action="store_true", help="12 weeks, 19 permutations, this DB")
    ap.add_argument("--now", default=None, help="ISO date: analyse the weeks before it")
    args = ap.parse_args(argv)
    from governance.filters import LOCAL_TZ

    now = datetime.now(LOCAL_TZ)
    if args.now:
        now = datetime.fromisoformat(args.now).replace(tzinfo=LOCAL_TZ)
    if args.smoke:
        figures = run(12, 19, now)
    else:
        from bench.seed import bench_database

        url, owner = bench_database()
        os.environ["MINQING_DATABASE_URL"] = url
        os.environ["MINQING_ADMIN_DATABASE_URL"] = owner
        get_settings.cache_clear()
        figures = run(args.weeks, args.permutations, now + timedelta(0))
    report(figures)
    return figures


if __name__ == "__main__":
    main()
