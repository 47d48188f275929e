"""Blind spots as alerts (逆向倒查 -> 订阅提醒): the city-wide cross-check of the last
:data:`DAYS` days, each grid blind spot published once per ISO week to those who
subscribed to blind spots of its area and category (``governance/alerts.py``).

Run by the server's background thread at most once a day (``governance/sla_sweep.py``)
and by ``python app.py analytics crosscheck-alerts`` by hand; the de-duplication key
(grid, category, ISO week) makes a second run in the same week publish nothing. The
evidence is the test's numbers only (counts, expected, share, p, q, trend, period): no
text, no personal data.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy.orm import Session

from geodata.db import ALL_AREAS, scope_within
from geodata.queries.sla import try_sweep_lock
from governance import alerts, crosscheck
from governance.filters import LOCAL_TZ, TimeRange

DAYS: Final = 90
DAILY_LOCK: Final = 7_302_019  # pg_try_advisory_xact_lock key of the daily publication
_done: dict[str, date] = {}  # the local day this process last published


def daily(s: Session, now: datetime | None = None) -> int:
    """The scheduled job, in the caller's unit of work: once a local day per process, and
    one process at a time, :func:`publish_blind_spots` (its keys make a repeat publish
    nothing). Returns the inbox rows created."""
    now = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ)
    if _done.get("day") == now.date():
        return 0
    with scope_within(s, ALL_AREAS):
        if not try_sweep_lock(s, DAILY_LOCK):
            return 0
        created = publish_blind_spots(s, now)
    _done["day"] = now.date()
    return created


def publish_blind_spots(s: Session, now: datetime | None = None) -> int:
    """Publish this week's grid blind spots of the whole city in the caller's unit of work
    (the caller has the system's rights: no principal). Returns the inbox rows created."""
    now = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ)
    tr = TimeRange(now - timedelta(days=DAYS), now)
    out = crosscheck.analyse(s, "", tr)
    year, week, _ = now.isocalendar()
    created = 0
    for f in out["grids"]:
        created += alerts.publish(
            s,
            kind="blind_spot",
            area_code=f["place"],
            category=f["category"],
            key=f"blind_spot:{f['place']}:{f['category']}:{year}-W{week:02d}",
            evidence={
                "own": f["own"],
                "external": f["external"],
                "expected": round(f["expected"], 2),
                "p": f["p"],
                "q": f["q"],
                "grid": f["place"],
                "trend": f["before"],
                "start": tr.start.isoformat(),
                "end": tr.end.isoformat(),
            },
        )
    return created
