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
    "incident_reporter",
    "api_token",
}


def test_upgrade_downgrade_upgrade(owner_url: str) -> None:
    from tests.conftest import ADMIN_URL

    url = make_url(owner_url).set(database=make_url(owner_url).database + "_mig")
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


def test_identity_encryption_migrates_existing_rows_both_ways(owner_url: str) -> None:
    """Rows written in clear before 0006 are encrypted by it and decrypted by its downgrade."""
    from geodata.crypto import cipher
    from tests.conftest import ADMIN_URL

    url = make_url(owner_url).set(database=make_url(owner_url).database + "_enc")
    name = url.database
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    u = url.render_as_string(hide_password=False)
    eng = create_engine(u)
    try:
        migrate.upgrade(u, "0005")
        with eng.begin() as conn:
            conn.execute(
                text("""
                INSERT INTO area (id, code, name, level, is_urban, geom, label_point) VALUES
                (1, '441502001001001', '一号网格', 'grid', true,
                 ST_GeomFromText('MULTIPOLYGON(((115 22,115.1 22,115.1 22.1,115 22)))', 4326),
                 ST_SetSRID(ST_MakePoint(115.05, 22.03), 4326));
                INSERT INTO key_person (id, category, care_level, grid_id, geom) VALUES
                (7, 'elderly_alone', 2, 1, ST_SetSRID(ST_MakePoint(115.05, 22.03), 4326));
                INSERT INTO key_person_identity VALUES
                (7, '张三丰', '990101194001011234', '19900012345', '某街道某小区3栋');
            """)
            )
        migrate.upgrade(u)
        with eng.connect() as conn:
            row = conn.execute(text("SELECT * FROM key_person_identity")).mappings().one()
        assert b"\xe5\xbc\xa0" not in bytes(row["full_name_enc"])  # no clear 张 in it
        c = cipher()
        assert c.decrypt(row["full_name_enc"], c.place("key_person_identity", "full_name", 7)) == (
            "张三丰"
        )
        assert bytes(row["id_number_bidx"]) == c.blind_index("990101194001011234", "id_number")
        migrate.downgrade(u, "0005")
        with eng.connect() as conn:
            back = conn.execute(
                text("SELECT full_name, id_number, phone, address FROM key_person_identity")
            ).one()
        assert tuple(back) == ("张三丰", "990101194001011234", "19900012345", "某街道某小区3栋")
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_two_databases_of_one_cluster_migrate_at_once(owner_url: str) -> None:
    """The application role belongs to the cluster: two databases migrated at the same
    moment (two app nodes, or a test database per pytest-xdist worker on a fresh cluster)
    both find it missing and both create it; neither may fail for it."""
    import os
    import subprocess
    import sys

    from tests.conftest import ADMIN_URL

    role = f"minqing_race_{os.getpid()}"
    names = [f"{make_url(owner_url).database}_race{i}" for i in (1, 2)]
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    script = "import sys; from geodata import migrate; migrate.upgrade(sys.argv[1])"
    try:
        procs = []
        for name in names:
            owner = make_url(owner_url).set(database=name)
            env = {
                **os.environ,
                # the app connects as a role no database of this cluster has created yet
                "MINQING_DATABASE_URL": owner.set(username=role).render_as_string(False),
                "MINQING_ADMIN_DATABASE_URL": owner.render_as_string(False),
            }
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-c", script, owner.render_as_string(False)],
                    env=env,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        errors = [p.communicate(timeout=300)[1] for p in procs]
        assert [p.returncode for p in procs] == [0, 0], errors
        with admin.connect() as conn:
            for name in names:
                granted = conn.execute(
                    text(
                        "SELECT has_database_privilege(:r, :d, 'CONNECT')"
                        " AND has_schema_privilege(:r, 'public', 'USAGE')"
                    ),
                    {"r": role, "d": name},
                ).scalar_one()
                assert granted
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
