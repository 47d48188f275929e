"""``python app.py db ...``: the embedded cluster and migrations."""

from __future__ import annotations

import json
import sys

import click

from settings import get_settings


def embedded_or_none():  # type: ignore[no-untyped-def]
    """The embedded cluster, or None when MINQING_DATABASE_URL points elsewhere."""
    s = get_settings()
    if s.database_url:
        return None
    from geodata.embedded import EmbeddedCluster

    return EmbeddedCluster.from_settings(s)


def ensure_database() -> None:
    """Start the embedded cluster (if used) and create the database. Idempotent."""
    from geodata.embedded import ClusterError

    cluster = embedded_or_none()
    if cluster is None:
        return
    try:
        click.echo(f"embedded PostGIS: {cluster.start()} ({cluster.pgdata})")
        if cluster.ensure_database(get_settings().database_name):
            click.echo(f"created database {get_settings().database_name}")
    except ClusterError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


@click.group()
def db() -> None:
    """Database: embedded cluster lifecycle and schema migrations."""


@db.command()
def start() -> None:
    """Initialise (first time) and start the embedded cluster; create the database."""
    ensure_database()


@db.command()
def stop() -> None:
    """Stop the embedded cluster."""
    cluster = embedded_or_none()
    if cluster is None:
        click.echo("MINQING_DATABASE_URL is set: no embedded cluster to stop")
        return
    click.echo(cluster.stop())


@db.command()
def status() -> None:
    """Show where the database is and whether it runs."""
    cluster = embedded_or_none()
    if cluster is None:
        click.echo(json.dumps({"external": True}))
        return
    info = cluster.status()
    click.echo(json.dumps(info, indent=2))
    sys.exit(0 if info["running"] else 3)


@db.command()
@click.option("--revision", default="head")
def upgrade(revision: str) -> None:
    """Apply Alembic migrations (default: to head)."""
    from geodata import migrate

    ensure_database()
    migrate.upgrade(revision=revision)
    click.echo(f"schema at {migrate.current()}")


@db.command()
def partitions() -> None:
    """Create the timeline's coming monthly partitions and move stray rows out of the
    default one (also done by ``upgrade``; run it monthly where the app runs for long)."""
    from geodata import migrate

    created = migrate.upkeep()
    click.echo("created: " + (", ".join(created) if created else "nothing (all there)"))


@db.command()
@click.option("--revision", default="-1")
def downgrade(revision: str) -> None:
    """Revert Alembic migrations (default: one step)."""
    from geodata import migrate

    migrate.downgrade(revision=revision)
    click.echo(f"schema at {migrate.current()}")


@db.command("rollup-check")
def rollup_check() -> None:
    """Compare the incident rollups (0024's, the coarse one of 0028), the open cases'
    counters (0032) and the counters per hour (0033) with a direct GROUP BY of the
    incidents; exit 1 if any differs (then run ``db rollup-rebuild``)."""
    from governance import rollup
    from governance.uow import unit_of_work

    with unit_of_work(admin=True) as s:
        drifts: dict[str, rollup.Drift] = {
            "incident rollup": rollup.check(s),
            "coarse rollup": rollup.check_coarse(s),
            "open case counts": rollup.check_open(s),
            "hour counts": rollup.check_hours(s),
        }
    for name, drift in drifts.items():
        if drift.exact:
            click.echo(f"{name}: exact")
            continue
        click.echo(f"{name}: {drift.keys} keys differ, {drift.uncovered} points outside")
        for key, kept, true in drift.examples:
            click.echo(f"  {key}: rollup {kept}, incidents {true}")
    if not all(d.exact for d in drifts.values()):
        sys.exit(1)


@db.command("rollup-rebuild")
def rollup_rebuild() -> None:
    """Recompute the incident rollups (0024's, the coarse one) and the counters (open
    cases, per hour) in one transaction
    (after a bulk load with the triggers disabled, or as a repair); incident writers wait
    until it commits."""
    from governance import rollup
    from governance.uow import unit_of_work

    with unit_of_work(admin=True) as s:
        rows = rollup.rebuild(s)
        coarse = rollup.rebuild_coarse(s)
        opened = rollup.rebuild_open(s)
        hours = rollup.rebuild_hours(s)
    click.echo(
        f"incident rollup rebuilt: {rows} rows; coarse rollup: {coarse} rows; "
        f"open case counts: {opened} rows; hour counts: {hours} rows"
    )
