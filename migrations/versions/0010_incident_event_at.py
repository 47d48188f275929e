"""Index the timeline by time (incident_event.at).

The wall screen rebuilds yesterday's open counts from the events of the last 24 hours
(geodata/queries/wall.py, ``open_counts_at``) on every refresh; without this index that
is a scan of the whole timeline: 2.4 s at 915,000 events (200,000 incidents), 1 ms with it.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_incident_event_at", "incident_event", ["at"])


def downgrade() -> None:
    op.drop_index("ix_incident_event_at", table_name="incident_event")
