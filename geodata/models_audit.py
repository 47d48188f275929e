"""Audit trail model: append-only and hash-chained, sealed by the database itself.

Alembic owns the schema (``migrations/versions/0003_audit.py``, changed by
``0026_audit_sealer.py``). The triggers and functions defined there do the work no writer
may skip:

* ``BEFORE INSERT``: assigns ``id`` from the sequence and ``at`` from
  ``clock_timestamp()`` in one critical section of microseconds (so id order and time
  order agree) and leaves ``prev_hash`` / ``row_hash`` NULL: the row is unsealed. Writers
  never wait for one another's transactions.
* ``audit_log_seal_pending()``: the sealer (one at a time, under the chain lock
  :data:`AUDIT_LOCK_KEY`) links the committed rows up to the horizon (every id below it
  decided) in id order: ``prev_hash`` is the ``row_hash`` of the row before (32 zero
  bytes for the first), ``row_hash = sha256(prev_hash || canonical text of the row)``.
* ``BEFORE UPDATE``: rejected, but for the sealer setting an unsealed row's hashes.
  ``BEFORE DELETE``: rejected unless the row is older than :data:`RETENTION_DAYS` and the
  transaction went through ``audit_log_purge``. ``BEFORE TRUNCATE``: always rejected.

Values written by a client for ``id``, ``at``, ``prev_hash`` and ``row_hash`` are
ignored.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geodata.db import Base

#: Minimum retention (Cybersecurity Law art. 21: network logs kept >= six months).
RETENTION_DAYS = 180
#: Key of the transaction-level advisory lock that lets one sealer (or purge) run at a time.
AUDIT_LOCK_KEY = 0x6175646974  # b"audit"
#: Version tag at the start of every canonical text (change it only with a migration).
CANONICAL_VERSION = "v1"


class AuditOutcome(enum.StrEnum):
    """How an audited action ended."""

    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


class AuditAction(enum.StrEnum):
    """Actions written by the application (others are accepted, these are the norm)."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    VIEW_CLEAR = "view_clear"  # personal data shown in clear
    VIEW_ATTACHMENT = "view_attachment"  # a file of an incident's timeline opened
    EXPORT = "export"
    DATA_CHANGE = "data_change"
    PERMISSION_CHANGE = "permission_change"
    ACCESS_DENIED = "access_denied"
    AUDIT_PURGE = "audit_purge"  # written by audit_log_purge() itself
    AUDIT_SEARCH = "audit_search"  # the auditor looked into the trail (governance/audit_view)
    PASSWORD_CHANGE = "password_change"  # an account holder replaced their own password


class AuditLog(Base):
    """One audit record. Read-only for the application once written."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(
            "outcome IN (" + ", ".join(f"'{o.value}'" for o in AuditOutcome) + ")",
            name="outcome",
        ),
        CheckConstraint(  # NULL until the sealer links the row (migration 0026)
            "(prev_hash IS NULL) = (row_hash IS NULL) "
            "AND octet_length(prev_hash) = 32 AND octet_length(row_hash) = 32",
            name="hash_length",
        ),
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_username_at", "username", "at"),
        Index("ix_audit_log_action_at", "action", "at"),
        Index("ix_audit_log_object_type_object_id", "object_type", "object_id"),
    )

    # No column default: the insert trigger draws ids from audit_log_id_seq (migration 0026).
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("clock_timestamp()")
    )
    user_id: Mapped[int | None] = mapped_column(Integer)  # no FK: records outlive accounts
    username: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    object_type: Mapped[str | None] = mapped_column(Text)
    object_id: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text, server_default=AuditOutcome.SUCCESS.value)
    client_addr: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    prev_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    row_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
