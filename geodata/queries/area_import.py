"""SQL of the area import (:mod:`governance.area_import`): what is loaded around a file,
one staged upsert by code, and the incidents, sites and persons whose grid changed.

Everything runs in the caller's transaction. The file's features are staged with COPY
into a temporary table (dropped at commit), so 100,000 grids cost one round trip, and
the upsert, the parent links and the re-assignment are set-based statements the planner
runs with the GiST indexes.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

STAGE = "area_import_stage"
COPY_CHUNK = 10_000  # rows per COPY
# The stored shape is the file's when they agree on the 1e-7 degree grid the import rounds
# to (~1 cm): an export of full-precision demo geometry re-imports as unchanged.
SAME_SHAPE = (
    "(ST_OrderingEquals(a.geom, st.geom) OR "
    "ST_OrderingEquals(ST_SnapToGrid(a.geom, 1e-7), ST_SnapToGrid(st.geom, 1e-7)))"
)


@dataclass(frozen=True)
class Loaded:
    """An area already in the database."""

    id: int
    code: str
    level: str
    name: str
    wkb: bytes


def loaded(s: Session, codes: Iterable[str]) -> dict[str, Loaded]:
    """The areas with these codes (parents of the file's features, or the features
    themselves when re-imported)."""
    rows = s.execute(
        text(
            "SELECT id, code, level, name, ST_AsBinary(geom) FROM area "
            "WHERE code = ANY(CAST(:codes AS text[]))"
        ),
        {"codes": sorted(set(codes))},
    ).all()
    return {r[1]: Loaded(r[0], r[1], r[2], r[3], bytes(r[4])) for r in rows}


def children_not_in(s: Session, parents: Iterable[str], codes: Iterable[str]) -> list[Loaded]:
    """Loaded children of ``parents`` that the file does not carry (siblings it must fit
    between)."""
    rows = s.execute(
        text(
            "SELECT c.id, c.code, c.level, p.code, ST_AsBinary(c.geom) FROM area c "
            "JOIN area p ON p.id = c.parent_id "
            "WHERE p.code = ANY(CAST(:parents AS text[])) "
            "AND c.code <> ALL(CAST(:codes AS text[]))"
        ),
        {"parents": sorted(set(parents)), "codes": sorted(set(codes))},
    ).all()
    # ``name`` carries the parent's code here: what the gap check groups by
    return [Loaded(r[0], r[1], r[2], r[3], bytes(r[4])) for r in rows]


def linework_near(s: Session, bbox: tuple[float, float, float, float]) -> bytes | None:
    """The boundaries of every loaded area meeting ``bbox`` (WKB), for shift detection."""
    row = s.execute(
        text(
            "SELECT ST_AsBinary(ST_Collect(ST_Boundary(geom))) FROM area "
            "WHERE geom && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)"
        ),
        dict(zip(("x0", "y0", "x1", "y1"), map(float, bbox), strict=True)),
    ).scalar()
    return bytes(row) if row is not None else None


def stage(s: Session, rows: Iterable[tuple[str, str, str, str | None, int | None, bytes]]) -> None:
    """COPY ``(code, name, level, parent_code, population, wkb)`` into the stage table."""
    s.execute(
        text(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (code text PRIMARY KEY, name text, "
            "level text, parent_code text, population integer, geom geometry, plan text) "
            "ON COMMIT DROP"
        )
    )
    s.execute(text(f"TRUNCATE {STAGE}"))
    cur = s.connection().connection.cursor()
    try:  # a chunk at a time: the text of 100,000 shapes is never held at once
        chunk = io.StringIO()
        for k, (code, name, level, parent, population, wkb) in enumerate(rows, 1):
            cells = [code, _copy_text(name), level, parent, population, "SRID=4326;" + wkb.hex()]
            chunk.write("\t".join(r"\N" if c is None else str(c) for c in cells))
            chunk.write("\n")
            if k % COPY_CHUNK == 0:
                _copy(cur, chunk)
                chunk = io.StringIO()
        _copy(cur, chunk)
    finally:
        cur.close()
    s.execute(text(f"ANALYZE {STAGE}"))


def _copy(cur, chunk: io.StringIO) -> None:  # type: ignore[no-untyped-def]
    chunk.seek(0)
    cur.copy_expert(
        f"COPY {STAGE} (code, name, level, parent_code, population, geom) FROM STDIN", chunk
    )


def _copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


def classify(s: Session) -> dict[str, list[str]]:
    """Staged codes by what the upsert will do: new, unchanged, renamed, reshaped (kept
    in the stage's ``plan`` column for :func:`reassign`)."""
    rows = s.execute(
        text(
            f"UPDATE {STAGE} AS u SET plan = c.kind FROM ("
            f"  SELECT st.code, CASE WHEN a.id IS NULL THEN 'new' "
            f"  WHEN NOT {SAME_SHAPE} THEN 'reshaped' "
            "  WHEN a.name IS DISTINCT FROM st.name OR a.level IS DISTINCT FROM st.level "
            "    OR (st.population IS NOT NULL AND a.population IS DISTINCT FROM st.population)"
            "    OR a.parent_id IS DISTINCT FROM p.id THEN 'renamed' "
            "  ELSE 'unchanged' END AS kind "
            f"  FROM {STAGE} st LEFT JOIN area a ON a.code = st.code "
            "  LEFT JOIN area p ON p.code = st.parent_code) c "
            "WHERE c.code = u.code RETURNING u.code, u.plan"
        )
    ).all()
    s.execute(text(f"ANALYZE {STAGE}"))  # the plan column is new to the planner
    out: dict[str, list[str]] = {"new": [], "unchanged": [], "renamed": [], "reshaped": []}
    for code, kind in rows:
        out[kind].append(code)
    return out


def upsert(s: Session) -> None:
    """Insert new codes, update changed ones in place (ids kept), link parents."""
    s.execute(
        text(
            "INSERT INTO area AS a (code, name, level, is_urban, population, geom, label_point) "
            "SELECT code, name, level, false, population, geom, ST_PointOnSurface(geom) "
            f"FROM {STAGE} WHERE plan <> 'unchanged' ORDER BY code "
            "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level, "
            "population = COALESCE(EXCLUDED.population, a.population), "
            "geom = EXCLUDED.geom, label_point = EXCLUDED.label_point "
            "WHERE a.name IS DISTINCT FROM EXCLUDED.name OR a.level IS DISTINCT FROM "
            f"EXCLUDED.level OR NOT {SAME_SHAPE.replace('st.geom', 'EXCLUDED.geom')} OR "
            "(EXCLUDED.population IS NOT NULL AND a.population IS DISTINCT FROM "
            "EXCLUDED.population)"
        )
    )
    # 100,000 new rows in a table the planner last saw empty (a county moving in) made
    # the parent links a nested loop of sequential scans (12 minutes): fresh statistics
    # of the columns they join on first (a sample: ~0.1 s)
    s.execute(text("ANALYZE area (code, level, parent_id)"))
    s.execute(
        text(
            f"UPDATE area a SET parent_id = p.id FROM {STAGE} st "
            "LEFT JOIN area p ON p.code = st.parent_code "
            "WHERE st.plan <> 'unchanged' AND a.code = st.code AND a.parent_id IS DISTINCT FROM p.id"
        )
    )


REASSIGNED = ("incident", "key_site", "key_person")
# Under row-level security (key_person) the spatial condition cannot be pushed below the
# policy into the table's GiST index: the search goes the other way, each visible row
# probing the moved grids' index (1,000 persons x 100,000 grids: 22 s the first way).
UNDER_RLS = frozenset({"key_person"})
MOVED = "area_import_moved"


def reassign(s: Session) -> dict[str, int]:
    """Points of ``REASSIGNED`` tables that lie in, or were assigned to, a staged grid
    that is new or reshaped get the grid that now covers them (the lowest id where grids
    touch); a point no grid covers keeps its grid. Returns rows changed per table.

    The moved grids are joined from a temporary table, not passed as an id array: an
    array of 100,000 ids costs the planner seconds per statement. Both steps are
    MATERIALIZED: inlined, the planner looked up the covering grid of every row of the
    table (200,000 incidents: 23 s) before joining the handful of candidates."""
    s.execute(text(f"DROP TABLE IF EXISTS pg_temp.{MOVED}"))
    s.execute(
        text(
            f"CREATE TEMP TABLE {MOVED} ON COMMIT DROP AS SELECT a.id, a.geom FROM {STAGE} st "
            "JOIN area a ON a.code = st.code WHERE st.level = 'grid' "
            "AND st.plan IN ('new', 'reshaped')"
        )
    )
    s.execute(text(f"CREATE UNIQUE INDEX ON {MOVED} (id)"))
    s.execute(text(f"CREATE INDEX ON {MOVED} USING gist (geom)"))
    s.execute(text(f"ANALYZE {MOVED}"))
    out: dict[str, int] = {}
    for table in REASSIGNED:
        t0 = time.perf_counter()
        changed = s.execute(
            text(
                "WITH cand AS MATERIALIZED ("
                f"  SELECT t.id FROM {table} t JOIN {MOVED} m ON m.id = t.grid_id "
                f"  UNION {_inside(table)}), "
                "now AS MATERIALIZED (SELECT c.id, (SELECT a.id FROM area a WHERE a.level = 'grid' "
                "  AND ST_Covers(a.geom, t.geom) ORDER BY a.id LIMIT 1) AS grid "
                f"  FROM cand c JOIN {table} t ON t.id = c.id) "
                f"UPDATE {table} t SET grid_id = now.grid FROM now "
                "WHERE t.id = now.id AND now.grid IS NOT NULL "
                "AND t.grid_id IS DISTINCT FROM now.grid"
            )
        )
        out[table] = int(changed.rowcount or 0)  # type: ignore[attr-defined]
        log.info("re-assigned %d %s rows in %.2f s", out[table], table, time.perf_counter() - t0)
    return out


def _inside(table: str) -> str:
    """Rows of ``table`` inside a moved grid, searched from the side with a usable index."""
    if table in UNDER_RLS:
        return (
            f"SELECT t.id FROM {table} t WHERE EXISTS (SELECT 1 FROM {MOVED} m "
            "WHERE m.geom && t.geom AND ST_Intersects(t.geom, m.geom))"
        )
    return (
        f"SELECT inside.id FROM {MOVED} m CROSS JOIN LATERAL (SELECT t.id FROM {table} t "
        "WHERE t.geom && m.geom AND ST_Intersects(t.geom, m.geom)) inside"
    )


# ----------------------------------------------------------------------------- layouts
def remembered(s: Session, signature: str) -> dict | None:
    """The column mapping last used for files of this layout."""
    row = s.execute(
        text("SELECT mapping FROM import_layout WHERE signature = :sig"), {"sig": signature}
    ).scalar()
    return dict(row) if row else None


def remember(s: Session, signature: str, kind: str, mapping: dict) -> None:
    """Keep ``mapping`` for the next file of this layout."""
    import json

    s.execute(
        text(
            "INSERT INTO import_layout (signature, kind, mapping) "
            "VALUES (:sig, :kind, CAST(:m AS jsonb)) ON CONFLICT (signature) DO UPDATE "
            "SET mapping = EXCLUDED.mapping, used_at = now()"
        ),
        {"sig": signature, "kind": kind, "m": json.dumps(mapping, ensure_ascii=False)},
    )
