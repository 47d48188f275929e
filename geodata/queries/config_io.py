"""Reference data as the config file sees it (governance/config_io.py): read whole, written
by key with ``INSERT ... ON CONFLICT``, and what still refers to an entry before it may go.

Departments and categories are read with codes in place of ids (a department's area as
its code in its own length, a category's and a rule's departments by code), because the
file names everything by code; the writes turn codes back into ids in SQL. Every
statement takes bound parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer, String

_SHORT_AREA = """CASE a.level WHEN 'county' THEN left(a.code, 6)
                              WHEN 'street' THEN left(a.code, 9) ELSE a.code END"""


def _dicts(session: Session, sql: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in session.execute(text(sql), params).mappings()]


# ----------------------------------------------------------------------------- reading
def departments(session: Session) -> list[dict[str, Any]]:
    """``{id, code, name_zh, name_en, area}`` in id order; ``area`` a short code or None."""
    return _dicts(
        session,
        f"""
        SELECT d.id, d.code, d.name_zh, d.name_en, {_SHORT_AREA} AS area
        FROM department d LEFT JOIN area a ON a.id = d.area_id ORDER BY d.id""",
    )


def categories(session: Session) -> list[dict[str, Any]]:
    """Every category in display order, its department by code."""
    return _dicts(
        session,
        """
        SELECT c.code, c.parent_code AS parent, c.name_zh, c.name_en, c.gbt_code, c.color,
               c.default_priority, d.code AS department, c.sort_order
        FROM incident_category c LEFT JOIN department d ON d.id = c.department_id
        ORDER BY c.sort_order, c.code""",
    )


def routing_rules(session: Session) -> list[dict[str, Any]]:
    """Every rule, its departments by code (assisting ones in stored order)."""
    return _dicts(
        session,
        """
        SELECT r.category_code AS category, r.area_code AS area, d.code AS lead,
               ARRAY(SELECT x.code FROM unnest(r.assist_department_ids) WITH ORDINALITY
                     AS u(id, n) JOIN department x ON x.id = u.id ORDER BY u.n) AS assist,
               r.note
        FROM routing_rule r JOIN department d ON d.id = r.lead_department_id
        ORDER BY r.id""",
    )


def sla_policies(session: Session) -> list[dict[str, Any]]:
    return _dicts(
        session,
        """
        SELECT category_code AS category, priority, accept_hours, resolve_workdays,
               remind_before_hours, max_suspend_days
        FROM sla_policy ORDER BY id""",
    )


def calendar(session: Session) -> list[dict[str, Any]]:
    return _dicts(session, "SELECT day, workday, name FROM calendar_day ORDER BY day")


def used_leaves(session: Session) -> set[str]:
    """Categories that cases are filed under: by incidents, or by checklist items that
    raise a case when they fail (their ``fail_category``)."""
    rows = session.execute(
        text("""
        SELECT c.code FROM incident_category c
        WHERE EXISTS (SELECT 1 FROM incident i WHERE i.category_code = c.code)
        UNION
        SELECT item->>'fail_category' FROM checklist_template_version v,
               jsonb_array_elements(v.items) AS item
        WHERE item->>'fail_category' IS NOT NULL""")
    ).scalars()
    return set(rows)


def department_uses(session: Session, codes: Sequence[str]) -> dict[str, dict[str, int]]:
    """For each department of ``codes``: how many incidents (leading or assisting),
    accounts and timeline steps refer to it (only those referred to at all)."""
    rows = session.execute(
        text("""
        SELECT d.code,
               (SELECT count(*) FROM incident i WHERE i.lead_department_id = d.id
                  OR d.id = ANY(i.assist_department_ids)) AS incidents,
               (SELECT count(*) FROM app_user u WHERE u.department_id = d.id) AS accounts,
               (SELECT count(*) FROM incident_event e
                WHERE e.actor_department_id = d.id) AS events
        FROM department d WHERE d.code = ANY(:codes)"""),
        {"codes": list(codes)},
    ).all()
    return {r[0]: {"incidents": r[1], "accounts": r[2], "events": r[3]} for r in rows
            if r[1] or r[2] or r[3]}  # fmt: skip


def category_uses(session: Session, codes: Sequence[str]) -> dict[str, dict[str, int]]:
    """For each category of ``codes``: how many incidents and checklist versions use it."""
    rows = session.execute(
        text("""
        SELECT c.code,
               (SELECT count(*) FROM incident i WHERE i.category_code = c.code) AS incidents,
               (SELECT count(*) FROM checklist_template_version v
                WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(v.items) AS item
                              WHERE item->>'fail_category' = c.code)) AS checklists
        FROM incident_category c WHERE c.code = ANY(:codes)"""),
        {"codes": list(codes)},
    ).all()
    return {r[0]: {"incidents": r[1], "checklists": r[2]} for r in rows if r[1] or r[2]}


# ----------------------------------------------------------------------------- writing
def upsert_departments(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """By code: a department keeps its id (incidents, accounts and rules refer to it)."""
    if rows:
        session.execute(
            text("""
            INSERT INTO department (code, name_zh, name_en, area_id)
            VALUES (:code, :name_zh, :name_en, :area_id)
            ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh,
                name_en = excluded.name_en, area_id = excluded.area_id"""),
            list(rows),
        )


def upsert_categories(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """By code, parents before their children (the caller's order)."""
    if rows:
        session.execute(text("""
            INSERT INTO incident_category (code, parent_code, name_zh, name_en, gbt_code, color,
                default_priority, department_id, sort_order)
            VALUES (:code, :parent, :name_zh, :name_en, :gbt_code, :color, :default_priority,
                (SELECT id FROM department WHERE code = :department), :sort_order)
            ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code,
                name_zh = excluded.name_zh, name_en = excluded.name_en,
                gbt_code = excluded.gbt_code, color = excluded.color,
                default_priority = excluded.default_priority,
                department_id = excluded.department_id, sort_order = excluded.sort_order"""),
            list(rows))  # fmt: skip


def upsert_routing_rules(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """By (category, area); ``null`` equals ``null`` in that key (NULLS NOT DISTINCT)."""
    stmt = text("""
        INSERT INTO routing_rule (category_code, area_code, lead_department_id,
                                  assist_department_ids, note)
        VALUES (:category, :area, (SELECT id FROM department WHERE code = :lead),
                ARRAY(SELECT d.id FROM unnest(CAST(:assist AS text[])) WITH ORDINALITY
                      AS u(code, n) JOIN department d ON d.code = u.code ORDER BY u.n),
                :note)
        ON CONFLICT (category_code, area_code) DO UPDATE SET
            lead_department_id = excluded.lead_department_id,
            assist_department_ids = excluded.assist_department_ids, note = excluded.note""")
    stmt = stmt.bindparams(bindparam("assist", type_=ARRAY(String)))
    for row in rows:
        session.execute(stmt, {**row, "assist": list(row["assist"])})


def upsert_sla_policies(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(
            text("""
            INSERT INTO sla_policy (category_code, priority, accept_hours, resolve_workdays,
                                    remind_before_hours, max_suspend_days)
            VALUES (:category, :priority, :accept_hours, :resolve_workdays,
                    :remind_before_hours, :max_suspend_days)
            ON CONFLICT (category_code, priority) DO UPDATE SET
                accept_hours = excluded.accept_hours,
                resolve_workdays = excluded.resolve_workdays,
                remind_before_hours = excluded.remind_before_hours,
                max_suspend_days = excluded.max_suspend_days"""),
            list(rows),
        )


def upsert_calendar(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(
            text("""
            INSERT INTO calendar_day (day, workday, name) VALUES (:day, :workday, :name)
            ON CONFLICT (day) DO UPDATE SET workday = excluded.workday,
                name = excluded.name"""),
            list(rows),
        )


def delete_departments(session: Session, codes: Sequence[str]) -> None:
    _delete(session, "DELETE FROM department WHERE code = ANY(:k)", list(codes))


def delete_categories(session: Session, codes: Sequence[str]) -> None:
    """Children first: a group goes after its leaves."""
    _delete(session, "DELETE FROM incident_category WHERE code = ANY(:k) AND parent_code "
            "IS NOT NULL", list(codes))  # fmt: skip
    _delete(session, "DELETE FROM incident_category WHERE code = ANY(:k)", list(codes))


def delete_routing_rules(session: Session, keys: Sequence[tuple[str | None, str | None]]) -> None:
    for category, area in keys:
        session.execute(
            text("""DELETE FROM routing_rule WHERE category_code IS NOT DISTINCT
            FROM :c AND area_code IS NOT DISTINCT FROM :a"""),
            {"c": category, "a": area},
        )


def delete_sla_policies(session: Session, keys: Sequence[tuple[str | None, int | None]]) -> None:
    stmt = text("""DELETE FROM sla_policy WHERE category_code IS NOT DISTINCT FROM :c
                   AND priority IS NOT DISTINCT FROM :p""")
    stmt = stmt.bindparams(bindparam("c", type_=String), bindparam("p", type_=Integer))
    for category, priority in keys:
        session.execute(stmt, {"c": category, "p": priority})


def delete_calendar(session: Session, days: Sequence[Any]) -> None:
    if days:
        session.execute(text("DELETE FROM calendar_day WHERE day = ANY(:k)"), {"k": list(days)})


def _delete(session: Session, sql: str, keys: list[Any]) -> None:
    if keys:
        session.execute(text(sql), {"k": keys})
