"""Counts of the reverse cross-check (逆向倒查, ``governance/crosscheck.py``): reports of the
grid's own channel against the external channels, per H3 cell (resolution 8) x category
and per grid x category, in a period and an area (a code prefix)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

OWN: Final = ("grid", "patrol")  # the grid's own eyes: grid reports, patrol findings
EXTERNAL: Final = ("hotline_12345", "police_110", "public", "iot")
_COUNTS: Final = (
    "count(*) FILTER (WHERE i.source = ANY(CAST(:own AS text[]))) AS own, "
    "count(*) FILTER (WHERE i.source = ANY(CAST(:ext AS text[]))) AS external"
)


def _params(prefix: str, start: datetime, end: datetime) -> dict[str, object]:
    return {
        "prefix": prefix + "%",
        "start": start,
        "end": end,
        "own": list(OWN),
        "ext": list(EXTERNAL),
    }


def cell_counts(s: Session, prefix: str, start: datetime, end: datetime) -> list[tuple]:
    """(h3_8 cell, category, own, external) of incidents that occurred in [start, end) in
    grids whose code starts with ``prefix`` ("" for the whole city)."""
    return [
        tuple(r)
        for r in s.execute(
            text(
                f"SELECT i.h3_8, i.category_code, {_COUNTS} FROM incident i "
                "JOIN area g ON g.id = i.grid_id WHERE g.code LIKE :prefix "
                "AND i.occurred_at >= :start AND i.occurred_at < :end "
                "AND i.status <> 'merged' GROUP BY 1, 2 ORDER BY 1, 2"
            ),
            _params(prefix, start, end),
        ).all()
    ]


def grid_counts(s: Session, prefix: str, start: datetime, end: datetime) -> list[tuple]:
    """(grid id, grid code, grid name, category, own, external), as :func:`cell_counts`."""
    return [
        tuple(r)
        for r in s.execute(
            text(
                f"SELECT g.id, g.code, g.name, i.category_code, {_COUNTS} FROM incident i "
                "JOIN area g ON g.id = i.grid_id WHERE g.code LIKE :prefix "
                "AND i.occurred_at >= :start AND i.occurred_at < :end "
                "AND i.status <> 'merged' GROUP BY 1, 2, 3, 4 ORDER BY 2, 4"
            ),
            _params(prefix, start, end),
        ).all()
    ]
