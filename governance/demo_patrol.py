"""The demo city's patrol: checklists, a field force, a year of tasks and what was done.

Deliberately not the deployment path (a county loads its own checklists and accounts):
the templates of ``geodata/demo/patrol_templates.py`` go through the template rules, the
tasks through the plan's generator, as a county's would. The year of visits (submissions,
check-ins, findings and their cases) is written in bulk by
``geodata/demo/patrol.write_history`` (120,000 submissions through the service would take
an hour); the tasks it left undone past their deadline are then marked missed by the
plan's own sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
    history: field.History


def seed_patrol(s: Session, *, seed: int = 42, now: datetime | None = None) -> PatrolSeed:
    """Templates, grid workers, the tasks of the last year and the coming week, and the
    visits made up to ``now`` (default: the current hour, as the demo city's), in the
    caller's transaction (after the demo city and its accounts)."""
    now = now or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    today = now.astimezone(LOCAL_TZ).date()
    specs = templates()
    for spec in specs:
        patrol_templates.create(s, **spec)
    workers = field.add_field_force(s, hash_password(FIELD_PASSWORD))
    with field.bulk_load(s):
        made = patrol_plan.generate(
            s, today - timedelta(days=HISTORY_DAYS), today + timedelta(days=patrol_plan.AHEAD_DAYS)
        )
        history = field.write_history(s, seed=seed, now=now)
        patrol_plan.mark_missed(s, now)
    return PatrolSeed(len(specs), workers, made.total, history)
