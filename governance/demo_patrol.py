"""The demo city's patrol: checklists, a field force, and a year of tasks.

Deliberately not the deployment path (a county loads its own checklists and accounts):
the templates of ``geodata/demo/patrol_templates.py`` go through the template rules, the
tasks through the plan's generator, as a county's would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from geodata.demo import patrol as field
from geodata.demo.patrol_templates import templates
from governance import patrol_plan, patrol_templates
from governance.accounts import hash_password
from governance.filters import LOCAL_TZ

FIELD_PASSWORD = "Demo-Field-2026"  # every gw<grid code> account (public: README)
HISTORY_DAYS = 365


@dataclass(frozen=True)
class PatrolSeed:
    templates: int
    workers: int
    tasks: int


def seed_patrol(s: Session, *, today: date | None = None) -> PatrolSeed:
    """Templates, grid workers and the tasks of the last year and the coming week, in the
    caller's transaction (after the demo city and its accounts)."""
    today = today or datetime.now(LOCAL_TZ).date()
    specs = templates()
    for spec in specs:
        patrol_templates.create(s, **spec)
    workers = field.add_field_force(s, hash_password(FIELD_PASSWORD))
    made = patrol_plan.generate(
        s, today - timedelta(days=HISTORY_DAYS), today + timedelta(days=patrol_plan.AHEAD_DAYS)
    )
    patrol_plan.mark_missed(s)
    return PatrolSeed(len(specs), workers, made.total)
