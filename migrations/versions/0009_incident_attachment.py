"""Files attached to timeline steps (incident_attachment), public-report photos included.

Until now a public report's photo was written under ``<data_dir>/uploads/<tracking
code>/`` and named in its ``register`` event's detail, where no screen could show it.
Upgrading moves every such photo that is still on disk into the new table (the file is
left where it is); downgrading drops the table (the files on disk remain).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
PHOTO_TYPES = {".jpg": "image/jpeg", ".png": "image/png"}


def upgrade() -> None:
    op.create_table(
        "incident_attachment",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(120), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "size > 0 AND size = octet_length(data)", name=op.f("ck_incident_attachment_size")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_attachment_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["incident_event.id"],
            name=op.f("fk_incident_attachment_event_id_incident_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_attachment")),
    )
    op.create_index("ix_incident_attachment_incident_id", "incident_attachment", ["incident_id"])
    op.create_index("ix_incident_attachment_event_id", "incident_attachment", ["event_id"])
    _move_public_photos()


def _move_public_photos() -> None:
    from settings import get_settings

    root = Path(get_settings().data_dir) / "uploads"
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("""
        SELECT e.id AS event_id, e.incident_id, i.tracking_code, e.detail->>'photo' AS name
        FROM incident_event e JOIN incident i ON i.id = e.incident_id
        WHERE e.action = 'register' AND e.detail ? 'photo' AND i.tracking_code IS NOT NULL""")
    ).all()
    moved = 0
    for r in rows:
        path = root / str(r.tracking_code) / Path(str(r.name)).name
        kind = PHOTO_TYPES.get(path.suffix.lower())
        if kind is None or not path.is_file():
            continue
        data = path.read_bytes()
        if not data:
            continue
        conn.execute(
            sa.text("""
            INSERT INTO incident_attachment
                (incident_id, event_id, filename, content_type, size, sha256, data)
            VALUES (:i, :e, :f, :t, :n, :h, :d)"""),
            {
                "i": r.incident_id,
                "e": r.event_id,
                "f": f"photo{path.suffix.lower()}",
                "t": kind,
                "n": len(data),
                "h": hashlib.sha256(data).hexdigest(),
                "d": data,
            },
        )
        moved += 1
    if rows:
        log.info("public report photos moved into incident_attachment: %d of %d", moved, len(rows))


def downgrade() -> None:
    op.drop_table("incident_attachment")
