"""Area use cases: the side panel summary of any area, county overview, city extent."""

from __future__ import annotations

from sqlalchemy.orm import Session

from geodata.queries import areas as q
from geodata.queries import patrol as patrol_q
from governance import catalog
from governance.access import (
    MAP_VIEW,
    PATROL_DO,
    PATROL_SUPERVISE,
    Principal,
    require,
    require_area,
)
from governance.errors import NotFound
from governance.filters import LOCAL_TZ, TimeRange, parse_time
from governance.masking import mask_phone
from i18n import t

MAX_SITES = 50


def crumb(row: dict, lang: str, principal: Principal | None = None) -> dict:
    """A breadcrumb item; ``in_scope`` says whether the user may open that area."""
    return {
        "id": row["id"],
        "name": row["name"],
        "level": row["level"],
        "level_label": t(f"level.{row['level']}", lang),
        "in_scope": principal is None or principal.covers(row["code"]),
    }


def area_summary(
    s: Session,
    area_id: int,
    *,
    principal: Principal | None,
    window: str | None = "30d",
    start: str | None = None,
    end: str | None = None,
    categories: list[str] | None = None,
    lang: str = "zh-CN",
) -> dict:
    """Everything the side panel shows for one area (any level) in the user's scope, read
    in the caller's unit of work ``s`` (areas, sites and incidents are not under
    row-level security; the scope is checked here)."""
    require(principal, MAP_VIEW)
    assert principal is not None
    tr = parse_time(window, start, end)
    cats = catalog.expand_categories(tuple(categories) if categories else None)
    row = q.area_row(s, int(area_id))
    if row is None:
        raise NotFound("error.not_found", what=f"area {area_id}")
    require_area(principal, row["code"])
    grids = q.grid_ids(s, row["id"])
    by_cat = q.incident_counts(s, grids, tr.start, tr.end, cats, "category_code")
    by_status = q.incident_counts(s, grids, tr.start, tr.end, cats, "status")
    trend = q.daily_counts(s, grids, tr.start, tr.end, cats)
    sites, sites_total = q.sites_in(s, grids, MAX_SITES)
    chain = q.ancestry(s, row["id"])
    children = q.child_count(s, row["id"])
    is_grid = row["level"] == "grid"
    return {
        "area": {
            "id": row["id"],
            "code": row["code"],
            "name": row["name"],
            "level": row["level"],
            "level_label": t(f"level.{row['level']}", lang),
            "bbox": [row["st_xmin"], row["st_ymin"], row["st_xmax"], row["st_ymax"]],
            "population": row["population"],
            "worker_name": row["worker_name"] if is_grid else None,
            "worker_phone": mask_phone(row["worker_phone"]) if is_grid else None,
        },
        "breadcrumb": [crumb(c, lang, principal) for c in chain],
        "children": children,
        "total": sum(n for _, n in by_cat),
        "by_category": [
            {
                "code": code,
                "name": (c.name(lang) if (c := catalog.category(code)) else code),
                "color": c.color if c else "#888888",
                "count": n,
            }
            for code, n in by_cat
        ],
        "by_status": [
            {"status": st, "label": t(f"status.{st}", lang), "count": n} for st, n in by_status
        ],
        "trend": {"dates": [d for d, _ in trend], "counts": [n for _, n in trend]},
        "sites": [
            {
                **site,
                "type_label": t(f"site.{site['site_type']}", lang),
                "risk_label": t(f"risk.{site['risk_grade']}", lang),
            }
            for site in sites
        ],
        "sites_total": sites_total,
        "patrol": _patrol(s, grids, tr, principal),
    }


def _patrol(s: Session, grids: list[int], tr: TimeRange, who: Principal) -> dict | None:
    """The area's patrol in the period (visits whose period ended in it), for those who
    supervise or make patrols; None for everyone else."""
    if not (who.can(PATROL_SUPERVISE) or who.can(PATROL_DO)):
        return None
    c = patrol_q.coverage_of(
        s, grids, tr.start.astimezone(LOCAL_TZ).date(), tr.end.astimezone(LOCAL_TZ).date()
    )
    return {
        **c,
        "on_time_share": c["on_time"] / c["due"] if c["due"] else None,
        "done_share": c["done"] / c["due"] if c["due"] else None,
        "off_site_share": c["off_site"] / c["done"] if c["done"] else None,
    }


def county_overview(s: Session, lang: str = "zh-CN") -> list[dict]:
    """The counties with their mainland bounding boxes (in the caller's unit ``s``)."""
    return q.counties(s)


def home_bbox(s: Session, principal: Principal | None) -> list[float]:
    """Where the map opens: the user's own area, or the whole city (read in the caller's
    unit of work ``s``)."""
    if principal is not None and principal.area_id is not None:
        row = q.area_row(s, principal.area_id)
        if row:
            return [row["st_xmin"], row["st_ymin"], row["st_xmax"], row["st_ymax"]]
    return city_bbox(s)


def city_bbox(s: Session) -> list[float]:
    """The mainland extent of all counties (what the map fits to on load)."""
    counties = county_overview(s)
    if not counties:
        return [115.0, 22.6, 116.2, 23.6]  # Shanwei, before any data is loaded
    boxes = [c["bbox"] for c in counties]
    return [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]
