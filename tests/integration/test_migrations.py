"""Alembic migrations go up and down cleanly on a real PostGIS database."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from geodata import migrate

TABLES = {
    "area",
    "department",
    "incident_category",
    "key_site",
    "key_person",
    "key_person_identity",
    "incident",
}


def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    from tests.conftest import ADMIN_URL

    url = make_url(db_url).set(database=make_url(db_url).database + "_mig")
    name = url.database
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    u = url.render_as_string(hide_password=False)
    try:
        migrate.upgrade(u)
        eng = create_engine(u)
        assert TABLES <= set(inspect(eng).get_table_names())
        idx = {i["name"] for i in inspect(eng).get_indexes("incident")}
        assert {"ix_incident_geom", "ix_incident_h3_8", "ix_incident_occurred_at"} <= idx
        migrate.downgrade(u, "base")
        assert not (TABLES & set(inspect(eng).get_table_names()))
        migrate.upgrade(u)
        assert migrate.current(u) is not None
        eng.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
