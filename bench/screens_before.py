"""The heavy screens as they were before issue 14, for the baseline of bench/screens.py
(measured in the same process) and for the tests that check the new statements give the
same rows (``tests/integration/test_consult_speed.py``).

Before: PostgreSQL's JIT compiler was left on (it compiled the weekly packet's overdue
statement for 4-5 s), the packet's stuck cases joined every incident to every case ever
moved, its repeated addresses were normalised with two ``translate()`` calls over a
season of reports and grouped by sorting all of them (the two statements are kept here
verbatim), and every briefing file was printed by a Chromium started for it
(``briefings.render.render``). The indexes of migration 0016_screens cannot be set aside
in a running process: the baseline has them, so it is faster than the code before was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from unittest import mock

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from geodata.queries import case_state as cs
from geodata.queries.consult import STUCK_ROWS, stuck_rows
from geodata.queries.duplicates import DROPPED, FULL_WIDTH, HALF_WIDTH, _normalised_sql
from geodata.queries.layers import scope_filter


@contextmanager
def patched() -> Iterator[None]:
    """Run the screens as before: the former statements, JIT as the server's default,
    a Chromium started for every briefing file (none started when the page opens)."""
    from briefings import render
    from geodata.queries import consult

    def jit_on(_session: Session, _tx: Any, conn: Any) -> None:
        conn.exec_driver_sql("SET LOCAL jit = on")  # the server's default before

    with (
        mock.patch.object(consult, "stuck_cases", stuck_cases),
        mock.patch.object(consult, "repeated_addresses", repeated_addresses),
        mock.patch("callbacks.briefings.render", render.render),
        mock.patch("briefings.printer.warm", lambda: None),
    ):
        event.listen(Session, "after_begin", jit_on)
        try:
            yield
        finally:
            event.remove(Session, "after_begin", jit_on)


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
    at_end = cs.states_at(":end", where)
    overdue = cs.overdue("s.status", "s.accept_due", "s.resolve_due", ":end")
    due = cs.running_due("s.status", "s.accept_due", "s.resolve_due")
    sql = f"""
        WITH moves AS (
            SELECT e.incident_id, count(*) AS n,
                   count(*) FILTER (WHERE e.at >= :start) AS n_week
            FROM incident_event e
            WHERE e.action = ANY(:moves) AND e.at < :end
            GROUP BY 1
        ),
        late AS (
            SELECT s.id, extract(epoch FROM (:end - {due})) / 86400.0 AS overdue_days
            FROM ({at_end}) s WHERE {overdue}
        ),
        cases AS (
            SELECT i.id, i.category_code, i.status, i.grid_id, i.lead_department_id,
                   i.description, coalesce(m.n, 0) AS moves, l.overdue_days,
                   coalesce(m.n >= :min_moves AND m.n_week > 0, false) AS bounced
            FROM incident i
            LEFT JOIN moves m ON m.incident_id = i.id
            LEFT JOIN late l ON l.id = i.id
            WHERE (m.incident_id IS NOT NULL OR l.id IS NOT NULL)
              AND i.reported_at < :end AND {cs.counted()} {where}
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
    norm = _normalised_sql("i.address")
    sql = f"""
        WITH recent AS MATERIALIZED (
            SELECT i.id, i.grid_id, i.occurred_at, i.category_code, i.address,
                   {norm} AS key
            FROM incident i
            WHERE i.occurred_at >= :since AND i.occurred_at < :end AND i.grid_id IS NOT NULL
              AND i.address IS NOT NULL {where}
        ),
        grouped AS (
            SELECT r.grid_id, r.key, count(*) AS n,
                   count(*) FILTER (WHERE r.occurred_at >= :start) AS n_week,
                   min(r.address) AS address,
                   array_agg(r.id ORDER BY r.occurred_at DESC, r.id DESC) AS ids,
                   mode() WITHIN GROUP (ORDER BY r.category_code) AS top_category
            FROM recent r
            WHERE r.key <> ''
            GROUP BY r.grid_id, r.key
            HAVING count(*) >= :min_count AND count(*) FILTER (WHERE r.occurred_at >= :start) > 0
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
            "dropped": DROPPED,
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
