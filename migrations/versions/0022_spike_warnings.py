"""Spike warnings (突增预警, issue 16 part 3): one row per area x category whose count in
the last day was significantly above its expected count (``governance/spikes.py``).

A row holds only aggregates (counts, expectation, p and q values, and the evidence: the
series' daily counts of the last 8 weeks), no incident and no person. The unique key on
the area, the category and the window's end truncated to the hour makes a second
evaluation within the hour (another worker, a hand run) write nothing new; the index on
``created_at`` serves the screens' "current warnings".

Revision ID: 0022_spike_warnings
Revises: 0021_emerging_hotspots
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0022_spike_warnings"
down_revision = "0021_emerging_hotspots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spike_warning",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("category_code", sa.String(40), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("observed", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("p", sa.Float(), nullable=False),
        sa.Column("q", sa.Float(), nullable=False),
        sa.Column("evidence", postgresql.JSONB(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spike_warning")),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_spike_warning_area_id_area"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["incident_category.code"],
            name=op.f("fk_spike_warning_category_code_incident_category"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "area_id", "category_code", "window_hour", name="uq_spike_warning_series_hour"
        ),
        sa.CheckConstraint(
            "observed >= 0 AND expected >= 0 AND window_hour <= window_end",
            name=op.f("ck_spike_warning_counts"),
        ),
    )
    op.create_index("ix_spike_warning_created_at", "spike_warning", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_spike_warning_created_at", table_name="spike_warning")
    op.drop_table("spike_warning")
