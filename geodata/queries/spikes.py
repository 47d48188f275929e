"""Counts of the spike warnings (``governance/spikes.py``) and the warnings' table.

Every count is per street (the street / town whose code the grid's code starts with: its
first 9 digits) x category, of incidents not merged into another, set-based over the whole
city: one query (one scan, two groupings) for every series' window and weekly history
counts and the categories' hour-of-week profile, and one for the daily counts of the
series that were flagged (the evidence). Hours of the week and days are local (Asia/Shanghai).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
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

# One scan of the 8 weeks and the day, two groupings: per street x category x week (-1:
# the window) and, over the history only, per category x local hour of the week.
_COUNTS: Final = text(f"""
    WITH {_GRID_STREET},
    rows AS (
        SELECT gs.street_id, i.category_code,
               CASE WHEN i.occurred_at >= :win_start THEN -1
                    ELSE floor(extract(epoch FROM (:win_start - i.occurred_at)) / 604800)::int
               END AS week,
               CASE WHEN i.occurred_at < :win_start THEN
                   (extract(isodow FROM i.occurred_at AT TIME ZONE '{TZ}')::int - 1) * 24
                   + extract(hour FROM i.occurred_at AT TIME ZONE '{TZ}')::int
               END AS how
        FROM incident i
        JOIN gs ON gs.grid_id = i.grid_id
        WHERE i.occurred_at >= :hist_start AND i.occurred_at < :at AND i.status <> 'merged'
    )
    SELECT GROUPING(street_id, week) AS profile, street_id, category_code, week, how,
           count(*) AS n
    FROM rows
    GROUP BY GROUPING SETS ((street_id, category_code, week), (category_code, how))
""")


def counts(
    s: Session, hist_start: datetime, win_start: datetime, at: datetime
) -> tuple[list[tuple[int, str, int, int]], list[tuple[str, int, int]]]:
    """Two lists from one scan of ``[hist_start, at)``:

    * (street id, category, week, count): ``week`` -1 is the window ``[win_start, at)``,
      0 the week before ``win_start``, 1 the one before that ... back to ``hist_start``;
    * (category, hour of the week 0..167 from Monday 0:00 local, count) of the history
      ``[hist_start, win_start)``, pooled over every street.
    """
    params = {"hist_start": hist_start, "win_start": win_start, "at": at}
    series: list[tuple[int, str, int, int]] = []
    profile: list[tuple[str, int, int]] = []
    for grouped, street, cat, week, how, n in s.execute(_COUNTS, params).all():
        if not grouped:
            series.append((int(street), str(cat), int(week), int(n)))
        elif how is not None:  # the window's incidents have no hour of the history
            profile.append((str(cat), int(how), int(n)))
    return series, profile


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


_RAW: Final = text(f"""
    WITH {_GRID_STREET}
    SELECT gs.street_id, i.category_code, i.occurred_at
    FROM incident i
    JOIN gs ON gs.grid_id = i.grid_id
    WHERE i.occurred_at >= :start AND i.occurred_at < :at AND i.status <> 'merged'
""")


def raw_incidents(s: Session, start: datetime, at: datetime) -> list[tuple[int, str, datetime]]:
    """(street id, category, occurred_at) of every incident in ``[start, at)``: the naive
    baseline of ``bench/analytics_spikes.py`` counts these one series at a time."""
    return [(int(a), str(c), o) for a, c, o in s.execute(_RAW, {"start": start, "at": at}).all()]


def last_occurred(s: Session) -> datetime | None:
    """When the latest incident occurred (benchmarks evaluate just after it)."""
    return s.execute(text("SELECT max(occurred_at) FROM incident")).scalar()


_MOVE: Final = text("""
    UPDATE incident i
    SET category_code = :cat,
        occurred_at = CAST(:at AS timestamptz)
            - (:last + 1 + (i.id % (:first - :last))) * interval '1 hour' + interval '10 minutes'
    WHERE i.id IN (
        SELECT i2.id FROM incident i2 JOIN area g ON g.id = i2.grid_id
        WHERE left(g.code, 9) = :prefix AND i2.status <> 'merged' AND i2.occurred_at < :old
        ORDER BY i2.id LIMIT :n)
""")


def move_into_burst(
    s: Session, street_code: str, category: str, at: datetime, first: int, last: int, n: int
) -> int:
    """For benchmarks on a database seeded before the demo planted spikes, in a transaction
    the caller rolls back: ``n`` incidents of the street older than 10 weeks become
    ``category`` and occur between ``first`` and ``last`` hours before ``at``."""
    params = {
        "cat": category, "at": at, "first": first, "last": last, "n": n,
        "prefix": street_code[:9], "old": at - timedelta(weeks=10),
    }  # fmt: skip
    return int(s.execute(_MOVE, params).rowcount)  # type: ignore[attr-defined]
