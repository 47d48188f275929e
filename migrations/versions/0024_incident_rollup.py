"""An exact rollup of incident counts, kept by statement-level triggers (issue 17).

``incident_rollup`` holds, per local day (Asia/Shanghai) x the five stored H3 cells x
category x source x grid, how many *counted* incidents (``case_state.counted``: not
merged, not rejected) there are, and ``extent``: a box that contains every one of their
points. The density layer sums it for the whole days of its window instead of reading
every incident (``geodata/queries/rollup.py``).

* **The key holds all five H3 columns.** H3 cells do not nest exactly (about 6 % of
  points lie in a res-``r`` cell that is not the parent of their res-``r+1`` cell;
  ``geodata/hexagons.py``), so ``h3_6`` is not a function of ``h3_10`` and a rollup keyed
  by one resolution could not give another's counts exactly.
* **The bucket is the local day**: the windows people choose (today, a date range) start
  and end at local midnight, so they are whole days and read the rollup alone; a rolling
  window ("30 d" ending now) adds the raw rows of its two partial days.
* **``grid_id``** carries the area scope (0: outside every grid, i.e. ``incident.grid_id``
  NULL, so the key needs no NULL and the upsert has a plain unique index).
* **``extent``** is the box of the row's points, grown on every insert and never shrunk
  (a superset after deletes and moves, tight again after a rebuild). The density query
  takes a row whole when the viewport contains its extent, and counts the raw rows of
  the row's key otherwise, so its answer is the raw ``geom && viewport`` answer exactly.

The triggers are AFTER ... FOR EACH STATEMENT with transition tables (and one AFTER
TRUNCATE, for the demo's reset, that empties the rollup too): an intake statement
of 10,000 rows (COPY into staging, then one INSERT ... SELECT) adds one aggregated upsert,
not 10,000. An UPDATE only touches the rollup for rows whose counted-ness, key or point
changed (a workflow step that leaves them alone writes nothing and locks nothing). Each
statement upserts its keys in the unique index's order, so two statements that touch the
same keys lock them in the same order (no deadlock between two single-statement writers;
they queue on the shared key until the first commits).

Rows whose count falls to zero are deleted. ``n`` has no CHECK: a CHECK is evaluated on
the proposed row before ON CONFLICT finds the existing one, and a decrement is proposed
as a negative row. ``python app.py db rollup-check`` compares the table with a direct
GROUP BY; ``db rollup-rebuild`` recomputes it (after a load with triggers disabled).

No row-level security, like ``incident`` (migration 0006): the area scope is applied in
the application's SQL.

Revision ID: 0024_incident_rollup
Revises: 0023_alerts
"""

from __future__ import annotations

from alembic import op

revision = "0024_incident_rollup"
down_revision = "0023_alerts"
branch_labels = None
depends_on = None

KEY = "day, h3_10, h3_9, h3_8, h3_7, h3_6, category_code, source, grid_id"
COUNTED = "status NOT IN ('merged', 'rejected')"


def _key(alias: str, named: bool = True) -> str:
    """The rollup key of an incident row ``alias``, in :data:`KEY` order (``named``: each
    expression with its rollup column's name)."""
    a = alias
    exprs = [
        f"({a}.occurred_at AT TIME ZONE 'Asia/Shanghai')::date",
        *(f"{a}.h3_{r}" for r in (10, 9, 8, 7, 6)),
        f"{a}.category_code",
        f"{a}.source",
        f"coalesce({a}.grid_id, 0)",
    ]
    if named:
        exprs = [f"{e} AS {c}" for e, c in zip(exprs, KEY.split(", "), strict=True)]
    return ", ".join(exprs)


def _counted(alias: str) -> str:
    return f"{alias}.{COUNTED}"


def _upsert(delta: str) -> str:
    """Add ``delta`` (rows of KEY, dn, pts: the new points or NULL) to the rollup, in
    key order; then drop the rows it brought to zero."""
    return f"""
    INSERT INTO incident_rollup AS r ({KEY}, n, extent)
    SELECT {KEY}, sum(dn), ST_Envelope(ST_Collect(pt))
    FROM ({delta}) d
    GROUP BY {KEY}
    HAVING sum(dn) <> 0 OR count(pt) > 0
    ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE
    SET n = r.n + excluded.n,
        extent = CASE WHEN excluded.extent IS NULL THEN r.extent
                      WHEN r.extent IS NULL THEN excluded.extent
                      ELSE ST_Envelope(ST_Collect(r.extent, excluded.extent)) END;
    DELETE FROM incident_rollup r
    USING (SELECT DISTINCT {KEY} FROM ({delta}) d WHERE dn < 0) z
    WHERE r.n = 0 AND ({", ".join(f"r.{c}" for c in KEY.split(", "))})
                    = ({", ".join(f"z.{c}" for c in KEY.split(", "))});
    """


PLUS_NEW = f"SELECT {_key('n')}, 1 AS dn, n.geom AS pt FROM new_rows n WHERE {_counted('n')}"
MINUS_OLD = (
    f"SELECT {_key('o')}, -1 AS dn, NULL::geometry AS pt FROM old_rows o WHERE {_counted('o')}"
)
# An UPDATE: only the rows whose counted-ness, key or point changed.
_STATE = "({c}, {k}, ST_X({a}.geom), ST_Y({a}.geom))"
CHANGED = f"""
    SELECT coalesce(o.id, n.id) AS id FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
    WHERE o.id IS NULL OR n.id IS NULL
       OR {_STATE.format(c=_counted("o"), k=_key("o", False), a="o")}
          IS DISTINCT FROM {_STATE.format(c=_counted("n"), k=_key("n", False), a="n")}
"""
UPDATE_DELTA = f"""
    SELECT {_key("n")}, 1 AS dn, n.geom AS pt FROM new_rows n
    WHERE {_counted("n")} AND n.id IN ({CHANGED})
    UNION ALL
    SELECT {_key("o")}, -1 AS dn, NULL::geometry AS pt FROM old_rows o
    WHERE {_counted("o")} AND o.id IN ({CHANGED})
"""

FUNCTION = f"""
CREATE FUNCTION incident_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_upsert(PLUS_NEW)}
    ELSIF TG_OP = 'DELETE' THEN
        {_upsert(MINUS_OLD)}
    ELSE
        {_upsert(UPDATE_DELTA)}
    END IF;
    RETURN NULL;
END $fn$;
"""

TRUNCATE_FUNCTION = """
CREATE FUNCTION incident_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    TRUNCATE incident_rollup;
    RETURN NULL;
END $fn$;
"""

TRIGGERS = """
CREATE TRIGGER incident_rollup_ins AFTER INSERT ON incident
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_rollup_apply();
CREATE TRIGGER incident_rollup_upd AFTER UPDATE ON incident
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_rollup_apply();
CREATE TRIGGER incident_rollup_del AFTER DELETE ON incident
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_rollup_apply();
CREATE TRIGGER incident_rollup_trunc AFTER TRUNCATE ON incident
    FOR EACH STATEMENT EXECUTE FUNCTION incident_rollup_truncate();
"""

TABLE = f"""
CREATE TABLE incident_rollup (
    day date NOT NULL,
    h3_10 bigint NOT NULL,
    h3_9 bigint NOT NULL,
    h3_8 bigint NOT NULL,
    h3_7 bigint NOT NULL,
    h3_6 bigint NOT NULL,
    category_code varchar(40) NOT NULL,
    source varchar(20) NOT NULL,
    grid_id integer NOT NULL,
    n integer NOT NULL,
    extent geometry(Geometry, 4326),
    CONSTRAINT uq_incident_rollup_key UNIQUE ({KEY})
);
CREATE INDEX ix_incident_rollup_extent ON incident_rollup USING gist (extent);
COMMENT ON TABLE incident_rollup IS
    'Counted incidents per local day x H3 cells x category x source x grid (0: none); '
    'kept by the incident_rollup_* triggers; see migration 0024_incident_rollup';
"""

FILL = f"""
INSERT INTO incident_rollup ({KEY}, n, extent)
SELECT {_key("i")}, count(*), ST_Envelope(ST_Collect(i.geom))
FROM incident i WHERE {_counted("i")}
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9;  -- a window's days lie together on disk
ANALYZE incident_rollup;
"""


def upgrade() -> None:
    op.execute(TABLE)
    op.execute("LOCK TABLE incident IN SHARE MODE")  # no write between the fill and the triggers
    op.execute(FILL)
    op.execute(FUNCTION)
    op.execute(TRUNCATE_FUNCTION)
    op.execute(TRIGGERS)


def downgrade() -> None:
    for t in ("ins", "upd", "del", "trunc"):
        op.execute(f"DROP TRIGGER incident_rollup_{t} ON incident")
    op.execute("DROP FUNCTION incident_rollup_apply()")
    op.execute("DROP FUNCTION incident_rollup_truncate()")
    op.execute("DROP TABLE incident_rollup")
