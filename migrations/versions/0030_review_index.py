"""The suspensions put to review, found by an index of their own (issue 17).

The dispatch board's "under review" list and count ask, for each suspended case, whether
the SLA sweep has recorded a ``review`` event of its current suspension. Asked case by
case, that probed every monthly partition of the timeline once per suspended case: at 10M
incidents 1,296 suspended cases x 18 partitions, 27 ms of the board's counts and 20 ms of
its list (``docs/scale.md``, "Indexes"). Reviews are rare (one per suspension past its
limit: 80 in the 10M benchmark city), so a partial index of them lets the board read
them all at once and match the suspended cases by a hash.

Revision ID: 0030_review_index
Revises: 0029_kept_figures
"""

from __future__ import annotations

from alembic import op

revision = "0030_review_index"
down_revision = "0029_kept_figures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_incident_event_review ON incident_event (incident_id) "
        "WHERE action = 'review'"
    )


def downgrade() -> None:
    op.drop_index("ix_incident_event_review", table_name="incident_event")
