"""Online patrol (线上巡查) and care visits: checklists, plans, tasks, submissions.

Alembic owns the schema (``migrations/versions/0014_patrol.py``); the rules that use these
tables live in ``governance/patrol*.py``.

* :class:`PatrolRule`: how often a kind of site (by type and risk grade) or person (by
  category and care level) is visited, and the check-in radius.
* :class:`ChecklistTemplate` and its immutable :class:`ChecklistTemplateVersion`: an edit
  is a new version; a submission names the version it was filled against.
* :class:`PatrolTask`: one visit due in one period (``period_key``), unique per site or
  person and period, so generating a period twice creates nothing new.
* :class:`PatrolSubmission`: the filled checklist with the server's check-in verdict; its
  ``client_id`` (made by the phone) makes a retried send write once.
* :class:`PatrolPhoto`, :class:`PatrolFinding`: photos kept with the submission, and the
  case each failed item became.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geodata.db import Base


class PatrolSubject(enum.StrEnum):
    SITE = "site"  # 重点场所巡查
    PERSON = "person"  # 重点人员走访


class PatrolPeriod(enum.StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, Monday to Sunday
    MONTH = "month"


class TaskStatus(enum.StrEnum):
    OPEN = "open"  # due, not done, deadline not passed
    DONE = "done"
    MISSED = "missed"  # deadline passed without a submission (a late one may still come)
    CANCELLED = "cancelled"


class PatrolRule(Base):
    """How often: one visit every ``every`` periods; ``kind`` '*' and ``grade`` None
    are defaults that a more specific row overrides."""

    __tablename__ = "patrol_rule"
    __table_args__ = (
        UniqueConstraint("subject", "kind", "grade", postgresql_nulls_not_distinct=True),
        CheckConstraint("subject IN ('site', 'person')", name="subject"),
        CheckConstraint("period IN ('day', 'week', 'month')", name="period"),
        CheckConstraint("every BETWEEN 1 AND 366", name="every"),
        CheckConstraint("radius_m BETWEEN 10 AND 5000", name="radius"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(30), server_default="*")
    grade: Mapped[int | None] = mapped_column(SmallInteger)
    period: Mapped[str] = mapped_column(String(10))
    every: Mapped[int] = mapped_column(SmallInteger, server_default="1")
    # A period whose days are all non-working (weekends, holidays of calendar_day) has no
    # visit, unless this is false (major hazards are visited every day).
    workdays_only: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    radius_m: Mapped[int] = mapped_column(Integer, server_default="100")


class ChecklistTemplate(Base):
    __tablename__ = "checklist_template"
    __table_args__ = (
        CheckConstraint("subject IN ('site', 'person')", name="subject"),
        UniqueConstraint("subject", "applies_to"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    subject: Mapped[str] = mapped_column(String(10))
    applies_to: Mapped[str] = mapped_column(String(30))  # a SiteType or PersonCategory
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    current_version: Mapped[int] = mapped_column(Integer, server_default="1")


class ChecklistTemplateVersion(Base):
    """One version of a template's items; never changed once written."""

    __tablename__ = "checklist_template_version"
    __table_args__ = (UniqueConstraint("template_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id"))
    version: Mapped[int] = mapped_column(Integer)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PatrolTask(Base):
    __tablename__ = "patrol_task"
    __table_args__ = (
        CheckConstraint("subject IN ('site', 'person')", name="subject"),
        CheckConstraint(
            "(subject = 'site' AND site_id IS NOT NULL AND person_id IS NULL) OR "
            "(subject = 'person' AND person_id IS NOT NULL AND site_id IS NULL)",
            name="one_target",
        ),
        CheckConstraint("status IN ('open', 'done', 'missed', 'cancelled')", name="status"),
        CheckConstraint("due_on <= last_day", name="window"),
        Index(
            "uq_patrol_task_site_period",
            "site_id",
            "period_key",
            unique=True,
            postgresql_where=text("site_id IS NOT NULL"),
        ),
        Index(
            "uq_patrol_task_person_period",
            "person_id",
            "period_key",
            unique=True,
            postgresql_where=text("person_id IS NOT NULL"),
        ),
        Index("ix_patrol_task_assignee", "assignee_id", "status", "deadline"),
        Index("ix_patrol_task_grid_due", "grid_id", "due_on"),
        Index("ix_patrol_task_due_on", "due_on"),
        Index("ix_patrol_task_last_day", "last_day"),
        Index("ix_patrol_task_grid_last_day", "grid_id", "last_day"),  # 0015
        Index(
            "ix_patrol_task_site_due",
            "site_id",
            "due_on",
            postgresql_where=text("site_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    subject: Mapped[str] = mapped_column(String(10))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("key_site.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("key_person.id", ondelete="CASCADE"))
    grid_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    # e.g. "day3:9102" (the 9,102nd block of 3 days since 2000-01-03), "week1:1405",
    # "month1:323": a site or person has one task per key
    period_key: Mapped[str] = mapped_column(String(24))
    due_on: Mapped[date] = mapped_column(Date)  # first day of the period
    last_day: Mapped[date] = mapped_column(Date)  # last day of the period
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # end of last_day
    high_risk: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PatrolSubmission(Base):
    __tablename__ = "patrol_submission"
    __table_args__ = (
        Index("ix_patrol_submission_user_at", "submitted_by", "submitted_at"),
        Index(  # 0015: the patrol report's off-site list
            "ix_patrol_submission_flagged_at",
            "filled_at",
            postgresql_where=text("NOT on_site OR cardinality(flags) > 0"),
        ),
        CheckConstraint("accuracy_m IS NULL OR accuracy_m >= 0", name="accuracy"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("patrol_task.id", ondelete="CASCADE"), unique=True
    )
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    template_version_id: Mapped[int] = mapped_column(ForeignKey("checklist_template_version.id"))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("clock_timestamp()")
    )
    filled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # on the phone
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    on_site: Mapped[bool] = mapped_column(Boolean)
    off_site_reason: Mapped[str | None] = mapped_column(Text)
    # off_site, no_position, low_accuracy, too_fast
    flags: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default="{}")
    late: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    failed_items: Mapped[int] = mapped_column(SmallInteger, server_default="0")


class PatrolPhoto(Base):
    __tablename__ = "patrol_photo"
    __table_args__ = (
        CheckConstraint("size > 0 AND size = octet_length(data)", name="size"),
        Index("ix_patrol_photo_submission_id", "submission_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("patrol_submission.id", ondelete="CASCADE")
    )
    item_key: Mapped[str] = mapped_column(String(40))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class PatrolFinding(Base):
    """A failed item and the case it became."""

    __tablename__ = "patrol_finding"
    __table_args__ = (Index("ix_patrol_finding_incident_id", "incident_id"),)

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("patrol_submission.id", ondelete="CASCADE"), primary_key=True
    )
    item_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
