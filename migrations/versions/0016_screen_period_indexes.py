"""Index the clocks that put a case in a period: received (``reported_at``), dispatched
(``dispatched_at``), resolved (``resolved_at``) and rated (``incident_feedback.at``).

The briefings' KPIs and top categories, the scorecards of the briefing and of the monthly
evaluation count the cases of one day, week or month by these clocks
(geodata/queries/briefing.py, geodata/queries/scores.py); without an index each of those
statements read the whole incident table. On the demo city (204,557 incidents) today's
KPIs took 120-200 ms and the department scorecard 240-290 ms per period; with these
indexes the KPIs take ~10 ms, and the daily briefing's figures ~0.25 s instead of ~1 s in
all (bench/screens.py, under load). Intake pays one more B-tree entry per clock set, at
the right edge of the index (a clock is set to now): inserting the newest 30,000
incidents into copies of the table with and without the three incident indexes took
3.40 s and 3.46 s (medians of three; no difference within the noise).

Revision ID: 0016_screens
Revises: 0015
"""

from __future__ import annotations

from alembic import op

revision = "0016_screens"
down_revision = "0015"
branch_labels = None
depends_on = None

CLOCKS = ("reported_at", "dispatched_at", "resolved_at")


def upgrade() -> None:
    for column in CLOCKS:
        op.create_index(f"ix_incident_{column}", "incident", [column])
    op.create_index("ix_incident_feedback_at", "incident_feedback", ["at"])


def downgrade() -> None:
    op.drop_index("ix_incident_feedback_at", table_name="incident_feedback")
    for column in reversed(CLOCKS):
        op.drop_index(f"ix_incident_{column}", table_name="incident")
