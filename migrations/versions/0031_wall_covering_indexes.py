"""The wall's counts of today read from the indexes alone (issue 17).

The wall counts, for today so far and for yesterday up to the same time, the cases
received (``reported_at``, counted ones, in the area), the cases resolved (``resolved_at``,
and how many by their ``resolve_due_at``), and ranks the last 24 hours' categories and
grids. Both indexes held the time alone, so each count fetched every row from the heap:
at 10M incidents (about 25,000 received and 43,000 resolved rows in the two windows) the
resolved counts alone read 14,000 heap blocks in 42 ms (``docs/scale.md``, "Indexes").

Both become covering indexes: ``ix_incident_reported_at`` INCLUDEs the status (counted),
the grid (the area scope) and the category (the top categories);
``ix_incident_resolved_at`` INCLUDEs the deadline (on time) and the grid. And the wall's
hot cells are labelled with their commonest category of the two weeks, read from
``ix_incident_h3_8``, which did not hold the category: at 10M 11,900 heap fetches, 21 ms;
it now INCLUDEs it too. A transition is never a HOT update anyway (it changes ``status``
and the clocks, which other indexes key on), so the included columns cost index size,
not index entries.

Revision ID: 0031_wall_covering_indexes
Revises: 0030_review_index
"""

from __future__ import annotations

from alembic import op

revision = "0031_wall_covering_indexes"
down_revision = "0030_review_index"
branch_labels = None
depends_on = None

REPORTED_COVER = (
    "CREATE INDEX ix_incident_reported_at ON incident (reported_at) "
    "INCLUDE (status, grid_id, category_code)"
)
RESOLVED_COVER = (
    "CREATE INDEX ix_incident_resolved_at ON incident (resolved_at) "
    "INCLUDE (resolve_due_at, grid_id)"
)

H3_8_COVER = (  # 0028_coarse_rollup's, and the category
    "CREATE INDEX ix_incident_h3_8 ON incident (h3_8, occurred_at) "
    "INCLUDE (status, grid_id, h3_9, h3_10, geom, category_code)"
)
H3_8_BEFORE = (
    "CREATE INDEX ix_incident_h3_8 ON incident (h3_8, occurred_at) "
    "INCLUDE (status, grid_id, h3_9, h3_10, geom)"
)


def _swap(index: str, create: str) -> None:
    """Replace ``index`` by the one ``create`` makes under the same name."""
    op.execute(f"ALTER INDEX {index} RENAME TO {index}_old")
    op.execute(create)
    op.execute(f"DROP INDEX {index}_old")


def upgrade() -> None:
    _swap("ix_incident_reported_at", REPORTED_COVER)
    _swap("ix_incident_resolved_at", RESOLVED_COVER)
    _swap("ix_incident_h3_8", H3_8_COVER)


def downgrade() -> None:
    _swap("ix_incident_h3_8", H3_8_BEFORE)
    _swap("ix_incident_resolved_at", "CREATE INDEX ix_incident_resolved_at ON incident (resolved_at)")
    _swap("ix_incident_reported_at", "CREATE INDEX ix_incident_reported_at ON incident (reported_at)")
