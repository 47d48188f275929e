"""Index the self-reference incident.merged_into_id (migration 0007).

Without it, every DELETE of an incident scans the whole table for rows merged into it.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_incident_merged_into_id",
        "incident",
        ["merged_into_id"],
        postgresql_where="merged_into_id IS NOT NULL",
    )


def downgrade() -> None:
    op.drop_index("ix_incident_merged_into_id", table_name="incident")
