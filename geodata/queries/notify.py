"""Notifications to live maps (``governance/live.py`` listens through ``geodata/listen.py``).

``pg_notify`` is transactional: the message is delivered when the caller's transaction
commits, and never if it rolls back, so listeners hear only of changes that happened.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.listen import INCIDENT_CHANNEL


def incident_changed(session: Session, payload: str) -> None:
    """Send ``payload`` (JSON text, under 8,000 bytes) on :data:`INCIDENT_CHANNEL` when
    the caller's transaction commits."""
    session.execute(text("SELECT pg_notify(:ch, :p)"), {"ch": INCIDENT_CHANNEL, "p": payload})
