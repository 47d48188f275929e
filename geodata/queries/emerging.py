"""Emerging hot-spot analysis (新兴热点, ``governance/emerging.py``): weekly counts per H3
cell (resolution 8) in, the stored result per scope out.

Weeks are local-time weeks (Monday 00:00 Asia/Shanghai) so a bin is the week a
commander speaks of; merged duplicates are not counted (their surviving case is).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

TZ: Final = "Asia/Shanghai"
_IN_AREA: Final = "JOIN area g ON g.id = i.grid_id WHERE g.code LIKE :prefix"


def weekly_counts(
    s: Session, prefix: str, start: datetime, end: datetime
) -> list[tuple[int, int, str, int]]:
    """``(h3_8, week, grid code, count)`` of incidents that occurred in ``[start, end)``
    in grids whose code starts with ``prefix`` ("" for the whole city); ``week`` counts
    local weeks from ``start`` (a local Monday midnight). One scan gives both the weekly
    series and each cell's busiest grid."""
    rows = s.execute(
        text(
            "SELECT i.h3_8, floor(extract(epoch FROM i.occurred_at - :start) / 604800)::int, "
            f"g.code, count(*) FROM incident i {_IN_AREA} "
            "AND i.occurred_at >= :start AND i.occurred_at < :end "
            "AND i.status <> 'merged' GROUP BY 1, 2, 3"
        ),
        {"prefix": prefix + "%", "start": start, "end": end},
    ).all()
    return [(int(r[0]), int(r[1]), str(r[2]), int(r[3])) for r in rows]


def replace_run(s: Session, run: dict[str, Any], cells: Sequence[dict[str, Any]]) -> int:
    """Store ``run`` as the scope's result (the previous one and its cells go) with its
    ``cells``; returns the run's id."""
    s.execute(text("DELETE FROM emerging_run WHERE scope = :scope"), {"scope": run["scope"]})
    run_id = int(
        s.execute(
            text(
                "INSERT INTO emerging_run (scope, weeks, permutations, alpha, seed, "
                "period_start, period_end, cells, incidents, method) VALUES (:scope, "
                ":weeks, :permutations, :alpha, :seed, :period_start, :period_end, :cells, "
                ":incidents, :method) RETURNING id"
            ),
            run,
        ).scalar_one()
    )
    if cells:
        s.execute(
            text(
                "INSERT INTO emerging_cell (run_id, h3_8, category, grid_code, total, "
                "hot_bins, cold_bins, last_z, trend_tau, trend_z, trend_p, count_tau, "
                "count_p) VALUES (:run_id, :h3_8, :category, :grid_code, :total, :hot_bins, "
                ":cold_bins, :last_z, :trend_tau, :trend_z, :trend_p, :count_tau, :count_p)"
            ),
            [{**c, "run_id": run_id} for c in cells],
        )
    return run_id


_RUN_COLUMNS: Final = (
    "id, scope, weeks, permutations, alpha, seed, period_start, period_end, cells, "
    "incidents, method, computed_at"
)


def run_of(s: Session, scope: str) -> dict[str, Any] | None:
    """The stored run of exactly ``scope`` ("" the whole city), or None."""
    row = s.execute(
        text(f"SELECT {_RUN_COLUMNS} FROM emerging_run WHERE scope = :scope"), {"scope": scope}
    ).first()
    return dict(row._mapping) if row else None


def best_run(s: Session, prefix: str) -> dict[str, Any] | None:
    """The stored run that covers ``prefix`` most narrowly: its own, else the nearest
    wider scope (a county's for a street, the city's for anything)."""
    row = s.execute(
        text(
            f"SELECT {_RUN_COLUMNS} FROM emerging_run WHERE :prefix LIKE scope || '%' "
            "ORDER BY length(scope) DESC LIMIT 1"
        ),
        {"prefix": prefix},
    ).first()
    return dict(row._mapping) if row else None


def cells_of(
    s: Session, run_id: int, prefix: str = "", patterns_only: bool = True
) -> list[dict[str, Any]]:
    """The cells of a run whose busiest grid lies under ``prefix``, with the grid's name;
    only those with a pattern unless ``patterns_only`` is False."""
    rows = s.execute(
        text(
            "SELECT c.h3_8, c.category, c.grid_code, g.name AS grid_name, c.total, "
            "c.hot_bins, c.cold_bins, c.last_z, c.trend_tau, c.trend_z, c.trend_p, "
            "c.count_tau, c.count_p FROM emerging_cell c "
            "LEFT JOIN area g ON g.code = c.grid_code "
            "WHERE c.run_id = :run AND coalesce(c.grid_code, '') LIKE :prefix "
            "AND (NOT :only OR c.category <> 'none') ORDER BY c.h3_8"
        ),
        {"run": run_id, "prefix": prefix + "%", "only": patterns_only},
    ).all()
    return [dict(r._mapping) for r in rows]


def computed_since(s: Session, scope: str, since: datetime) -> bool:
    """Has ``scope`` a run computed at or after ``since``?"""
    return bool(
        s.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM emerging_run "
                "WHERE scope = :scope AND computed_at >= :since)"
            ),
            {"scope": scope, "since": since},
        ).scalar()
    )


def county_codes(s: Session) -> list[str]:
    """The 6-digit code prefix of every county (the scopes the daily job computes)."""
    rows = s.execute(text("SELECT code FROM area WHERE level = 'county' ORDER BY code")).all()
    return sorted({r[0][:6] for r in rows})
