"""Aggregates for the wall screen's KPI tiles and top lists: counts only, never a row.

Each query takes the area scope as a code prefix (None: the whole city) and the time
bounds from the caller, so the service (``governance/wall.py``) decides what "today" and
"the same time yesterday" mean. Open counts at an instant in the past are reconstructed
from the closed loop's timeline (``incident_event``), see :func:`open_counts_at`.
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
# Waiting for the command centre to dispatch (registered, or verified and not yet sent).
AWAITING = (IncidentStatus.REGISTERED.value, IncidentStatus.VERIFIED.value)
# With a department: dispatched (accept clock running), accepted or started (resolve clock).
HANDLING = (
    IncidentStatus.DISPATCHED.value,
    IncidentStatus.ACCEPTED.value,
    IncidentStatus.IN_PROGRESS.value,
)


@dataclass(frozen=True)
class Bounds:
    """The instants the KPIs compare (all timezone-aware)."""

    now: datetime
    midnight: datetime  # start of today (local)
    day_ago: datetime  # now - 24 h: "the same time yesterday"
    yesterday_midnight: datetime


def scope_sql(scope: str | None, alias: str = "i") -> tuple[str, dict[str, str]]:
    """``AND <alias>.grid_id IN (grids under scope)`` and its parameter (None: nothing)."""
    if not scope:
        return "", {}
    return f"AND {alias}.grid_id IN {SCOPED_GRIDS}", {"scope": scope + "%"}


# the running clock's deadline of a case in the status/deadline columns given
_OVERDUE = """(({st} = 'dispatched' AND {acc} < :at)
            OR ({st} IN ('accepted', 'in_progress') AND {res} < :at))"""


def window_counts(session: Session, b: Bounds, scope: str | None) -> dict[str, float | None]:
    """Today so far against yesterday up to the same time, in one round trip.

    * ``today`` / ``today_prev``: incidents by ``occurred_at`` in ``[midnight, now)`` and
      ``[yesterday midnight, now - 24 h)``;
    * ``resolved`` / ``on_time`` (and ``*_prev``): incidents whose ``resolved_at`` lies in
      the window, and how many of them by their ``resolve_due_at``;
    * ``ratings`` / ``score_sum`` (and ``*_prev``): residents' ratings given in the window
      and the sum of their scores (satisfied 100, basic 60, dissatisfied 0).
    """
    where, params = scope_sql(scope)
    sql = f"""
        WITH w AS (SELECT CAST(:midnight AS timestamptz) AS a, CAST(:now AS timestamptz) AS b,
                          CAST(:y_midnight AS timestamptz) AS pa,
                          CAST(:day_ago AS timestamptz) AS pb)
        SELECT
          (SELECT count(*) FROM incident i, w WHERE i.occurred_at >= w.a
             AND i.occurred_at < w.b {where}) AS today,
          (SELECT count(*) FROM incident i, w WHERE i.occurred_at >= w.pa
             AND i.occurred_at < w.pb {where}) AS today_prev,
          r.resolved, r.on_time, r.resolved_prev, r.on_time_prev,
          f.ratings, f.score_sum, f.ratings_prev, f.score_sum_prev
        FROM w,
        LATERAL (
          SELECT count(*) FILTER (WHERE i.resolved_at >= w.a) AS resolved,
                 count(*) FILTER (WHERE i.resolved_at >= w.a
                                    AND i.resolved_at <= i.resolve_due_at) AS on_time,
                 count(*) FILTER (WHERE i.resolved_at < w.pb) AS resolved_prev,
                 count(*) FILTER (WHERE i.resolved_at < w.pb
                                    AND i.resolved_at <= i.resolve_due_at) AS on_time_prev
          FROM incident i
          WHERE i.resolve_due_at IS NOT NULL
            AND ((i.resolved_at >= w.a AND i.resolved_at < w.b)
              OR (i.resolved_at >= w.pa AND i.resolved_at < w.pb)) {where}
        ) r,
        LATERAL (
          SELECT count(*) FILTER (WHERE f.at >= w.a) AS ratings,
                 sum(s.score) FILTER (WHERE f.at >= w.a) AS score_sum,
                 count(*) FILTER (WHERE f.at < w.pb) AS ratings_prev,
                 sum(s.score) FILTER (WHERE f.at < w.pb) AS score_sum_prev
          FROM incident_feedback f JOIN incident i ON i.id = f.incident_id
          JOIN (VALUES ('satisfied', 100), ('basic', 60), ('dissatisfied', 0))
               AS s(rating, score) ON s.rating = f.rating
          WHERE ((f.at >= w.a AND f.at < w.b) OR (f.at >= w.pa AND f.at < w.pb)) {where}
        ) f
    """
    row = (
        session.execute(
            text(sql),
            {
                "now": b.now,
                "midnight": b.midnight,
                "day_ago": b.day_ago,
                "y_midnight": b.yesterday_midnight,
                **params,
            },
        )
        .mappings()
        .one()
    )
    return {k: None if v is None else float(v) for k, v in row.items()}


def open_counts_now(session: Session, at: datetime, scope: str | None) -> dict[str, int]:
    """``awaiting``, ``handling`` and ``overdue`` cases now (by the status columns)."""
    where, params = scope_sql(scope)
    overdue = _OVERDUE.format(st="i.status", acc="i.accept_due_at", res="i.resolve_due_at")
    sql = f"""
        SELECT count(*) FILTER (WHERE i.status = ANY(:awaiting)) AS awaiting,
               count(*) FILTER (WHERE i.status = ANY(:handling)) AS handling,
               count(*) FILTER (WHERE {overdue}) AS overdue
        FROM incident i
        WHERE i.status = ANY(:open) {where}
    """
    row = session.execute(text(sql), _open_params(at, params)).mappings().one()
    return {k: int(v) for k, v in row.items()}


def open_counts_at(session: Session, at: datetime, scope: str | None) -> dict[str, int]:
    """``awaiting``, ``handling`` and ``overdue`` cases as they stood at ``at`` (past).

    The timeline records every transition with its time, so the state at ``at`` is:

    * for an incident with no timeline event after ``at``: its columns as they are now
      (nothing has happened to it since), provided it was reported by ``at``;
    * otherwise: the ``to_status`` of its last event at or before ``at`` (no such event:
      it did not exist yet), with the deadlines of that moment: those its last
      ``dispatch``/``transfer`` event set (``detail.accept_due_at`` / ``resolve_due_at``),
      moved by a later ``approve_extension`` (``detail.until``); where an event carries no
      deadline (history imported without one) the current deadline stands in.
    """
    where, params = scope_sql(scope)
    overdue = _OVERDUE.format(st="s.status", acc="s.accept_due", res="s.resolve_due")
    sql = f"""
        WITH changed AS (
            SELECT DISTINCT e.incident_id FROM incident_event e WHERE e.at > :at
        ),
        s AS (
            SELECT i.status, i.accept_due_at AS accept_due, i.resolve_due_at AS resolve_due
            FROM incident i LEFT JOIN changed c ON c.incident_id = i.id
            WHERE c.incident_id IS NULL AND i.reported_at <= :at
              AND i.status = ANY(:open) {where}
            UNION ALL
            SELECT st.to_status,
                   coalesce(d.accept_due, i.accept_due_at),
                   CASE WHEN x.at IS NOT NULL AND x.until IS NOT NULL
                             AND (d.at IS NULL OR x.at > d.at) THEN x.until
                        ELSE coalesce(d.resolve_due, i.resolve_due_at) END
            FROM incident i JOIN changed c ON c.incident_id = i.id
            CROSS JOIN LATERAL (
                SELECT e.to_status FROM incident_event e
                WHERE e.incident_id = i.id AND e.at <= :at AND e.to_status IS NOT NULL
                ORDER BY e.at DESC, e.id DESC LIMIT 1) st
            LEFT JOIN LATERAL (
                SELECT e.at, (e.detail->>'accept_due_at')::timestamptz AS accept_due,
                       (e.detail->>'resolve_due_at')::timestamptz AS resolve_due
                FROM incident_event e
                WHERE e.incident_id = i.id AND e.at <= :at
                  AND e.action IN ('dispatch', 'transfer')
                ORDER BY e.at DESC, e.id DESC LIMIT 1) d ON true
            LEFT JOIN LATERAL (
                SELECT e.at, (e.detail->>'until')::timestamptz AS until
                FROM incident_event e
                WHERE e.incident_id = i.id AND e.at <= :at AND e.action = 'approve_extension'
                ORDER BY e.at DESC, e.id DESC LIMIT 1) x ON true
            WHERE st.to_status = ANY(:open) {where}
        )
        SELECT count(*) FILTER (WHERE s.status = ANY(:awaiting)) AS awaiting,
               count(*) FILTER (WHERE s.status = ANY(:handling)) AS handling,
               count(*) FILTER (WHERE {overdue}) AS overdue
        FROM s
    """
    row = session.execute(text(sql), _open_params(at, params)).mappings().one()
    return {k: int(v) for k, v in row.items()}


def _open_params(at: datetime, params: dict[str, str]) -> dict[str, object]:
    open_statuses = [s.value for s in IncidentStatus if s.value not in DONE_STATUSES]
    return {
        "at": at,
        "open": open_statuses,
        "awaiting": list(AWAITING),
        "handling": list(HANDLING),
        **params,
    }


def top_categories(
    session: Session, start: datetime, end: datetime, scope: str | None, limit: int
) -> list[tuple[str, int]]:
    """``[(category_code, count)]`` of incidents in ``[start, end)``, largest first."""
    where, params = scope_sql(scope)
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
    where, params = scope_sql(scope)
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
