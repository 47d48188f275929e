"""SQL of patrol plans and tasks: rules, task generation, the missed sweep, assignment,
a worker's tasks.

Rules (``governance/patrol_plan.py``) decide which periods are due; these statements
write and read in the caller's transaction. A target's rule is the most specific
``patrol_rule`` row: its type or category and its grade, then its type or category, then
the grade, then the default.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BindParameter, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Date, DateTime, Integer, String

from geodata.queries.patrol_scores import FIGURES

SUBJECTS = {
    # subject -> (table, type column, grade column, high-risk test)
    "site": ("key_site", "site_type", "risk_grade", "t.risk_grade >= 3"),
    "person": ("key_person", "category", "care_level", "t.care_level >= 3"),
}


def rules(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        text(
            "SELECT id, subject, kind, grade, period, every, workdays_only, radius_m "
            "FROM patrol_rule ORDER BY subject, kind, grade NULLS LAST"
        )
    ).mappings()
    return [dict(r) for r in rows]


def _rule_lateral(subject: str) -> str:
    _table, kind, grade, _high = SUBJECTS[subject]
    return f"""
        CROSS JOIN LATERAL (
            SELECT r.id, r.radius_m FROM patrol_rule r
            WHERE r.subject = '{subject}' AND r.kind IN (t.{kind}, '*')
              AND (r.grade = t.{grade} OR r.grade IS NULL)
            ORDER BY (r.kind <> '*') DESC, (r.grade IS NOT NULL) DESC
            LIMIT 1) r"""


_BLOCKS: list[BindParameter[Any]] = [
    bindparam("rule_ids", type_=ARRAY(Integer)),
    bindparam("keys", type_=ARRAY(String)),
    bindparam("due", type_=ARRAY(Date)),
    bindparam("last", type_=ARRAY(Date)),
    bindparam("deadline", type_=ARRAY(DateTime(timezone=True))),
]


def insert_tasks(
    session: Session,
    subject: str,
    blocks: list[tuple[int, str, date, date, datetime]],
    *,
    area_code: str | None = None,
) -> int:
    """Add a task for every target of ``subject`` (in ``area_code``, or everywhere) and
    every block ``(rule id, period key, due_on, last_day, deadline)`` of its rule, unless
    it has one for that key; assigned to its grid's first enabled grid worker. Targets of
    a type without a checklist template get none. Returns how many were added."""
    table, kind, _grade, high = SUBJECTS[subject]
    if not blocks:
        return 0
    rule_ids, keys, due, last, deadline = (list(c) for c in zip(*blocks, strict=True))
    area_filter = ""
    if area_code:
        area_filter = "AND EXISTS (SELECT 1 FROM area g WHERE g.id = t.grid_id AND starts_with(g.code, :area))"
    target_col = f"{subject}_id"
    sql = text(f"""
        WITH blocks AS (
            SELECT * FROM unnest(:rule_ids, :keys, :due, :last, :deadline)
                AS b(rule_id, period_key, due_on, last_day, deadline)
        ),
        workers AS (  -- each grid's first enabled grid worker
            SELECT DISTINCT ON (u.area_id) u.area_id, u.id FROM app_user u
            WHERE u.role = 'grid_worker' AND NOT u.disabled
            ORDER BY u.area_id, u.id
        ),
        targets AS MATERIALIZED (
            SELECT t.id, t.grid_id, tpl.id AS template_id, r.id AS rule_id, {high} AS high_risk,
                   w.id AS assignee_id
            FROM {table} t
            JOIN checklist_template tpl ON tpl.subject = '{subject}' AND tpl.applies_to = t.{kind}
            {_rule_lateral(subject)}
            LEFT JOIN workers w ON w.area_id = t.grid_id
            WHERE TRUE {area_filter}
        )
        INSERT INTO patrol_task (subject, {target_col}, grid_id, template_id, assignee_id,
                                 period_key, due_on, last_day, deadline, high_risk)
        SELECT '{subject}', x.id, x.grid_id, x.template_id, x.assignee_id, b.period_key,
               b.due_on, b.last_day, b.deadline, x.high_risk
        FROM targets x
        JOIN blocks b ON b.rule_id = x.rule_id
        ON CONFLICT ({target_col}, period_key) WHERE {target_col} IS NOT NULL DO NOTHING
        """).bindparams(*_BLOCKS)
    params: dict[str, Any] = {
        "rule_ids": rule_ids,
        "keys": keys,
        "due": due,
        "last": last,
        "deadline": deadline,
    }
    if area_code:
        params["area"] = area_code
    result = session.execute(sql, params)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def mark_missed(session: Session, now: datetime) -> int:
    """Open tasks whose deadline has passed become ``missed``; how many did."""
    result = session.execute(
        text("UPDATE patrol_task SET status = 'missed' WHERE status = 'open' AND deadline <= :now"),
        {"now": now},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def task_for_update(session: Session, task_id: int) -> dict[str, Any] | None:
    """A task with its target's place and grid code, locked until the transaction ends."""
    row = (
        session.execute(
            text("""
            SELECT k.*, g.code AS grid_code,
                   ST_X(coalesce(s.geom, p.geom)) AS lon, ST_Y(coalesce(s.geom, p.geom)) AS lat,
                   ST_X(g.label_point) AS grid_lon, ST_Y(g.label_point) AS grid_lat,
                   s.name AS site_name, s.address AS site_address, s.site_type, s.risk_grade,
                   p.category AS person_category, p.care_level
            FROM patrol_task k
            JOIN area g ON g.id = k.grid_id
            LEFT JOIN key_site s ON s.id = k.site_id
            LEFT JOIN key_person p ON p.id = k.person_id
            WHERE k.id = :id
            FOR UPDATE OF k"""),
            {"id": task_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def set_assignee(session: Session, task_id: int, user_id: int) -> None:
    session.execute(
        text("UPDATE patrol_task SET assignee_id = :u WHERE id = :id"),
        {"u": user_id, "id": task_id},
    )


def grid_worker_in(session: Session, user_id: int, area_code: str) -> dict[str, Any] | None:
    """An enabled grid worker whose grid lies in ``area_code`` (a prefix), or None."""
    row = (
        session.execute(
            text("""
            SELECT u.id, u.username, u.display_name, a.code AS area_code
            FROM app_user u JOIN area a ON a.id = u.area_id
            WHERE u.id = :u AND u.role = 'grid_worker' AND NOT u.disabled
              AND starts_with(a.code, :area)"""),
            {"u": user_id, "area": area_code},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def rule_radius(session: Session, subject: str, task_id: int) -> int:
    """The check-in radius of the task's target's rule (metres)."""
    table, _kind, _grade, _high = SUBJECTS[subject]
    value = session.execute(
        text(f"""
        SELECT r.radius_m FROM patrol_task k JOIN {table} t ON t.id = k.{subject}_id
        {_rule_lateral(subject)}
        WHERE k.id = :id"""),
        {"id": task_id},
    ).scalar()
    return int(value) if value is not None else 100


def count_tasks(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM patrol_task")).scalar_one())


def worker_tasks(session: Session, user_id: int, day: date, since: date) -> list[dict[str, Any]]:
    """The worker's open tasks begun by ``day`` and missed ones due since ``since``, with
    where to go and the template's current version: what the day view lists."""
    rows = session.execute(
        text("""
        SELECT k.id, k.subject, k.site_id, k.person_id, k.status, k.due_on, k.last_day,
               k.deadline, k.high_risk, k.template_id, g.code AS grid_code, g.name AS grid_name,
               ST_X(coalesce(s.geom, p.geom)) AS lon, ST_Y(coalesce(s.geom, p.geom)) AS lat,
               s.name AS site_name, s.site_type, s.risk_grade, s.address AS site_address,
               p.category AS person_category, p.care_level,
               v.id AS template_version_id, t.name_zh, t.name_en,
               coalesce(r.radius_m, 100) AS radius_m
        FROM patrol_task k
        JOIN area g ON g.id = k.grid_id
        JOIN checklist_template t ON t.id = k.template_id
        JOIN checklist_template_version v ON v.template_id = t.id AND v.version = t.current_version
        LEFT JOIN key_site s ON s.id = k.site_id
        LEFT JOIN key_person p ON p.id = k.person_id
        LEFT JOIN LATERAL (
            SELECT r.radius_m FROM patrol_rule r
            WHERE r.subject = k.subject AND r.kind IN (coalesce(s.site_type, p.category), '*')
              AND (r.grade = coalesce(s.risk_grade, p.care_level) OR r.grade IS NULL)
            ORDER BY (r.kind <> '*') DESC, (r.grade IS NOT NULL) DESC
            LIMIT 1) r ON TRUE
        WHERE k.assignee_id = :u AND k.due_on <= :day
          AND (k.status = 'open' OR (k.status = 'missed' AND k.last_day >= :since))
        ORDER BY k.deadline, k.id"""),
        {"u": user_id, "day": day, "since": since},
    ).mappings()
    return [dict(r) for r in rows]


def site_visits(session: Session, site_id: int, today: date, limit: int) -> list[dict[str, Any]]:
    """A site's latest visits begun by ``today`` (newest first) with their submission."""
    rows = session.execute(
        text("""
        SELECT k.id, k.status, k.due_on, k.last_day, k.deadline, p.id AS submission_id,
               p.filled_at, p.on_site, p.failed_items, p.late, u.display_name AS worker
        FROM patrol_task k
        LEFT JOIN patrol_submission p ON p.task_id = k.id
        LEFT JOIN app_user u ON u.id = coalesce(p.submitted_by, k.assignee_id)
        WHERE k.site_id = :s AND k.due_on <= :today AND k.status <> 'cancelled'
        ORDER BY k.due_on DESC LIMIT :n"""),
        {"s": site_id, "today": today, "n": limit},
    ).mappings()
    return [dict(r) for r in rows]


def site_open_findings(session: Session, site_id: int) -> list[dict[str, Any]]:
    """Cases raised by the site's visits that are not closed yet, oldest first."""
    rows = session.execute(
        text("""
        SELECT i.id, i.status, i.category_code, i.reported_at, f.item_key
        FROM patrol_task k
        JOIN patrol_submission p ON p.task_id = k.id
        JOIN patrol_finding f ON f.submission_id = p.id
        JOIN incident i ON i.id = f.incident_id
        WHERE k.site_id = :s AND i.status NOT IN ('closed', 'evaluated', 'rejected', 'merged')
        ORDER BY i.reported_at"""),
        {"s": site_id},
    ).mappings()
    return [dict(r) for r in rows]


def coverage_of(session: Session, grid_ids: list[int], first: date, last: date) -> dict[str, int]:
    """Visits of the grids ``grid_ids`` whose period ended in ``[first, last)`` (not
    cancelled): how many, done, done on time, done off site."""
    row = (
        session.execute(
            text(f"""
            SELECT {FIGURES}
            FROM patrol_task k LEFT JOIN patrol_submission p ON p.task_id = k.id
            WHERE k.grid_id = ANY(:g) AND k.last_day >= :a AND k.last_day < :b
              AND k.status <> 'cancelled'"""),
            {"g": list(grid_ids), "a": first, "b": last},
        )
        .mappings()
        .one()
    )
    return {k: int(v) for k, v in row.items()}
