"""Briefing benchmark: the time to produce a daily briefing (target < 5 s), by stage, and
the KPIs by SQL vs a naive baseline that loads the area's incidents and counts in Python.

    python bench/briefing.py [--runs 3] [--date YYYY-MM-DD]
    python bench/briefing.py --smoke    # the configured database, once, no Chromium (a test)

Uses the benchmark database ``<name>_bench`` of bench/density.py (seeded there once),
so the development data is untouched. Measures, for the county with the most incidents
and for the whole city: gathering the figures (SQL, one transaction), the map (matplotlib
Agg), the HTML, and the PDF and PNG printed by Chromium; then the six KPIs of the period
and the previous one by SQL vs loading every incident row of the area with pandas and
computing them in Python (checked equal, so the comparison is fair).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed import bench_database  # noqa: E402
from bench.seed import migrate as seed_migrate  # noqa: E402
from settings import get_settings  # noqa: E402


def median_s(fn: Callable[[], object], runs: int) -> float:
    """Median seconds of ``runs`` calls after one warm-up."""
    fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def naive_rows(engine: Any, prefix: str | None) -> tuple[Any, Any]:
    """Every incident row (and rating) of the area, loaded with pandas."""
    import pandas as pd
    from sqlalchemy import text

    where = "WHERE g.code LIKE :p" if prefix else ""
    with engine.connect() as c:
        df = pd.read_sql(
            text(f"""SELECT i.id, i.status, i.reported_at, i.dispatched_at, i.resolved_at,
                            i.resolve_due_at FROM incident i JOIN area g ON g.id = i.grid_id
                     {where}"""),
            c,
            params={"p": (prefix or "") + "%"},
        )
        fb = pd.read_sql(
            text(f"""SELECT f.rating, f.at FROM incident_feedback f
                     JOIN incident i ON i.id = f.incident_id JOIN area g ON g.id = i.grid_id
                     {where}"""),
            c,
            params={"p": (prefix or "") + "%"},
        )
    return df, fb


def naive_kpis(df: Any, fb: Any, start: datetime, end: datetime) -> dict:
    """The six KPIs computed in pandas from loaded rows."""

    def within(col: str) -> Any:
        return (df[col] >= start) & (df[col] < end)

    resolved = within("resolved_at")
    due = within("resolve_due_at") & ~df.status.isin(["rejected", "merged"])
    late = df.resolved_at.isna() | (df.resolved_at > df.resolve_due_at)
    with_due = resolved & df.resolve_due_at.notna()
    on_time = resolved & (df.resolved_at <= df.resolve_due_at)
    rated = fb[(fb["at"] >= start) & (fb["at"] < end)]
    scores = rated.rating.map({"satisfied": 100, "basic": 60, "dissatisfied": 0})
    return {
        "new": int((within("reported_at") & ~df.status.isin(["rejected", "merged"])).sum()),
        "dispatched": int(within("dispatched_at").sum()),
        "resolved": int(resolved.sum()),
        "overdue": int((due & late).sum()),
        "on_time": int(on_time.sum()) / int(with_due.sum()) if with_due.sum() else None,
        "satisfaction": float(scores.mean()) if len(scores) else None,
        "ratings": len(scores),
    }


def _rounded(kpis: list[dict]) -> list[dict]:
    """The KPIs compared: all but "overdue", which the query counts as the cases stood at
    the period's end (rebuilt from the timeline) and the naive rows only as they stand
    now; on a past day of the seeded city both agree, on a test city whose cases moved
    since, they need not."""
    return [
        {k: round(v, 9) if isinstance(v, float) else v for k, v in d.items() if k != "overdue"}
        for d in kpis
    ]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--date", default=None, help="YYYY-MM-DD (default: yesterday, local)")
    ap.add_argument("--smoke", action="store_true", help="the configured database, once")
    args = ap.parse_args(argv)

    if args.smoke:
        args.runs = 1
    else:
        url, owner = bench_database()
        os.environ["MINQING_DATABASE_URL"] = url
        os.environ["MINQING_ADMIN_DATABASE_URL"] = owner
        get_settings.cache_clear()

    from sqlalchemy import text

    from briefings.heatmap import heatmap_png
    from briefings.render import html, render
    from geodata.db import get_engine, session_scope
    from geodata.queries import briefing as q
    from governance import briefings
    from governance.briefing_period import period_for
    from governance.filters import LOCAL_TZ
    from governance.uow import unit_of_work

    if not args.smoke:
        seed_migrate(owner)
    day = date.fromisoformat(args.date) if args.date else datetime.now(LOCAL_TZ).date()
    if not args.date:
        day -= timedelta(days=1)
    if args.smoke:  # a small city: the last whole day on which anything happened in a grid
        with session_scope() as s:
            day = s.execute(
                text("""SELECT (max(occurred_at) AT TIME ZONE 'Asia/Shanghai')::date
                        FROM incident WHERE grid_id IS NOT NULL
                        AND occurred_at < CAST(:today AS date) AT TIME ZONE 'Asia/Shanghai'"""),
                {"today": day},
            ).scalar_one()
    period = period_for("daily", day)
    with session_scope() as s:
        total = s.execute(text("SELECT count(*) FROM incident")).scalar_one()
        county = s.execute(
            text("""SELECT c.code, c.name FROM incident i JOIN area g ON g.id = i.grid_id
                    JOIN area c ON c.level = 'county' AND left(c.code, 6) = left(g.code, 6)
                    WHERE i.occurred_at >= :s AND i.occurred_at < :e
                    GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"""),
            {"s": period.start, "e": period.end},
        ).one_or_none()
    if total == 0 or county is None:
        sys.exit("no incidents on that day: seed the bench database (bench/density.py)")
    print(f"incidents in database: {total:,}; daily briefing of {day}; runs: {args.runs}\n")
    head = f"{'area':14} {'figures':>8} {'map':>7} {'html':>7} {'pdf':>7} {'png':>7}  (s, median)"
    print(head)
    print("-" * len(head))

    def build(code: str | None) -> Any:  # as a caller builds it: in a unit of its own
        with unit_of_work() as s:
            return briefings.build(s, code, period)

    for code, name in ((county[0], county[1]), (None, "全市")):
        b = build(code)
        t_build = median_s(partial(build, code), args.runs)
        t_map = median_s(partial(heatmap_png, b), args.runs)
        t_html = median_s(partial(html, b), args.runs)
        # Chromium prints the PDF and PNG; the smoke mode leaves it out
        t_pdf = 0.0 if args.smoke else median_s(partial(render, b, "pdf"), args.runs)
        t_png = 0.0 if args.smoke else median_s(partial(render, b, "png"), args.runs)
        print(
            f"{name:12} {t_build:>8.2f} {t_map:>7.2f} {t_html:>7.2f} {t_pdf:>7.2f} {t_png:>7.2f}"
            f"   PDF end to end {t_build + t_pdf:.2f} s (target < 5 s)",
            flush=True,
        )

    print("\nKPIs of the period and the previous one: SQL vs pandas over loaded rows")
    engine = get_engine(None if args.smoke else url)
    for code, name in ((county[0], county[1]), (None, "全市")):
        prefix = code[:6] if code else None

        def by_sql(prefix: str | None = prefix) -> list[dict]:
            with session_scope() as s:
                return [
                    q.kpis(s, prefix, period.start, period.end),
                    q.kpis(s, prefix, period.prev_start, period.prev_end),
                ]

        def by_python(prefix: str | None = prefix) -> list[dict]:
            df, fb = naive_rows(engine, prefix)
            return [
                naive_kpis(df, fb, period.start, period.end),
                naive_kpis(df, fb, period.prev_start, period.prev_end),
            ]

        assert _rounded(by_sql()) == _rounded(by_python()), (by_sql(), by_python())
        t_sql, t_naive = median_s(by_sql, args.runs), median_s(by_python, args.runs)
        print(
            f"{name:12} SQL {t_sql * 1000:8.1f} ms   naive {t_naive * 1000:8.1f} ms   "
            f"naive/SQL {t_naive / t_sql:6.1f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
