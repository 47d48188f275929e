"""``python app.py demo seed``: the demo city of Shanwei."""

from __future__ import annotations

import time

import click

from cli.db import ensure_database
from governance.demo_accounts import seed_accounts
from governance.demo_patrol import FIELD_PASSWORD, seed_patrol


def seed_demo(incidents: int, seed: int, *, if_empty: bool, reset: bool) -> None:
    from geodata import demo
    from geodata.db import session_scope

    t0 = time.perf_counter()
    with session_scope(admin=True) as s:  # the schema owner: TRUNCATE, COPY, ANALYZE
        demo.lock_seeding(s)
        if if_empty and demo.is_empty(s) and demo.has_accounts(s):
            click.echo("an installation of its own (init --empty): the demo city is not loaded")
            return
        if not demo.is_empty(s):
            if if_empty:
                click.echo("demo city already loaded: skipping seed")
                return
            if not reset:
                raise click.ClickException(
                    "the database already holds data; use --reset to replace it"
                )
            demo.reset(s)
        report = demo.seed(s, incidents=incidents, seed=seed)
        accounts = seed_accounts(s)
        patrol = seed_patrol(s, seed=seed)
    demo.checkpoint()
    click.echo(
        f"seeded {report.counties} counties, {report.streets} streets/towns, "
        f"{report.communities} communities, {report.grids} grids, {report.sites} key sites, "
        f"{report.persons} key persons, {report.incidents} incidents "
        f"in {time.perf_counter() - t0:.1f}s"
    )
    click.echo("demo accounts (demo city only; change or disable them for real use):")
    for acc, area in accounts:
        click.echo(f"  {acc.username:<11} {acc.password:<22} {acc.role:<12} {area or 'city'}")
    click.echo(
        f"patrol: {patrol.templates} checklists, {patrol.tasks} visits over the last year and "
        f"the coming week; {patrol.workers} more grid workers gw<grid code>, password "
        f"{FIELD_PASSWORD}"
    )


@click.group()
def demo() -> None:
    """The demo city."""


@demo.command()
@click.option("--incidents", default=200_000, show_default=True, type=click.IntRange(0))
@click.option("--seed", "seed_", default=42, show_default=True, type=int)
@click.option("--if-empty", is_flag=True, help="Do nothing if data is already loaded.")
@click.option("--reset", is_flag=True, help="Replace existing data.")
def seed(incidents: int, seed_: int, if_empty: bool, reset: bool) -> None:
    """Load the deterministic demo city of Shanwei (汕尾市)."""
    ensure_database()
    from geodata import migrate

    migrate.upgrade()
    seed_demo(incidents, seed_, if_empty=if_empty, reset=reset)
