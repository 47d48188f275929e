"""Machine tokens: intake-source API clients and wall-screen kiosks.

Alembic owns the schema (``migrations/versions/0005_api_token.py``). The token itself is
shown once at creation; only its SHA-256 (``token_hash``) and a short ``token_prefix``
are stored.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from geodata.db import Base


class TokenKind(enum.StrEnum):
    SOURCE = "source"  # another system's API client (12345, 110, IoT)
    KIOSK = "kiosk"  # a wall screen's long-lived URL


class ApiToken(Base):
    __tablename__ = "api_token"
    __table_args__ = (
        CheckConstraint("kind IN ('source', 'kiosk')", name="kind"),
        CheckConstraint("kind <> 'source' OR source IS NOT NULL", name="source_has_source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(80))
    source: Mapped[str | None] = mapped_column(String(20))  # IncidentSource value
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))  # None: whole city
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
