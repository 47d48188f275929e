"""The grid worker's day: their due and overdue visits, in a walking order; a checklist
as filled; a patrol photo.

The day list carries no personal data: a care visit is named by the person's category
and id (the identity stays behind the person panel's masked view and its audited
reveal), so what the phone keeps for offline use (the list and the checklists) holds no
name, phone or ID number.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from geodata.db import ALL_AREAS, scope_within
from geodata.queries import patrol as q
from geodata.queries import patrol_submissions as subs_q
from governance import audit, patrol_templates, route_order
from governance.access import (
    PATROL_DO,
    PATROL_SUPERVISE,
    PERSONS_POINTS,
    Principal,
    require,
    require_area,
)
from governance.classification import masked
from governance.errors import Forbidden, NotFound
from governance.filters import LOCAL_TZ
from governance.patrol_checkin import distance_m
from governance.patrol_params import Position
from i18n import t

MISSED_SHOWN_DAYS = 7
TABLE = "patrol_submission"  # its columns' masking rules: governance/classification.py  # missed visits stay on the list (to be made late) for a week


def _title(row: dict[str, Any], lang: str) -> str:
    if row["subject"] == "site":
        return str(row["site_name"])
    category = t(f"person.{row['person_category']}", lang)
    return t("patrol.person_title", lang, category=category, id=row["person_id"])


def my_day(
    s: Session,
    *,
    principal: Principal,
    lang: str,
    day: date | None = None,
    position: Position | None = None,
) -> dict[str, Any]:
    """The caller's open visits begun by ``day`` (default today) and their visits missed
    in the last week, ordered as a walk from ``position`` (nearest neighbour then 2-opt,
    ``governance/route_order.py``; by deadline without a position), with every checklist
    they need."""
    user = require(principal, PATROL_DO)
    now = datetime.now(LOCAL_TZ)
    day = day or now.date()
    with scope_within(s, ALL_AREAS):  # a reassigned task may lie outside the worker's grid
        rows = q.worker_tasks(s, user.user_id, day, day - timedelta(days=MISSED_SHOWN_DAYS))
        versions = {
            r["template_version_id"]: patrol_templates.version(s, r["template_version_id"])
            for r in rows
        }
    start = (position.lon, position.lat) if position else None
    route = route_order.order_stops(start, [(r["lon"], r["lat"]) for r in rows])
    tasks = []
    for n, i in enumerate(route.order):
        r = rows[i]
        tasks.append(
            {
                "id": r["id"],
                "order": n + 1,
                "subject": r["subject"],
                "title": _title(r, lang),
                "kind": (
                    t(f"site.{r['site_type']}", lang)
                    if r["subject"] == "site"
                    else t(f"person.{r['person_category']}", lang)
                ),
                "site_id": r["site_id"],
                "person_id": r["person_id"],
                "address": r["site_address"] if r["subject"] == "site" else None,
                "grid": r["grid_name"],
                "lon": round(float(r["lon"]), 6),
                "lat": round(float(r["lat"]), 6),
                "status": r["status"],
                "overdue": r["deadline"] <= now,
                "high_risk": r["high_risk"],
                "due_on": r["due_on"].isoformat(),
                "last_day": r["last_day"].isoformat(),
                "deadline": r["deadline"].astimezone(LOCAL_TZ).isoformat(),
                "template_version_id": r["template_version_id"],
                "radius_m": r["radius_m"],
                "distance_m": (
                    round(distance_m(position.lon, position.lat, r["lon"], r["lat"]))
                    if position
                    else None
                ),
            }
        )
    checklists = {
        str(vid): {
            "id": vid,
            "name": v["name_en" if lang == "en" else "name_zh"],
            "version": v["version"],
            "items": v["items"],
        }
        for vid, v in versions.items()
    }
    return {
        "day": day.isoformat(),
        "tasks": tasks,
        "checklists": checklists,
        "route_m": round(route.length_m) if position and tasks else None,
    }


def _may_read(s: Session, row: dict[str, Any], principal: Principal) -> None:
    """The submitter, or a supervisor whose area holds the task (persons: those who may
    know where they live)."""
    if principal.user_id and row["submitted_by"] == principal.user_id and principal.can(PATROL_DO):
        return
    require(principal, PATROL_SUPERVISE)
    require_area(principal, row["grid_code"])
    if row["subject"] == "person" and not principal.can(PERSONS_POINTS):
        raise Forbidden("error.forbidden")


def submission(
    s: Session, submission_id: int, *, principal: Principal, lang: str
) -> dict[str, Any]:
    """A stored submission rendered against the checklist version it was filled with."""
    with scope_within(s, ALL_AREAS):
        row = subs_q.by_id(s, submission_id)
        if row is None:
            raise NotFound("error.not_found", what=f"submission {submission_id}")
        _may_read(s, row, principal)
        version = patrol_templates.version(s, row["template_version_id"])
        answers = row["answers"]
        items = patrol_templates.render(
            version["items"], answers.get("values", {}), answers.get("notes", {}), lang
        )
        for item in items:  # free text may name people (the registry: redact_pii)
            if item["kind"] == "text" and isinstance(item["value"], str):
                item["value"] = masked(TABLE, "answers", item["value"])
            if item["note"]:
                item["note"] = masked(TABLE, "answers", item["note"])
        photos = subs_q.photos(s, submission_id)
        findings = subs_q.findings(s, submission_id)
    for item in items:
        item["photos"] = [p["id"] for p in photos if p["item_key"] == item["key"]]
    return {
        "id": row["id"],
        "task_id": row["task_id"],
        "checklist": version["name_en" if lang == "en" else "name_zh"],
        "version": version["version"],
        "current_version": version["current"],
        "worker": row["worker"],
        "filled_at": row["filled_at"].astimezone(LOCAL_TZ).isoformat(),
        "submitted_at": row["submitted_at"].astimezone(LOCAL_TZ).isoformat(),
        "on_site": row["on_site"],
        "distance_m": row["distance_m"],
        "flags": [{"code": f, "label": t(f"patrol.flag.{f}", lang)} for f in row["flags"]],
        "off_site_reason": masked(TABLE, "off_site_reason", row["off_site_reason"]),
        "late": row["late"],
        "items": items,
        "cases": [{"item": f["item_key"], "incident_id": f["incident_id"]} for f in findings],
    }


def photo(
    s: Session, photo_id: int, *, principal: Principal, client_addr: str | None = None
) -> dict[str, Any]:
    """A patrol photo for who may read its submission; every opening audited."""
    with scope_within(s, ALL_AREAS):
        row = subs_q.photo(s, photo_id)
        if row is None:
            raise NotFound("error.not_found", what=f"photo {photo_id}")
        _may_read(s, row, principal)
    audit.record(
        s,
        action="view_attachment",
        user_id=principal.user_id,
        username=principal.username,
        role=principal.role,
        client_addr=client_addr,
        object_type="patrol_photo",
        object_id=photo_id,
        detail={"submission": row["submission_id"], "item": row["item_key"]},
    )
    return row
