"""Hot screens benchmark (issue 17): the wall (KPIs and lists), the dispatch board, the
weekly packet, the monthly scorecards and the daily briefing's figures, each as its
service builds it for a city-wide commander; with the time of each statement.

    python bench/hot_screens.py [--runs 3] [--save 1m.json] [--against 1m.json]
    python bench/hot_screens.py --smoke         # the configured database, one run each

Runs on the benchmark city of ``--incidents`` (``<name>_bench`` for 1M, ``<name>_bench10m``
for 10M; bench/seed.py seeds them; ``MINQING_DATABASE_NAME`` picks another ``<name>``). Each screen is built in one unit of work as its callback builds it
(the same service functions), median of ``--runs`` after a warm-up. The baseline is a
figure saved by an earlier run (``--save``, e.g. at 1M incidents): ``--against`` prints
each screen's ratio to it, the issue's target being <= 2x at 10M what it is at 1M. The
slowest statement of each screen is printed too, so a figure that grows points at its
query.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def commander() -> Any:
    """A city-wide commander (no account needed: every screen here only reads)."""
    from governance.access import Principal

    return Principal(user_id=0, username="bench", display_name="bench", role="commander")


def screens() -> dict[str, Callable[[Any, Any], object]]:
    """Screen name -> (session, principal) -> what the screen's callback gets."""
    from bench import seed as bench_seed
    from governance import briefings, consult, dispatch_board, evaluation, wall
    from governance.briefing_period import period_for
    from governance.filters import LOCAL_TZ
    from governance.uow import unit_of_work

    with unit_of_work(commander()) as s:
        at = bench_seed.measured_instant(s)  # the screens' "now" (None: real time)
    yesterday = (at or datetime.now(LOCAL_TZ)).date() - timedelta(days=1)
    return {
        "wall": lambda s, p: wall.snapshot(s, p, now=at),
        "dispatch board": lambda s, p: dispatch_board.board(s, p, now=at),
        "weekly packet": lambda s, p: consult.weekly(s, p),
        "monthly scorecards": lambda s, p: evaluation.monthly(s, p),
        "daily briefing": lambda s, p: briefings.build(s, None, period_for("daily", yesterday)),
    }


def timed(fn: Callable[[Any, Any], object]) -> tuple[float, list[tuple[float, str]]]:
    """Seconds to build one screen in a unit of work of its own, and its statements,
    slowest first (seconds, first words)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from governance.uow import unit_of_work

    who = commander()
    spent: list[tuple[float, str]] = []
    started: list[float] = []

    def before(*_: Any) -> None:
        started.append(time.perf_counter())

    def after(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        spent.append((time.perf_counter() - started.pop(), " ".join(statement.split())[:70]))

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    try:
        t0 = time.perf_counter()
        with unit_of_work(who) as s:
            fn(s, who)
        total = time.perf_counter() - t0
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "after_cursor_execute", after)
    return total, sorted(spent, reverse=True) or [(0.0, "")]


def measure(runs: int, against: dict[str, float] | None = None, top: int = 1) -> dict[str, float]:
    """Median seconds of every screen; prints each (with its ratio to ``against``) and
    the ``top`` slowest statements of its median run."""
    print(f"{'screen':20} {'median s':>9} {'baseline s':>10} {'ratio':>6}  slowest statement")
    out = {}
    for name, fn in screens().items():
        timed(fn)  # warm-up: plans, caches
        rows = sorted(timed(fn) for _ in range(runs))
        median, statements = rows[len(rows) // 2]
        base = (against or {}).get(name)
        ratio = f"{median / base:5.2f}x" if base else "     -"
        shown = f"{base:10.3f}" if base else f"{'-':>10}"
        slow_s, slow_sql = statements[0]
        print(f"{name:20} {median:9.3f} {shown} {ratio}  {slow_s:6.3f} s {slow_sql}", flush=True)
        for more_s, more_sql in statements[1:top]:
            print(f"{'':49}{more_s:6.3f} s {more_sql}", flush=True)
        out[name] = median
    return out


def _total() -> int:
    from sqlalchemy import text

    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        return int(s.execute(text("SELECT count(*) FROM incident")).scalar_one())


def main(argv: list[str] | None = None) -> dict[str, float]:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--save", type=Path, help="write the figures (JSON) to this file")
    ap.add_argument("--against", type=Path, help="figures (JSON) of an earlier run")
    ap.add_argument("--smoke", action="store_true", help="the configured database, once")
    ap.add_argument(
        "--incidents", type=int, default=1_000_000, help="the benchmark city of this size"
    )
    ap.add_argument("--top", type=int, default=1, help="slowest statements shown per screen")
    args = ap.parse_args(argv)
    if not args.smoke:
        from bench import seed

        url, owner = seed.bench_database(seed.suffix_for(args.incidents))
        seed.use(url, owner)
        seed.migrate(owner)
    runs = 1 if args.smoke else args.runs
    print(f"incidents in database: {_total():,}; runs: {runs} (median)", flush=True)
    against = json.loads(args.against.read_text()) if args.against else None
    out = measure(runs, against, args.top)
    if args.save:
        args.save.write_text(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
