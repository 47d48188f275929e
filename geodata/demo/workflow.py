"""The demo city's closed-loop configuration, written before its incidents, whose
timelines are computed from it (:mod:`geodata.demo.workcal`, :mod:`geodata.demo.lifecycle`).

* SLA policies by priority (accept within hours, resolve within working days).
* The working-day calendar: the national holidays and adjusted working weekends (调休)
  of 2026 as published by the State Council General Office (国办发明电〔2025〕7号) — demo
  configuration; a real deployment loads its own calendar and should check this one.
* A few routing rules (category x area -> lead and assisting departments) beside the
  category defaults.
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
