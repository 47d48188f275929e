"""Audit chain under concurrent writers: writers append, a sealer links (issue 17).

Until now the BEFORE INSERT trigger took the chain's advisory lock and held it until the
writer's transaction ended, so every writer of the app queued behind the one before it
for the rest of its transaction, commit flush included (20 writers: 96% of their time
waiting, fewer transitions per second than one writer; ``bench/writers.py``). A link to a
predecessor that has not committed yet can only be made by waiting for it, so the link
is now made after commit, by a sealer, and the writers never wait for one another:

* ``audit_log_seal`` (BEFORE INSERT, same name) draws ``id`` and stamps ``at`` inside a
  critical section of a few microseconds (a session advisory lock taken and released in
  the trigger: id order stays time order), marks the transaction's first record as in
  flight (a transaction-level advisory lock ``(DRAW_NS, id)``, released when the writer
  commits or rolls back) and leaves ``prev_hash`` / ``row_hash`` NULL: unsealed.
* ``audit_log_seal_pending(wait)`` (SECURITY DEFINER; any caller may run it, it only does
  what the chain's rules say) takes the chain lock (one sealer at a time; ``wait`` false:
  returns NULL at once if another sealer holds it), finds the
  horizon: the ids drawn so far less those of transactions still in flight (every id up
  to it is decided: committed, or rolled back and never to appear), and links the
  committed unsealed rows up to it in id order, exactly as the old trigger did
  (``row_hash = sha256(prev_hash || canonical)``, the same canonical text). So the chain
  is in id order, as before; ``audit verify`` runs it first.
* After a commit that recorded, the writer counts a request (``audit_seal_request_seq``)
  and tries to seal without waiting (``geodata.db.seal_audit``): if another sealer is at
  work, it leaves; a sealer that sees the count moved while it sealed seals once more. So
  at most one writer seals at a time, the others never wait for it, and the last
  committed record is always sealed by someone.
* ``audit_log_guard`` also allows the one sealing UPDATE: inside the sealer, of a row not
  sealed yet, setting only its hashes.

``head_id`` is now the newest sealed record: every record up to it is committed and
linked. Rolled-back records leave gaps in ids, as sequences always did.

Revision ID: 0026_audit_sealer
Revises: 0025_fitted_indexes
"""

from __future__ import annotations

from alembic import op

revision = "0026_audit_sealer"
down_revision = "0025_fitted_indexes"
branch_labels = None
depends_on = None

LOCK_KEY = 0x6175646974  # geodata.models_audit.AUDIT_LOCK_KEY (b"audit"): one sealer
DRAW_KEY = 0x6175646472  # b"auddr": the id-drawing critical section (session lock)
DRAW_NS = 0x61756466  # b"audf": (DRAW_NS, first id) marks a writer in flight
ZERO_HASH = "decode(repeat('00', 32), 'hex')"
RETENTION = "180 days"
# audit_log_guard's DELETE branch, as 0003 wrote it (unchanged by this migration)
DELETE_RULE = f"""    IF TG_OP = 'DELETE' THEN
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
"""

UP = f"""
ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL,
                      ALTER COLUMN row_hash DROP NOT NULL;
ALTER TABLE audit_log DROP CONSTRAINT ck_audit_log_hash_length;
ALTER TABLE audit_log ADD CONSTRAINT ck_audit_log_hash_length CHECK (
    (prev_hash IS NULL) = (row_hash IS NULL)
    AND octet_length(prev_hash) = 32 AND octet_length(row_hash) = 32);

CREATE OR REPLACE FUNCTION audit_log_seal() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Kept from 0003 (the sealer needs READ COMMITTED; writers keep the same rule).
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'audit_log: write audit records in READ COMMITTED transactions'
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    -- Draw the id, stamp the time and mark the writer in flight as one step, so that a
    -- sealer (which takes the same lock to read the sequence) never sees an id drawn by
    -- a writer not yet marked. Held for microseconds, released even on an error.
    PERFORM pg_advisory_lock({DRAW_KEY});
    BEGIN
        NEW.id := nextval('audit_log_id_seq');
        NEW.at := clock_timestamp();
        IF coalesce(current_setting('minqing.audit_in_flight', true), '') = '' THEN
            PERFORM pg_advisory_xact_lock({DRAW_NS}, (NEW.id % 2147483648)::int);
            PERFORM set_config('minqing.audit_in_flight', NEW.id::text, true);
        END IF;
    EXCEPTION WHEN OTHERS OR query_canceled THEN
        PERFORM pg_advisory_unlock({DRAW_KEY});
        RAISE;
    END;
    PERFORM pg_advisory_unlock({DRAW_KEY});
    NEW.prev_hash := NULL;
    NEW.row_hash := NULL;
    RETURN NEW;
END
$$;

-- Counts requests to seal (non-transactional): a writer that finds the sealer busy
-- counts one and leaves; the busy sealer, seeing the count move, seals once more.
CREATE SEQUENCE audit_seal_request_seq AS bigint;

CREATE FUNCTION audit_log_seal_pending(wait boolean DEFAULT true) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    drawn bigint;
    horizon bigint;
    head_id bigint;
    head bytea;
    r audit_log;
    n bigint := 0;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'audit_log: seal in READ COMMITTED transactions'
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF wait THEN
        PERFORM pg_advisory_xact_lock({LOCK_KEY});
    ELSIF NOT pg_try_advisory_xact_lock({LOCK_KEY}) THEN
        RETURN NULL;  -- another sealer is at work
    END IF;
    PERFORM pg_advisory_lock({DRAW_KEY});
    BEGIN
        SELECT CASE WHEN s.is_called THEN s.last_value ELSE s.last_value - 1 END
            INTO drawn FROM audit_log_id_seq s;
    EXCEPTION WHEN OTHERS OR query_canceled THEN
        PERFORM pg_advisory_unlock({DRAW_KEY});  -- a session lock must never be left held
        RAISE;
    END;
    PERFORM pg_advisory_unlock({DRAW_KEY});
    -- Every id up to `drawn` is decided unless its writer is still in flight (it marked
    -- its first id before the lock above was free again).
    SELECT least(drawn, min(drawn - ((drawn - l.objid::bigint) % 2147483648)) - 1)
        INTO horizon
        FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.classid = {DRAW_NS} AND l.objsubid = 2
          -- pg_locks shows the whole cluster: only this database's writers are ours
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.pid IS DISTINCT FROM pg_backend_pid();
    horizon := coalesce(horizon, drawn);
    SELECT a.id, a.row_hash INTO head_id, head FROM audit_log a
        WHERE a.row_hash IS NOT NULL ORDER BY a.id DESC LIMIT 1;
    PERFORM set_config('minqing.audit_seal', 'on', true);
    FOR r IN SELECT * FROM audit_log a
             WHERE a.id > coalesce(head_id, 0) AND a.id <= horizon AND a.row_hash IS NULL
             ORDER BY a.id LOOP
        head := coalesce(head, {ZERO_HASH});
        UPDATE audit_log a SET prev_hash = head,
               row_hash = sha256(head || convert_to(audit_log_canonical(r), 'UTF8'))
            WHERE a.id = r.id RETURNING a.row_hash INTO head;
        n := n + 1;
    END LOOP;
    PERFORM set_config('minqing.audit_seal', 'off', true);
    RETURN n;
END
$$;

CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
{DELETE_RULE}    IF TG_OP = 'UPDATE' AND coalesce(current_setting('minqing.audit_seal', true), '') = 'on'
       AND OLD.row_hash IS NULL AND NEW.row_hash IS NOT NULL
       AND audit_log_canonical(OLD) = audit_log_canonical(NEW) THEN
        RETURN NEW;  -- the sealer linking a committed row
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

DOWN = f"""
SELECT audit_log_seal_pending();
DROP FUNCTION audit_log_seal_pending(boolean);
DROP SEQUENCE audit_seal_request_seq;
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM audit_log WHERE row_hash IS NULL) THEN
        RAISE EXCEPTION 'audit_log: records of transactions in flight are not sealed yet; retry';
    END IF;
END $$;
ALTER TABLE audit_log DROP CONSTRAINT ck_audit_log_hash_length;
ALTER TABLE audit_log ADD CONSTRAINT ck_audit_log_hash_length
    CHECK (octet_length(prev_hash) = 32 AND octet_length(row_hash) = 32);
ALTER TABLE audit_log ALTER COLUMN prev_hash SET NOT NULL,
                      ALTER COLUMN row_hash SET NOT NULL;

CREATE OR REPLACE FUNCTION audit_log_seal() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    head bytea;
BEGIN
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

CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
{DELETE_RULE}    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def upgrade() -> None:
    op.execute(UP)


def downgrade() -> None:
    op.execute(DOWN)
