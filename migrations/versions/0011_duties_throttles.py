"""Separation of duties (三员分立) on accounts, and rate limits shared by every worker.

* ``app_user.role`` may be NULL: an account the system administrator creates has no
  role (and so no access) until the security administrator assigns one.
* ``app_user.must_change_password``: set when an administrator chose or reset the
  password; the next sign-in must set a new one before anything else.
* ``rate_limit``: window counters ``(bucket, window_start) -> hits, refused, audited``
  for the sign-in throttles (per client address and global), the public pages and the
  audit records of anonymous refusals, shared by every gunicorn worker and app node (the
  per-process counters they replace let each worker allow the whole rate).
  ``refused`` counts the attempts turned away, ``audited`` those of them written to the
  audit trail one by one (the rest are summed into the next record). UNLOGGED: a crash
  may forget the current windows' counts, which is harmless, and counting writes no WAL.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("app_user", "role", existing_type=sa.String(20), nullable=True)
    op.add_column(
        "app_user",
        sa.Column(
            "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    op.create_table(
        "rate_limit",
        sa.Column("bucket", sa.String(120), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("audited", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("bucket", "window_start", name=op.f("pk_rate_limit")),
        prefixes=["UNLOGGED"],
    )
    op.create_index("ix_rate_limit_window_start", "rate_limit", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_rate_limit_window_start", table_name="rate_limit")
    op.drop_table("rate_limit")
    op.drop_column("app_user", "must_change_password")
    bind = op.get_bind()
    waiting = bind.execute(sa.text("SELECT count(*) FROM app_user WHERE role IS NULL")).scalar()
    if waiting:
        raise RuntimeError(
            f"{waiting} account(s) have no role yet: assign roles or disable and rename "
            "them before downgrading (role is NOT NULL before revision 0011)"
        )
    op.alter_column("app_user", "role", existing_type=sa.String(20), nullable=False)
