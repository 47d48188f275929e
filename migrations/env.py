"""Alembic environment: online migrations only, GeoAlchemy2 helpers for spatial types."""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine, pool

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geodata import (  # noqa: F401  (registers the tables)
    models,
    models_audit,
    models_emerging,
    models_patrol,
    models_tokens,
    models_uploads,
    models_workflow,
)
from geodata.db import Base, admin_database_url

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url") or admin_database_url()
    connectable = config.attributes.get("connection") or create_engine(url, poolclass=pool.NullPool)
    if hasattr(connectable, "connect") and not hasattr(connectable, "dialect_options"):
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=alembic_helpers.include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
