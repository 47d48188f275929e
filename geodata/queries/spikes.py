"""Counts of the spike warnings (``governance/spikes.py``) and the warnings' table.

Every count is per street (the street / town whose code the grid's code starts with: its
first 9 digits) x category, of incidents not merged into another, set-based over the whole
city: one query for every series' window and weekly history counts, one for the
categories' hour-of-week profile, and one for the daily counts of the series that were
flagged (the evidence). Hours of the week and days are local (Asia/Shanghai).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

TZ: Final = "Asia/Shanghai"

# grid -> its street, once per query (a hash join on the code prefix: ~49 streets)
_GRID_STREET: Final = """
    gs AS (
        SELECT g.id AS grid_id, st.id AS street_id
        FROM area g
        JOIN area st ON st.level = 'street' AND left(st.code, 9) = left(g.code, 9)
        WHERE g.level = 'grid'
    )"""

_SERIES: Final = text(f"""
    WITH {_GRID_STREET}
    SELECT gs.street_id, i.category_code,
           CASE WHEN i.occurred_at >= :win_start THEN -1
                ELSE floor(extract(epoch FROM (:win_start - i.occurred_at)) / 604800)::int
           END AS week,
           count(*) AS n
    FROM incident i
    JOIN gs ON gs.grid_id = i.grid_id
    WHERE i.occurred_at >= :hist_start AND i.occurred_at < :at AND i.status <> 'merged'
    GROUP BY 1, 2, 3
""")

_PROFILE: Final = text(f"""
    SELECT i.category_code,
           ((extract(isodow FROM i.occurred_at AT TIME ZONE '{TZ}')::int - 1) * 24
            + extract(hour FROM i.occurred_at AT TIME ZONE '{TZ}')::int) AS how,
           count(*) AS n
    FROM incident i
    WHERE i.occurred_at >= :hist_start AND i.occurred_at < :win_start
      AND i.status <> 'merged' AND i.grid_id IS NOT NULL
    GROUP BY 1, 2
""")

_DAILY: Final = text(f"""
    WITH {_GRID_STREET},
    wanted AS (
        SELECT * FROM unnest(CAST(:areas AS int[]), CAST(:cats AS text[])) AS w(street_id, cat)
    )
    SELECT gs.street_id, i.category_code,
           ((i.occurred_at AT TIME ZONE '{TZ}')::date - CAST(:first_day AS date)) AS day,
           count(*) AS n
    FROM incident i
    JOIN gs ON gs.grid_id = i.grid_id
    JOIN wanted w ON w.street_id = gs.street_id AND w.cat = i.category_code
    WHERE i.occurred_at >= :start AND i.occurred_at < :at AND i.status <> 'merged'
    GROUP BY 1, 2, 3
""")


def streets(s: Session) -> list[tuple[int, str, str]]:
    """(id, code, name) of every street / town, by code."""
    sql = text("SELECT id, code, name FROM area WHERE level = 'street' ORDER BY code")
    return [(int(r[0]), str(r[1]), str(r[2])) for r in s.execute(sql).all()]


def series_counts(
    s: Session, hist_start: datetime, win_start: datetime, at: datetime
) -> list[tuple[int, str, int, int]]:
    """(street id, category, week, count): ``week`` -1 is the window ``[win_start, at)``,
    0 the week before ``win_start``, 1 the one before that ... back to ``hist_start``."""
    rows = s.execute(_SERIES, {"hist_start": hist_start, "win_start": win_start, "at": at})
    return [(int(a), str(c), int(w), int(n)) for a, c, w, n in rows.all()]


def hour_profile(
    s: Session, hist_start: datetime, win_start: datetime
) -> list[tuple[str, int, int]]:
    """(category, hour of the week 0..167 from Monday 0:00 local, count) of the history,
    pooled over every area."""
    rows = s.execute(_PROFILE, {"hist_start": hist_start, "win_start": win_start})
    return [(str(c), int(h), int(n)) for c, h, n in rows.all()]


def daily_counts(
    s: Session,
    series: Sequence[tuple[int, str]],
    first_day: Any,
    start: datetime,
    at: datetime,
) -> list[tuple[int, str, int, int]]:
    """(street id, category, day index from ``first_day``, count) of the given
    (street id, category) series, from ``start`` (local midnight of ``first_day``) to
    ``at``."""
    if not series:
        return []
    params = {
        "areas": [a for a, _ in series],
        "cats": [c for _, c in series],
        "first_day": first_day,
        "start": start,
        "at": at,
    }
    return [(int(a), str(c), int(d), int(n)) for a, c, d, n in s.execute(_DAILY, params).all()]


def try_lock(s: Session, key: int) -> bool:
    """Take the transaction-level advisory lock ``key`` if free (False: another
    transaction holds it); released when the caller's transaction ends."""
    return bool(s.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar())


_INSERT: Final = text("""
    INSERT INTO spike_warning (area_id, category_code, window_start, window_end, window_hour,
                               observed, expected, p, q, evidence)
    SELECT r.area_id, r.category_code, :win_start, :at, date_trunc('hour', CAST(:at AS timestamptz)),
           r.observed, r.expected, r.p, r.q, r.evidence
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
        area_id int, category_code text, observed int, expected float8, p float8, q float8,
        evidence jsonb)
    WHERE NOT EXISTS (  -- the same series already warned of, for a window that overlaps
        SELECT 1 FROM spike_warning w
        WHERE w.area_id = r.area_id AND w.category_code = r.category_code
          AND w.window_end > :win_start)
    ON CONFLICT ON CONSTRAINT uq_spike_warning_series_hour DO NOTHING
    RETURNING id
""")


def insert_warnings(
    s: Session, rows: Sequence[dict[str, Any]], win_start: datetime, at: datetime
) -> list[int]:
    """Store the warnings ``rows`` (area_id, category_code, observed, expected, p, q,
    evidence) of the window ``[win_start, at)``; returns the ids of those stored (none for
    a series already warned of in an overlapping window, or in the same hour)."""
    if not rows:
        return []
    payload = json.dumps(list(rows), ensure_ascii=False)
    result = s.execute(_INSERT, {"rows": payload, "win_start": win_start, "at": at})
    return sorted(int(r[0]) for r in result.all())


_COLUMNS: Final = """
    w.id, a.code AS area_code, a.name AS area_name, w.category_code, w.window_start,
    w.window_end, w.observed, w.expected, w.p, w.q, w.evidence, w.created_at"""


def warnings_by_id(s: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The warnings ``ids`` with their area's code and name."""
    if not ids:
        return []
    sql = text(
        f"SELECT {_COLUMNS} FROM spike_warning w JOIN area a ON a.id = w.area_id "
        "WHERE w.id = ANY(:ids) ORDER BY w.id"
    )
    return [dict(r) for r in s.execute(sql, {"ids": list(ids)}).mappings().all()]


def current_warnings(
    s: Session, prefix: str, since: datetime, until: datetime, limit: int
) -> list[dict[str, Any]]:
    """The latest warning of each series whose window ended in ``[since, until]``, in
    areas whose code starts with ``prefix`` ("" for all): the newest first, then the most
    significant."""
    sql = text(f"""
        SELECT * FROM (
            SELECT DISTINCT ON (w.area_id, w.category_code) {_COLUMNS}
            FROM spike_warning w JOIN area a ON a.id = w.area_id
            WHERE a.code LIKE :prefix AND w.window_end >= :since AND w.window_end <= :until
            ORDER BY w.area_id, w.category_code, w.window_end DESC
        ) latest
        ORDER BY window_end DESC, q, observed DESC, id
        LIMIT :limit
    """)
    params = {"prefix": prefix + "%", "since": since, "until": until, "limit": limit}
    return [dict(r) for r in s.execute(sql, params).mappings().all()]
