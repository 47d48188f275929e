"""Tokens for machines: per-source API clients (12345, 110, IoT) and wall-screen kiosks.

A token is shown once when created; the database keeps only its SHA-256 and a short
prefix to recognise it in lists. ``kind = 'source'`` tokens act for one intake source
with explicit scopes; ``kind = 'kiosk'`` tokens open the wall screen of one area.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=True),
        sa.Column("scopes", postgresql.ARRAY(sa.String(length=40)), nullable=False,
                  server_default=sa.text("'{}'")),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_prefix", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('source', 'kiosk')", name=op.f("ck_api_token_kind")),
        sa.CheckConstraint(
            "kind <> 'source' OR source IS NOT NULL", name=op.f("ck_api_token_source_has_source")
        ),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_api_token_area_id_area")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], ondelete="SET NULL",
                                name=op.f("fk_api_token_created_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("api_token")
