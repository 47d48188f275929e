"""Run Alembic programmatically against the configured (or a given) database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Migrate to ``revision``; at head, also the upkeep of the timeline's monthly
    partitions (this month and the next ones exist, stray rows leave the default one):
    every path that brings a database up to date (``db upgrade``, ``run``, ``serve``,
    ``init``, the tests, the benchmarks) keeps them."""
    command.upgrade(alembic_config(url), revision)
    if revision == "head":
        upkeep(url)


def upkeep(url: str | None = None) -> tuple[str, ...]:
    """The partitions' upkeep as the schema owner (``geodata/queries/partitions.py``);
    the names of the partitions created."""
    from sqlalchemy import create_engine, pool
    from sqlalchemy.orm import Session

    from geodata.db import admin_database_url
    from geodata.queries import partitions

    eng = create_engine(url or admin_database_url(), poolclass=pool.NullPool)
    try:
        with Session(eng) as s, s.begin():
            return partitions.ensure(s).created
    finally:
        eng.dispose()


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def current(url: str | None = None) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine, pool

    from geodata.db import admin_database_url

    eng = create_engine(url or admin_database_url(), poolclass=pool.NullPool)
    with eng.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
