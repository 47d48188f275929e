"""A coarse rollup of counted incidents that compresses (issue 17), and indexes fitted to
the incidents layer at street zoom.

``incident_rollup`` (0024) keys a row by day x all five H3 cells x category x source x
grid: at 10M incidents it holds 9.2M rows, about one incident each, so a city-wide year
still reads millions of rows. ``incident_coarse`` counts each resolution separately and
without category and source (the layers' requests with those filters keep 0024's path):

* one row per ``(res, lvl, bucket, cell, street)``: ``res`` 6, 7 or 8 (the density layer up
  to zoom 12 and the incident clusters up to zoom 10; finer cells hardly share a row);
  ``lvl`` 0..9 is a bucket of ``2^lvl`` local days aligned on 1970-01-01 (``bucket`` =
  day number >> lvl): any run of whole days is at most two buckets per level, so a year
  reads ~16 buckets and 30 days ~8, each holding at most the cells that had incidents;
* ``street``: the first nine digits of the incident's grid code (the street's code; ''
  for none): an area scope of a county or a street is a prefix of it, so a scoped
  principal reads the same rows; a community or grid scope falls back to 0024's path;
* ``n``, ``sx``, ``sy`` (exact ``numeric`` sums of the points' coordinates, for the
  clusters' centroids) and ``x0, y0, x1, y1``: a box (in doubles) holding every point ever
  counted in the row, grown on every write, never shrunk. Four plain columns, not a
  geometry: a request tests a few thousand rows per bucket against the viewport, and
  comparing floats costs a fraction of deserialising a geometry each (at 10M, a county's
  rows took 33 ms as geometries).

**Writes never wait for each other here.** A coarse row is shared by many incidents (a
street's cell over 512 days), so upserting it from every write would queue every writer
of a street behind the one before it until commit, and two multi-statement transactions
could deadlock on rows they share. The statement-level triggers (transition tables, as
0024) therefore only append aggregated per-day deltas to ``incident_coarse_delta``
(removals carry their old points' box too); ``incident_coarse_compact()`` folds the
committed deltas into the rows under one advisory lock: the app's background sweep calls
it (``governance.rollup.compact``), and, should no sweep run, a writer's trigger does now
and then (with a probability growing with the deltas it added, once per ~65k delta rows
on average, if nobody else holds the lock), so the log stays bounded either way. Writers
thus pay an append of ~3 delta rows per incident, not 30 upserts (3 resolutions x 10
levels). ``db rollup-check`` / ``db rollup-rebuild`` cover both tables. Readers add the deltas of their days to the rows (one snapshot sees a
delta either folded in or still in the log, never both).

The fitted indexes: ``ix_incident_h3_8`` becomes a covering index (``INCLUDE`` the columns
the incidents layer's count and clusters read), so a small viewport looked up through the
res-8 cells that cover it is an index-only range scan over the window's rows instead of a
bitmap of every point ever reported there; ``ix_incident_occurred_at`` likewise covers
what the rollups read raw for a window's two partial days (at 10M a day is ~27k rows on
as many heap pages); ``(h3_6, occurred_at)`` comes back (0025 dropped it as unused) for
the coarse rollup's cells across a viewport's edge at zoom <= 9.

Revision ID: 0028_coarse_rollup
Revises: 0027_event_partitions
"""

from __future__ import annotations

from alembic import op

revision = "0028_coarse_rollup"
down_revision = "0027_event_partitions"
branch_labels = None
depends_on = None

RES = (6, 7, 8)
LEVELS = 10  # buckets of 1, 2, 4, ..., 512 local days
TZ = "Asia/Shanghai"
COUNTED = "status NOT IN ('merged', 'rejected')"
KEY = "res, lvl, bucket, cell, street"
DKEY = "res, day, cell, street"
BOX = "x0, y0, x1, y1"
COMPACT_LOCK = 1_700_028  # the advisory lock of the compaction (one at a time)


def _deltas(rows: str, sign: int, where: str = "TRUE") -> str:
    """Per-resolution delta rows of the incident rows ``rows`` (alias a): counted only."""
    return f"""
    SELECT v.res, (a.occurred_at AT TIME ZONE '{TZ}')::date AS day, v.cell,
           coalesce(left(g.code, 9), '') AS street, {sign} AS dn,
           {sign} * ST_X(a.geom)::numeric AS dx, {sign} * ST_Y(a.geom)::numeric AS dy,
           ST_X(a.geom) AS px, ST_Y(a.geom) AS py
    FROM {rows} a LEFT JOIN area g ON g.id = a.grid_id
    CROSS JOIN LATERAL (VALUES {", ".join(f"({r}::smallint, a.h3_{r})" for r in RES)}) v(res, cell)
    WHERE a.{COUNTED} AND ({where})"""


# An UPDATE: only the rows whose counted-ness, day, cells, grid or point changed.
_STATE = (
    "({a}.{c}, ({a}.occurred_at AT TIME ZONE '" + TZ + "')::date, "
    + ", ".join(f"{{a}}.h3_{r}" for r in RES)
    + ", {a}.grid_id, ST_X({a}.geom), ST_Y({a}.geom))"
)
CHANGED = f"""
    SELECT coalesce(o.id, n.id) FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
    WHERE o.id IS NULL OR n.id IS NULL
       OR {_STATE.format(a="o", c=COUNTED)} IS DISTINCT FROM {_STATE.format(a="n", c=COUNTED)}
"""


def _append(delta: str) -> str:
    return f"""
    INSERT INTO incident_coarse_delta ({DKEY}, n, sx, sy, {BOX})
    SELECT {DKEY}, sum(dn), sum(dx), sum(dy), min(px), min(py), max(px), max(py)
    FROM ({delta}) d GROUP BY {DKEY};
    GET DIAGNOSTICS k = ROW_COUNT;"""


COMPACT = f"""
CREATE FUNCTION incident_coarse_compact() RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE k bigint;
BEGIN
    WITH d AS (DELETE FROM incident_coarse_delta RETURNING {DKEY}, n, sx, sy, {BOX}),
    x AS (SELECT d.res, l.lvl::smallint AS lvl, (d.day - DATE '1970-01-01') >> l.lvl AS bucket,
                 d.cell, d.street, sum(d.n) AS n, sum(d.sx) AS sx, sum(d.sy) AS sy,
                 min(d.x0) AS x0, min(d.y0) AS y0, max(d.x1) AS x1, max(d.y1) AS y1
          FROM d CROSS JOIN generate_series(0, {LEVELS - 1}) l(lvl)
          GROUP BY 1, 2, 3, 4, 5)
    INSERT INTO incident_coarse AS r ({KEY}, n, sx, sy, {BOX})
    SELECT {KEY}, n, sx, sy, {BOX} FROM x ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE
    SET n = r.n + excluded.n, sx = r.sx + excluded.sx, sy = r.sy + excluded.sy,
        x0 = least(r.x0, excluded.x0), y0 = least(r.y0, excluded.y0),
        x1 = greatest(r.x1, excluded.x1), y1 = greatest(r.y1, excluded.y1);
    GET DIAGNOSTICS k = ROW_COUNT;
    DELETE FROM incident_coarse WHERE n = 0;
    RETURN k;
END $fn$;
"""

APPLY = f"""
CREATE FUNCTION incident_coarse_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE k bigint := 0;
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_append(_deltas("new_rows", 1))}
    ELSIF TG_OP = 'DELETE' THEN
        {_append(_deltas("old_rows", -1))}
    ELSE
        {
    _append(
        _deltas("new_rows", 1, f"a.id IN ({CHANGED})")
        + " UNION ALL "
        + _deltas("old_rows", -1, f"a.id IN ({CHANGED})")
    )
}
    END IF;
    -- the app's sweep folds the log in (governance.rollup.compact); should it not run,
    -- writers do it now and then (on average once per ~65,536 delta rows)
    IF k > 0 AND random() * 65536 < k AND pg_try_advisory_xact_lock({COMPACT_LOCK}) THEN
        PERFORM incident_coarse_compact();
    END IF;
    RETURN NULL;
END $fn$;
"""

TRUNCATE_FN = """
CREATE FUNCTION incident_coarse_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    TRUNCATE incident_coarse, incident_coarse_delta;
    RETURN NULL;
END $fn$;
"""

TRIGGERS = """
CREATE TRIGGER incident_coarse_ins AFTER INSERT ON incident
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_coarse_apply();
CREATE TRIGGER incident_coarse_upd AFTER UPDATE ON incident
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_coarse_apply();
CREATE TRIGGER incident_coarse_del AFTER DELETE ON incident
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_coarse_apply();
CREATE TRIGGER incident_coarse_trunc AFTER TRUNCATE ON incident
    FOR EACH STATEMENT EXECUTE FUNCTION incident_coarse_truncate();
"""

TABLES = f"""
CREATE TABLE incident_coarse (
    res smallint NOT NULL,
    lvl smallint NOT NULL,
    bucket integer NOT NULL,
    cell bigint NOT NULL,
    street varchar(9) NOT NULL,
    n integer NOT NULL,
    sx numeric NOT NULL,
    sy numeric NOT NULL,
    x0 float8 NOT NULL,
    y0 float8 NOT NULL,
    x1 float8 NOT NULL,
    y1 float8 NOT NULL,
    CONSTRAINT pk_incident_coarse PRIMARY KEY ({KEY})
);
CREATE INDEX ix_incident_coarse_empty ON incident_coarse (res) WHERE n = 0;
COMMENT ON TABLE incident_coarse IS
    'Counted incidents per H3 cell (res 6-8) x 2^lvl local days x street code prefix; '
    'plus incident_coarse_delta, folded in by incident_coarse_compact(); migration 0028';
CREATE TABLE incident_coarse_delta (
    res smallint NOT NULL,
    day date NOT NULL,
    cell bigint NOT NULL,
    street varchar(9) NOT NULL,
    n integer NOT NULL,
    sx numeric NOT NULL,
    sy numeric NOT NULL,
    x0 float8 NOT NULL,
    y0 float8 NOT NULL,
    x1 float8 NOT NULL,
    y1 float8 NOT NULL
);
CREATE INDEX ix_incident_coarse_delta_day ON incident_coarse_delta (res, day);
COMMENT ON TABLE incident_coarse_delta IS
    'Changes to incident_coarse not folded in yet (per statement and day); migration 0028';
"""


def fill_sql(levels: int = LEVELS) -> list[str]:
    """Level 0 from ``incident`` in one scan, then each level from the one below."""
    out = [
        f"""
        INSERT INTO incident_coarse ({KEY}, n, sx, sy, {BOX})
        SELECT res, 0, day - DATE '1970-01-01', cell, street, count(*), sum(dx), sum(dy),
               min(px), min(py), max(px), max(py)
        FROM ({_deltas("incident", 1)}) d
        GROUP BY res, day, cell, street
        ORDER BY res, day, cell, street"""
    ]
    for lvl in range(1, levels):
        out.append(f"""
        INSERT INTO incident_coarse ({KEY}, n, sx, sy, {BOX})
        SELECT res, {lvl}, bucket >> 1, cell, street, sum(n), sum(sx), sum(sy),
               min(x0), min(y0), max(x1), max(y1)
        FROM incident_coarse WHERE lvl = {lvl - 1}
        GROUP BY res, bucket >> 1, cell, street
        ORDER BY res, bucket >> 1, cell, street""")
    out.append("ANALYZE incident_coarse")
    return out


H3_8_COVER = (
    "CREATE INDEX ix_incident_h3_8 ON incident (h3_8, occurred_at) "
    "INCLUDE (status, grid_id, h3_9, h3_10, geom)"
)
OCCURRED_COVER = (
    "CREATE INDEX ix_incident_occurred_at ON incident (occurred_at) "
    "INCLUDE (status, grid_id, h3_6, h3_7, h3_8, geom)"
)


def _swap(index: str, create: str) -> None:
    """Replace ``index`` by the one ``create`` makes under the same name."""
    op.execute(f"ALTER INDEX {index} RENAME TO {index}_old")
    op.execute(create)
    op.execute(f"DROP INDEX {index}_old")


def upgrade() -> None:
    op.execute(TABLES)
    op.execute("LOCK TABLE incident IN SHARE MODE")  # no write between the fill and the triggers
    for sql in fill_sql():
        op.execute(sql)
    op.execute(COMPACT)
    op.execute(APPLY)
    op.execute(TRUNCATE_FN)
    op.execute(TRIGGERS)
    op.execute("CREATE INDEX ix_incident_h3_6 ON incident (h3_6, occurred_at)")
    _swap("ix_incident_h3_8", H3_8_COVER)
    _swap("ix_incident_occurred_at", OCCURRED_COVER)


def downgrade() -> None:
    _swap("ix_incident_occurred_at", "CREATE INDEX ix_incident_occurred_at ON incident (occurred_at)")
    _swap("ix_incident_h3_8", "CREATE INDEX ix_incident_h3_8 ON incident (h3_8, occurred_at)")
    op.execute("DROP INDEX ix_incident_h3_6")
    for t in ("ins", "upd", "del", "trunc"):
        op.execute(f"DROP TRIGGER incident_coarse_{t} ON incident")
    op.execute("DROP FUNCTION incident_coarse_apply()")
    op.execute("DROP FUNCTION incident_coarse_truncate()")
    op.execute("DROP FUNCTION incident_coarse_compact()")
    op.execute("DROP TABLE incident_coarse_delta")
    op.execute("DROP TABLE incident_coarse")
