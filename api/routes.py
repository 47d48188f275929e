"""Flask routes. Thin: parse the request, call governance/, map errors to statuses.

Every body is read by the bounded JSON reader and checked by the model that declares it
(:mod:`governance.shapes`), which is also what the OpenAPI document shows. Every answer
but a success is JSON ``{error, message, key}`` in the caller's language: a use case's
refusal (its status), an HTTP error (400, 404, 405 with ``Allow``, 413), a database
outage (503, :mod:`web.outage`) and, should one happen, a 500.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import BaseConverter, Map

from api.http import json_body, stored_file
from api.openapi import spec
from geodata.db import get_engine
from geodata.queries import server
from governance import request_model
from governance.access import MAP_VIEW, PERSONS_REVEAL, REPORTER_REVEAL, require
from governance.attachments import MAX_BASE64
from governance.errors import MinqingError
from governance.layer_cache import cached_layer
from governance.layers import LayerPayload, render_layer
from governance.reveal_reason import RevealIn
from governance.uow import unit_of_work
from governance.workflow_params import TransitionIn
from i18n import current_lang, t
from web import outage
from web.errors import json_error, json_minqing
from web.requests import HTTP_KEYS, error_response
from web.security import audit_denied, current_principal

log = logging.getLogger(__name__)

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
health_bp = Blueprint("health", __name__)

SMALL_BODY = 64 * 1024  # a reveal's reason
TRANSITION_BODY = MAX_BASE64 + 256 * 1024  # a step with its file, base64
EVERY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "QUERY"]


class IdConverter(BaseConverter):
    """A record id in a path: ASCII digits, no sign, no leading zero, below 2**63
    (``<int:>`` takes Unicode digits and any length)."""

    regex = r"[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: Any) -> str:
        return str(int(value))


@bp.record_once
def _register_id_converter(state: BlueprintSetupState) -> None:
    """Before the routes that use it are added to the app's URL map."""
    state.app.url_map.converters["id"] = IdConverter


# ----------------------------------------------------------------------------- errors
@bp.errorhandler(MinqingError)
def _minqing_error(err: MinqingError) -> Response:
    log.info("rejected %s %s: %s", request.method, request.full_path, err.key)
    if err.status == 403:  # a refused permission or scope check leaves a trace
        audit_denied("api", err.key)
    return json_minqing(err)


@bp.errorhandler(HTTPException)
def _http_error(err: HTTPException) -> Response:
    """404, 405 (with ``Allow``), 413 ... as translated JSON, like every other answer."""
    status = err.code or 500
    if status == 404:
        key = "error.not_found"
        resp = error_response(404, key, t(key, what=request.path))
    else:
        resp = error_response(status, HTTP_KEYS.get(status, "error.request.bad"))
    allowed = getattr(err, "valid_methods", None)
    if status == 405 and allowed:
        resp.headers["Allow"] = ", ".join(sorted(allowed))
    return resp


@bp.errorhandler(Exception)
def _unexpected(err: Exception) -> Response:
    if outage.is_outage(err):  # the database is down: the server-wide 503 (web/outage.py)
        return outage.unavailable(err)
    log.error("unhandled error on %s", request.full_path, exc_info=True)
    return json_error(500, "error.internal", t("error.internal"), code="internal")


@lru_cache(maxsize=1)
def _api_rules(app_id: int) -> Map:
    """The declared ``/api/`` routes (not the catch-all), to tell 404 from 405."""
    rules = [
        r.empty()
        for r in current_app.url_map.iter_rules()
        if r.rule.startswith("/api/") and r.endpoint != "api_v1._unknown"
    ]
    return Map(rules, converters=dict(current_app.url_map.converters))


def _declared_methods(path: str) -> list[str]:
    """The methods the API declares for ``path`` (with HEAD and OPTIONS), or []."""
    return list(_api_rules(id(current_app)).bind("localhost").allowed_methods(path))


@bp.route("/<path:unknown>", methods=EVERY_METHOD)
def _unknown(unknown: str) -> Response:
    """Not a route of ours: 405 with ``Allow`` if the path is declared for other methods,
    else 404 (JSON: Dash's single-page app would answer it otherwise)."""
    allowed = _declared_methods(request.path)
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise NotFound()


@bp.after_app_request
def _exact_allow(resp: Response) -> Response:
    """Flask answers OPTIONS with the methods of every rule matching the path, which for
    the API includes the catch-all above and Dash's page route: list the declared ones."""
    if request.method == "OPTIONS" and request.path.startswith("/api/") and "Allow" in resp.headers:
        allowed = _declared_methods(request.path)
        if allowed:
            resp.headers["Allow"] = ", ".join(sorted(allowed))
    return resp


# ----------------------------------------------------------------------------- routes
@bp.get("/layers/<layer>")
def layer(layer: str) -> Response:
    """A map layer for a viewport: GeoJSON (or geobuf for areas)."""
    t0 = time.perf_counter()
    who = current_principal()

    def render(args: Mapping[str, str]) -> LayerPayload:
        with unit_of_work(who) as s:
            return render_layer(s, layer, args, who)

    answer, cached = cached_layer(layer, request.args, who, current_lang(), render)
    payload = answer.payload
    if answer.gzipped is not None and "gzip" in request.accept_encodings:
        resp = Response(answer.gzipped, mimetype=payload.mimetype)
        resp.headers["Content-Encoding"] = "gzip"  # Flask-Compress leaves it (and adds Vary)
    else:
        resp = Response(payload.body, mimetype=payload.mimetype)
    resp.headers["X-Layer-Cache"] = cached
    resp.headers["Cache-Control"] = "private, max-age=60"
    resp.headers["X-Feature-Count"] = str(payload.features)
    resp.headers["X-Truncated"] = "1" if payload.truncated else "0"
    resp.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - t0) * 1000:.1f}"
    return resp


@bp.get("/playback/frame")
def playback_frame() -> Response:
    """One frame of time playback (governance/playback.py): density of one hour or day.
    Private to the caller's scope; a settled (past) frame of hexagons only is cached for
    a day, and its ETag answers a revalidation with 304; one with incident points is
    never stored, like the incidents layer (web/headers.py)."""
    from governance.playback import render_frame

    t0 = time.perf_counter()
    who = current_principal()
    with unit_of_work(who) as s:
        frame = render_frame(s, request.args, who)
    resp = Response(frame.body, mimetype="application/json")
    resp.headers["Cache-Control"] = "private, max-age=" + ("86400" if frame.settled else "60")
    resp.headers["Vary"] = "Cookie, Authorization"
    resp.headers["X-Feature-Count"] = str(frame.cells)
    resp.headers["X-Point-Count"] = str(frame.points)  # with points: never kept (web/headers)
    resp.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - t0) * 1000:.1f}"
    resp.set_etag(frame.etag(who.scope if who is not None else None))
    resp.make_conditional(request)  # 304 in place when the browser's tag matches
    return resp


@bp.get("/persons/<id:person_id>")
def person(person_id: int) -> Response:
    """A key person, identity masked."""
    from governance.persons import person_detail

    who = current_principal()
    with unit_of_work(who) as s:
        return jsonify(person_detail(s, person_id, current_lang(), principal=who))


@bp.post("/persons/<id:person_id>/reveal")
def person_reveal(person_id: int) -> Response:
    """The identity in clear for one view: JSON {"reason": "..."}; audited."""
    from governance.persons import reveal

    require(current_principal(), PERSONS_REVEAL)  # before the body: refusals are audited
    body = request_model.parse(RevealIn, json_body(SMALL_BODY))
    who = current_principal()
    with unit_of_work(who) as s:
        shown = reveal(
            s,
            person_id,
            body.reason,
            current_lang(),
            principal=who,
            client_addr=request.remote_addr,
        )
    return jsonify(shown)


def _intake_body() -> object:
    """The JSON body of an intake request, at most intake.MAX_BODY_BYTES (else 413)."""
    from werkzeug.exceptions import RequestEntityTooLarge

    from governance import intake

    request.max_content_length = intake.MAX_BODY_BYTES
    try:
        raw = request.get_data(cache=False)
    except RequestEntityTooLarge as err:
        raise intake.PayloadTooLarge(
            "intake.error.too_large", max_mb=intake.MAX_BODY_BYTES // 2**20
        ) from err
    return intake.decode_json(raw)


@bp.post("/incidents")
def incident_create() -> tuple[Response, int]:
    """Register one incident from a source system (bearer token, incidents:write):
    201 when new, 200 for a replay of its (source, external_id)."""
    from governance import intake
    from web.tokens import require_scope

    token = require_scope("incidents:write")
    actor = intake.Actor.from_token(token)
    body = _intake_body()
    with unit_of_work(token) as s:
        view, created = intake.create_one(s, body, actor, client_addr=request.remote_addr)
    return jsonify(view), 201 if created else 200


@bp.post("/incidents/bulk")
def incident_create_bulk() -> Response:
    """Register up to 10,000 incidents from a source system, all or none."""
    from governance import intake
    from web.tokens import require_scope

    token = require_scope("incidents:write")
    actor = intake.Actor.from_token(token)
    body = _intake_body()
    with unit_of_work(token) as s:
        return jsonify(intake.create_bulk(s, body, actor, client_addr=request.remote_addr))


@bp.get("/categories")
def categories() -> Response:
    """The incident categories a client may send (signed-in users and tokens)."""
    from governance.intake import list_categories

    with unit_of_work() as s:  # the category tree is not under row-level security
        return jsonify({"categories": list_categories(s)})


@bp.get("/incidents/<id:incident_id>")
def incident(incident_id: int) -> Response:
    """One incident in the caller's scope; its reporter masked. A source token with
    incidents:read gets its own source's incidents, with their timeline."""
    from web.tokens import current_token, require_scope

    if current_token() is not None:
        from governance.intake import source_incident

        token = require_scope("incidents:read")
        with unit_of_work(token) as s:
            return jsonify(source_incident(s, incident_id, token))
    from governance.incidents import incident_detail

    who = current_principal()
    with unit_of_work(who) as s:
        return jsonify(incident_detail(s, incident_id, current_lang(), principal=who))


@bp.post("/incidents/<id:incident_id>/transitions")
def incident_transition(incident_id: int) -> tuple[Response, int]:
    """Move an incident along (:class:`TransitionIn`). A stale version is 409 and changes
    nothing."""
    from governance.workflow import transition

    principal = current_principal()
    require(principal, MAP_VIEW)  # before the attachment is decoded: anonymous get 401/403
    body = request_model.parse(TransitionIn, json_body(TRANSITION_BODY))
    with unit_of_work(principal) as s:
        result = transition(
            s,
            incident_id,
            body.action,
            expected_version=body.expected_version,
            principal=principal,
            note=body.note,
            params=body.params(),
            client_addr=request.remote_addr,
            attachment=body.attachment,
        )
    return jsonify(result), 200


@bp.get("/attachments/<id:attachment_id>")
def attachment_download(attachment_id: int) -> Response:
    """A file of a timeline step, for staff who may see its incident (audited)."""
    from governance.attachments import read

    principal = current_principal()
    with unit_of_work(principal) as s:
        f = read(s, attachment_id, principal=principal, client_addr=request.remote_addr)
    return stored_file(f["data"], f["content_type"], f["sha256"], f["filename"])


@bp.post("/incidents/<id:incident_id>/reporter/reveal")
def incident_reporter_reveal(incident_id: int) -> Response:
    """The incident with its reporter in clear for one view: JSON {"reason": "..."};
    audited."""
    from governance.incidents import reveal_reporter

    require(current_principal(), REPORTER_REVEAL)  # before the body: refusals are audited
    body = request_model.parse(RevealIn, json_body(SMALL_BODY))
    who = current_principal()
    with unit_of_work(who) as s:
        shown = reveal_reporter(
            s,
            incident_id,
            body.reason,
            current_lang(),
            principal=who,
            client_addr=request.remote_addr,
        )
    return jsonify(shown)


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(spec())


@health_bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Liveness plus database status (200 when the database answers)."""
    t0 = time.perf_counter()
    try:
        with get_engine().connect() as conn:
            found = server.facts(conn)
        db = {
            "status": "ok",
            "postgis": found["postgis"],
            "schema": found["schema"],
            # "bypassed": the app connects as a superuser or BYPASSRLS role, so row-level
            # security (defence in depth under the app's own checks) does not apply.
            "row_security": "bypassed" if found["bypassed"] else "enforced",
            "latency_ms": round((time.perf_counter() - t0) * 1000, 1),
        }
        return jsonify({"status": "ok", "database": db}), 200
    except Exception as exc:  # noqa: BLE001 - health must answer, whatever broke
        log.warning("health check: database unavailable: %s", exc)
        return jsonify({"status": "degraded", "database": {"status": "down"}}), 503
