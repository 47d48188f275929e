"""Key site use cases (read side: the detail panel, with the site's patrol)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from geodata.queries import areas as q
from geodata.queries import patrol as patrol_q
from governance.access import MAP_VIEW, Principal, require, require_area
from governance.areas import crumb
from governance.catalog import category
from governance.errors import NotFound
from governance.filters import LOCAL_TZ
from i18n import t

VISITS_SHOWN = 6


def site_detail(
    s: Session, site_id: int, lang: str = "zh-CN", *, principal: Principal | None
) -> dict:
    """A key site in the user's scope, with the breadcrumb down to its grid, read in the
    caller's unit of work ``s`` (sites and areas are not under row-level security; the
    scope is checked here)."""
    require(principal, MAP_VIEW)
    assert principal is not None
    row = q.site_row(s, int(site_id))
    if row is None:
        raise NotFound("error.not_found", what=f"site {site_id}")
    chain = q.ancestry(s, row["grid_id"])
    require_area(principal, chain[-1]["code"])
    return {
        "id": row["id"],
        "name": row["name"],
        "site_type": row["site_type"],
        "type_label": t(f"site.{row['site_type']}", lang),
        "risk_grade": row["risk_grade"],
        "risk_label": t(f"risk.{row['risk_grade']}", lang),
        "address": row["address"],
        "lon": row["lon"],
        "lat": row["lat"],
        "breadcrumb": [crumb(c, lang, principal) for c in chain],
        **patrol(s, int(site_id), lang),
    }


def patrol(s: Session, site_id: int, lang: str) -> dict:
    """The site's latest visits (status, when, by whom, problems found) and the cases
    its visits raised that are still open."""
    now = datetime.now(LOCAL_TZ)
    visits = []
    for v in patrol_q.site_visits(s, site_id, now.date(), VISITS_SHOWN):
        status = "overdue" if v["status"] == "open" and v["deadline"] <= now else v["status"]
        visits.append(
            {
                "task_id": v["id"],
                "status": status,
                "status_label": t(f"patrol.status.{status}", lang),
                "period": f"{v['due_on']:%m-%d}"
                + ("" if v["last_day"] == v["due_on"] else f"–{v['last_day']:%m-%d}"),
                "filled_at": v["filled_at"].astimezone(LOCAL_TZ).strftime("%m-%d %H:%M")
                if v["filled_at"]
                else None,
                "worker": v["worker"],
                "failed_items": v["failed_items"],
                "on_site": v["on_site"],
                "late": v["late"],
                "submission_id": v["submission_id"],
            }
        )
    findings = []
    for f in patrol_q.site_open_findings(s, site_id):
        cat = category(f["category_code"])
        findings.append(
            {
                "incident_id": f["id"],
                "category": cat.name(lang) if cat else f["category_code"],
                "status_label": t(f"status.{f['status']}", lang),
                "reported": f["reported_at"].astimezone(LOCAL_TZ).strftime("%m-%d"),
            }
        )
    return {"visits": visits, "open_findings": findings}
