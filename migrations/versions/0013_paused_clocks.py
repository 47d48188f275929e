"""Clocks that pause: when a case was suspended, and how long a suspension may last.

* ``incident.suspended_at``: when the current suspension began (None unless suspended).
  While a case is suspended its accept and resolve clocks stop; on resume both deadlines
  move by the working time it was suspended (``governance/sla.py``). Cases suspended
  before this migration get the time of their last ``suspend`` event.
* ``sla_policy.max_suspend_days``: after this many days a suspension goes to the
  supervisor for review (the SLA sweep's ``review`` step); a suspension asked for longer
  than this is refused.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("incident", sa.Column("suspended_at", sa.DateTime(timezone=True)))
    op.execute(
        """
        UPDATE incident i SET suspended_at = coalesce(
            (SELECT max(e.at) FROM incident_event e
             WHERE e.incident_id = i.id AND e.action = 'suspend'),
            i.updated_at)
        WHERE i.status = 'suspended'
        """
    )
    op.add_column(
        "sla_policy",
        sa.Column("max_suspend_days", sa.SmallInteger(), nullable=False, server_default="30"),
    )
    op.create_check_constraint(
        op.f("ck_sla_policy_max_suspend_days"), "sla_policy", "max_suspend_days > 0"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_sla_policy_max_suspend_days"), "sla_policy", type_="check")
    op.drop_column("sla_policy", "max_suspend_days")
    op.drop_column("incident", "suspended_at")
