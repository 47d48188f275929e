"""``python app.py patrol ...``: visit tasks and checklist templates.

``generate`` is the scheduler's step by hand (the server keeps a week of tasks ahead on
its own, see ``governance/sla_sweep.py``); ``templates`` lists the checklists;
``publish`` writes a new version of one from a JSON file of items (the format of
``governance/patrol_templates.py``), as a user who holds the patrol-planning permission
(the command centre), whose password is asked for.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import click

from governance.errors import MinqingError


def _day(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value}") from None


@click.group()
def patrol() -> None:
    """Online patrol and care visits."""


@patrol.command()
@click.option("--from", "start", default=None, help="First day (default: today).")
@click.option("--to", "end", default=None, help="Last day (default: a week from today).")
def generate(start: str | None, end: str | None) -> None:
    """Add the visit tasks due from --from to --to (nothing twice; missed ones marked)."""
    from governance import patrol_plan
    from governance.filters import LOCAL_TZ
    from governance.uow import unit_of_work

    today = datetime.now(LOCAL_TZ).date()
    first = _day(start, today)
    last = _day(end, today + timedelta(days=patrol_plan.AHEAD_DAYS))
    try:
        with unit_of_work() as s:
            missed = patrol_plan.mark_missed(s)
            made = patrol_plan.generate(s, first, last)
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    click.echo(
        f"{first}..{last}: {made.sites} site visits and {made.persons} care visits added; "
        f"{missed} marked missed"
    )


@patrol.command()
def templates() -> None:
    """The checklists and their current versions."""
    from geodata.queries import patrol_templates as q
    from governance.uow import unit_of_work

    with unit_of_work() as s:
        rows = q.templates(s)
    for r in rows:
        click.echo(f"{r['code']:<34} v{r['version']:<3} {len(r['items']):>2} items  {r['name_zh']}")


@patrol.command()
@click.argument("code")
@click.argument("items_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as", "as_", required=True, help="A user who plans patrols (asks for the password)."
)
def publish(code: str, items_file: Path, as_: str) -> None:
    """Write ITEMS_FILE (a JSON list of items) as the next version of checklist CODE."""
    from cli.users import _actor
    from governance import patrol_templates
    from governance.uow import unit_of_work

    try:
        items = json.loads(items_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise click.ClickException(f"{items_file}: not a JSON file ({err})") from None
    who = _actor(as_)
    try:
        with unit_of_work(who) as s:
            out = patrol_templates.publish(s, code, items, principal=who)
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    click.echo(f"{out['code']}: version {out['version']} is now current")
