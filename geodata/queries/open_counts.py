"""The open cases per status and lead department from the counters kept by the writers
(migration ``0032_open_case_counts``); their check, compaction and rebuild.

``open_case_count`` holds the open cases per street code prefix x status x lead
department; per-statement deltas wait in ``open_case_delta`` until
``open_case_compact()`` folds them in, and readers add the pending deltas of their scope.
What is open is ``case_state.OPEN`` (the migration's trigger names the same statuses;
:func:`check` would show a difference). A scope finer than a street (a community, a
grid) is not served: :func:`serves` says so, and the caller reads its few cases.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from geodata.queries import case_state as cs
from geodata.queries import counters
from geodata.queries.coarse import STREET_DIGITS
from geodata.queries.rollup import Drift

KEY: Final = "street, status, dept"
COMPACT_LOCK: Final = 1_700_032  # migration 0032's advisory lock of the compaction


def serves(scope: str | None) -> bool:
    """Can the counters answer for the area scope ``scope`` (None: the city)?"""
    return scope is None or len(scope) <= STREET_DIGITS


def counts_sql(scoped: bool) -> str:
    """``(status, dept, n)``: the open cases per status and lead department (``dept`` 0:
    none) in the scope (``scoped``: the code prefix parameter ``:scope`` of
    ``layers.scope_filter``), counters plus pending deltas. Only statuses and departments
    with open cases."""
    where = "WHERE street LIKE :scope" if scoped else ""
    return f"""
        SELECT status, dept, sum(n)::bigint AS n
        FROM (SELECT status, dept, n FROM open_case_count {where}
              UNION ALL
              SELECT status, dept, n FROM open_case_delta {where}) u
        GROUP BY status, dept
        HAVING sum(n) <> 0"""


def _truth(alias: str = "i") -> str:
    return f"""
        SELECT coalesce(left(g.code, {STREET_DIGITS}), '') AS street, {alias}.status,
               coalesce({alias}.lead_department_id, 0) AS dept
        FROM incident {alias} LEFT JOIN area g ON g.id = {alias}.grid_id
        WHERE {cs.is_open(f"{alias}.status")}"""


def compact(session: Session, wait: bool = True) -> int | None:
    """Fold the committed deltas into the counters; returns the rows written, or None
    when another compaction holds the lock and ``wait`` is false (the sweep then skips)."""
    return counters.compact(session, COMPACT_LOCK, "open_case_compact", wait)


def rebuild(session: Session) -> int:
    """Recompute the counters from ``incident`` in the caller's transaction (writers of
    incidents wait); returns their row count."""
    return counters.rebuild(
        session, COMPACT_LOCK, "open_case_count", "open_case_delta", KEY, _truth()
    )


def check(session: Session) -> Drift:
    """Compare the counters plus pending deltas with a direct ``GROUP BY`` of the open
    cases: keys whose counts differ."""
    return counters.check(session, "open_case_count", "open_case_delta", KEY, _truth())
