"""The demo city's closed-loop configuration and history.

* SLA policies by priority (accept within hours, resolve within working days).
* The working-day calendar: the national holidays and adjusted working weekends (调休)
  of 2026 as published by the State Council General Office (国办发明电〔2025〕7号) — demo
  configuration; a real deployment loads its own calendar and should check this one.
* A few routing rules (category x area -> lead and assisting departments) beside the
  category defaults.
* For the generated incidents, the handling history their status implies: lead
  department, stage times, SLA deadlines (weekends skipped; holidays not, for speed) and
  a timeline (register, dispatch, accept, resolve, close), and residents' ratings of
  closed cases (with the evaluation or the reopening they cause) — in set-based SQL.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

# priority -> (accept within hours, resolve within working days, remind hours before)
SLA_BY_PRIORITY = {1: (1, 1, 2), 2: (2, 3, 4), 3: (4, 5, 8), 4: (8, 10, 8)}


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


HOLIDAYS_2026: list[tuple[list[date], str]] = [
    (_span(date(2026, 1, 1), date(2026, 1, 3)), "元旦"),
    (_span(date(2026, 2, 15), date(2026, 2, 23)), "春节"),
    (_span(date(2026, 4, 4), date(2026, 4, 6)), "清明节"),
    (_span(date(2026, 5, 1), date(2026, 5, 5)), "劳动节"),
    (_span(date(2026, 6, 19), date(2026, 6, 21)), "端午节"),
    (_span(date(2026, 9, 25), date(2026, 9, 27)), "中秋节"),
    (_span(date(2026, 10, 1), date(2026, 10, 7)), "国庆节"),
]
WORKING_WEEKENDS_2026: list[tuple[date, str]] = [
    (date(2026, 1, 4), "元旦调休上班"),
    (date(2026, 2, 14), "春节调休上班"),
    (date(2026, 2, 28), "春节调休上班"),
    (date(2026, 5, 9), "劳动节调休上班"),
    (date(2026, 9, 20), "国庆节调休上班"),
    (date(2026, 10, 10), "国庆节调休上班"),
]
# (category, area code prefix or None, lead department, assisting departments)
ROUTING_RULES: list[tuple[str | None, str | None, str, list[str]]] = [
    ("service.noise", None, "ecology", ["public_security"]),
    ("safety.fire_hazard", None, "emergency", ["urban_mgmt"]),
    ("dispute.labour", None, "hr_social", ["petition"]),
    ("flood.waterlogging", None, "water", ["emergency", "urban_mgmt"]),
    ("city.street_vending", None, "urban_mgmt", ["market_reg"]),
]


def seed_rules(session: Session) -> None:
    """SLA policies, the 2026 calendar and the routing rules (idempotent)."""
    for priority, (accept, resolve, remind) in SLA_BY_PRIORITY.items():
        session.execute(
            text("""
            INSERT INTO sla_policy (category_code, priority, accept_hours, resolve_workdays,
                                    remind_before_hours)
            VALUES (NULL, :p, :a, :r, :m) ON CONFLICT DO NOTHING"""),
            {"p": priority, "a": accept, "r": resolve, "m": remind},
        )
    days = [(d, False, name) for span, name in HOLIDAYS_2026 for d in span]
    days += [(d, True, name) for d, name in WORKING_WEEKENDS_2026]
    for day, workday, name in days:
        session.execute(
            text("""INSERT INTO calendar_day (day, workday, name) VALUES (:d, :w, :n)
                    ON CONFLICT (day) DO NOTHING"""),
            {"d": day, "w": workday, "n": name},
        )
    for category, area, lead, assist in ROUTING_RULES:
        session.execute(
            text("""
            INSERT INTO routing_rule (category_code, area_code, lead_department_id,
                                      assist_department_ids)
            SELECT :c, :a, (SELECT id FROM department WHERE code = :lead),
                   ARRAY(SELECT id FROM department WHERE code = ANY(:assist) ORDER BY id)
            ON CONFLICT DO NOTHING"""),
            {"c": category, "a": area, "lead": lead, "assist": assist},
        )


# Working days after a timestamp's local day, weekends skipped: end of that day.
_WORKDAYS_LATER = """
    (date_trunc('day', {ts} AT TIME ZONE 'Asia/Shanghai')
     + make_interval(days => {n} + 2 * (({n} + extract(isodow FROM {ts} AT TIME ZONE
       'Asia/Shanghai')::int - 1) / 5) + 1)) AT TIME ZONE 'Asia/Shanghai'
"""


def backfill(session: Session, first_id: int = 1) -> None:
    """Handling history for incidents with id >= ``first_id`` that have none yet."""
    session.execute(
        text(f"""
        WITH x AS (
            SELECT i.id, i.reported_at + make_interval(mins => 10 + (i.id % 110)::int) AS d_at,
                   coalesce(p.accept_hours, 4) AS ah, coalesce(p.resolve_workdays, 5) AS rw,
                   c.department_id AS lead
            FROM incident i JOIN incident_category c ON c.code = i.category_code
            LEFT JOIN sla_policy p ON p.category_code IS NULL AND p.priority = i.priority
            WHERE i.id >= :first AND i.dispatched_at IS NULL
              AND i.status NOT IN ('registered', 'verified', 'rejected', 'merged')
        )
        UPDATE incident i SET
            lead_department_id = x.lead,
            dispatched_at = x.d_at,
            accept_due_at = x.d_at + make_interval(hours => x.ah),
            resolve_due_at = {_WORKDAYS_LATER.format(ts="x.d_at", n="x.rw")},
            accepted_at = CASE WHEN i.status IN ('dispatched', 'suspended') THEN NULL
                               ELSE x.d_at + make_interval(mins => 20 + (i.id % 200)::int) END,
            resolved_at = CASE WHEN i.status IN ('resolved', 'closed', 'evaluated')
                               THEN x.d_at + make_interval(hours => 6 + (i.id % 90)::int) END,
            closed_at = CASE WHEN i.status IN ('closed', 'evaluated')
                             THEN x.d_at + make_interval(hours => 30 + (i.id % 90)::int) END
        FROM x WHERE x.id = i.id
    """),
        {"first": first_id},
    )
    session.execute(
        text("""
        INSERT INTO incident_event (incident_id, at, action, from_status, to_status, version,
                                    actor_name, actor_role)
        SELECT id, reported_at, 'register', NULL, 'registered', 1, source, 'system'
        FROM incident i WHERE id >= :first
          AND NOT EXISTS (SELECT 1 FROM incident_event e WHERE e.incident_id = i.id)
    """),
        {"first": first_id},
    )
    steps = [
        ("dispatch", "registered", "dispatched", "dispatched_at", "commander"),
        ("accept", "dispatched", "accepted", "accepted_at", "dept_staff"),
        ("resolve", "accepted", "resolved", "resolved_at", "dept_staff"),
        ("close", "resolved", "closed", "closed_at", "commander"),
    ]
    for n, (action, src, dst, col, role) in enumerate(steps, start=2):
        session.execute(
            text(f"""
            INSERT INTO incident_event (incident_id, at, action, from_status, to_status,
                                        version, actor_name, actor_role, actor_department_id)
            SELECT id, {col}, :action, :src, :dst, :n, NULL, :role,
                   CASE WHEN :role = 'dept_staff' THEN lead_department_id END
            FROM incident i WHERE id >= :first AND {col} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM incident_event e
                              WHERE e.incident_id = i.id AND e.action = :action)
        """),
            {"first": first_id, "action": action, "src": src, "dst": dst, "n": n, "role": role},
        )
    _resident_ratings(session, first_id)
    # the version counts the steps taken; updated_at is the last of them
    session.execute(
        text("""
        UPDATE incident i SET version = e.n, updated_at = e.last
        FROM (SELECT incident_id, count(*)::int AS n, max(at) AS last FROM incident_event
              WHERE incident_id >= :first GROUP BY incident_id) e
        WHERE e.incident_id = i.id AND i.id >= :first
    """),
        {"first": first_id},
    )


# Of the closed cases residents reported (12345 and public reports), about 60 % are rated
# some hours after closing, by the id: 78 % satisfied, 17 % basically satisfied, 5 %
# dissatisfied. As in the state machine (governance/workflow.resident_feedback), a
# satisfied or basic rating evaluates the closed case; a dissatisfied one reopens it
# (back to the lead department), which resolves it again a day later and the command
# centre closes it the next day: such cases count one reopen.
_RATED = """
    SELECT i.id, i.closed_at + make_interval(hours => 2 + (i.id % 46)::int) AS at,
           CASE WHEN i.id % 100 < 5 THEN 'dissatisfied'
                WHEN i.id % 100 < 22 THEN 'basic' ELSE 'satisfied' END AS rating
    FROM incident i
    WHERE i.id >= :first AND i.status = 'closed' AND i.source IN ('hotline_12345', 'public')
      AND (i.id / 7) % 10 < 6 AND i.closed_at + interval '100 hours' < now()
      AND NOT EXISTS (SELECT 1 FROM incident_feedback f WHERE f.incident_id = i.id)"""


def _resident_ratings(session: Session, first_id: int) -> None:
    """Resident ratings of closed demo cases, with the steps they cause (see above)."""
    session.execute(
        text(f"""
        WITH r AS ({_RATED}),
        fb AS (
            INSERT INTO incident_feedback (incident_id, rating, channel, at)
            SELECT id, rating, 'link', at FROM r
        ),
        ev AS (
            INSERT INTO incident_event (incident_id, at, action, from_status, to_status,
                                        version, actor_name, actor_role, detail)
            SELECT r.id, r.at, 'feedback', 'closed',
                   CASE WHEN r.rating = 'dissatisfied' THEN 'in_progress' ELSE 'evaluated' END,
                   6, 'resident', 'resident',
                   jsonb_build_object('rating', r.rating, 'channel', 'link')
            FROM r
        )
        UPDATE incident i SET status = 'evaluated' FROM r
        WHERE r.id = i.id AND r.rating <> 'dissatisfied'
    """),
        {"first": first_id},
    )
    # the dissatisfied ones: reopened, resolved again after a day, closed the day after
    session.execute(
        text("""
        WITH r AS (
            SELECT f.incident_id AS id, f.at FROM incident_feedback f
            JOIN incident i ON i.id = f.incident_id
            WHERE i.id >= :first AND f.rating = 'dissatisfied' AND i.reopen_count = 0
        ),
        ev AS (
            INSERT INTO incident_event (incident_id, at, action, from_status, to_status,
                                        version, actor_name, actor_role, actor_department_id)
            SELECT r.id, r.at + s.after, s.action, s.src, s.dst, s.n, NULL, s.role,
                   CASE WHEN s.role = 'dept_staff' THEN i.lead_department_id END
            FROM r JOIN incident i ON i.id = r.id,
                 (VALUES ('resolve', 'in_progress', 'resolved', 7, 'dept_staff',
                          interval '24 hours'),
                         ('close', 'resolved', 'closed', 8, 'commander', interval '48 hours'))
                     AS s(action, src, dst, n, role, after)
        )
        UPDATE incident i SET reopen_count = 1, resolved_at = r.at + interval '24 hours',
                              closed_at = r.at + interval '48 hours'
        FROM r WHERE r.id = i.id
    """),
        {"first": first_id},
    )
