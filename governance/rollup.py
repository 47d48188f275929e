"""Maintenance of the incident rollup (migration 0024_incident_rollup): check and rebuild.

The triggers keep ``incident_rollup`` exact on every write; these are for when they could
not: a bulk load with the triggers disabled (``ALTER TABLE incident DISABLE TRIGGER``),
a restore of one table without the other, or a suspicion. Both run in the caller's unit
of work (``python app.py db rollup-check`` / ``db rollup-rebuild``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from geodata.queries import rollup as q
from geodata.queries.rollup import Drift

__all__ = ["Drift", "check", "rebuild"]


def check(s: Session) -> Drift:
    """How the rollup differs from a direct GROUP BY of the counted incidents."""
    return q.check(s)


def rebuild(s: Session) -> int:
    """Recompute the rollup from ``incident`` (writers wait); returns its row count."""
    return q.rebuild(s)
