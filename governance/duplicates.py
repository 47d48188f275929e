"""Possible duplicates (issue 4, point 5): open incidents of the same category close in
space and time, and repeated reports at one address (同址重复).

The distance and the time window are settings (``MINQING_DUPLICATE_METERS``,
``MINQING_DUPLICATE_HOURS``). Candidates carry no description, address or reporter: a
dispatcher opens one to compare and then merges with the workflow's ``merge`` action.
The SQL lives in ``geodata/queries/duplicates.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from geodata.queries import duplicates as q
from geodata.queries import incidents as incident_q
from governance.access import INCIDENT_REGISTER, MAP_VIEW, Principal, require
from governance.errors import NotFound
from settings import get_settings

MAX_CANDIDATES = 10
ADDRESS_DAYS = 365
normalise_address = q.normalise_address


def candidates(
    session: Session,
    category: str,
    lon: float,
    lat: float,
    occurred_at: datetime,
    exclude_id: int | None = None,
) -> list[dict[str, Any]]:
    """Open incidents (not closed, evaluated, rejected or merged) of ``category`` within
    the configured distance and hours of the point and time, nearest first, at most
    :data:`MAX_CANDIDATES`: ``id, category, status, distance_m, occurred_at``."""
    rows = _open_nearby(session, category, lon, lat, occurred_at, exclude_id=exclude_id)
    return [_candidate(r) for r in rows]


def _open_nearby(
    session: Session, category: str, lon: float, lat: float, at: datetime, **only: Any
) -> list[dict[str, Any]]:
    """``open_nearby`` with the configured distance, hours and number of candidates."""
    cfg = get_settings()
    return q.open_nearby(
        session,
        category,
        float(lon),
        float(lat),
        at,
        metres=cfg.duplicate_meters,
        hours=cfg.duplicate_hours,
        limit=MAX_CANDIDATES,
        **only,
    )


def _candidate(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "category", "status", "occurred_at")
    return {**{k: row[k] for k in keys}, "distance_m": round(float(row["distance_m"]), 1)}


def for_source(
    session: Session,
    *,
    source: str,
    area_id: int | None,
    incident_id: int,
    category: str,
    lon: float,
    lat: float,
    occurred_at: datetime,
) -> list[dict[str, Any]]:
    """Possible duplicates of a just-registered incident, as its source system may see
    them: only that source's own open incidents (in the token's area, if it has one),
    each with its ``external_id``. A source system cannot learn what other channels
    (110, grid workers, residents) reported; the dispatcher sees every candidate in the
    incident panel."""
    rows = _open_nearby(
        session,
        category,
        lon,
        lat,
        occurred_at,
        exclude_id=incident_id,
        source=source,
        area_id=area_id,
    )
    return [
        {
            **_candidate(r),
            "external_id": r["external_id"],
            "occurred_at": r["occurred_at"].isoformat(),
        }
        for r in rows
    ]


def same_address_count(session: Session, address: str | None, grid_id: int | None) -> int:
    """How many incidents of the last 365 days in grid ``grid_id`` share the normalised
    address (spaces and punctuation dropped, full-width folded to half-width)."""
    if not address or grid_id is None:
        return 0
    return q.same_address_count(session, address, int(grid_id), ADDRESS_DAYS)


def for_incident(s: Session, incident_id: int, *, principal: Principal | None) -> dict[str, Any]:
    """Possible duplicates of a stored incident, in the user's scope (row-level security:
    the caller's unit of work ``s`` is opened in the principal's scope), and the number of
    reports at its address (itself included)."""
    require(principal, MAP_VIEW)
    row = incident_q.incident_row(s, int(incident_id))
    if row is None:
        raise NotFound("error.not_found", what=f"incident {incident_id}")
    found = candidates(
        s, row["category_code"], row["lon"], row["lat"], row["occurred_at"], row["id"]
    )
    same = same_address_count(s, row["address"], row["grid_id"])
    return {"candidates": found, "same_address": same}


def for_report(
    s: Session,
    category: str,
    lon: float,
    lat: float,
    occurred_at: datetime,
    address: str | None,
    *,
    principal: Principal | None,
) -> dict[str, Any]:
    """Possible duplicates of a report not yet written (the front-desk form), in the
    user's scope, and how many earlier reports share its address in its grid (read in
    the caller's unit of work ``s``)."""
    require(principal, INCIDENT_REGISTER)
    found = candidates(s, category, lon, lat, occurred_at)
    same = same_address_count(s, address, q.grid_at(s, lon, lat))
    return {"candidates": found, "same_address": same}


def start_point(s: Session, principal: Principal) -> tuple[float, float] | None:
    """Where a report's location starts: a point inside the user's own area (a grid
    worker's grid), or None for city-wide users (read in the caller's unit ``s``)."""
    if principal.area_id is None:
        return None
    return q.area_point(s, principal.area_id)
