"""Patrol figures per street or grid over a span of days, for the monthly evaluation.

A visit counts in the span its own period ended in (its last day lies in
``[first, last)``); cancelled visits do not count. Done: a submission exists (on time:
not ``late``: filled on the phone by the deadline); off site: the submission's check-in was not on site.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries.layers import scope_filter

KEYS = {"street": "left(g.code, 9)", "grid": "g.code"}
# The figures of a group of visits (patrol_task k LEFT JOIN its patrol_submission p), one
# definition for the evaluation, the coverage layer and the area panel.
FIGURES = """count(*) AS due, count(p.id) AS done,
    count(p.id) FILTER (WHERE NOT p.late) AS on_time,
    count(p.id) FILTER (WHERE NOT p.on_site) AS off_site"""


def patrol_by(
    session: Session,
    kind: Literal["street", "grid"],
    scope: str | None,
    first: date,
    last: date,
) -> dict[str, dict[str, int]]:
    """``{key: {due, done, on_time, off_site}}``: key the grid's code, or the first nine
    digits of it for a street."""
    where, params = scope_filter(scope, "k")
    rows = session.execute(
        text(f"""
        SELECT {KEYS[kind]} AS key, {FIGURES}
        FROM patrol_task k
        JOIN area g ON g.id = k.grid_id
        LEFT JOIN patrol_submission p ON p.task_id = k.id
        WHERE k.last_day >= CAST(:first AS date) AND k.last_day < CAST(:last AS date)
          AND k.status <> 'cancelled' {where}
        GROUP BY 1"""),
        {"first": first, "last": last, **params},
    ).mappings()
    return {str(r["key"]): {k: int(v) for k, v in r.items() if k != "key"} for r in rows}
