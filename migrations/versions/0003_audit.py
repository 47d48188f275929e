"""Audit trail: append-only ``audit_log`` whose rows are hash-chained by the database.

* ``audit_log_seal`` (BEFORE INSERT): serialises writers with a transaction-level
  advisory lock, then assigns ``id`` (from ``audit_log_id_seq``) and ``at``
  (``clock_timestamp()``) under the lock, so id order = time order = chain order, and
  seals the row: ``prev_hash`` = ``row_hash`` of the newest row (32 zero bytes for the
  first), ``row_hash = sha256(prev_hash || convert_to(audit_log_canonical(row), 'UTF8'))``.
* ``audit_log_guard`` (BEFORE UPDATE / DELETE, BEFORE TRUNCATE): UPDATE and TRUNCATE are
  always rejected; DELETE only for rows older than 180 days inside ``audit_log_purge``.
* ``audit_log_purge(before, ...)``: the one sanctioned delete. It removes a prefix of the
  chain and first appends an ``audit_purge`` record naming the last deleted row and its
  hash, which is what the first remaining row's ``prev_hash`` must equal (the anchor).
* ``audit_log_canonical(row)``: the canonical text that is hashed. Every field is
  length-prefixed (``<chars>:<text>``, ``~`` for NULL) so no two rows share a text;
  ``at`` is rendered in UTC with microseconds; ``detail`` as ``jsonb::text``. The same
  function is used by verification, so writer and verifier cannot disagree.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LOCK_KEY = 0x6175646974  # geodata.models_audit.AUDIT_LOCK_KEY (b"audit")
RETENTION = "180 days"  # geodata.models_audit.RETENTION_DAYS
OUTCOMES = ("success", "failure", "denied")
ZERO_HASH = "decode(repeat('00', 32), 'hex')"
UTC_TEXT = "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'"

FUNCTIONS = f"""
CREATE FUNCTION audit_log_field(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN v IS NULL THEN '~' ELSE length(v)::text || ':' || v END
$$;

CREATE FUNCTION audit_log_canonical(r audit_log) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT concat_ws('|', 'v1',
        audit_log_field(r.id::text),
        audit_log_field(to_char(r.at AT TIME ZONE 'UTC', {UTC_TEXT})),
        audit_log_field(r.user_id::text),
        audit_log_field(r.username),
        audit_log_field(r.role),
        audit_log_field(r.action),
        audit_log_field(r.object_type),
        audit_log_field(r.object_id),
        audit_log_field(r.outcome),
        audit_log_field(r.client_addr),
        audit_log_field(r.reason),
        audit_log_field(r.detail::text))
$$;

CREATE FUNCTION audit_log_seal() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    head bytea;
BEGIN
    -- Under REPEATABLE READ / SERIALIZABLE the snapshot predates the lock, so the head
    -- read below could be stale and the chain would fork: refuse instead.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'audit_log: write audit records in READ COMMITTED transactions'
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    NEW.id := nextval('audit_log_id_seq');
    NEW.at := clock_timestamp();
    SELECT a.row_hash INTO head FROM audit_log a ORDER BY a.id DESC LIMIT 1;
    NEW.prev_hash := coalesce(head, {ZERO_HASH});
    NEW.row_hash := sha256(NEW.prev_hash || convert_to(audit_log_canonical(NEW), 'UTF8'));
    RETURN NEW;
END
$$;

CREATE FUNCTION audit_log_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF coalesce(current_setting('minqing.audit_purge', true), '') <> 'on' THEN
            RAISE EXCEPTION 'audit_log is append-only: rows are removed only by audit_log_purge()'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.at > now() - interval '{RETENTION}' THEN
            RAISE EXCEPTION 'audit_log row % is within the {RETENTION} retention period', OLD.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION audit_log_purge(p_before timestamptz, p_username text DEFAULT NULL,
                                p_role text DEFAULT NULL, p_client_addr text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    anchor_id bigint;
    last_id bigint;
    last_hash bytea;
    n bigint;
BEGIN
    IF p_before IS NULL OR p_before > now() - interval '{RETENTION}' THEN
        RAISE EXCEPTION 'audit_log: records are kept {RETENTION}; purge only before %',
            now() - interval '{RETENTION}' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    -- Remove a prefix of the chain: every row before the first one at or after p_before
    -- (all of which are older than p_before, even if the clock ever stepped back).
    SELECT min(a.id) INTO anchor_id FROM audit_log a WHERE a.at >= p_before;
    SELECT a.id, a.row_hash INTO last_id, last_hash FROM audit_log a
        WHERE anchor_id IS NULL OR a.id < anchor_id ORDER BY a.id DESC LIMIT 1;
    IF last_id IS NULL THEN
        RETURN 0;
    END IF;
    SELECT count(*) INTO n FROM audit_log a WHERE a.id <= last_id;
    INSERT INTO audit_log (action, outcome, username, role, client_addr, object_type, detail)
    VALUES ('audit_purge', 'success', p_username, p_role, p_client_addr, 'audit_log',
            jsonb_build_object(
                'before', to_char(p_before AT TIME ZONE 'UTC', {UTC_TEXT}),
                'deleted', n, 'last_deleted_id', last_id,
                'last_deleted_hash', encode(last_hash, 'hex')));
    PERFORM set_config('minqing.audit_purge', 'on', true);
    DELETE FROM audit_log a WHERE a.id <= last_id;
    PERFORM set_config('minqing.audit_purge', 'off', true);
    RETURN n;
END
$$;

CREATE TRIGGER audit_log_seal BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_seal();
CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();
"""


def upgrade() -> None:
    op.execute("CREATE SEQUENCE audit_log_id_seq AS bigint")
    op.create_table(
        "audit_log",
        # No column default: the seal trigger draws the id under the advisory lock.
        sa.Column("id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("clock_timestamp()")),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("object_type", sa.Text(), nullable=True),
        sa.Column("object_id", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False, server_default="success"),
        sa.Column("client_addr", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("detail", postgresql.JSONB(), nullable=True),
        sa.Column("prev_hash", sa.LargeBinary(), nullable=False),
        sa.Column("row_hash", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("outcome IN (" + ", ".join(f"'{o}'" for o in OUTCOMES) + ")",
                           name=op.f("ck_audit_log_outcome")),
        sa.CheckConstraint("octet_length(prev_hash) = 32 AND octet_length(row_hash) = 32",
                           name=op.f("ck_audit_log_hash_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.execute("ALTER SEQUENCE audit_log_id_seq OWNED BY audit_log.id")
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_username_at", "audit_log", ["username", "at"])
    op.create_index("ix_audit_log_action_at", "audit_log", ["action", "at"])
    op.create_index("ix_audit_log_object_type_object_id", "audit_log",
                    ["object_type", "object_id"])
    op.execute(FUNCTIONS)


def downgrade() -> None:
    # Dropping the table destroys the trail: refuse when it holds records, unless asked
    # explicitly (alembic -x drop_audit=yes downgrade ...).
    if context.get_x_argument(as_dictionary=True).get("drop_audit") != "yes":
        op.execute("""
            DO $$ BEGIN
                IF EXISTS (SELECT 1 FROM audit_log) THEN
                    RAISE EXCEPTION 'audit_log holds records; downgrade with -x drop_audit=yes to destroy them';
                END IF;
            END $$""")
    op.execute("DROP FUNCTION audit_log_purge(timestamptz, text, text, text)")
    op.execute("DROP FUNCTION audit_log_canonical(audit_log)")  # depends on the row type
    op.execute("DROP FUNCTION audit_log_field(text)")
    op.drop_table("audit_log")  # drops its triggers and the owned sequence
    op.execute("DROP FUNCTION audit_log_guard()")
    op.execute("DROP FUNCTION audit_log_seal()")
