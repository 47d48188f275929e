"""Alerts (spike warnings, blind spots of the reverse cross-check) and where they go.

* ``alert``: one row per published alert, unique by its de-duplication key. Evidence is
  numbers, short codes and ISO times only (``governance/alerts_evidence.py``): the words
  are rendered per reader at read time, so nothing personal and no language is stored.
* ``alert_subscription``: a user's kinds x area (a code prefix; "" the whole city) x
  category (NULL: every category).
* ``alert_inbox``: one row per alert and subscriber, read or not.
* ``webhook_target``: an endpoint the system administrator configured, its HMAC secret
  encrypted at rest (AES-256-GCM, ``geodata/crypto.py``), which kinds / area / category.
* ``webhook_delivery``: one per alert and matching target, pending / sent / failed, with
  the time of the next attempt; ``webhook_attempt``: every attempt's outcome.

No row-level security: these tables hold no personal data (codes and numbers); the area
scope is enforced by the use cases (a subscription inside one's scope, one's own inbox).

Revision ID: 0023_alerts
Revises: 0022_spike_warnings
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0023_alerts"
down_revision = "0022_spike_warnings"
branch_labels = None
depends_on = None

KINDS = "'spike', 'blind_spot'"
TABLES = (
    "webhook_attempt",
    "webhook_delivery",
    "webhook_target",
    "alert_inbox",
    "alert_subscription",
    "alert",
)


def _ts(name: str, nullable: bool = False) -> sa.Column:
    if nullable:
        return sa.Column(name, sa.DateTime(timezone=True), nullable=True)
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "alert",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("area_code", sa.String(15), nullable=False),
        sa.Column("category_code", sa.String(40), nullable=True),
        sa.Column("dedup_key", sa.String(200), nullable=False),
        sa.Column("evidence", postgresql.JSONB, nullable=False),
        _ts("created_at"),
        sa.CheckConstraint(f"kind IN ({KINDS})", name="kind"),
        sa.UniqueConstraint("dedup_key", name="uq_alert_dedup_key"),
    )
    op.create_index("ix_alert_created_at", "alert", ["created_at"])
    op.create_table(
        "alert_subscription",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("area_prefix", sa.String(15), nullable=False),  # "": the whole city
        sa.Column("area_code", sa.String(15), nullable=True),  # as stored; NULL: the city
        sa.Column(
            "category_code",
            sa.String(40),
            sa.ForeignKey("incident_category.code", ondelete="CASCADE"),
            nullable=True,
        ),
        _ts("created_at"),
        sa.CheckConstraint(f"kind IN ({KINDS})", name="kind"),
    )
    op.execute(
        "CREATE UNIQUE INDEX uq_alert_subscription_what ON alert_subscription "
        "(user_id, kind, area_prefix, coalesce(category_code, ''))"
    )
    op.create_index("ix_alert_subscription_kind", "alert_subscription", ["kind", "area_prefix"])
    op.create_table(
        "alert_inbox",
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "alert_id", sa.BigInteger, sa.ForeignKey("alert.id", ondelete="CASCADE"), nullable=False
        ),
        _ts("created_at"),
        _ts("read_at", nullable=True),
        sa.PrimaryKeyConstraint("user_id", "alert_id", name="pk_alert_inbox"),
    )
    op.execute("CREATE INDEX ix_alert_inbox_unread ON alert_inbox (user_id) WHERE read_at IS NULL")
    op.create_table(
        "webhook_target",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("secret_enc", sa.LargeBinary, nullable=False),
        sa.Column("kinds", postgresql.ARRAY(sa.String(20)), nullable=False),
        sa.Column("area_prefix", sa.String(15), nullable=False),
        sa.Column("category_code", sa.String(40), nullable=True),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        _ts("created_at"),
        _ts("disabled_at", nullable=True),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column(
            "target_id",
            sa.Integer,
            sa.ForeignKey("webhook_target.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "alert_id", sa.BigInteger, sa.ForeignKey("alert.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.SmallInteger, nullable=False, server_default="0"),
        _ts("next_at"),
        _ts("created_at"),
        _ts("sent_at", nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        sa.UniqueConstraint("target_id", "alert_id", name="uq_webhook_delivery_target_alert"),
    )
    op.execute(
        "CREATE INDEX ix_webhook_delivery_due ON webhook_delivery (next_at) "
        "WHERE status = 'pending'"
    )
    op.create_table(
        "webhook_attempt",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column(
            "delivery_id",
            sa.BigInteger,
            sa.ForeignKey("webhook_delivery.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.SmallInteger, nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("duration_ms", sa.Integer, nullable=False),
    )
    op.create_index("ix_webhook_attempt_delivery", "webhook_attempt", ["delivery_id"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
