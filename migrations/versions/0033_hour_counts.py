"""Cases received and resolved per street x hour, kept by the writers (issue 17).

The wall compares today so far with yesterday up to the same time: the cases received
(``reported_at``, counted ones) and resolved (``resolved_at``, with a deadline, and how
many by it). Each count read every case of its window from a covering index: at 10M
incidents about 20,000 received and 18,000 resolved a day, 7-10 ms per window, so the
wall's figures grew with the city's daily activity. ``incident_hour_count`` holds, per
kind (``received``, ``resolved``, ``on_time``), hour (whole hours since 1970, UTC: every
local hour of Asia/Shanghai is one) and street code prefix (the first nine digits of the
grid's code; '' outside every grid), how many cases there are. A window's whole hours are
read from it (49 streets x 24 hours at most per kind and day), its partial hours at either
end from the cases; a county or street scope is a prefix of the street, a community or
grid scope keeps reading its cases.

The counts follow the cases as they are now, like the reads they replace: a case merged
or rejected later leaves the received count of its hour, a reopened case leaves the
resolved count of the hour it was resolved in.

**Writes never wait for each other here** (as migrations 0028 and 0032): the
statement-level triggers append their net change per key to ``incident_hour_delta``;
``incident_hour_compact()`` folds the committed deltas in under its own advisory lock (the
app's sweep each round; should no sweep run, a writer's trigger now and then, on average
once per ~4,096 delta rows). Readers add the pending deltas of their hours.

Revision ID: 0033_hour_counts
Revises: 0032_open_case_counts
"""

from __future__ import annotations

from alembic import op

revision = "0033_hour_counts"
down_revision = "0032_open_case_counts"
branch_labels = None
depends_on = None

KEY = "kind, hour, street"
COMPACT_LOCK = 1_700_033  # the advisory lock of the compaction (one at a time)


def _hour(col: str) -> str:
    return f"floor(extract(epoch FROM {col}) / 3600)::integer"


def _deltas(rows: str, sign: int) -> str:
    """Key and sign of each count the incident rows ``rows`` (alias a) hold."""
    resolved = "a.resolved_at IS NOT NULL AND a.resolve_due_at IS NOT NULL"
    return f"""
    SELECT k.kind, k.hour, coalesce(left(g.code, 9), '') AS street, {sign} AS dn
    FROM {rows} a LEFT JOIN area g ON g.id = a.grid_id
    CROSS JOIN LATERAL (VALUES
        ('received', CASE WHEN a.status NOT IN ('merged', 'rejected')
                          THEN {_hour("a.reported_at")} END),
        ('resolved', CASE WHEN {resolved} THEN {_hour("a.resolved_at")} END),
        ('on_time', CASE WHEN {resolved} AND a.resolved_at <= a.resolve_due_at
                         THEN {_hour("a.resolved_at")} END)
    ) k(kind, hour)
    WHERE k.hour IS NOT NULL"""


def _append(delta: str) -> str:
    # an UPDATE that leaves a case's counts alone adds +1 and -1 to each: nothing written
    return f"""
    INSERT INTO incident_hour_delta ({KEY}, n)
    SELECT {KEY}, sum(dn) FROM ({delta}) d GROUP BY {KEY} HAVING sum(dn) <> 0;
    GET DIAGNOSTICS k = ROW_COUNT;"""


COMPACT = f"""
CREATE FUNCTION incident_hour_compact() RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE k bigint;
BEGIN
    WITH d AS (DELETE FROM incident_hour_delta RETURNING {KEY}, n),
    x AS (SELECT {KEY}, sum(n) AS n FROM d GROUP BY {KEY})
    INSERT INTO incident_hour_count AS r ({KEY}, n)
    SELECT {KEY}, n FROM x WHERE n <> 0 ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE SET n = r.n + excluded.n;
    GET DIAGNOSTICS k = ROW_COUNT;
    DELETE FROM incident_hour_count WHERE n = 0;
    RETURN k;
END $fn$;
"""

APPLY = f"""
CREATE FUNCTION incident_hour_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE k bigint := 0;
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_append(_deltas("new_rows", 1))}
    ELSIF TG_OP = 'DELETE' THEN
        {_append(_deltas("old_rows", -1))}
    ELSE
        {_append(_deltas("new_rows", 1) + " UNION ALL " + _deltas("old_rows", -1))}
    END IF;
    -- the app's sweep folds the log in (governance.rollup.compact_hours); should it not
    -- run, writers do it now and then (on average once per ~4,096 delta rows)
    IF k > 0 AND random() * 4096 < k AND pg_try_advisory_xact_lock({COMPACT_LOCK}) THEN
        PERFORM incident_hour_compact();
    END IF;
    RETURN NULL;
END $fn$;
"""

TRUNCATE_FN = """
CREATE FUNCTION incident_hour_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    TRUNCATE incident_hour_count, incident_hour_delta;
    RETURN NULL;
END $fn$;
"""

TRIGGERS = """
CREATE TRIGGER incident_hour_ins AFTER INSERT ON incident
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_hour_apply();
CREATE TRIGGER incident_hour_upd AFTER UPDATE ON incident
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_hour_apply();
CREATE TRIGGER incident_hour_del AFTER DELETE ON incident
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_hour_apply();
CREATE TRIGGER incident_hour_trunc AFTER TRUNCATE ON incident
    FOR EACH STATEMENT EXECUTE FUNCTION incident_hour_truncate();
"""

TABLES = f"""
CREATE TABLE incident_hour_count (
    kind varchar(8) NOT NULL,
    hour integer NOT NULL,
    street varchar(9) NOT NULL,
    n integer NOT NULL,
    -- covering: a window's hours are an index-only range (as a plain index scan, at 10M
    -- the planner gave it two parallel workers, ~7 ms to start for ~2 ms of reading)
    CONSTRAINT pk_incident_hour_count PRIMARY KEY ({KEY}) INCLUDE (n)
);
COMMENT ON TABLE incident_hour_count IS
    'Cases received / resolved / resolved on time per hour since 1970 (UTC) x street code '
    'prefix; plus incident_hour_delta, folded in by incident_hour_compact(); migration 0033';
CREATE TABLE incident_hour_delta (
    kind varchar(8) NOT NULL,
    hour integer NOT NULL,
    street varchar(9) NOT NULL,
    n integer NOT NULL
);
CREATE INDEX ix_incident_hour_delta_hour ON incident_hour_delta (kind, hour);
COMMENT ON TABLE incident_hour_delta IS
    'Changes to incident_hour_count not folded in yet (per statement and key); migration 0033';
"""

FILL = f"""
INSERT INTO incident_hour_count ({KEY}, n)
SELECT {KEY}, count(*) FROM ({_deltas("incident", 1)}) d GROUP BY {KEY} ORDER BY {KEY};
ANALYZE incident_hour_count;
"""


def upgrade() -> None:
    op.execute(TABLES)
    op.execute("LOCK TABLE incident IN SHARE MODE")  # no write between the fill and the triggers
    op.execute(FILL)
    op.execute(COMPACT)
    op.execute(APPLY)
    op.execute(TRUNCATE_FN)
    op.execute(TRIGGERS)


def downgrade() -> None:
    for t in ("ins", "upd", "del", "trunc"):
        op.execute(f"DROP TRIGGER incident_hour_{t} ON incident")
    op.execute("DROP FUNCTION incident_hour_apply()")
    op.execute("DROP FUNCTION incident_hour_truncate()")
    op.execute("DROP FUNCTION incident_hour_compact()")
    op.execute("DROP TABLE incident_hour_delta")
    op.execute("DROP TABLE incident_hour_count")
