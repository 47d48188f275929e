"""Incident use cases (read side for now: the detail panel, the reporter in clear)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from geodata.queries import areas as area_q
from geodata.queries import incidents as q
from governance import reveal_reason, workflow
from governance.access import MAP_VIEW, REPORTER_REVEAL, Principal, require, require_area
from governance.areas import crumb
from governance.classification import masked
from governance.errors import NotFound
from governance.filters import LOCAL_TZ
from i18n import t

MIN_REASON = reveal_reason.MIN_REASON


def _load(s: Session, incident_id: int, principal: Principal) -> tuple[dict, list[dict]]:
    """The incident and its breadcrumb, if it exists and lies in the principal's scope."""
    row = q.incident_row(s, int(incident_id))
    if row is None:
        raise NotFound("error.not_found", what=f"incident {incident_id}")
    chain = area_q.ancestry(s, row["grid_id"]) if row["grid_id"] else []
    require_area(principal, chain[-1]["code"] if chain else "")
    return row, chain


def _reporter(who: dict | None, clear: bool) -> dict | None:
    if who is None:
        return None
    if clear:
        return {"name": who["name"], "phone": who["phone"], "masked": False}
    return {
        "name": masked("incident_reporter", "name_enc", who["name"]),
        "phone": masked("incident_reporter", "phone_enc", who["phone"]),
        "masked": True,
    }


def incident_detail(
    s: Session, incident_id: int, lang: str = "zh-CN", *, principal: Principal | None
) -> dict:
    """An incident in the user's scope, with labels in ``lang``, its breadcrumb and its
    reporter masked (张*三, 138****1234), read in the caller's unit of work ``s``."""
    require(principal, MAP_VIEW)
    assert principal is not None
    row, chain = _load(s, incident_id, principal)
    reporter = q.reporter_row(s, row["id"])
    view = _view(row, chain, _reporter(reporter, clear=False), lang, principal)
    view["workflow"] = workflow.incident_state(s, row["id"], principal=principal)
    return view


def reveal_reporter(
    s: Session,
    incident_id: int,
    reason: str,
    lang: str = "zh-CN",
    *,
    principal: Principal | None,
    client_addr: str | None = None,
) -> dict:
    """The incident with its reporter in clear for this one view (to call them back).
    Needs REPORTER_REVEAL, the incident in scope and a typed reason; audited in the same
    transaction, the caller's unit of work ``s``."""
    require(principal, REPORTER_REVEAL)
    assert principal is not None
    reason = reveal_reason.reason(reason)  # clean text, 4 to 500 characters
    row, chain = _load(s, incident_id, principal)
    reporter = q.reporter_row(s, row["id"])
    if reporter is None:
        raise NotFound("error.not_found", what=f"reporter of incident {incident_id}")
    reveal_reason.audit_clear_view(
        s,
        principal,
        object_type="incident_reporter",
        object_id=row["id"],
        fields=("name", "phone"),
        reason=reason,
        client_addr=client_addr,
    )
    return _view(row, chain, _reporter(reporter, clear=True), lang, principal)


def _view(
    row: dict, chain: list[dict], reporter: dict | None, lang: str, principal: Principal
) -> dict:
    fmt = "%Y-%m-%d %H:%M"
    return {
        "id": row["id"],
        "source": row["source"],
        "source_label": t(f"source.{row['source']}", lang),
        "external_id": row["external_id"],
        "category_code": row["category_code"],
        "category_name": row["name_en"] if lang == "en" else row["name_zh"],
        "color": row["color"],
        "occurred_at": row["occurred_at"].astimezone(LOCAL_TZ).strftime(fmt),
        "reported_at": row["reported_at"].astimezone(LOCAL_TZ).strftime(fmt),
        "status": row["status"],
        "status_label": t(f"status.{row['status']}", lang),
        "priority": row["priority"],
        "priority_label": t(f"priority.{row['priority']}", lang),
        "description": masked("incident", "description", row["description"]),
        "address": row["address"],
        "lon": row["lon"],
        "lat": row["lat"],
        "reporter": reporter,
        "can_reveal_reporter": reporter is not None and principal.can(REPORTER_REVEAL),
        "breadcrumb": [crumb(c, lang, principal) for c in chain],
    }
