"""A national code beside each incident category: ``incident_category.gbt_code``.

Counties that follow GB/T 30428 (数字化城市管理信息系统) number their event classes by
the standard, and their hotline and city-management systems exchange cases by those
numbers; the app keeps its own readable codes (``city.garbage``) as keys, and the
national code rides along so that a reference-data file (``python app.py config
export|import``, governance/config_io.py) can carry both. Nullable: many counties use
none.

Revision ID: 0019_config_codes
Revises: 0017_import_layout
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_config_codes"
down_revision = "0017_import_layout"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("incident_category", sa.Column("gbt_code", sa.String(20), nullable=True))


def downgrade() -> None:
    op.drop_column("incident_category", "gbt_code")
