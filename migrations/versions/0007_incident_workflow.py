"""The multi-department closed loop: who handles an incident, its clocks, its timeline.

* ``incident`` gains the handling state: lead (主办) and assisting (协办) departments,
  escalation level, SLA deadlines, the times of each stage, the status to resume after a
  suspension, the incident it was merged into, reopen count, a pending extension, a
  location flag set at intake, the public tracking code, and ``updated_at``.
* ``incident_event``: the timeline, one row per transition (who, role, department,
  when, from/to status, note, detail, the incident version it produced).
* ``routing_rule``: category x area -> lead and assisting departments (the most specific
  rule wins; the category's own department is the fallback).
* ``sla_policy``: accept within N hours, resolve within N working days, per category
  and/or priority; ``calendar_day``: holidays and adjusted working days (调休).
* ``incident_feedback``: the resident's rating after resolution.

Existing incidents past dispatch get their category's department as lead department.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
OPEN = "status NOT IN ('closed', 'evaluated', 'rejected', 'merged')"


def upgrade() -> None:
    add = op.add_column
    add("incident", sa.Column("lead_department_id", sa.Integer(), nullable=True))
    add(
        "incident",
        sa.Column(
            "assist_department_ids",
            postgresql.ARRAY(sa.Integer()),
            nullable=False,
            server_default=sa.text("'{}'"),
        ),
    )
    add(
        "incident",
        sa.Column("escalation_level", sa.SmallInteger(), nullable=False, server_default="0"),
    )
    for col in (
        "accept_due_at",
        "resolve_due_at",
        "dispatched_at",
        "accepted_at",
        "resolved_at",
        "closed_at",
        "extension_requested_until",
    ):
        add("incident", sa.Column(col, TS, nullable=True))
    add("incident", sa.Column("suspended_from", sa.String(20), nullable=True))
    add("incident", sa.Column("merged_into_id", sa.BigInteger(), nullable=True))
    add(
        "incident", sa.Column("reopen_count", sa.SmallInteger(), nullable=False, server_default="0")
    )
    add("incident", sa.Column("location_flag", sa.String(24), nullable=True))
    add("incident", sa.Column("tracking_code", sa.String(16), nullable=True))
    add(
        "incident",
        sa.Column("updated_at", TS, nullable=False, server_default=sa.text("now()")),
    )
    op.create_foreign_key(
        op.f("fk_incident_lead_department_id_department"),
        "incident",
        "department",
        ["lead_department_id"],
        ["id"],
    )
    op.create_foreign_key(
        op.f("fk_incident_merged_into_id_incident"),
        "incident",
        "incident",
        ["merged_into_id"],
        ["id"],
    )
    op.create_unique_constraint(op.f("uq_incident_tracking_code"), "incident", ["tracking_code"])
    op.create_index("ix_incident_lead_status", "incident", ["lead_department_id", "status"])
    # open cases by deadline: dispatch boards, SLA sweeps, wall-screen counts
    op.create_index(
        "ix_incident_open_due",
        "incident",
        ["status", "resolve_due_at"],
        postgresql_where=sa.text(OPEN),
    )
    op.execute("""
        UPDATE incident i SET lead_department_id = c.department_id
        FROM incident_category c
        WHERE c.code = i.category_code
          AND i.status NOT IN ('registered', 'verified', 'rejected', 'merged')
    """)

    op.create_table(
        "incident_event",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("at", TS, nullable=False, server_default=sa.text("clock_timestamp()")),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=True),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(80), nullable=True),
        sa.Column("actor_role", sa.String(20), nullable=True),
        sa.Column("actor_department_id", sa.Integer(), nullable=True),
        sa.Column("actor_token_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("detail", postgresql.JSONB(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            ondelete="CASCADE",
            name=op.f("fk_incident_event_incident_id_incident"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["app_user.id"],
            ondelete="SET NULL",
            name=op.f("fk_incident_event_actor_user_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_event")),
    )
    op.create_index("ix_incident_event_incident_id", "incident_event", ["incident_id", "id"])

    op.create_table(
        "routing_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_code", sa.String(40), nullable=True),
        sa.Column("area_code", sa.String(15), nullable=True),
        sa.Column("lead_department_id", sa.Integer(), nullable=False),
        sa.Column(
            "assist_department_ids",
            postgresql.ARRAY(sa.Integer()),
            nullable=False,
            server_default=sa.text("'{}'"),
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["incident_category.code"],
            name=op.f("fk_routing_rule_category_code_incident_category"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_department_id"],
            ["department.id"],
            name=op.f("fk_routing_rule_lead_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rule")),
        sa.UniqueConstraint(
            "category_code",
            "area_code",
            name=op.f("uq_routing_rule_category_code_area_code"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_table(
        "sla_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_code", sa.String(40), nullable=True),
        sa.Column("priority", sa.SmallInteger(), nullable=True),
        sa.Column("accept_hours", sa.SmallInteger(), nullable=False),
        sa.Column("resolve_workdays", sa.SmallInteger(), nullable=False),
        sa.Column("remind_before_hours", sa.SmallInteger(), nullable=False, server_default="4"),
        sa.CheckConstraint(
            "accept_hours > 0 AND resolve_workdays > 0 AND remind_before_hours >= 0",
            name=op.f("ck_sla_policy_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["incident_category.code"],
            name=op.f("fk_sla_policy_category_code_incident_category"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policy")),
        sa.UniqueConstraint(
            "category_code",
            "priority",
            name=op.f("uq_sla_policy_category_code_priority"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("workday", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )
    op.create_table(
        "incident_feedback",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("rating", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(20), nullable=False, server_default="link"),
        sa.Column("at", TS, nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint(
            "rating IN ('satisfied', 'basic', 'dissatisfied')",
            name=op.f("ck_incident_feedback_rating"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            ondelete="CASCADE",
            name=op.f("fk_incident_feedback_incident_id_incident"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_feedback")),
    )
    op.create_index("ix_incident_feedback_incident_id", "incident_feedback", ["incident_id"])


def downgrade() -> None:
    op.drop_index("ix_incident_feedback_incident_id", table_name="incident_feedback")
    op.drop_table("incident_feedback")
    op.drop_table("calendar_day")
    op.drop_table("sla_policy")
    op.drop_table("routing_rule")
    op.drop_index("ix_incident_event_incident_id", table_name="incident_event")
    op.drop_table("incident_event")
    op.drop_index("ix_incident_open_due", table_name="incident")
    op.drop_index("ix_incident_lead_status", table_name="incident")
    op.drop_constraint(op.f("uq_incident_tracking_code"), "incident", type_="unique")
    op.drop_constraint(op.f("fk_incident_merged_into_id_incident"), "incident", type_="foreignkey")
    op.drop_constraint(
        op.f("fk_incident_lead_department_id_department"), "incident", type_="foreignkey"
    )
    for col in (
        "updated_at",
        "tracking_code",
        "location_flag",
        "reopen_count",
        "merged_into_id",
        "suspended_from",
        "extension_requested_until",
        "closed_at",
        "resolved_at",
        "accepted_at",
        "dispatched_at",
        "resolve_due_at",
        "accept_due_at",
        "escalation_level",
        "assist_department_ids",
        "lead_department_id",
    ):
        op.drop_column("incident", col)
