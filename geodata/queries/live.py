"""What live maps need to know about changed incidents: where, what, in which grid.

One query per batch of notifications, by primary key. It reads no description, address,
reporter or any other personal column: only the category, the status, the point, the
time and the grid's code (the last for filtering by area scope on the server).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

_SQL = text("""
    SELECT i.id, i.status, i.version, i.category_code, c.color, g.code AS grid_code,
           round(ST_X(i.geom)::numeric, 6)::float8 AS lon,
           round(ST_Y(i.geom)::numeric, 6)::float8 AS lat,
           to_char(i.occurred_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI')
               AS occurred_at
    FROM incident i
    JOIN incident_category c ON c.code = i.category_code
    LEFT JOIN area g ON g.id = i.grid_id
    WHERE i.id = ANY(:ids)
""")


def changed_incidents(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """id -> {id, status, version, category_code, color, grid_code, lon, lat, occurred_at}
    for the incidents of ``ids`` that exist."""
    if not ids:
        return {}
    rows = session.execute(_SQL, {"ids": list(ids)}).mappings()
    return {int(r["id"]): dict(r) for r in rows}
