"""``/api/v1/patrol``: the grid worker's day, checklists, submissions, photos, reassigning.

Nested in the ``/api/v1`` blueprint (``api/__init__.py``), so its refusals are the API's
translated JSON errors. Every route checks role, area scope and ownership in its use case
(``governance/patrol_*.py``); the OpenAPI paths are ``api/openapi_patrol.py``.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from api.http import json_body, stored_file
from governance import patrol_day, patrol_plan, patrol_submit, patrol_templates, request_model
from governance.access import PATROL_DO, PATROL_SUPERVISE, require
from governance.errors import Forbidden
from governance.patrol_params import (
    MAX_PHOTO_BASE64,
    MAX_PHOTOS,
    DayQuery,
    ReassignIn,
    SubmissionIn,
)
from governance.uow import unit_of_work
from i18n import current_lang
from web.security import current_principal

patrol_bp = Blueprint("patrol", __name__, url_prefix="/patrol")

SUBMISSION_BODY = MAX_PHOTOS * MAX_PHOTO_BASE64 + 256 * 1024
SMALL_BODY = 16 * 1024


@patrol_bp.get("/day")
def day() -> Response:
    """The caller's due and overdue visits, as a walk from ``lon``/``lat`` if given."""
    who = require(current_principal(), PATROL_DO)
    query = request_model.parse(DayQuery, request.args.to_dict())
    with unit_of_work(who) as s:
        return jsonify(
            patrol_day.my_day(s, principal=who, lang=current_lang(), position=query.position())
        )


@patrol_bp.get("/checklists/<id:version_id>")
def checklist(version_id: int) -> Response:
    """One checklist version (items and names), for the staff of patrol."""
    who = current_principal()
    if who is None or not (who.can(PATROL_DO) or who.can(PATROL_SUPERVISE)):
        raise Forbidden("error.forbidden")
    with unit_of_work(who) as s:
        v = patrol_templates.version(s, version_id)
    return jsonify(
        {k: v[k] for k in ("id", "code", "version", "current", "name_zh", "name_en", "items")}
    )


@patrol_bp.post("/tasks/<id:task_id>/submission")
def submit(task_id: int) -> tuple[Response, int]:
    """A filled checklist (:class:`SubmissionIn`): 201 stored, 200 a resend of a stored one."""
    who = require(current_principal(), PATROL_DO)  # before the body is read
    body = request_model.parse(SubmissionIn, json_body(SUBMISSION_BODY))
    with unit_of_work(who) as s:
        out = patrol_submit.submit(s, task_id, body, principal=who, client_addr=request.remote_addr)
    return jsonify(out), 200 if out["replayed"] else 201


@patrol_bp.post("/tasks/<id:task_id>/assignee")
def reassign(task_id: int) -> Response:
    """Give the task to another grid worker of the supervisor's area."""
    who = require(current_principal(), PATROL_SUPERVISE)
    body = request_model.parse(ReassignIn, json_body(SMALL_BODY))
    with unit_of_work(who) as s:
        out = patrol_plan.reassign(
            s, task_id, body.user_id, principal=who, client_addr=request.remote_addr
        )
    return jsonify(out)


@patrol_bp.get("/submissions/<id:submission_id>")
def submission(submission_id: int) -> Response:
    """A submission as filled, against its own checklist version."""
    who = current_principal()
    if who is None:
        raise Forbidden("error.forbidden")
    with unit_of_work(who) as s:
        return jsonify(patrol_day.submission(s, submission_id, principal=who, lang=current_lang()))


@patrol_bp.get("/photos/<id:photo_id>")
def photo(photo_id: int) -> Response:
    """A patrol photo (the submitter, supervisors of its area); every opening audited."""
    who = current_principal()
    if who is None:
        raise Forbidden("error.forbidden")
    with unit_of_work(who) as s:
        p = patrol_day.photo(s, photo_id, principal=who, client_addr=request.remote_addr)
    return stored_file(p["data"], p["content_type"], p["sha256"])
