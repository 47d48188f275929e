"""The parsed table of a file-import upload, kept between the callbacks of one import.

Alembic owns the schema (``migrations/versions/0012_file_upload.py``); the rows are
written and read by ``geodata/queries/file_uploads.py`` for ``governance/file_uploads.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, LargeBinary, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geodata.db import Base


class FileUpload(Base):
    """One upload: its table encrypted (``payload``), whose it is, until when it lives.
    UNLOGGED: it lives for minutes and can be uploaded again after a crash."""

    __tablename__ = "file_upload"
    __table_args__ = (
        CheckConstraint("size = octet_length(payload)", name="size"),
        {"prefixes": ["UNLOGGED"]},
    )

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the id
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    row_count: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ImportLayout(Base):
    """The column mapping last confirmed for files of one layout (migration 0017):
    column names only, no values from the file."""

    __tablename__ = "import_layout"

    signature: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256
    kind: Mapped[str] = mapped_column(String(20))
    mapping: Mapped[dict] = mapped_column(JSONB)
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
