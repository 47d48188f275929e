"""Key site use cases (read side: the detail panel)."""

from __future__ import annotations

from geodata.db import session_scope
from geodata.queries import areas as q
from governance.errors import NotFound
from i18n import t


def site_detail(site_id: int, lang: str = "zh-CN") -> dict:
    """A key site with labels in ``lang`` and the breadcrumb down to its grid."""
    with session_scope() as s:
        row = q.site_row(s, int(site_id))
        if row is None:
            raise NotFound("error.not_found", what=f"site {site_id}")
        chain = q.ancestry(s, row["grid_id"])
    return {
        "id": row["id"], "name": row["name"], "site_type": row["site_type"],
        "type_label": t(f"site.{row['site_type']}", lang),
        "risk_grade": row["risk_grade"], "risk_label": t(f"risk.{row['risk_grade']}", lang),
        "address": row["address"], "lon": row["lon"], "lat": row["lat"],
        "breadcrumb": [{"id": c["id"], "name": c["name"], "level": c["level"],
                        "level_label": t(f"level.{c['level']}", lang)} for c in chain],
    }
