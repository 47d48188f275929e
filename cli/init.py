"""``python app.py init --empty``: a new installation for a real county, without the demo.

It starts the database (the embedded cluster unless ``MINQING_DATABASE_URL`` points
elsewhere), migrates it and creates only the three administrators of 三员分立: the
system administrator (accounts, and the county's areas), the security administrator
(roles and scopes) and the security auditor (the audit trail). Their passwords are
generated and printed once; each must choose a new one at the first sign-in. Nothing else
is created: no area, no department, no category, no incident. The county then moves in
with its own files (README, "Moving a county in").

It refuses a database that already holds areas or accounts (the demo city, or an
installation already in use), and ``make run`` / ``python app.py run`` never seed the
demo city into a database that has accounts of its own (:func:`cli.demo.seed_demo`).
"""

from __future__ import annotations

import click


@click.command("init")
@click.option("--empty", is_flag=True, required=True, help="No demo data: a real county's start.")
def init(empty: bool) -> None:
    """Create an empty installation: the schema and the three administrators only."""
    from cli.db import ensure_database
    from geodata import migrate
    from geodata.db import session_scope
    from governance.errors import MinqingError
    from governance.installation import start_empty

    ensure_database()
    migrate.upgrade()
    try:
        with session_scope() as s:
            made = start_empty(s)
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    click.echo("empty installation ready: no areas, no reference data, no incidents")
    click.echo("administrators (each must choose a new password at the first sign-in):")
    for username, role, password in made:
        click.echo(f"  {username:<10} {role:<10} {password}")
    click.echo("next: the county's areas (python app.py import areas FILE), its reference data")
    click.echo("(python app.py config import FILE), then its accounts; see README, 'Moving in'")
