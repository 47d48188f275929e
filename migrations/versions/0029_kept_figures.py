"""Kept period figures (issue 17): what a closed period's screens and documents compute
once and read again (``geodata/queries/kept.py``).

``kept_figure`` holds one row per kind of figure (the reverse cross-check's counts, the
weekly packet's repeated addresses), area scope, closed period ``[period_start,
period_end)`` and parameters, with the time it was computed (the briefing's 数据截至) and
its body (compressed, no personal data: counts, or addresses already redacted).

A kept figure stands for the period as the system knew it at ``computed_at``. Two kinds of
change would make it wrong about that, and they drop it (statement-level triggers on
``incident``, with transition tables: one pass over a statement's rows):

* an incident inserted later that occurred in the period and was reported before its
  end, i.e. history loaded afterwards (an import of last year's 12345 records);
* an incident of the period deleted, and a ``TRUNCATE`` of the incidents.

A report that arrives after the period's end about something in it is not history: the
period's figures were published without it, as a printed briefing would be.

Revision ID: 0029_kept_figures
Revises: 0028_coarse_rollup
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029_kept_figures"
down_revision = "0028_coarse_rollup"
branch_labels = None
depends_on = None

FUNCTIONS = """
-- The statement's rows are first summed up per hour of occurrence (at most a few
-- thousand groups for a year of history), and a kept figure is dropped when an hour
-- that overlaps its period holds a row reported before the period's end. At the
-- period's edges that is conservative by less than an hour (a figure dropped that could
-- have stayed costs one recount; periods end on whole local hours anyway), and it keeps
-- a large history import from testing every kept figure against every row.
CREATE FUNCTION kept_figure_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    latest timestamptz;
BEGIN
    SELECT max(period_end) INTO latest FROM kept_figure;
    IF latest IS NULL THEN
        RETURN NULL;  -- nothing kept: an intake pays one look at a small table
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- live intake is reported now, after every kept period: one pass finds none
        IF NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.reported_at < latest) THEN
            RETURN NULL;
        END IF;
        DELETE FROM kept_figure k USING (
            SELECT date_trunc('hour', n.occurred_at) AS h, min(n.reported_at) AS r
            FROM new_rows n WHERE n.reported_at < latest GROUP BY 1) x
        WHERE x.h < k.period_end AND x.h + interval '1 hour' > k.period_start
          AND x.r < k.period_end;
    ELSE
        DELETE FROM kept_figure k USING (
            SELECT DISTINCT date_trunc('hour', o.occurred_at) AS h FROM old_rows o) x
        WHERE x.h < k.period_end AND x.h + interval '1 hour' > k.period_start;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION kept_figure_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM kept_figure;
    RETURN NULL;
END $$;

CREATE TRIGGER incident_kept_ins AFTER INSERT ON incident
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kept_figure_history();
CREATE TRIGGER incident_kept_del AFTER DELETE ON incident
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kept_figure_history();
CREATE TRIGGER incident_kept_trunc AFTER TRUNCATE ON incident
    FOR EACH STATEMENT EXECUTE FUNCTION kept_figure_truncate();
"""


def upgrade() -> None:
    op.create_table(
        "kept_figure",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("params", sa.String(200), nullable=False),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.UniqueConstraint(
            "kind", "scope", "period_start", "period_end", "params", name="uq_kept_figure_key"
        ),
        sa.CheckConstraint("period_start < period_end", name="ck_kept_figure_period"),
    )
    op.execute(FUNCTIONS)


def downgrade() -> None:
    for t in ("ins", "del", "trunc"):
        op.execute(f"DROP TRIGGER incident_kept_{t} ON incident")
    op.execute("DROP FUNCTION kept_figure_truncate()")
    op.execute("DROP FUNCTION kept_figure_history()")
    op.drop_table("kept_figure")
