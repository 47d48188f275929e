"""The open cases counted per street x status x lead department, kept by the writers
(issue 17).

The wall's KPIs and handoff, and the dispatch board, count the open cases of their scope
by status and lead department. That read every open case: ~10,000 at 1M incidents and
~107,000 at 10M (an index-only scan of ``ix_incident_open``, 7 and 40 ms), so it grew
with the city. ``open_case_count`` holds, per street code prefix (the first nine digits of
the grid's code; '' outside every grid), status (open ones only, ``case_state.OPEN``) and
lead department (0: none), how many open cases there are: 2,329 rows at 10M. A scope of a
county or a street is a prefix of the street, so it reads these rows; a community or grid
scope has few cases and keeps reading them.

**Writes never wait for each other here** (as the coarse rollup, migration 0028): a
counter row is shared by every case of its street, status and department, so updating it
from each transition would queue every writer of the street behind the one before until
commit. The statement-level triggers (transition tables) append their net change per key
to ``open_case_delta``; ``open_case_compact()`` folds the committed deltas into the
counts under its own advisory lock (the app's sweep calls it each round; should no sweep
run, a writer's trigger does now and then, on average once per ~4,096 delta rows). Readers
add the pending deltas of their scope: one snapshot sees a delta either folded in or still
in the log, never both.

What is overdue is a matter of the instant asked, not of the writes: the readers count it
from the cases whose clock ran out (``ix_incident_open``, a few thousand at 10M).

Revision ID: 0032_open_case_counts
Revises: 0031_wall_covering_indexes
"""

from __future__ import annotations

from alembic import op

revision = "0032_open_case_counts"
down_revision = "0031_wall_covering_indexes"
branch_labels = None
depends_on = None

OPEN = "('registered', 'verified', 'dispatched', 'accepted', 'in_progress', 'suspended', 'resolved')"
KEY = "street, status, dept"
COMPACT_LOCK = 1_700_032  # the advisory lock of the compaction (one at a time)


def _deltas(rows: str, sign: int) -> str:
    """Key and sign of each open case of the incident rows ``rows`` (alias a)."""
    return f"""
    SELECT coalesce(left(g.code, 9), '') AS street, a.status, coalesce(a.lead_department_id, 0) AS dept,
           {sign} AS dn
    FROM {rows} a LEFT JOIN area g ON g.id = a.grid_id
    WHERE a.status IN {OPEN}"""


def _append(delta: str) -> str:
    # an UPDATE that leaves a case's key alone adds +1 and -1 to it: nothing is written
    return f"""
    INSERT INTO open_case_delta ({KEY}, n)
    SELECT {KEY}, sum(dn) FROM ({delta}) d GROUP BY {KEY} HAVING sum(dn) <> 0;
    GET DIAGNOSTICS k = ROW_COUNT;"""


COMPACT = f"""
CREATE FUNCTION open_case_compact() RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE k bigint;
BEGIN
    WITH d AS (DELETE FROM open_case_delta RETURNING {KEY}, n),
    x AS (SELECT {KEY}, sum(n) AS n FROM d GROUP BY {KEY})
    INSERT INTO open_case_count AS r ({KEY}, n)
    SELECT {KEY}, n FROM x WHERE n <> 0 ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE SET n = r.n + excluded.n;
    GET DIAGNOSTICS k = ROW_COUNT;
    DELETE FROM open_case_count WHERE n = 0;
    RETURN k;
END $fn$;
"""

APPLY = f"""
CREATE FUNCTION open_case_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE k bigint := 0;
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_append(_deltas("new_rows", 1))}
    ELSIF TG_OP = 'DELETE' THEN
        {_append(_deltas("old_rows", -1))}
    ELSE
        {_append(_deltas("new_rows", 1) + " UNION ALL " + _deltas("old_rows", -1))}
    END IF;
    -- the app's sweep folds the log in (governance.rollup.compact_open); should it not
    -- run, writers do it now and then (on average once per ~4,096 delta rows)
    IF k > 0 AND random() * 4096 < k AND pg_try_advisory_xact_lock({COMPACT_LOCK}) THEN
        PERFORM open_case_compact();
    END IF;
    RETURN NULL;
END $fn$;
"""

TRUNCATE_FN = """
CREATE FUNCTION open_case_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    TRUNCATE open_case_count, open_case_delta;
    RETURN NULL;
END $fn$;
"""

TRIGGERS = """
CREATE TRIGGER open_case_ins AFTER INSERT ON incident
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION open_case_apply();
CREATE TRIGGER open_case_upd AFTER UPDATE ON incident
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION open_case_apply();
CREATE TRIGGER open_case_del AFTER DELETE ON incident
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION open_case_apply();
CREATE TRIGGER open_case_trunc AFTER TRUNCATE ON incident
    FOR EACH STATEMENT EXECUTE FUNCTION open_case_truncate();
"""

TABLES = f"""
CREATE TABLE open_case_count (
    street varchar(9) NOT NULL,
    status varchar(20) NOT NULL,
    dept integer NOT NULL,
    n integer NOT NULL,
    CONSTRAINT pk_open_case_count PRIMARY KEY ({KEY})
);
COMMENT ON TABLE open_case_count IS
    'Open cases per street code prefix x status x lead department (0: none); plus '
    'open_case_delta, folded in by open_case_compact(); migration 0032';
CREATE TABLE open_case_delta (
    street varchar(9) NOT NULL,
    status varchar(20) NOT NULL,
    dept integer NOT NULL,
    n integer NOT NULL
);
CREATE INDEX ix_open_case_delta_street ON open_case_delta (street);
COMMENT ON TABLE open_case_delta IS
    'Changes to open_case_count not folded in yet (per statement and key); migration 0032';
"""

FILL = f"""
INSERT INTO open_case_count ({KEY}, n)
SELECT {KEY}, count(*) FROM ({_deltas("incident", 1)}) d GROUP BY {KEY} ORDER BY {KEY};
ANALYZE open_case_count;
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
        op.execute(f"DROP TRIGGER open_case_{t} ON incident")
    op.execute("DROP FUNCTION open_case_apply()")
    op.execute("DROP FUNCTION open_case_truncate()")
    op.execute("DROP FUNCTION open_case_compact()")
    op.execute("DROP TABLE open_case_delta")
    op.execute("DROP TABLE open_case_count")
