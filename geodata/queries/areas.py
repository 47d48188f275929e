"""Read queries about areas: ancestry, summaries, extents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session


def area_row(session: Session, area_id: int) -> dict | None:
    """One area with its bbox; None if unknown."""
    row = (
        session.execute(
            text("""
        SELECT id, code, name, level, parent_id, population, worker_name, worker_phone,
               is_urban, ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
        FROM (SELECT a.*, ST_Envelope(a.geom)::box2d AS b FROM area a WHERE a.id = :id) x
    """),
            {"id": area_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def ancestry(session: Session, area_id: int) -> list[dict]:
    """The chain from the county down to ``area_id`` (inclusive)."""
    rows = (
        session.execute(
            text("""
        WITH RECURSIVE up AS (
            SELECT id, name, level, parent_id, code, 0 AS depth FROM area WHERE id = :id
            UNION ALL
            SELECT a.id, a.name, a.level, a.parent_id, a.code, up.depth + 1
            FROM area a JOIN up ON a.id = up.parent_id
        )
        SELECT id, name, level, code FROM up ORDER BY depth DESC
    """),
            {"id": area_id},
        )
        .mappings()
        .all()
    )
    return [dict(r) for r in rows]


def child_count(session: Session, area_id: int) -> int:
    return int(
        session.execute(
            text("SELECT count(*) FROM area WHERE parent_id = :id"), {"id": area_id}
        ).scalar_one()
    )


def grid_ids(session: Session, area_id: int) -> list[int]:
    """Ids of the grids in ``area_id``'s subtree (itself if it is a grid)."""
    rows = (
        session.execute(
            text("""
        WITH RECURSIVE down AS (
            SELECT id, level FROM area WHERE id = :id
            UNION ALL
            SELECT a.id, a.level FROM area a JOIN down d ON a.parent_id = d.id
        )
        SELECT id FROM down WHERE level = 'grid'
    """),
            {"id": area_id},
        )
        .scalars()
        .all()
    )
    return list(rows)


def incident_counts(
    session: Session,
    grid_ids: list[int],
    start: datetime,
    end: datetime,
    categories: tuple[str, ...] | None,
    by: str,
) -> list[tuple[str, int]]:
    """Incident counts in ``grid_ids`` grouped by ``category_code`` or ``status``."""
    if by not in ("category_code", "status"):
        raise ValueError(by)
    cat_sql = "AND category_code = ANY(:cats)" if categories else ""
    rows = session.execute(
        text(f"""
        SELECT {by}, count(*) FROM incident
        WHERE grid_id = ANY(:grids) AND occurred_at >= :start AND occurred_at < :end {cat_sql}
        GROUP BY 1 ORDER BY 2 DESC, 1
    """),
        {"grids": grid_ids, "start": start, "end": end, "cats": list(categories or [])},
    )
    return [(r[0], int(r[1])) for r in rows]


def daily_counts(
    session: Session,
    grid_ids: list[int],
    start: datetime,
    end: datetime,
    categories: tuple[str, ...] | None,
) -> list[tuple[str, int]]:
    """Incidents per local day in ``grid_ids``, zero-filled."""
    cat_sql = "AND i.category_code = ANY(:cats)" if categories else ""
    rows = session.execute(
        text(f"""
        WITH days AS (
            SELECT generate_series(
                date_trunc('day', CAST(:start AS timestamptz) AT TIME ZONE 'Asia/Shanghai'),
                date_trunc('day', CAST(:end AS timestamptz) AT TIME ZONE 'Asia/Shanghai'),
                interval '1 day')::date AS d
        ), c AS (
            SELECT (i.occurred_at AT TIME ZONE 'Asia/Shanghai')::date AS d, count(*) AS n
            FROM incident i
            WHERE i.grid_id = ANY(:grids) AND i.occurred_at >= :start AND i.occurred_at < :end
                  {cat_sql}
            GROUP BY 1
        )
        SELECT days.d, coalesce(c.n, 0) FROM days LEFT JOIN c USING (d) ORDER BY days.d
    """),
        {"grids": grid_ids, "start": start, "end": end, "cats": list(categories or [])},
    )
    return [(r[0].isoformat(), int(r[1])) for r in rows]


def sites_in(session: Session, grid_ids: list[int], limit: int) -> tuple[list[dict], int]:
    """Key sites in ``grid_ids``, riskiest first, and their total."""
    rows = (
        session.execute(
            text("""
        SELECT id, name, site_type, risk_grade, count(*) OVER () AS total
        FROM key_site WHERE grid_id = ANY(:grids)
        ORDER BY risk_grade DESC, name, id LIMIT :limit
    """),
            {"grids": grid_ids, "limit": limit},
        )
        .mappings()
        .all()
    )
    total = int(rows[0]["total"]) if rows else 0
    return [{k: r[k] for k in ("id", "name", "site_type", "risk_grade")} for r in rows], total


def counties(session: Session) -> list[dict]:
    rows = session.execute(
        text("""
        SELECT id, code, name, ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
        FROM (SELECT a.*,
                     (SELECT ST_Envelope(d.geom)::box2d FROM ST_Dump(a.geom) d
                      ORDER BY ST_Area(d.geom) DESC LIMIT 1) AS b
              FROM area a WHERE level = 'county') x
        ORDER BY code
    """)
    ).all()
    return [
        {"id": r[0], "code": r[1], "name": r[2], "bbox": [r[3], r[4], r[5], r[6]]} for r in rows
    ]


def site_row(session: Session, site_id: int) -> dict | None:
    """One key site with its grid; None if unknown."""
    row = (
        session.execute(
            text("""
        SELECT id, name, site_type, risk_grade, address, grid_id,
               ST_X(geom) AS lon, ST_Y(geom) AS lat
        FROM key_site WHERE id = :id
    """),
            {"id": site_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


# ----------------------------------------------------------------------------- codes
# What governance/area_codes.py needs to turn a typed code into an area.
_CODE_ROW = """
    SELECT a.id, a.code, a.name, a.level, p.code AS parent_code
    FROM area a LEFT JOIN area p ON p.id = a.parent_id"""


def areas_by_code(session: Session, codes: list[str]) -> dict[str, dict]:
    """``{code: {id, code, name, level, parent_code}}`` of the areas stored with one of
    ``codes`` (the stored form: 12 digits, grids 15)."""
    rows = session.execute(text(_CODE_ROW + " WHERE a.code = ANY(:codes)"), {"codes": codes})
    return {r["code"]: dict(r) for r in rows.mappings()}


def county_prefixes(session: Session) -> list[str]:
    """The distinct first four digits of the counties' codes (one: the city they share)."""
    rows = session.execute(
        text("SELECT DISTINCT left(code, 4) FROM area WHERE level = 'county' ORDER BY 1")
    )
    return [str(r[0]) for r in rows]


def code_list(session: Session, *, prefix: str | None, level: str | None) -> list[dict]:
    """``{id, code, name, level, parent_code}`` of the areas whose code starts with
    ``prefix`` (None: all), of ``level`` (None: every level), in code order (which is the
    tree's depth-first order, since codes nest)."""
    rows = session.execute(
        text(
            _CODE_ROW
            + """
        WHERE (CAST(:prefix AS text) IS NULL OR starts_with(a.code, :prefix))
          AND (CAST(:level AS text) IS NULL OR a.level = :level)
        ORDER BY a.code"""
        ),
        {"prefix": prefix, "level": level},
    )
    return [dict(r) for r in rows.mappings()]


def first_street_and_grid(session: Session) -> tuple[str, str]:
    """The codes of the first street (by code) and of that street's first grid (the
    demo accounts' scopes); raises ``NoResultFound`` on a city without them."""
    street = session.execute(
        text("SELECT code FROM area WHERE level = 'street' ORDER BY code LIMIT 1")
    ).scalar_one()
    grid = session.execute(
        text("SELECT code FROM area WHERE level = 'grid' AND code LIKE :p ORDER BY code LIMIT 1"),
        {"p": street[:9] + "%"},
    ).scalar_one()
    return str(street), str(grid)
