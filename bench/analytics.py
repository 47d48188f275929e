"""Analytics benchmark (issue 16): each analysis against a naive baseline computing the
same numbers, in one run: the reverse cross-check (逆向倒查, here), then emerging hot spots,
spike warnings and playback frames (``bench/analytics_*.py``, each also runnable alone).

    python bench/analytics.py              # the 1M-incident benchmark database
    python bench/analytics.py --smoke      # the configured database, small, 1 run

Uses the database ``<name>_bench`` that ``bench/density.py`` seeds (1,000,000 incidents;
run that first) so the development data is untouched; nothing is written.

**Cross-check**, the whole city over 90 days (target: <= 5 s): the use case as a
commander runs it (``governance.crosscheck.crosscheck``: counts per H3 cell x category
and per grid x category in SQL, for the period and the previous one, the padding
counts, the exact binomial tests and Benjamini-Hochberg in NumPy/SciPy) against the
naive way: read every incident of the two periods into pandas, count in Python loops,
one ``scipy.stats.binom.cdf`` call per place and a hand-written Benjamini-Hochberg. Both
must flag the same places.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from settings import get_settings  # noqa: E402

TARGET_S = 5.0


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    out, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        out.append(time.perf_counter() - t0)
    return out, result


def naive_crosscheck(engine: Any, start: Any, end: Any) -> set[tuple[str, str]]:
    """Grid x category blind spots the slow way: every row into pandas, Python loops."""
    import pandas as pd
    from scipy import stats

    from geodata.queries.crosscheck import OWN, RESIDENTS
    from governance.crosscheck_stats import ALPHA, MIN_EXTERNAL

    frames = []
    for a, b in ((start - (end - start), start), (start, end)):
        frames.append(
            pd.read_sql_query(
                "SELECT g.code, i.h3_8, i.category_code, i.source, i.status FROM incident i "
                "JOIN area g ON g.id = i.grid_id WHERE i.occurred_at >= %(a)s "
                "AND i.occurred_at < %(b)s",
                engine,
                params={"a": a, "b": b},
            )
        )
    found: set[tuple[str, str]] = set()
    for df in frames:  # the previous period is computed too, as the service does
        for key in ("code", "h3_8"):
            own: dict[tuple, int] = defaultdict(int)
            ext: dict[tuple, int] = defaultdict(int)
            for place, cat, src, status in zip(
                df[key], df["category_code"], df["source"], df["status"], strict=True
            ):
                if status == "merged":
                    continue
                if src in OWN:
                    own[(place, cat)] += 1
                elif src in RESIDENTS:
                    ext[(place, cat)] += 1
            places = sorted(set(own) | set(ext))
            cat_own: dict[str, int] = defaultdict(int)
            cat_all: dict[str, int] = defaultdict(int)
            for p in places:
                cat_own[p[1]] += own[p]
                cat_all[p[1]] += own[p] + ext[p]
            tested = []
            for p in places:
                share = cat_own[p[1]] / cat_all[p[1]]
                if ext[p] >= MIN_EXTERNAL and share > 0:
                    n = own[p] + ext[p]
                    tested.append((float(stats.binom.cdf(own[p], n, share)), p))
            tested.sort()
            m, q_prev = len(tested), 1.0
            qs = [0.0] * m
            for i in range(m - 1, -1, -1):  # Benjamini-Hochberg, by hand
                q_prev = min(q_prev, tested[i][0] * m / (i + 1))
                qs[i] = q_prev
            if df is frames[-1] and key == "code":
                found = {
                    (str(p[0]), p[1]) for (_, p), q in zip(tested, qs, strict=True) if q <= ALPHA
                }
    return found


@dataclass(frozen=True)
class Figures:
    """The cross-check's run: sizes, times and whether both sides agree."""

    incidents: int
    blind: int
    service_s: float
    naive_s: float
    same: bool


def crosscheck_figures(smoke: bool, runs: int) -> Figures:
    """Time the cross-check and its baseline; print them side by side."""
    if not smoke:
        from bench.seed import bench_database

        url, owner = bench_database()
        os.environ["MINQING_DATABASE_URL"] = url
        os.environ["MINQING_ADMIN_DATABASE_URL"] = owner
        get_settings.cache_clear()

    from sqlalchemy import text

    from geodata.db import get_admin_engine, session_scope
    from governance.access import Principal
    from governance.crosscheck import crosscheck
    from governance.uow import unit_of_work

    window, runs = ("365d", 1) if smoke else ("90d", runs)  # smoke: the planted spots show
    with session_scope(admin=True) as s:
        total = s.execute(text("SELECT count(*) FROM incident")).scalar_one()
    # a city-wide commander as the app builds one (the benchmark database has no accounts)
    who = Principal(user_id=0, username="bench", display_name="bench", role="commander")

    def service() -> dict:
        with unit_of_work(who) as s:
            return crosscheck(s, who, window=window)

    times, out = timed(service, runs)
    from datetime import datetime

    start = datetime.fromisoformat(out["period"]["start"])
    end = datetime.fromisoformat(out["period"]["end"])
    engine = get_admin_engine()
    naive_times, naive = timed(lambda: naive_crosscheck(engine, start, end), 1)
    mine = {(f["place"], f["category"]) for f in out["grids"]}
    same = mine == naive
    p50 = statistics.median(times)
    print(f"incidents in database: {total:,}; cross-check, whole city, {window}, runs: {runs}")
    print(f"{'':28} {'p50 s':>8} {'max s':>8} {'blind grids':>12}")
    print(f"{'crosscheck (service)':28} {p50:>8.2f} {max(times):>8.2f} {len(mine):>12}")
    print(f"{'naive (pandas + loops)':28} {naive_times[0]:>8.2f} {'':>8} {len(naive):>12}")
    print(
        f"naive/service: {naive_times[0] / p50:.1f}x; target <= {TARGET_S:.0f} s: "
        f"{'met' if p50 <= TARGET_S else 'NOT met'}; same blind spots: {same}"
    )
    return Figures(total, len(mine), p50, naive_times[0], same)


PARTS = ("analytics_emerging", "analytics_spikes", "analytics_playback")


def main(argv: list[str] | None = None) -> list[object]:
    """The cross-check, then each analysis's own benchmark (``bench/analytics_*.py``), in
    one run; ``--smoke`` passes on to each. Returns every part's figures."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--smoke", action="store_true", help="configured database, its year, 1 run")
    args = ap.parse_args(argv)
    figures: list[object] = [crosscheck_figures(args.smoke, args.runs)]
    for part in PARTS:
        print(f"\n--- {part} ---")
        module = importlib.import_module(f"bench.{part}")
        figures.append(module.main(["--smoke"] if args.smoke else []))
    bad = [f for f in figures if getattr(f, "same", True) is False]
    if bad:
        raise SystemExit(f"a baseline disagrees with the service: {bad}")
    return figures


if __name__ == "__main__":
    main()
