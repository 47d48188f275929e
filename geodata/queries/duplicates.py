"""Read queries for duplicate detection: open incidents near a point, reports at one
address, and the grid a point lies in (see ``governance/duplicates.py``)."""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

CLOSED = ("closed", "evaluated", "rejected", "merged")
METRES_PER_DEGREE = 111_320.0

# Address normalisation, spelled once for Python and SQL (translate() in both): full-width
# ASCII and the ideographic space become half-width; then spaces and punctuation (ASCII
# and CJK) are deleted. translate() with a shorter "to" string deletes the rest.
FULL_WIDTH = "".join(chr(0xFF01 + i) for i in range(94)) + "\u3000"
HALF_WIDTH = "".join(chr(0x21 + i) for i in range(94)) + " "
DROPPED = (
    " \t\r\n\u00a0"
    + "".join(c for c in map(chr, range(0x21, 0x7F)) if not c.isalnum())
    + "。，、；：？！“”‘’（）【】《》〈〉「」『』〔〕—–…·～￥"
)


def normalise_address(address: str | None) -> str:
    """The address as compared for 同址重复 (same rules as :func:`_normalised_sql`)."""
    if not address:
        return ""
    half = address.translate(str.maketrans(FULL_WIDTH, HALF_WIDTH))
    return half.translate(str.maketrans("", "", DROPPED)).lower()


def _normalised_sql(column: str) -> str:
    return f"lower(translate(translate({column}, :full, :half), :dropped, ''))"


def _envelope(lon: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """A lon/lat box that surely contains the circle (the gist index prefilter)."""
    dlat = metres / METRES_PER_DEGREE * 1.01
    dlon = dlat / max(math.cos(math.radians(min(abs(lat), 89.0))), 0.01)
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def open_nearby(
    session: Session,
    category: str,
    lon: float,
    lat: float,
    occurred_at: datetime,
    *,
    metres: float,
    hours: float,
    exclude_id: int | None = None,
    limit: int = 10,
    source: str | None = None,
    area_id: int | None = None,
) -> list[dict]:
    """Open incidents of ``category`` within ``metres`` and ``hours`` of the point and
    time, nearest first: id, source, external_id, category, status, distance_m,
    occurred_at only. ``source`` / ``area_id``: only that channel's / inside that area."""
    minx, miny, maxx, maxy = _envelope(lon, lat, metres)
    rows = session.execute(
        text(f"""
        WITH p AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g)
        SELECT i.id, i.source, i.external_id, i.category_code AS category, i.status,
               i.occurred_at,
               ST_Distance(i.geom::geography, p.g::geography) AS distance_m
        FROM incident i, p
        WHERE i.geom && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)
          AND ST_DWithin(i.geom::geography, p.g::geography, :metres)
          AND i.category_code = :category
          AND i.status NOT IN {CLOSED!r}
          AND i.occurred_at BETWEEN :at - make_interval(secs => :secs)
                                AND :at + make_interval(secs => :secs)
          AND i.id <> coalesce(:exclude, -1)
          AND (CAST(:source AS text) IS NULL OR i.source = :source)
          AND (CAST(:area_id AS integer) IS NULL OR EXISTS (
                SELECT 1 FROM area a WHERE a.id = :area_id AND ST_Covers(a.geom, i.geom)))
        ORDER BY distance_m, i.id
        LIMIT :limit
    """),
        {
            "lon": lon,
            "lat": lat,
            "minx": minx,
            "miny": miny,
            "maxx": maxx,
            "maxy": maxy,
            "metres": metres,
            "category": category,
            "at": occurred_at,
            "secs": hours * 3600.0,
            "exclude": exclude_id,
            "limit": limit,
            "source": source,
            "area_id": area_id,
        },
    )
    return [dict(r) for r in rows.mappings()]


def same_address_count(session: Session, address: str, grid_id: int, days: int = 365) -> int:
    """Incidents of the last ``days`` in grid ``grid_id`` whose normalised address equals
    the normalised ``address`` (0 for an empty address)."""
    key = normalise_address(address)
    if not key:
        return 0
    return int(
        session.execute(
            text(f"""
            SELECT count(*) FROM incident
            WHERE grid_id = :grid AND occurred_at >= now() - make_interval(days => :days)
              AND address IS NOT NULL AND {_normalised_sql("address")} = :key
        """),
            {
                "grid": grid_id,
                "days": days,
                "key": key,
                "full": FULL_WIDTH,
                "half": HALF_WIDTH,
                "dropped": DROPPED,
            },
        ).scalar_one()
    )


def grid_at(session: Session, lon: float, lat: float) -> int | None:
    """The grid containing the point, if any."""
    return session.execute(
        text("""SELECT id FROM area WHERE level = 'grid'
                AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
                ORDER BY id LIMIT 1"""),
        {"lon": lon, "lat": lat},
    ).scalar()


def area_point(session: Session, area_id: int) -> tuple[float, float] | None:
    """A point surely inside the area (lon, lat): where a form's location starts."""
    row = session.execute(
        text("""SELECT ST_X(p) AS lon, ST_Y(p) AS lat
                FROM (SELECT ST_PointOnSurface(geom) AS p FROM area WHERE id = :id) s"""),
        {"id": area_id},
    ).first()
    return (float(row.lon), float(row.lat)) if row else None
