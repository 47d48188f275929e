"""Notifications to live maps (``governance/live.py`` listens through ``geodata/listen.py``).

``pg_notify`` is transactional: the message is delivered when the caller's transaction
commits, and never if it rolls back, so listeners hear only of changes that happened.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

INCIDENT_CHANGED: Final = "incident_changed"  # the channel every writer of incidents uses


def incident_changed(session: Session, payload: str) -> None:
    """Send ``payload`` (JSON text, under 8,000 bytes) on :data:`INCIDENT_CHANGED` when
    the caller's transaction commits."""
    session.execute(text("SELECT pg_notify(:ch, :p)"), {"ch": INCIDENT_CHANGED, "p": payload})
