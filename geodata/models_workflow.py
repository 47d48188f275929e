"""The closed loop's own tables: timeline, routing rules, SLA policies, calendar, feedback.

Alembic owns the schema (``migrations/versions/0007_incident_workflow.py``); the rules
that use them live in ``governance/workflow.py`` and ``governance/sla.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
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


class IncidentEvent(Base):
    """One step of an incident's timeline (every transition, reminder and escalation)."""

    __tablename__ = "incident_event"
    __table_args__ = (
        Index("ix_incident_event_incident_id", "incident_id", "id"),
        Index("ix_incident_event_at", "at"),  # the wall's "24 hours ago" (migration 0010)
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("clock_timestamp()")
    )
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    actor_name: Mapped[str | None] = mapped_column(String(80))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    actor_department_id: Mapped[int | None] = mapped_column(Integer)
    actor_token_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    version: Mapped[int] = mapped_column(Integer)


class RoutingRule(Base):
    """Category x area -> lead (主办) and assisting (协办) departments."""

    __tablename__ = "routing_rule"
    __table_args__ = (
        UniqueConstraint("category_code", "area_code", postgresql_nulls_not_distinct=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_code: Mapped[str | None] = mapped_column(ForeignKey("incident_category.code"))
    area_code: Mapped[str | None] = mapped_column(String(15))  # a prefix: the subtree
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    assist_department_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default="{}")
    note: Mapped[str | None] = mapped_column(Text)


class SlaPolicy(Base):
    """Accept within N hours, resolve within N working days."""

    __tablename__ = "sla_policy"
    __table_args__ = (
        UniqueConstraint("category_code", "priority", postgresql_nulls_not_distinct=True),
        CheckConstraint(
            "accept_hours > 0 AND resolve_workdays > 0 AND remind_before_hours >= 0",
            name="positive",
        ),
        CheckConstraint("max_suspend_days > 0", name="max_suspend_days"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_code: Mapped[str | None] = mapped_column(ForeignKey("incident_category.code"))
    priority: Mapped[int | None] = mapped_column(SmallInteger)
    accept_hours: Mapped[int] = mapped_column(SmallInteger)
    resolve_workdays: Mapped[int] = mapped_column(SmallInteger)
    remind_before_hours: Mapped[int] = mapped_column(SmallInteger, server_default="4")
    # a suspension longer than this goes to the supervisor for review (0013)
    max_suspend_days: Mapped[int] = mapped_column(SmallInteger, server_default="30")


class CalendarDay(Base):
    """A day that is not what its weekday says: a holiday, or a working weekend (调休)."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str | None] = mapped_column(String(40))


class IncidentFeedback(Base):
    """A resident's rating of how an incident was handled."""

    __tablename__ = "incident_feedback"
    __table_args__ = (
        CheckConstraint("rating IN ('satisfied', 'basic', 'dissatisfied')", name="rating"),
        Index("ix_incident_feedback_incident_id", "incident_id"),
        Index("ix_incident_feedback_at", "at"),  # a period's ratings (migration 0016_screens)
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    rating: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20), server_default="link")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IncidentAttachment(Base):
    """A file attached to a step of an incident's timeline: a resident's photo with a
    public report, a photo of the spot before or after handling, a signed form (PDF).

    The bytes live in the row, so that a step and its file are written (or refused) in
    one transaction; ``governance/attachments.py`` checks type and size first.
    """

    __tablename__ = "incident_attachment"
    __table_args__ = (
        CheckConstraint("size > 0 AND size = octet_length(data)", name="size"),
        Index("ix_incident_attachment_incident_id", "incident_id"),
        Index("ix_incident_attachment_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    # The event this file belongs to. Not a foreign key since the timeline is partitioned
    # (its key is (id, at)): a trigger checks the event exists for this incident
    # (migration 0027); events go only with their incident, which cascades here.
    event_id: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
