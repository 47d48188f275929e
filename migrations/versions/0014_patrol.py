"""Online patrol and care visits: rules, checklist templates, tasks, submissions.

* ``patrol_rule``: how often a site (by type and risk grade) or a person (by category and
  care level) is visited, and the check-in radius; the defaults below (major hazards
  daily, every day of the week; high every 3 days; general weekly; low monthly; persons
  by care level, 独居老人 weekly) can be changed per type.
* ``checklist_template`` / ``checklist_template_version``: versioned checklists (items
  as JSON, never changed once written).
* ``patrol_task``: one visit per site or person and period (unique), assigned to a
  grid worker.
* ``patrol_submission`` (unique ``client_id`` and ``task_id``), ``patrol_photo``,
  ``patrol_finding`` (a failed item and its case).
* ``incident.source`` may be ``patrol`` (a case raised by a failed checklist item).

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OLD_SOURCES = "'grid', 'hotline_12345', 'police_110', 'iot', 'public'"
NEW_SOURCES = OLD_SOURCES + ", 'patrol'"

# (subject, kind, grade, period, every, workdays_only)
DEFAULT_RULES = (
    ("site", "*", 4, "day", 1, False),  # 重大风险: daily, weekends and holidays too
    ("site", "*", 3, "day", 3, True),  # 较大风险: every 3 days
    ("site", "*", 2, "week", 1, True),  # 一般风险: weekly
    ("site", "*", 1, "month", 1, True),  # 低风险: monthly
    ("site", "*", None, "month", 1, True),
    ("person", "*", 3, "week", 1, True),  # care level 3 (closest care): weekly
    ("person", "*", 2, "week", 2, True),  # every two weeks
    ("person", "*", 1, "month", 1, True),
    ("person", "*", None, "month", 1, True),
    ("person", "elderly_alone", None, "week", 1, True),  # 独居老人: weekly visit
    ("person", "mental_disorder", 3, "week", 1, True),
    ("person", "community_correction", None, "week", 1, True),
)


def _ts(name: str, default: str = "now()") -> sa.Column:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text(default), nullable=False
    )


def upgrade() -> None:
    op.drop_constraint(op.f("ck_incident_source"), "incident", type_="check")
    op.create_check_constraint(op.f("ck_incident_source"), "incident", f"source IN ({NEW_SOURCES})")

    op.create_table(
        "patrol_rule",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(30), server_default="*", nullable=False),
        sa.Column("grade", sa.SmallInteger()),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("every", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("workdays_only", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("radius_m", sa.Integer(), server_default="100", nullable=False),
        sa.CheckConstraint("subject IN ('site', 'person')", name=op.f("ck_patrol_rule_subject")),
        sa.CheckConstraint(
            "period IN ('day', 'week', 'month')", name=op.f("ck_patrol_rule_period")
        ),
        sa.CheckConstraint("every BETWEEN 1 AND 366", name=op.f("ck_patrol_rule_every")),
        sa.CheckConstraint("radius_m BETWEEN 10 AND 5000", name=op.f("ck_patrol_rule_radius")),
        sa.UniqueConstraint(
            "subject",
            "kind",
            "grade",
            name=op.f("uq_patrol_rule_subject_kind_grade"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    rules = sa.table(
        "patrol_rule",
        sa.column("subject"),
        sa.column("kind"),
        sa.column("grade"),
        sa.column("period"),
        sa.column("every"),
        sa.column("workdays_only"),
    )
    op.bulk_insert(
        rules,
        [
            dict(
                zip(
                    ("subject", "kind", "grade", "period", "every", "workdays_only"), r, strict=True
                )
            )
            for r in DEFAULT_RULES
        ],
    )

    op.create_table(
        "checklist_template",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False, unique=True),
        sa.Column("subject", sa.String(10), nullable=False),
        sa.Column("applies_to", sa.String(30), nullable=False),
        sa.Column("name_zh", sa.String(80), nullable=False),
        sa.Column("name_en", sa.String(120), nullable=False),
        sa.Column("current_version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "subject IN ('site', 'person')", name=op.f("ck_checklist_template_subject")
        ),
        sa.UniqueConstraint(
            "subject", "applies_to", name=op.f("uq_checklist_template_subject_applies_to")
        ),
    )
    op.create_table(
        "checklist_template_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "template_id", sa.Integer(), sa.ForeignKey("checklist_template.id"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("items", postgresql.JSONB(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        _ts("created_at"),
        sa.UniqueConstraint(
            "template_id", "version", name=op.f("uq_checklist_template_version_template_id_version")
        ),
    )

    op.create_table(
        "patrol_task",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("subject", sa.String(10), nullable=False),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("key_site.id", ondelete="CASCADE")),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("key_person.id", ondelete="CASCADE")),
        sa.Column("grid_id", sa.Integer(), sa.ForeignKey("area.id"), nullable=False),
        sa.Column(
            "template_id", sa.Integer(), sa.ForeignKey("checklist_template.id"), nullable=False
        ),
        sa.Column("assignee_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("period_key", sa.String(24), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("high_risk", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("status", sa.String(10), server_default="open", nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True)),
        _ts("created_at"),
        sa.CheckConstraint("subject IN ('site', 'person')", name=op.f("ck_patrol_task_subject")),
        sa.CheckConstraint(
            "(subject = 'site' AND site_id IS NOT NULL AND person_id IS NULL) OR "
            "(subject = 'person' AND person_id IS NOT NULL AND site_id IS NULL)",
            name=op.f("ck_patrol_task_one_target"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'done', 'missed', 'cancelled')", name=op.f("ck_patrol_task_status")
        ),
        sa.CheckConstraint("due_on <= last_day", name=op.f("ck_patrol_task_window")),
    )
    op.create_index(
        "uq_patrol_task_site_period",
        "patrol_task",
        ["site_id", "period_key"],
        unique=True,
        postgresql_where=sa.text("site_id IS NOT NULL"),
    )
    op.create_index(
        "uq_patrol_task_person_period",
        "patrol_task",
        ["person_id", "period_key"],
        unique=True,
        postgresql_where=sa.text("person_id IS NOT NULL"),
    )
    op.create_index("ix_patrol_task_assignee", "patrol_task", ["assignee_id", "status", "deadline"])
    op.create_index("ix_patrol_task_grid_due", "patrol_task", ["grid_id", "due_on"])
    op.create_index("ix_patrol_task_due_on", "patrol_task", ["due_on"])
    op.create_index("ix_patrol_task_last_day", "patrol_task", ["last_day"])  # the wall, scores
    # a site's latest visits (the sites layer's patrol status)
    op.create_index("ix_patrol_task_site_due", "patrol_task", ["site_id", "due_on"],
                    postgresql_where=sa.text("site_id IS NOT NULL"))

    op.create_table(
        "patrol_submission",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column(
            "task_id",
            sa.BigInteger(),
            sa.ForeignKey("patrol_task.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("client_id", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "template_version_id",
            sa.Integer(),
            sa.ForeignKey("checklist_template_version.id"),
            nullable=False,
        ),
        sa.Column("submitted_by", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        _ts("submitted_at", "clock_timestamp()"),
        sa.Column("filled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answers", postgresql.JSONB(), nullable=False),
        sa.Column("lon", sa.Float()),
        sa.Column("lat", sa.Float()),
        sa.Column("accuracy_m", sa.Float()),
        sa.Column("distance_m", sa.Float()),
        sa.Column("on_site", sa.Boolean(), nullable=False),
        sa.Column("off_site_reason", sa.Text()),
        sa.Column("flags", postgresql.ARRAY(sa.String(20)), server_default="{}", nullable=False),
        sa.Column("late", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("failed_items", sa.SmallInteger(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "accuracy_m IS NULL OR accuracy_m >= 0", name=op.f("ck_patrol_submission_accuracy")
        ),
    )
    op.create_index(
        "ix_patrol_submission_user_at", "patrol_submission", ["submitted_by", "submitted_at"]
    )

    op.create_table(
        "patrol_photo",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column(
            "submission_id",
            sa.BigInteger(),
            sa.ForeignKey("patrol_submission.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("item_key", sa.String(40), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "size > 0 AND size = octet_length(data)", name=op.f("ck_patrol_photo_size")
        ),
    )
    op.create_index("ix_patrol_photo_submission_id", "patrol_photo", ["submission_id"])

    op.create_table(
        "patrol_finding",
        sa.Column(
            "submission_id",
            sa.BigInteger(),
            sa.ForeignKey("patrol_submission.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("item_key", sa.String(40), primary_key=True),
        sa.Column(
            "incident_id",
            sa.BigInteger(),
            sa.ForeignKey("incident.id", ondelete="CASCADE"),
            nullable=False,
        ),
    )
    op.create_index("ix_patrol_finding_incident_id", "patrol_finding", ["incident_id"])


def downgrade() -> None:
    for table in (
        "patrol_finding",
        "patrol_photo",
        "patrol_submission",
        "patrol_task",
        "checklist_template_version",
        "checklist_template",
        "patrol_rule",
    ):
        op.drop_table(table)
    op.execute("DELETE FROM incident WHERE source = 'patrol'")
    op.drop_constraint(op.f("ck_incident_source"), "incident", type_="check")
    op.create_check_constraint(op.f("ck_incident_source"), "incident", f"source IN ({OLD_SOURCES})")
