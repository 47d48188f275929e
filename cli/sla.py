"""``python app.py sla sweep``: SLA reminders and supervision, once, by hand."""

from __future__ import annotations

import click


@click.group()
def sla() -> None:
    """SLA clocks of open cases."""


@sla.command()
def sweep() -> None:
    """Add reminders (催办) and supervision (督办) to the timelines of cases near or past
    their deadline; prints how many (a case gets each once per deadline)."""
    from governance.sla_sweep import sweep as run_sweep
    from governance.uow import unit_of_work

    with unit_of_work() as s:
        counts = run_sweep(s)
    click.echo(f"reminders: {counts['remind']}, supervision: {counts['supervise']}")
