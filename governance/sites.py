"""Key site use cases (read side: the detail panel)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from geodata.queries import areas as q
from governance.access import MAP_VIEW, Principal, require, require_area
from governance.areas import crumb
from governance.errors import NotFound
from i18n import t


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
    }
