"""Column mappings remembered per file layout (import_layout), for the county's own files.

A county sends the same kind of file again and again (each street's grids from the same
网格化 system, each department's site list from the same template). The import proposes
the mapping that was last used for a file with the same columns, so the operator maps a
layout once:

* ``signature``: SHA-256 of the kind of import and the file's column names in order;
* ``kind``: areas, sites, persons ...;
* ``mapping``: field -> column, as the operator last confirmed it.

Column names are not personal data; the mapping holds no values from the file.

Revision ID: 0017_import_layout
Revises: 0016_screens
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017_import_layout"
down_revision = "0016_screens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_layout",
        sa.Column("signature", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("mapping", postgresql.JSONB(), nullable=False),
        sa.Column(
            "used_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("signature", name=op.f("pk_import_layout")),
    )


def downgrade() -> None:
    op.drop_table("import_layout")
