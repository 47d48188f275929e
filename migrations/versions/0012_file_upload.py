"""Parsed uploads of the file import, kept between its callbacks (file_upload).

The import screen used to send the whole file (base64) with every callback, and each
callback parsed it again: a hostile XLSX cost its CPU on the upload, on every preview
and on the import. Now the file is parsed once, on upload, and its table is kept here
for the next steps of that import, shared by every worker and app node:

* ``key_hash``: SHA-256 of the random id the page holds (the id itself is not stored);
* ``user_id``: whose upload it is (nobody else may use the id);
* ``payload``: the table, compressed and AES-256-GCM encrypted like other personal data
  (hotline exports carry callers' names and phones), bound to its row;
* ``expires_at``: 30 minutes after upload; expired rows are deleted by the next upload.

UNLOGGED: an upload lives for minutes and can be sent again, so a crash that empties the
table is harmless, and the blobs (up to ~24 MB) write no WAL.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_upload",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size = octet_length(payload)", name=op.f("ck_file_upload_size")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_file_upload_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_file_upload")),
        prefixes=["UNLOGGED"],
    )
    op.create_index("ix_file_upload_user_id", "file_upload", ["user_id"])
    op.create_index("ix_file_upload_expires_at", "file_upload", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_file_upload_expires_at", table_name="file_upload")
    op.drop_index("ix_file_upload_user_id", table_name="file_upload")
    op.drop_table("file_upload")
