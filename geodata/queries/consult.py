"""Read queries of the weekly consultation packet (governance/consult.py has the rules):
cases stuck between departments or overdue, and addresses reported again and again.

Rows carry no reporter data; descriptions and addresses are masked by the service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries import case_state as cs
from geodata.queries.duplicates import DROPPED, FULL_WIDTH, HALF_WIDTH
from geodata.queries.layers import scope_filter

MOVES = ("transfer", "return")  # a case changing hands between departments


def _char_class(chars: str) -> str:
    """A regular-expression bracket of exactly ``chars`` (each as a ``\\uXXXX`` escape,
    so no character can change the bracket's meaning)."""
    return "[" + "".join(f"\\u{ord(c):04x}" for c in chars) + "]"


FULL_WIDTH_CLASS = _char_class(FULL_WIDTH)
DROPPED_CLASS = _char_class(DROPPED)


def address_key_sql(column: str) -> str:
    """The address as compared for 同址重复: the very result of
    ``geodata.queries.duplicates._normalised_sql`` (full-width to half-width, spaces and
    punctuation dropped, lower case), spelled to run fast over a season of reports.

    PostgreSQL's ``translate()`` compares each character with every character of its
    ``from`` string: the two translations cost ~1.6 s over 50,000 addresses (the 90 days
    of the weekly packet on the demo city), most of the packet's time. Here the
    full-width translation runs only on the addresses that hold a full-width character,
    and the deletion is one regular expression (~0.1 s for the same rows).
    ``tests/integration/test_consult_speed.py`` checks the two agree on any text."""
    return (
        f"lower(regexp_replace(CASE WHEN {column} ~ :full_class "
        f"THEN translate({column}, :full, :half) ELSE {column} END, :dropped_class, '', 'g'))"
    )


# The packet's stuck cases as rows, from a statement whose CTE ``cases`` holds them
# (``id, category_code, status, grid_id, lead_department_id, description, moves,
# overdue_days, bounced``): shared with the bench's baseline (bench/screens_before.py).
STUCK_ROWS = """
        SELECT c.id, c.category_code, c.status, g.name AS grid_name, c.lead_department_id,
               d.name_zh AS department_zh, d.name_en AS department_en,
               c.moves, c.overdue_days, c.description, count(*) OVER () AS total
        FROM cases c LEFT JOIN area g ON g.id = c.grid_id
             LEFT JOIN department d ON d.id = c.lead_department_id
        WHERE c.bounced OR c.overdue_days IS NOT NULL
        ORDER BY c.moves DESC, c.overdue_days DESC NULLS LAST, c.id
        LIMIT :limit"""


def stuck_rows(
    session: Session,
    sql: str,
    start: datetime,
    end: datetime,
    min_moves: int,
    limit: int,
    params: dict[str, Any],
) -> tuple[list[dict[str, Any]], int]:
    """Run a stuck-cases statement (ending in :data:`STUCK_ROWS`): ``(rows, total)``."""
    rows = [
        dict(r)
        for r in session.execute(
            text(sql),
            {
                "start": start,
                "end": end,
                "moves": list(MOVES),
                "min_moves": min_moves,
                "limit": limit,
                **params,
            },
        ).mappings()
    ]
    total = int(rows[0]["total"]) if rows else 0
    for r in rows:
        r.pop("total")
        r["moves"] = int(r["moves"])
        r["overdue_days"] = None if r["overdue_days"] is None else float(r["overdue_days"])
    return rows, total


def stuck_cases(
    session: Session,
    *,
    scope: str | None,
    start: datetime,
    end: datetime,
    min_moves: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    """(up to ``limit`` rows, how many in all) of cases that changed hands at least
    ``min_moves`` times up to ``end`` with one of those moves in ``[start, end)``, or
    that were overdue at ``end`` by the one definition (``case_state``: the clock that
    ran then was past its deadline; a suspended case runs none), rebuilt from the
    timeline; merged duplicates and rejected reports are neither.

    Row: ``id, category_code, status, grid_name, lead_department_id, department_zh,
    department_en, moves, overdue_days`` (None when not overdue), ``description``; most
    moves first, then longest overdue."""
    where, params = scope_filter(scope)
    at_end = cs.states_at(":end", where, open_only=True)
    overdue = cs.overdue("s.status", "s.accept_due", "s.resolve_due", ":end")
    due = cs.running_due("s.status", "s.accept_due", "s.resolve_due")
    sql = f"""
        WITH late AS (
            SELECT s.id, extract(epoch FROM (:end - {due})) / 86400.0 AS overdue_days
            FROM ({at_end}) s WHERE {overdue}
        ),
        moved AS (
            SELECT DISTINCT e.incident_id AS id FROM incident_event e
            WHERE e.action = ANY(:moves) AND e.at >= :start AND e.at < :end
        ),
        cases AS (
            SELECT i.id, i.category_code, i.status, i.grid_id, i.lead_department_id,
                   i.description, m.n AS moves, l.overdue_days,
                   (m.n >= :min_moves AND i.id IN (SELECT id FROM moved)) AS bounced
            FROM (SELECT id FROM moved UNION SELECT id FROM late) c
            JOIN incident i ON i.id = c.id
            CROSS JOIN LATERAL (
                SELECT count(*) AS n FROM incident_event e
                WHERE e.incident_id = i.id AND e.action = ANY(:moves) AND e.at < :end) m
            LEFT JOIN late l ON l.id = i.id
            WHERE i.reported_at < :end AND {cs.counted()} {where}
        )
        {STUCK_ROWS}
    """
    return stuck_rows(session, sql, start, end, min_moves, limit, params)


def repeated_addresses(
    session: Session,
    *,
    scope: str | None,
    start: datetime,
    end: datetime,
    since: datetime,
    min_count: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    """(up to ``limit`` rows, how many in all) of addresses (normalised as for 同址重复,
    per grid) with an incident in ``[start, end)`` and at least ``min_count`` in
    ``[since, end)``, by ``occurred_at``.

    Row: ``grid_name, address`` (one spelling), ``count, week_count, ids`` (newest
    first), ``top_category``; most reports first."""
    where, params = scope_filter(scope)
    norm = address_key_sql("i.address")
    sql = f"""
        WITH recent AS MATERIALIZED (
            SELECT i.id, i.grid_id, i.occurred_at, i.category_code, i.address,
                   {norm} AS key
            FROM incident i
            WHERE i.occurred_at >= :since AND i.occurred_at < :end AND i.grid_id IS NOT NULL
              AND i.address IS NOT NULL {where}
        ),
        repeated AS (
            SELECT r.grid_id, r.key FROM recent r
            WHERE r.key <> ''
            GROUP BY r.grid_id, r.key
            HAVING count(*) >= :min_count AND count(*) FILTER (WHERE r.occurred_at >= :start) > 0
        ),
        grouped AS (
            SELECT r.grid_id, r.key, count(*) AS n,
                   count(*) FILTER (WHERE r.occurred_at >= :start) AS n_week,
                   min(r.address) AS address,
                   array_agg(r.id ORDER BY r.occurred_at DESC, r.id DESC) AS ids,
                   mode() WITHIN GROUP (ORDER BY r.category_code) AS top_category
            FROM recent r JOIN repeated USING (grid_id, key)
            GROUP BY r.grid_id, r.key
        )
        SELECT g.name AS grid_name, x.address, x.n, x.n_week, x.ids, x.top_category,
               count(*) OVER () AS total
        FROM grouped x JOIN area g ON g.id = x.grid_id
        ORDER BY x.n DESC, x.n_week DESC, g.code, x.key
        LIMIT :limit
    """
    rows = session.execute(
        text(sql),
        {
            "start": start,
            "end": end,
            "since": since,
            "min_count": min_count,
            "limit": limit,
            "full": FULL_WIDTH,
            "half": HALF_WIDTH,
            "full_class": FULL_WIDTH_CLASS,
            "dropped_class": DROPPED_CLASS,
            **params,
        },
    ).mappings()
    out = [
        {
            "grid_name": str(r["grid_name"]),
            "address": str(r["address"]),
            "count": int(r["n"]),
            "week_count": int(r["n_week"]),
            "ids": [int(x) for x in r["ids"]],
            "top_category": r["top_category"],
            "total": int(r["total"]),
        }
        for r in rows
    ]
    total = out[0]["total"] if out else 0
    for r in out:
        r.pop("total")
    return out, total
