"""Maintenance of the incident rollups: check and rebuild.

``incident_rollup`` (migration 0024), the coarse ``incident_coarse`` with its delta log
(migration 0028, ``geodata/queries/coarse.py``), the open cases' counters with theirs
(migration 0032, ``geodata/queries/open_counts.py``) and the counters of cases received
and resolved per hour with theirs (migration 0033, ``geodata/queries/hour_counts.py``). The triggers keep both exact on every
write; these are for when they could not: a bulk load with the triggers disabled
(``ALTER TABLE incident DISABLE TRIGGER``), a restore of one table without the others, or
a suspicion. All run in the caller's unit of work (``python app.py db rollup-check`` /
``db rollup-rebuild``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from geodata.queries import coarse as cq
from geodata.queries import hour_counts as hq
from geodata.queries import open_counts as oq
from geodata.queries import rollup as q
from geodata.queries.rollup import Drift

__all__ = [
    "Drift",
    "check",
    "check_coarse",
    "check_hours",
    "check_open",
    "compact",
    "compact_hours",
    "compact_open",
    "rebuild",
    "rebuild_coarse",
    "rebuild_hours",
    "rebuild_open",
]


def check(s: Session) -> Drift:
    """How the rollup differs from a direct GROUP BY of the counted incidents."""
    return q.check(s)


def rebuild(s: Session) -> int:
    """Recompute the rollup from ``incident`` (writers wait); returns its row count."""
    return q.rebuild(s)


def check_coarse(s: Session) -> Drift:
    """How the coarse rollup (rows plus pending deltas, every level) differs from a
    direct GROUP BY of the counted incidents. Reads every incident ten times: for a
    repair's doubt, not a routine."""
    return cq.check(s)


def rebuild_coarse(s: Session) -> int:
    """Recompute the coarse rollup from ``incident`` (writers wait); returns its rows."""
    return cq.rebuild(s)


def compact(s: Session, wait: bool = True) -> int | None:
    """Fold the coarse rollup's pending deltas into its rows; returns the rows written
    (None: another compaction is under way and ``wait`` is false). The background sweep
    calls it every round (``governance.sla_sweep``), so that readers add few deltas."""
    return cq.compact(s, wait)


def check_open(s: Session) -> Drift:
    """How the open cases' counters (plus pending deltas) differ from a direct GROUP BY
    of the open cases."""
    return oq.check(s)


def rebuild_open(s: Session) -> int:
    """Recompute the open cases' counters from ``incident`` (writers wait)."""
    return oq.rebuild(s)


def compact_open(s: Session, wait: bool = True) -> int | None:
    """Fold the open cases' pending deltas into their counters (None: another compaction
    is under way and ``wait`` is false). The background sweep calls it every round."""
    return oq.compact(s, wait)


def check_hours(s: Session) -> Drift:
    """How the counters of cases received and resolved per hour (plus pending deltas)
    differ from a direct GROUP BY of the cases."""
    return hq.check(s)


def rebuild_hours(s: Session) -> int:
    """Recompute the counters per hour from ``incident`` (writers wait)."""
    return hq.rebuild(s)


def compact_hours(s: Session, wait: bool = True) -> int | None:
    """Fold the pending deltas of the counters per hour in (None: another compaction is
    under way and ``wait`` is false). The background sweep calls it every round."""
    return hq.compact(s, wait)
