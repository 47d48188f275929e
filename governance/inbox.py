"""A department's inbox (待办): what it must act on, most urgent first, in two sections.

The rows and their order come from ``geodata/queries/inbox.py``, which reads the one
definition of a case's state: a case whose clock runs (awaiting acceptance, accepted,
in progress) in the first section, overdue first; suspended cases (no clock runs, never
overdue) and cases waiting for an extension decision in the second. Each case carries
its clock (``governance/sla.py``: red / amber / green and the seconds left), whether the
department leads it or assists, and for a suspension since when and until when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from geodata.queries import inbox as q
from governance import sla
from governance.access import INCIDENT_HANDLE, Principal, require
from governance.errors import Forbidden
from governance.filters import LOCAL_TZ
from i18n import t

LIMIT: Final = 100  # rows per section (the counts cover every case)


def department_queue(
    s: Session, principal: Principal | None, lang: str = "zh-CN", *, now: datetime | None = None
) -> dict[str, Any]:
    """The cases the principal's department leads or assists in (in its area scope), read
    in the caller's unit of work ``s``:
    ``{"sections": [{"key", "total", "overdue", "assisting", "items"}], "total"}``, the
    ``act`` section first."""
    who = require(principal, INCIDENT_HANDLE)
    if who.department_id is None:
        raise Forbidden("error.not_lead_department")
    now = now or datetime.now(LOCAL_TZ)
    rows = q.department_inbox(
        s, department_id=who.department_id, scope=who.scope, now=now, limit=LIMIT
    )
    sections: dict[str, dict[str, Any]] = {
        key: {"key": key, "total": 0, "overdue": 0, "assisting": 0, "items": []}
        for key in q.SECTIONS
    }
    for r in rows:
        section = sections[r["section"]]
        section["total"] = int(r["section_total"])
        section["overdue"] = int(r["section_overdue"])
        section["assisting"] = int(r["section_assisting"])
        section["items"].append(_item(r, lang, now))
    total = sum(int(s["total"]) for s in sections.values())
    return {"sections": list(sections.values()), "total": total}


def _item(r: dict[str, Any], lang: str, now: datetime) -> dict[str, Any]:
    return {
        "id": r["id"],
        "status": r["status"],
        "status_label": t(f"status.{r['status']}", lang),
        "category": r["name_en"] if lang == "en" else r["name_zh"],
        "color": r["color"],
        "grid": r["grid_name"],
        "lon": r["lon"],
        "lat": r["lat"],
        "lead": bool(r["lead"]),
        "overdue": bool(r["overdue"]),
        "extension_until": r["extension_requested_until"],
        "suspended_at": r["suspended_at"] if r["status"] == q.SUSPENDED else None,
        "suspend_until": r["suspend_until"],
        "under_review": bool(r["under_review"]),
        "sla": sla.clock(
            r["status"],
            now=now,
            dispatched_at=r["dispatched_at"],
            accepted_at=r["accepted_at"],
            accept_due_at=r["accept_due_at"],
            resolve_due_at=r["resolve_due_at"],
        ),
    }
