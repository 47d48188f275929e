"""Defence in depth for personal data: encryption at rest, row-level security, app role.

* ``key_person_identity``: name, ID number, phone and address are stored only as
  AES-256-GCM ciphertexts (``geodata/crypto.py``, key from the settings, never in the
  repository), plus a blind index of the ID number for exact lookups. Existing rows are
  encrypted in place by this migration (and decrypted back by its downgrade).
* ``incident_reporter``: who reported an incident (name, phone), encrypted the same way,
  kept apart from ``incident`` so that the incident itself carries no personal data.
* Row-level security, FORCEd (the owner is subject to it too; superusers are not), on
  ``key_person``, ``key_person_identity`` and ``incident_reporter``: a transaction sees
  the rows of its area scope, set with ``set_config('minqing.scope', prefix, true)``
  (``*``: everything; unset: nothing).
* The application role (``settings.app_db_role`` on the embedded cluster, or the user of
  ``MINQING_DATABASE_URL`` when it differs from the migrating user) gets SELECT, INSERT,
  UPDATE, DELETE on the tables, but only SELECT and INSERT on ``audit_log``; purging old
  audit records goes through ``audit_log_purge`` (now SECURITY DEFINER).

``incident`` itself is not under row-level security: its queries filter by bounding box
and PostGIS's ``&&`` is not LEAKPROOF, so under a policy PostgreSQL may not use the
spatial index and a city-wide map would scan a million rows. Its scope is enforced in the
application's SQL (``governance``), which the test matrix checks.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

IDENTITY = ("full_name", "id_number", "phone", "address")
RLS_TABLES = ("key_person", "key_person_identity", "incident_reporter")
PURGE_SIGNATURE = "audit_log_purge(timestamptz, text, text, text)"

SCOPE_FUNCTIONS = """
CREATE FUNCTION minqing_scope() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT coalesce(current_setting('minqing.scope', true), '') $$;

CREATE FUNCTION minqing_in_scope(area_code text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE minqing_scope()
        WHEN '' THEN false
        WHEN '*' THEN true
        ELSE starts_with(coalesce(area_code, ''), minqing_scope())
    END
$$;

-- The grid code of a key person whatever the caller's scope, and nothing else: lets the
-- application tell "not in your area" (403, audited) from "no such person" (404).
CREATE FUNCTION key_person_grid_code(p_person_id integer) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public SET minqing.scope = '*' AS $$
    SELECT a.code FROM key_person p JOIN area a ON a.id = p.grid_id WHERE p.id = p_person_id
$$;
"""

POLICIES = """
CREATE POLICY key_person_scope ON key_person
    USING (minqing_scope() = '*' OR EXISTS (
        SELECT 1 FROM area a WHERE a.id = key_person.grid_id AND minqing_in_scope(a.code)));
CREATE POLICY key_person_identity_scope ON key_person_identity
    USING (EXISTS (SELECT 1 FROM key_person p WHERE p.id = key_person_identity.person_id));
CREATE POLICY incident_reporter_scope ON incident_reporter
    USING (minqing_scope() = '*' OR EXISTS (
        SELECT 1 FROM incident i JOIN area a ON a.id = i.grid_id
        WHERE i.id = incident_reporter.incident_id AND minqing_in_scope(a.code)));
"""


def _cipher():  # type: ignore[no-untyped-def]
    from geodata.crypto import cipher

    return cipher()


def _app_role(bind: sa.engine.Connection) -> str | None:
    """The role the application connects as, if it is not the migrating user."""
    from sqlalchemy.engine import make_url

    from geodata.db import database_url
    from settings import get_settings

    s = get_settings()
    role = make_url(database_url()).username if s.database_url else s.app_db_role
    me = bind.execute(sa.text("SELECT current_user")).scalar_one()
    return role if role and role != me else None


def _grant_app_role(bind: sa.engine.Connection) -> None:
    role = _app_role(bind)
    if role is None:
        return
    exists = bind.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    if exists.first() is None:
        can_create = bind.execute(
            sa.text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        ).scalar_one()
        if not can_create:
            raise RuntimeError(
                f"database role {role!r} does not exist and this user cannot create it; "
                f"create it (LOGIN NOSUPERUSER NOBYPASSRLS) and migrate again"
            )
        # Roles belong to the cluster, not the database: two databases of one cluster
        # migrated at once (two app nodes, or one test database per pytest-xdist worker)
        # both see no role and both create it; the second waits for the first and then
        # finds the name taken, which is what it wanted.
        op.execute(
            f"""
            DO $$ BEGIN
                CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$
            """
        )
    q = f'"{role}"'
    op.execute(f"GRANT USAGE ON SCHEMA public TO {q}")
    op.execute(
        f"""
        DO $$
        DECLARE t text;
        BEGIN
            FOR t IN SELECT tablename FROM pg_tables
                     WHERE schemaname = 'public' AND tableowner = current_user
            LOOP
                IF t IN ('audit_log', 'alembic_version', 'spatial_ref_sys') THEN
                    EXECUTE format('GRANT SELECT ON %I TO {q}', t);
                ELSE
                    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO {q}', t);
                END IF;
            END LOOP;
        END $$
        """
    )
    op.execute(f"GRANT INSERT ON audit_log TO {q}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {q}")
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {q}"
    )
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {q}")
    op.execute(f"GRANT EXECUTE ON FUNCTION {PURGE_SIGNATURE} TO {q}")


def _revoke_app_role(bind: sa.engine.Connection) -> None:
    role = _app_role(bind)
    if role is None:
        return
    if bind.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
        q = f'"{role}"'
        op.execute(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            f"REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {q}"
        )
        op.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM {q}"
        )
        # Privileges on the tables go with them or stay harmless (the role is shared by
        # every database of the cluster, so it is not dropped).


def upgrade() -> None:
    bind = op.get_bind()
    # -- key_person_identity: clear columns -> ciphertexts -------------------------------
    for col in IDENTITY:
        op.add_column("key_person_identity", sa.Column(f"{col}_enc", sa.LargeBinary()))
    op.add_column("key_person_identity", sa.Column("id_number_bidx", sa.LargeBinary()))
    rows = bind.execute(
        sa.text("SELECT person_id, full_name, id_number, phone, address FROM key_person_identity")
    ).all()
    if rows:
        c = _cipher()
        params = []
        for pid, *values in rows:
            p: dict[str, object] = {"pid": pid}
            for col, v in zip(IDENTITY, values, strict=True):
                p[col] = c.encrypt(v, c.place("key_person_identity", col, pid))
            p["bidx"] = c.blind_index(values[1], "id_number")
            params.append(p)
        bind.execute(
            sa.text(
                "UPDATE key_person_identity SET full_name_enc = :full_name, "
                "id_number_enc = :id_number, phone_enc = :phone, address_enc = :address, "
                "id_number_bidx = :bidx WHERE person_id = :pid"
            ),
            params,
        )
    for col in IDENTITY:
        op.drop_column("key_person_identity", col)
    op.alter_column("key_person_identity", "full_name_enc", nullable=False)
    op.alter_column("key_person_identity", "id_number_enc", nullable=False)
    op.create_index(
        "ix_key_person_identity_id_number_bidx", "key_person_identity", ["id_number_bidx"]
    )

    # -- incident_reporter ---------------------------------------------------------------
    op.create_table(
        "incident_reporter",
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=True),
        sa.Column("phone_enc", sa.LargeBinary(), nullable=True),
        sa.Column("phone_bidx", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            ondelete="CASCADE",
            name=op.f("fk_incident_reporter_incident_id_incident"),
        ),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incident_reporter")),
    )
    op.create_index("ix_incident_reporter_phone_bidx", "incident_reporter", ["phone_bidx"])

    # -- row-level security ------------------------------------------------------------
    op.execute(SCOPE_FUNCTIONS)
    for t in RLS_TABLES:
        op.execute(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY")
    op.execute(POLICIES)

    # -- the application role ----------------------------------------------------------
    op.execute(f"ALTER FUNCTION {PURGE_SIGNATURE} SECURITY DEFINER SET search_path = public")
    op.execute(f"REVOKE EXECUTE ON FUNCTION {PURGE_SIGNATURE} FROM PUBLIC")
    _grant_app_role(bind)


def downgrade() -> None:
    bind = op.get_bind()
    _revoke_app_role(bind)
    op.execute(f"GRANT EXECUTE ON FUNCTION {PURGE_SIGNATURE} TO PUBLIC")
    op.execute(f"ALTER FUNCTION {PURGE_SIGNATURE} SECURITY INVOKER RESET search_path")
    for name, table in (
        ("key_person_scope", "key_person"),
        ("key_person_identity_scope", "key_person_identity"),
        ("incident_reporter_scope", "incident_reporter"),
    ):
        op.execute(f"DROP POLICY {name} ON {table}")
    for t in RLS_TABLES:
        op.execute(f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION key_person_grid_code(integer)")
    op.execute("DROP FUNCTION minqing_in_scope(text)")
    op.execute("DROP FUNCTION minqing_scope()")
    op.drop_index("ix_incident_reporter_phone_bidx", table_name="incident_reporter")
    op.drop_table("incident_reporter")

    op.add_column("key_person_identity", sa.Column("full_name", sa.String(40)))
    op.add_column("key_person_identity", sa.Column("id_number", sa.String(18)))
    op.add_column("key_person_identity", sa.Column("phone", sa.String(20)))
    op.add_column("key_person_identity", sa.Column("address", sa.String(200)))
    rows = bind.execute(
        sa.text(
            "SELECT person_id, full_name_enc, id_number_enc, phone_enc, address_enc "
            "FROM key_person_identity"
        )
    ).all()
    if rows:
        c = _cipher()
        params = []
        for pid, *blobs in rows:
            p: dict[str, object] = {"pid": pid}
            for col, b in zip(IDENTITY, blobs, strict=True):
                p[col] = c.decrypt(b, c.place("key_person_identity", col, pid))
            params.append(p)
        bind.execute(
            sa.text(
                "UPDATE key_person_identity SET full_name = :full_name, id_number = :id_number, "
                "phone = :phone, address = :address WHERE person_id = :pid"
            ),
            params,
        )
    op.drop_index("ix_key_person_identity_id_number_bidx", table_name="key_person_identity")
    for col in IDENTITY:
        op.drop_column("key_person_identity", f"{col}_enc")
    op.drop_column("key_person_identity", "id_number_bidx")
    op.alter_column("key_person_identity", "full_name", nullable=False)
    op.alter_column("key_person_identity", "id_number", nullable=False)
