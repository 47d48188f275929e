"""Emerging hot-spot analysis (新兴热点, issue 16 part 2): the last result per scope.

``emerging_run`` holds one row per scope (the whole city, a county ...) with the run's
parameters and period; ``emerging_cell`` its H3 cells with their category and trends.
A new run replaces the old one of its scope (the cells go with it: ON DELETE CASCADE).
Aggregates only, no personal data: the app role reads and writes them as any table.

Revision ID: 0021_emerging_hotspots
Revises: 0020_registry_codes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_emerging_hotspots"
down_revision = "0020_registry_codes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "emerging_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("weeks", sa.SmallInteger(), nullable=False),
        sa.Column("permutations", sa.SmallInteger(), nullable=False),
        sa.Column("alpha", sa.Float(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.UniqueConstraint("scope", name="uq_emerging_run_scope"),
        sa.CheckConstraint("weeks BETWEEN 10 AND 104", name="ck_emerging_run_weeks"),
        sa.CheckConstraint(
            "permutations BETWEEN 0 AND 999", name="ck_emerging_run_permutations"
        ),
    )
    op.create_table(
        "emerging_cell",
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("emerging_run.id", ondelete="CASCADE", name="fk_emerging_cell_run_id_emerging_run"),
            primary_key=True,
        ),
        sa.Column("h3_8", sa.BigInteger(), primary_key=True),
        sa.Column("category", sa.String(24), nullable=False),
        sa.Column("grid_code", sa.String(20), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("hot_bins", sa.SmallInteger(), nullable=False),
        sa.Column("cold_bins", sa.SmallInteger(), nullable=False),
        sa.Column("last_z", sa.Float(), nullable=False),
        sa.Column("trend_tau", sa.Float(), nullable=False),
        sa.Column("trend_z", sa.Float(), nullable=False),
        sa.Column("trend_p", sa.Float(), nullable=False),
        sa.Column("count_tau", sa.Float(), nullable=False),
        sa.Column("count_p", sa.Float(), nullable=False),
    )
    op.create_index("ix_emerging_cell_category", "emerging_cell", ["category"])


def downgrade() -> None:
    op.drop_index("ix_emerging_cell_category", table_name="emerging_cell")
    op.drop_table("emerging_cell")
    op.drop_table("emerging_run")
