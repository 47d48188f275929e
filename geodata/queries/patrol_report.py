"""SQL of the supervisor's patrol report (``governance/patrol_report.py``): completion and
on-time figures per area or worker, the missed high-risk visits, the off-site submissions.

The rules (which task is due in a period, what is on time) are documented in the
governance module; this one turns them into SQL. Each table is one statement; the totals
row comes from the same statement (``GROUPING SETS``), so it cannot disagree with its rows.
Every statement takes an area-code prefix (``like``: the user's scope or the area chosen
inside it, None for the whole city) and reads in the caller's transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

# grouping -> the key of a task's group
GROUP_KEYS: Final = {
    "county": "left(g.code, 6)",
    "street": "left(g.code, 9)",
    "community": "left(g.code, 12)",
    "grid": "g.code",
    "worker": "coalesce(k.assignee_id::text, '')",
}
LEVEL_DIGITS: Final = {"county": 6, "street": 9, "community": 12, "grid": 15}

# A task is due in [start, end] when its period's last day lies in it and its deadline has
# passed by ``now`` (or it is already done); a cancelled task is never due.
_DUE: Final = """
    k.last_day BETWEEN :start AND :end
    AND k.status <> 'cancelled'
    AND (k.deadline <= :now OR k.status = 'done')
"""
_SCOPE: Final = "AND g.code LIKE :like"


def _params(like: str | None, **rest: Any) -> dict[str, Any]:
    return {"like": (like or "") + "%", **rest}


def rates(
    session: Session, group: str, like: str | None, start: date, end: date, now: datetime
) -> list[dict[str, Any]]:
    """One row per group with due tasks, and a totals row (``key`` None): ``key, due,
    done, on_time, late, missed, off_site, failed``. ``done`` counts tasks with a
    submission; ``late`` those submitted after the deadline; ``off_site`` submissions
    judged off site; ``failed`` submissions with at least one failed item."""
    key = GROUP_KEYS[group]
    sql = text(f"""
        WITH due AS (
            SELECT {key} AS key,
                   k.status = 'done' AS done,
                   coalesce(sub.late, k.done_at > k.deadline, false) AS late,
                   coalesce(NOT sub.on_site, false) AS off_site,
                   coalesce(sub.failed_items > 0, false) AS failed
            FROM patrol_task k
            JOIN area g ON g.id = k.grid_id
            LEFT JOIN patrol_submission sub ON sub.task_id = k.id
            WHERE {_DUE} {_SCOPE}
        )
        SELECT key,
               count(*) AS due,
               count(*) FILTER (WHERE done) AS done,
               count(*) FILTER (WHERE done AND NOT late) AS on_time,
               count(*) FILTER (WHERE done AND late) AS late,
               count(*) FILTER (WHERE NOT done) AS missed,
               count(*) FILTER (WHERE done AND off_site) AS off_site,
               count(*) FILTER (WHERE done AND failed) AS failed
        FROM due
        GROUP BY GROUPING SETS ((key), ())
        """)
    rows = session.execute(sql, _params(like, start=start, end=end, now=now)).mappings()
    return [dict(r) for r in rows]


def area_names(session: Session, codes: list[str]) -> dict[str, str]:
    """``{code prefix: area name}`` for the group keys of an area grouping."""
    if not codes:
        return {}
    rows = session.execute(
        text("""
        SELECT c.key, a.name FROM unnest(CAST(:codes AS text[])) AS c(key)
        JOIN area a ON a.code = (CASE WHEN length(c.key) >= 12 THEN c.key
                                      ELSE rpad(c.key, 12, '0') END)
             AND a.level = (CASE length(c.key) WHEN 6 THEN 'county' WHEN 9 THEN 'street'
                                 WHEN 12 THEN 'community' ELSE 'grid' END)"""),
        {"codes": codes},
    )
    return {str(k): str(n) for k, n in rows}


def workers(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    """``{user id: username, display name, grid code and name}`` of the given accounts."""
    if not ids:
        return {}
    rows = session.execute(
        text("""
        SELECT u.id, u.username, u.display_name, a.code AS grid_code, a.name AS grid_name
        FROM app_user u LEFT JOIN area a ON a.id = u.area_id
        WHERE u.id = ANY(:ids)"""),
        {"ids": ids},
    ).mappings()
    return {int(r["id"]): dict(r) for r in rows}


_TARGET: Final = """
    k.id AS task_id, k.subject, k.site_id, k.person_id, k.status, k.due_on, k.last_day,
    k.deadline, g.code AS grid_code, g.name AS grid_name,
    s.name AS site_name, s.site_type, s.risk_grade, p.category AS person_category,
    p.care_level, u.id AS worker_id, u.username AS worker_username,
    u.display_name AS worker_name
"""
_TARGET_JOINS: Final = """
    JOIN area g ON g.id = k.grid_id
    LEFT JOIN key_site s ON s.id = k.site_id
    LEFT JOIN key_person p ON p.id = k.person_id
    LEFT JOIN app_user u ON u.id = k.assignee_id
"""


def missed_high_risk(
    session: Session, like: str | None, start: date, end: date, now: datetime, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The due, undone tasks of high-risk sites and persons, oldest deadline first (at
    most ``limit``), and how many there are. Key persons' rows carry no identity (and
    only those the caller's row-level scope shows get their category)."""
    sql = text(f"""
        SELECT {_TARGET}, count(*) OVER () AS total
        FROM patrol_task k {_TARGET_JOINS}
        WHERE k.high_risk AND k.status <> 'done' AND {_DUE} {_SCOPE}
        ORDER BY k.deadline, k.id
        LIMIT :limit""")
    rows = [
        dict(r)
        for r in session.execute(
            sql, _params(like, start=start, end=end, now=now, limit=limit)
        ).mappings()
    ]
    return rows, int(rows[0]["total"]) if rows else 0


def off_site(
    session: Session, like: str | None, since: datetime, until: datetime, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Submissions filled in ``[since, until)`` judged off site or flagged (no position,
    low accuracy, too fast), newest first (at most ``limit``), and how many there are."""
    sql = text(f"""
        SELECT {_TARGET}, sub.id AS submission_id, sub.filled_at, sub.submitted_at,
               sub.on_site, sub.distance_m, sub.accuracy_m, sub.flags, sub.off_site_reason,
               sub.late, sub.failed_items, count(*) OVER () AS total
        FROM patrol_submission sub
        JOIN patrol_task k ON k.id = sub.task_id {_TARGET_JOINS}
        WHERE sub.filled_at >= :since AND sub.filled_at < :until
          AND (NOT sub.on_site OR cardinality(sub.flags) > 0) {_SCOPE}
        ORDER BY sub.filled_at DESC, sub.id DESC
        LIMIT :limit""")
    rows = [
        dict(r)
        for r in session.execute(
            sql, _params(like, since=since, until=until, limit=limit)
        ).mappings()
    ]
    return rows, int(rows[0]["total"]) if rows else 0


def areas_in(session: Session, like: str | None) -> list[dict[str, Any]]:
    """Counties, streets and communities inside ``like`` (the drill-down's choices), in
    code order."""
    rows = session.execute(
        text("""
        SELECT code, name, level FROM area
        WHERE level IN ('county', 'street', 'community') AND code LIKE :like
        ORDER BY code"""),
        _params(like),
    ).mappings()
    return [dict(r) for r in rows]


def area_level(session: Session, code: str) -> str | None:
    """The level of the area with ``code`` (None: no such area)."""
    value = session.execute(
        text("SELECT level FROM area WHERE code = :c"), {"c": code}
    ).scalar_one_or_none()
    return str(value) if value is not None else None


def workers_near(session: Session, like: str) -> list[dict[str, Any]]:
    """Enabled grid workers whose grid lies in ``like`` (a code prefix), by grid code."""
    rows = session.execute(
        text("""
        SELECT u.id, u.username, u.display_name, a.code AS grid_code, a.name AS grid_name
        FROM app_user u JOIN area a ON a.id = u.area_id
        WHERE u.role = 'grid_worker' AND NOT u.disabled AND a.code LIKE :like
        ORDER BY a.code, u.id"""),
        _params(like),
    ).mappings()
    return [dict(r) for r in rows]


def task_area(session: Session, task_id: int) -> dict[str, Any] | None:
    """A task's status, assignee and grid code (None: no such task)."""
    row = (
        session.execute(
            text("""
            SELECT k.id, k.status, k.assignee_id, g.code AS grid_code
            FROM patrol_task k JOIN area g ON g.id = k.grid_id WHERE k.id = :id"""),
            {"id": task_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None
