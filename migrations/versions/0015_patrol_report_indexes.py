"""Indexes for the patrol report (governance/patrol_report.py).

A task is due in a report's period by its last day, so the report reads tasks by
``last_day``: within a street's grids (a supervisor: ``(grid_id, last_day)``, here) or
across the city (a commander: ``last_day``, made by 0014 for the wall and the scores). Before, the street's month read every task of its grids
through ``(grid_id, due_on)`` and filtered (19 ms, 17k buffers on the test city with a
year of tasks; now 2-3 ms, 4k buffers), and the city's month read the whole table (57 ms;
now 42-56 ms). The off-site list reads only flagged submissions of a period: a small
partial index on ``filled_at`` (20 ms for the city's month, now 8 ms; the predicate must
stay the one of geodata/queries/patrol_report.py).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

FLAGGED = "NOT on_site OR cardinality(flags) > 0"


def upgrade() -> None:
    op.create_index("ix_patrol_task_grid_last_day", "patrol_task", ["grid_id", "last_day"])
    op.create_index(
        "ix_patrol_submission_flagged_at",
        "patrol_submission",
        ["filled_at"],
        postgresql_where=FLAGGED,
    )


def downgrade() -> None:
    op.drop_index("ix_patrol_submission_flagged_at", table_name="patrol_submission")
    op.drop_index("ix_patrol_task_grid_last_day", table_name="patrol_task")
