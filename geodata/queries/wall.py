"""Aggregates for the wall screen: counts only, never a row of an incident.

Each query takes the area scope as a code prefix (None: the whole city) and the time
bounds from the caller, so the service decides what "today" and "yesterday" mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.models import IncidentStatus
from geodata.queries.layers import SCOPED_GRIDS

# An incident is open until it is closed, evaluated, rejected or merged into another.
DONE_STATUSES = (
    IncidentStatus.CLOSED.value,
    IncidentStatus.EVALUATED.value,
    IncidentStatus.REJECTED.value,
    IncidentStatus.MERGED.value,
)


@dataclass(frozen=True)
class Bounds:
    """The instants the KPIs compare (all timezone-aware)."""

    now: datetime
    midnight: datetime  # start of today (local)
    hour_ago: datetime
    day_ago: datetime  # now - 24 h: "the same time yesterday"
    yesterday_midnight: datetime
    yesterday_hour_ago: datetime  # now - 25 h


def _scope(scope: str | None, alias: str = "i") -> tuple[str, dict[str, str]]:
    if not scope:
        return "", {}
    return f"AND {alias}.grid_id IN {SCOPED_GRIDS}", {"scope": scope + "%"}


def kpi_counts(session: Session, b: Bounds, scope: str | None) -> dict[str, int]:
    """today / today_prev, hour / hour_prev, open / open_24h in one round trip.

    ``*_prev`` count the same span one day earlier (``[yesterday midnight, now - 24 h)``
    and ``[now - 25 h, now - 24 h)``); ``open_24h`` are the open ones of the last 24 h.
    """
    where, params = _scope(scope)
    sql = f"""
        SELECT
          count(*) FILTER (WHERE i.occurred_at >= :midnight) AS today,
          count(*) FILTER (WHERE i.occurred_at >= :y_midnight
                            AND i.occurred_at < :day_ago) AS today_prev,
          count(*) FILTER (WHERE i.occurred_at >= :hour_ago) AS hour,
          count(*) FILTER (WHERE i.occurred_at >= :y_hour_ago
                            AND i.occurred_at < :day_ago) AS hour_prev,
          (SELECT count(*) FROM incident o
            WHERE o.status <> ALL(:done) {_scope(scope, "o")[0]}) AS open,
          (SELECT count(*) FROM incident o
            WHERE o.status <> ALL(:done) AND o.occurred_at >= :day_ago
              AND o.occurred_at < :now {_scope(scope, "o")[0]}) AS open_24h
        FROM incident i
        WHERE i.occurred_at >= LEAST(CAST(:y_midnight AS timestamptz),
                                     CAST(:y_hour_ago AS timestamptz))
          AND i.occurred_at < :now {where}
    """
    row = (
        session.execute(
            text(sql),
            {
                "now": b.now,
                "midnight": b.midnight,
                "hour_ago": b.hour_ago,
                "day_ago": b.day_ago,
                "y_midnight": b.yesterday_midnight,
                "y_hour_ago": b.yesterday_hour_ago,
                "done": list(DONE_STATUSES),
                **params,
            },
        )
        .mappings()
        .one()
    )
    return {k: int(v) for k, v in row.items()}


def top_categories(
    session: Session, start: datetime, end: datetime, scope: str | None, limit: int
) -> list[tuple[str, int]]:
    """``[(category_code, count)]`` of incidents in ``[start, end)``, largest first."""
    where, params = _scope(scope)
    sql = f"""
        SELECT i.category_code, count(*) AS n
        FROM incident i
        WHERE i.occurred_at >= :start AND i.occurred_at < :end {where}
        GROUP BY i.category_code
        ORDER BY n DESC, i.category_code
        LIMIT :limit
    """
    rows = session.execute(text(sql), {"start": start, "end": end, "limit": limit, **params})
    return [(str(code), int(n)) for code, n in rows]


def top_grids(
    session: Session, start: datetime, end: datetime, scope: str | None, limit: int
) -> list[tuple[str, str, int]]:
    """``[(grid code, grid name, count)]`` of incidents in ``[start, end)``, largest first."""
    where, params = _scope(scope)
    sql = f"""
        SELECT g.code, g.name, count(*) AS n
        FROM incident i JOIN area g ON g.id = i.grid_id
        WHERE i.occurred_at >= :start AND i.occurred_at < :end {where}
        GROUP BY g.code, g.name
        ORDER BY n DESC, g.code
        LIMIT :limit
    """
    rows = session.execute(text(sql), {"start": start, "end": end, "limit": limit, **params})
    return [(str(code), str(name), int(n)) for code, name, n in rows]
