"""Flask routes. Thin: parse the request, call governance/, map errors to statuses."""

from __future__ import annotations

import io
import logging
import time

from flask import Blueprint, Response, jsonify, request, send_file
from sqlalchemy import text

from api.openapi import spec
from geodata.db import get_engine
from governance.access import MAP_VIEW, require
from governance.attachments import from_api
from governance.errors import InvalidInput, MinqingError
from governance.layers import render_layer
from i18n import current_lang, t
from web import outage
from web.security import audit_denied, current_principal

log = logging.getLogger(__name__)

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
health_bp = Blueprint("health", __name__)


@bp.errorhandler(MinqingError)
def _minqing_error(err: MinqingError) -> tuple[Response, int]:
    log.info("rejected %s %s: %s", request.method, request.full_path, err.key)
    if err.status == 403:  # a refused permission or scope check leaves a trace
        audit_denied("api", err.key)
    return jsonify(err.to_dict(current_lang())), err.status


@bp.errorhandler(404)
def _not_found(err: Exception) -> tuple[Response, int]:
    return jsonify({"error": "not_found", "message": t("error.not_found", what=request.path)}), 404


@bp.route("/<path:unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def _unknown(unknown: str) -> tuple[Response, int]:
    """Unknown API paths are JSON 404s, not the single-page app Dash serves elsewhere."""
    return _not_found(LookupError(unknown))


@bp.errorhandler(Exception)
def _unexpected(err: Exception) -> Response | tuple[Response, int]:
    if outage.is_outage(err):  # the database is down: the server-wide 503 (web/outage.py)
        return outage.unavailable(err)
    log.error("unhandled error on %s", request.full_path, exc_info=True)
    return jsonify({"error": "internal", "message": t("error.internal")}), 500


@bp.get("/layers/<layer>")
def layer(layer: str) -> Response:
    """A map layer for a viewport: GeoJSON (or geobuf for areas)."""
    t0 = time.perf_counter()
    payload = render_layer(layer, request.args, current_principal())
    resp = Response(payload.body, mimetype=payload.mimetype)
    resp.headers["Cache-Control"] = "private, max-age=60"
    resp.headers["X-Feature-Count"] = str(payload.features)
    resp.headers["X-Truncated"] = "1" if payload.truncated else "0"
    resp.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - t0) * 1000:.1f}"
    return resp


@bp.get("/persons/<int:person_id>")
def person(person_id: int) -> Response:
    """A key person, identity masked."""
    from governance.persons import person_detail

    return jsonify(person_detail(person_id, current_lang(), principal=current_principal()))


@bp.post("/persons/<int:person_id>/reveal")
def person_reveal(person_id: int) -> Response:
    """The identity in clear for one view: JSON {"reason": "..."}; audited."""
    from governance.persons import reveal

    body = request.get_json(silent=True) or {}
    return jsonify(
        reveal(
            person_id,
            str(body.get("reason") or ""),
            current_lang(),
            principal=current_principal(),
            client_addr=request.remote_addr,
        )
    )


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

    actor = intake.Actor.from_token(require_scope("incidents:write"))
    view, created = intake.create_one(_intake_body(), actor, client_addr=request.remote_addr)
    return jsonify(view), 201 if created else 200


@bp.post("/incidents/bulk")
def incident_create_bulk() -> Response:
    """Register up to 10,000 incidents from a source system, all or none."""
    from governance import intake
    from web.tokens import require_scope

    actor = intake.Actor.from_token(require_scope("incidents:write"))
    return jsonify(intake.create_bulk(_intake_body(), actor, client_addr=request.remote_addr))


@bp.get("/categories")
def categories() -> Response:
    """The incident categories a client may send (signed-in users and tokens)."""
    from governance.intake import list_categories

    return jsonify({"categories": list_categories()})


@bp.get("/incidents/<int:incident_id>")
def incident(incident_id: int) -> Response:
    """One incident in the caller's scope; its reporter masked. A source token with
    incidents:read gets its own source's incidents, with their timeline."""
    from web.tokens import current_token, require_scope

    if current_token() is not None:
        from governance.intake import source_incident

        return jsonify(source_incident(incident_id, require_scope("incidents:read")))
    from governance.incidents import incident_detail

    return jsonify(incident_detail(incident_id, current_lang(), principal=current_principal()))


@bp.post("/incidents/<int:incident_id>/transitions")
def incident_transition(incident_id: int) -> tuple[Response, int]:
    """Move an incident along: JSON {"action", "expected_version", "note"?, "attachment"?
    ({"filename", "data_base64"}), and per action "lead_department_id",
    "assist_department_ids", "until", "into"}. A stale version is 409 and changes nothing."""
    from governance.workflow import transition

    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("error.json_body")
    principal = current_principal()
    require(principal, MAP_VIEW)  # before the attachment is decoded: anonymous get 401/403
    result = transition(
        incident_id,
        body.get("action"),  # type: ignore[arg-type]
        expected_version=body.get("expected_version"),
        principal=principal,
        note=body.get("note"),
        params=body,
        client_addr=request.remote_addr,
        attachment=from_api(body.get("attachment")),
    )
    return jsonify(result), 200


@bp.get("/attachments/<int:attachment_id>")
def attachment_download(attachment_id: int) -> Response:
    """A file of a timeline step, for staff who may see its incident (audited)."""
    from governance.attachments import read

    f = read(attachment_id, principal=current_principal(), client_addr=request.remote_addr)
    resp = send_file(  # an RFC 5987 filename for Chinese names
        io.BytesIO(f["data"]),
        mimetype=f["content_type"],
        # images open in the tab; a PDF downloads (a sandboxed page may not run the
        # browser's PDF viewer)
        as_attachment=not f["content_type"].startswith("image/"),
        download_name=f["filename"],
        etag=f["sha256"],
        max_age=0,
    )
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.post("/incidents/<int:incident_id>/reporter/reveal")
def incident_reporter_reveal(incident_id: int) -> Response:
    """The incident with its reporter in clear for one view: JSON {"reason": "..."};
    audited."""
    from governance.incidents import reveal_reporter

    body = request.get_json(silent=True) or {}
    return jsonify(
        reveal_reporter(
            incident_id,
            str(body.get("reason") or ""),
            current_lang(),
            principal=current_principal(),
            client_addr=request.remote_addr,
        )
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(spec())


@health_bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Liveness plus database status (200 when the database answers)."""
    t0 = time.perf_counter()
    try:
        with get_engine().connect() as conn:
            version = conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
            rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            bypass = conn.execute(
                text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
            ).scalar()
        db = {
            "status": "ok",
            "postgis": version,
            "schema": rev,
            # "bypassed": the app connects as a superuser or BYPASSRLS role, so row-level
            # security (defence in depth under the app's own checks) does not apply.
            "row_security": "bypassed" if bypass else "enforced",
            "latency_ms": round((time.perf_counter() - t0) * 1000, 1),
        }
        return jsonify({"status": "ok", "database": db}), 200
    except Exception as exc:  # noqa: BLE001 - health must answer, whatever broke
        log.warning("health check: database unavailable: %s", exc)
        return jsonify({"status": "degraded", "database": {"status": "down"}}), 503
