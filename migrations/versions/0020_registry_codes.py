"""A department's own code for each key site (场所编码) and key person (人员编号).

Key sites and key persons were written only by the demo seed and had no key but their
row id. Importing a county's own registers (``governance/registry_import.py``) needs a
key the county controls, so that importing the same file again changes nothing and a
corrected file updates the same rows in place. The code is optional (a register without
codes is matched by name and grid for sites, by the ID number's blind index for persons)
and unique where given.

Revision ID: 0020_registry_codes
Revises: 0019_config_codes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_registry_codes"
down_revision = "0019_config_codes"
branch_labels = None
depends_on = None

TABLES = ("key_site", "key_person")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("code", sa.String(40), nullable=True))
        op.create_unique_constraint(f"uq_{table}_code", table, ["code"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_constraint(f"uq_{table}_code", table, type_="unique")
        op.drop_column(table, "code")
