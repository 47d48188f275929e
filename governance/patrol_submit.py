"""A grid worker's filled checklist: checked, stored once, and every failed item a case.

One submission is one transaction, in the caller's unit of work: the task is locked
first, so sends of the same checklist (a retry from a flaky connection, a double tap, an
outbox replaying) queue behind each other, and each finds what the first stored:

1. **Whose and which**: the task must be the caller's (its assignee) and open or missed
   (a late visit is still a visit); a ``client_id`` already stored for this task returns
   that submission (``replayed``) and writes nothing; for another task it is refused.
2. **Against its version**: the answers are judged against the checklist version the
   phone filled (``governance/patrol_templates.py``), which must be the task's template
   and not one replaced before the task's period began.
3. **Check-in** (``governance/patrol_checkin.py``): on site, or off site with a reason.
4. **Findings**: one case per failed item (source ``patrol``), through the one intake
   writer, so it is routed, timed, audited and pushed to live maps like any other; its
   external id is the submission and the item, so it exists once whatever happens.
   Case locations: the site for a site visit; for a care visit the grid's label point,
   not the person's home (departments that handle the case may not see where key
   persons live; the supervisor finds the person through the task).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from geodata.db import ALL_AREAS, scope_within
from geodata.queries import patrol as tasks_q
from geodata.queries import patrol_submissions as q
from governance import intake, patrol_checkin, patrol_templates
from governance.access import PATROL_DO, Principal, require
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.filters import LOCAL_TZ
from governance.intake_write import Actor
from governance.patrol_params import SubmissionIn

MAX_OFFLINE_DAYS = 7  # a checklist filled on the phone is accepted up to a week later
CLOCK_SKEW = timedelta(minutes=5)


def _filled_at(raw: str | None, now: datetime, task: dict[str, Any]) -> datetime:
    if raw is None:
        return now
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("patrol.error.filled_at") from None
    at = at if at.tzinfo else at.replace(tzinfo=LOCAL_TZ)
    if not now - timedelta(days=MAX_OFFLINE_DAYS) <= at <= now + CLOCK_SKEW:
        raise InvalidInput("patrol.error.filled_at")
    if at < datetime.combine(task["due_on"], time.min, LOCAL_TZ):
        raise InvalidInput("patrol.error.too_early", day=task["due_on"].isoformat())
    return min(at, now)


def _version(s: Session, task: dict[str, Any], version_id: int) -> dict[str, Any]:
    try:
        version = patrol_templates.version(s, version_id)
    except NotFound:
        raise InvalidInput("patrol.error.stale_template") from None
    if version["template_id"] != task["template_id"]:
        raise InvalidInput("patrol.error.stale_template")
    replaced = q.superseded_at(s, version["template_id"], version["version"])
    if replaced is not None and replaced <= datetime.combine(task["due_on"], time.min, LOCAL_TZ):
        raise InvalidInput("patrol.error.stale_template")
    return version


def submit(
    s: Session,
    task_id: int,
    body: SubmissionIn,
    *,
    principal: Principal,
    client_addr: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Store a filled checklist for task ``task_id`` in the caller's unit ``s``; returns
    the submission's view (``replayed: true`` for a resend of a stored one).

    Raises
    ------
    Forbidden
        Not a grid worker, or not the task's assignee.
    NotFound
        No such task.
    Conflict
        The task was done by another submission; the ``client_id`` belongs to another task.
    InvalidInput
        A cancelled task, a stale checklist version, a bad or missing answer, too few
        photos, a bad position or time, off site without a reason.
    """
    user = require(principal, PATROL_DO)
    now = now or datetime.now(LOCAL_TZ)
    # the worker may hold a task outside their own grid (reassigned by a supervisor)
    with scope_within(s, ALL_AREAS):
        task = tasks_q.task_for_update(s, task_id)
        if task is None:
            raise NotFound("error.not_found", what=f"task {task_id}")
        if task["assignee_id"] != user.user_id:
            raise Forbidden("patrol.error.not_yours")
        stored = q.by_client_id(s, body.client_id)
        if stored is not None:
            if stored["task_id"] != task_id:
                raise Conflict("patrol.error.client_id_reused")
            return view(s, stored["id"], replayed=True)
        if task["status"] == "done":
            raise Conflict("patrol.error.already_done")
        if task["status"] == "cancelled":
            raise InvalidInput("patrol.error.task_closed")
        version = _version(s, task, body.template_version_id)
        photos = body.photos or []
        counts: dict[str, int] = {}
        for p in photos:
            counts[p.item] = counts.get(p.item, 0) + 1
        judged = patrol_templates.judge(
            version["items"], body.answers or {}, body.notes or {}, counts
        )
        filled_at = _filled_at(body.filled_at, now, task)
        previous = q.previous_checkin(s, user.user_id, filled_at)
        verdict = patrol_checkin.judge(
            body.position,
            (task["lon"], task["lat"]),
            tasks_q.rule_radius(s, task["subject"], task_id),
            at=filled_at,
            previous=patrol_checkin.Previous(*previous) if previous else None,
        )
        reason = (body.off_site_reason or "").strip() or None
        if verdict.needs_reason and len(reason or "") < patrol_checkin.MIN_REASON_CHARS:
            raise InvalidInput("patrol.error.reason_required", n=patrol_checkin.MIN_REASON_CHARS)
        pos = body.position
        submission_id = q.insert(
            s,
            task_id=task_id,
            client_id=body.client_id,
            template_version_id=version["id"],
            submitted_by=user.user_id,
            filled_at=filled_at,
            answers={"values": judged.answers, "notes": judged.notes},
            lon=pos.lon if pos else None,
            lat=pos.lat if pos else None,
            accuracy_m=pos.accuracy_m if pos else None,
            distance_m=verdict.distance_m,
            on_site=verdict.on_site,
            off_site_reason=reason if not verdict.on_site else None,
            flags=verdict.flags,
            late=filled_at > task["deadline"],
            failed_items=len(judged.failed),
        )
        for p in photos:
            q.insert_photo(s, submission_id, p.item, p.content_type, p.data, p.sha256)
        q.set_done(s, task_id, filled_at)
        for item in judged.failed:
            _raise_case(s, user, task, version, submission_id, item, judged, filled_at, client_addr)
        return view(s, submission_id, replayed=False)


def _raise_case(
    s: Session,
    user: Principal,
    task: dict[str, Any],
    version: dict[str, Any],
    submission_id: int,
    item: dict[str, Any],
    judged: patrol_templates.Judged,
    filled_at: datetime,
    client_addr: str | None,
) -> None:
    key = item["key"]
    value = judged.answers.get(key)
    shown = ""
    if item["kind"] == "number" and value is not None:
        shown = f"（{value:g}{item.get('unit') or ''}）"
    elif item["kind"] == "choice":
        shown = "（" + next(c["label_zh"] for c in item["choices"] if c["value"] == value) + "）"
    note = judged.notes.get(key)
    description = f"【巡查发现】{version['name_zh']}：{item['label_zh']}不合格{shown}"
    if note:
        description += f"。{note}"
    site = task["subject"] == "site"
    body = {
        "external_id": f"patrol-{submission_id}-{key}",
        "category": item["fail_category"],
        "occurred_at": filled_at.isoformat(),
        "lon": task["lon"] if site else task["grid_lon"],
        "lat": task["lat"] if site else task["grid_lat"],
        "crs": "wgs84",
        "priority": item.get("fail_priority"),
        "description": description[:2000],
        "address": (task.get("site_address") or None) if site else None,
    }
    actor = Actor(
        source="patrol",
        kind="user",
        name=user.display_name,
        role=user.role or "",
        username=user.username,
        user_id=user.user_id or None,
    )  # no area: the task's scope was checked, and a reassigned task lies outside the grid
    created, _new = intake.create_one(s, body, actor, via="patrol", client_addr=client_addr)
    q.insert_finding(s, submission_id, key, int(created["id"]))


def view(s: Session, submission_id: int, *, replayed: bool = False) -> dict[str, Any]:
    """What the phone is told about a stored submission."""
    row = q.by_id(s, submission_id)
    if row is None:
        raise NotFound("error.not_found", what=f"submission {submission_id}")
    return {
        "id": row["id"],
        "task_id": row["task_id"],
        "client_id": row["client_id"],
        "replayed": replayed,
        "filled_at": row["filled_at"].isoformat(),
        "on_site": row["on_site"],
        "distance_m": row["distance_m"],
        "flags": list(row["flags"]),
        "late": row["late"],
        "failed_items": row["failed_items"],
        "cases": [
            {"item": f["item_key"], "incident_id": f["incident_id"]}
            for f in q.findings(s, submission_id)
        ],
    }
