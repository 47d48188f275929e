"""Indexes fitted to the hot queries of the command screens (issue 17).

The open cases (registered ... resolved: a few percent of the table, and not more as the
history grows) are what the wall, the dispatch board and the briefing count over and
over; they lie scattered over the heap, so reading them through an index of their status
alone fetched one heap page per case. Measured with ``EXPLAIN (ANALYZE, BUFFERS)`` and
``pg_stat_user_indexes`` on the 1M benchmark database (``docs/scale.md``, "Indexes"):

* ``ix_incident_open`` replaces ``ix_incident_open_due`` (same rows: the open statuses;
  same keys: status, resolve-by) and carries in its leaf what the open-case counts read
  (accept-by, received, escalation level, suspended since, grid, lead department, id),
  so they are index-only scans: the dispatch board's counts, the wall's open counts and
  the past state's first half (``case_state.states_at``).
* ``ix_incident_escalated``: the escalated list (escalation level > 0, open; a few
  hundred rows) in its own order, instead of filtering every open case.
* ``ix_incident_waiting``: the dispatcher's queue (registered, verified) in its order.
* ``ix_incident_h3_6``, ``ix_incident_h3_9``, ``ix_incident_h3_10`` dropped: no scan in
  ``pg_stat_user_indexes`` after every screen above, the density layer at zooms 9, 11,
  13 and 15 (resolutions 6, 8, 9) and the briefing; their queries group by the cell over
  rows found by time and place (``geodata/queries/layers.py``, ``hotspots.py``), which no
  plan reads through these indexes, and nothing looks a cell of these resolutions up.
  The resolutions 7 and 8 ones are read (the wall's and the briefing's hot cells, the
  cross-check's cell lookup) and stay.

No transition becomes a HOT update with these or without them: a transition changes the
status, which the open-case indexes (and ``ix_incident_lead_status``) must key on, so
each transition writes a new entry in every index of ``incident``. What is in our hands
is how many indexes each transition feeds; the ones added here are partial and small.

Revision ID: 0025_fitted_indexes
Revises: 0024_incident_rollup
"""

from __future__ import annotations

from alembic import op

revision = "0025_fitted_indexes"
down_revision = "0024_incident_rollup"
branch_labels = None
depends_on = None

OPEN = "status NOT IN ('closed', 'evaluated', 'rejected', 'merged')"
UNUSED_H3 = (6, 9, 10)


def upgrade() -> None:
    op.drop_index("ix_incident_open_due", table_name="incident")
    op.execute(f"""
        CREATE INDEX ix_incident_open ON incident (status, resolve_due_at)
        INCLUDE (id, accept_due_at, reported_at, escalation_level, suspended_at, grid_id,
                 lead_department_id)
        WHERE {OPEN}""")
    op.execute(f"""
        CREATE INDEX ix_incident_escalated ON incident (escalation_level DESC, reported_at, id)
        WHERE escalation_level > 0 AND {OPEN}""")
    op.execute("""
        CREATE INDEX ix_incident_waiting ON incident (reported_at, id)
        WHERE status IN ('registered', 'verified')""")
    for r in UNUSED_H3:
        op.drop_index(f"ix_incident_h3_{r}", table_name="incident")


def downgrade() -> None:
    for r in UNUSED_H3:
        op.create_index(f"ix_incident_h3_{r}", "incident", [f"h3_{r}", "occurred_at"])
    op.drop_index("ix_incident_waiting", table_name="incident")
    op.drop_index("ix_incident_escalated", table_name="incident")
    op.drop_index("ix_incident_open", table_name="incident")
    op.execute(f"CREATE INDEX ix_incident_open_due ON incident (status, resolve_due_at) WHERE {OPEN}")
