"""The OpenAPI description of ``/api/v1/patrol`` (``api/patrol_routes.py``): request
bodies and the query from the models the server validates with, answers from
``api/responses_patrol.py``."""

from __future__ import annotations

from typing import Any

from api.openapi_common import (
    errors,
    id_parameter,
    json_body,
    model_schema,
    ok,
    query_parameters,
    session_only,
)
from api.responses_patrol import patrol_response_schemas
from governance.patrol_params import DayQuery, ReassignIn, SubmissionIn


def patrol_paths() -> dict[str, Any]:
    return {
        "/api/v1/patrol/day": {
            "get": {
                "operationId": "patrolDay",
                "summary": "The grid worker's due and overdue visits, as a walk",
                "description": "Open visits begun by today and visits missed in the last "
                "week, assigned to the caller (grid workers), ordered as a walk from the "
                "given position (nearest neighbour, then 2-opt), with every checklist they "
                "need. No personal data: a care visit is named by category and person id.",
                **session_only(),
                "parameters": query_parameters(DayQuery),
                "responses": {"200": ok("PatrolDay", "The day's visits"), **errors()},
            }
        },
        "/api/v1/patrol/checklists/{id}": {
            "get": {
                "operationId": "patrolChecklist",
                "summary": "One checklist version",
                **session_only(),
                "parameters": [id_parameter("checklist version")],
                "responses": {"200": ok("Checklist", "The version's items"), **errors("404")},
            }
        },
        "/api/v1/patrol/tasks/{id}/submission": {
            "post": {
                "operationId": "patrolSubmit",
                "summary": "Submit a filled checklist (one transaction; failed items become cases)",
                "description": "The caller must be the task's assignee. Answers are judged "
                "against `template_version_id`; the check-in is decided by the server "
                "(within the rule's radius, default 100 m, and as accurate: on site; else a "
                "reason is needed and the visit is flagged). Each failed item becomes one "
                "case (source `patrol`). A resend with the same `client_id` answers 200 "
                "with the stored submission and writes nothing.",
                **session_only(),
                "parameters": [id_parameter("patrol task")],
                "requestBody": json_body("SubmissionIn"),
                "responses": {
                    "201": ok("SubmissionResult", "Stored"),
                    "200": ok("SubmissionResult", "A resend: the stored submission"),
                    **errors("404", "409", "413"),
                },
            }
        },
        "/api/v1/patrol/tasks/{id}/assignee": {
            "post": {
                "operationId": "patrolReassign",
                "summary": "Give a task to another grid worker of the supervisor's area",
                **session_only(),
                "parameters": [id_parameter("patrol task")],
                "requestBody": json_body("ReassignIn"),
                "responses": {"200": ok("Reassigned", "Reassigned"), **errors("404", "413")},
            }
        },
        "/api/v1/patrol/submissions/{id}": {
            "get": {
                "operationId": "patrolSubmission",
                "summary": "A submission as filled, against its own checklist version",
                **session_only(),
                "parameters": [id_parameter("submission")],
                "responses": {"200": ok("SubmissionView", "The filled checklist"), **errors("404")},
            }
        },
        "/api/v1/patrol/photos/{id}": {
            "get": {
                "operationId": "patrolPhoto",
                "summary": "A patrol photo (the submitter, supervisors of its area; audited)",
                **session_only(),
                "parameters": [id_parameter("photo")],
                "responses": {
                    "200": {
                        "description": "The photo",
                        "content": {
                            m: {"schema": {}} for m in ("image/jpeg", "image/png", "image/webp")
                        },
                    },
                    **errors("404"),
                },
            }
        },
    }


def patrol_schemas() -> dict[str, Any]:
    return {
        **patrol_response_schemas(),
        "SubmissionIn": model_schema(SubmissionIn),
        "ReassignIn": model_schema(ReassignIn),
    }
