"""The request guard, the top of the HTTP shell: every request passes it first.

Installed on the Flask server by :func:`install`. Dash callbacks and API routes are HTTP
endpoints anyone can call, so the guard runs before all of them; the use cases then
check permissions and area scope themselves (``governance.access``). In order: control
characters, the callback body's size, bearer tokens (machines), the cross-site and CSRF
checks, public routes, the session (``web/session.py``), forced password changes and
accounts without a role, the page's permission and the callback's feature
(``web/routes_table.py``). Its answers: JSON errors (``web/errors.py``) on JSON paths,
the sign-in redirect or the forbidden page elsewhere. Headers are ``web/headers.py``.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Any, Final

from flask import Flask, Response, current_app, g, redirect, request, session, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from governance.access import Principal
from governance.errors import MinqingError
from governance.file_tables import MAX_FILE_BYTES
from i18n import current_lang, t
from settings import get_settings
from web import dash_body, headers, kiosk
from web import requests as request_checks
from web import tokens as bearer
from web.errors import json_error
from web.kiosk_session import LOCKED
from web.refusals import audit_denied
from web.requests import JSON_PREFIXES
from web.routes_table import (
    LOGOUT_PATH,
    OWN_ACCOUNT_PATHS,
    PAGE_PERMISSIONS,
    STATE_CHANGING,
    feature_allowed,
    is_public,
    page_key,
)
from web.server_pages import forbidden_page
from web.session import CSRF_HEADER, DASH_UPDATE, load_session

log = logging.getLogger(__name__)

# The largest callback body: an uploaded file (governance/file_tables.py) in base64, plus
# the rest of the request. Larger bodies are refused before they are read.
DASH_MAX_BODY: Final = MAX_FILE_BYTES * 4 // 3 + 2**20


def _deny(status: int, key: str) -> Response:
    if request.path.startswith(JSON_PREFIXES):
        return json_error(status, key)
    if status == 401:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))  # type: ignore[return-value]
    return forbidden_page(key)


def _too_large() -> Response:
    """A callback body over DASH_MAX_BODY (an upload too large): 413, translated."""
    key = "import.error.request_too_large"
    return json_error(413, key, t(key, current_lang(), max_mb=MAX_FILE_BYTES // 2**20))


def _guard() -> Response | None:
    path = request.path
    if request_checks.control_in_request():
        audit_denied("control_characters")
        return request_checks.error_response(400, "error.request.control")
    if path == DASH_UPDATE:
        request.max_content_length = DASH_MAX_BODY
        if (request.content_length or 0) > DASH_MAX_BODY:
            log.info("callback body of %s bytes refused", request.content_length)
            return _too_large()
    token = bearer.bearer_token() if path.startswith(bearer.API_PREFIX) else None
    if token is not None:  # a machine, not a browser: no cookie session, hence no CSRF
        return bearer.authenticate_bearer(token)
    if request.method in STATE_CHANGING:
        if request_checks.foreign_origin():  # a second check beside the CSRF token
            log.info("cross-site %s %s refused", request.method, path)
            audit_denied("origin")
            return request_checks.error_response(403, "error.request.origin")
        if path.startswith(bearer.API_PREFIX) and session.get("uid") is None:
            # a machine without credentials: say so (401), not "CSRF" (there is no session
            # a forged request could ride on)
            return _deny(401, "error.login_required")
        sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token") or ""
        expected = session.get("csrf") or ""
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            log.info("CSRF check failed on %s %s", request.method, path)
            audit_denied("csrf")
            return _deny(403, "error.csrf")
    if is_public():
        return None
    if path == LOGOUT_PATH and request.method == "POST":
        return None  # CSRF checked above; signing out must work even with no database
    principal, expired = load_session()
    if principal is None:
        if expired == LOCKED:
            body = request.get_json(silent=True) if path == DASH_UPDATE else None
            return kiosk.locked_response(
                _output_ids(body), path == DASH_UPDATE, path.startswith(JSON_PREFIXES)
            )
        if expired:
            session.clear()
        return _deny(401, expired or "error.login_required")
    g.principal = principal
    if path not in OWN_ACCOUNT_PATHS:
        if principal.must_change_password:  # an administrator set it: nothing else first
            if path.startswith(JSON_PREFIXES):
                return _deny(403, "error.password_change_required")
            return redirect(url_for("auth.password", next=request.full_path.rstrip("?")))  # type: ignore[return-value]
        if principal.role is None:  # created, not yet given a role (三员分立)
            audit_denied("no_role")
            return _deny(403, "error.no_role")
    needed = PAGE_PERMISSIONS.get(page_key(path))
    if needed and not principal.can(needed):
        audit_denied("page")
        return _deny(403, "error.forbidden")
    if path == DASH_UPDATE:
        return _check_callback(principal)
    return None


def _output_ids(body: object) -> list[str]:
    """Component ids (or pattern-matching types) a callback request writes to."""
    outputs = body.get("outputs") if isinstance(body, dict) else None
    items = outputs if isinstance(outputs, list) else [outputs]
    ids = []
    for o in items:
        cid = o.get("id") if isinstance(o, dict) else None
        ids.append(str(cid.get("type", "")) if isinstance(cid, dict) else str(cid or ""))
    return ids


def _check_callback(principal: Principal) -> Response | None:
    """A callback request, read as Dash will read it: an unreadable body or an unknown
    callback is a translated 400; a callback of a feature the principal may not use a
    403; arguments that do not match the callback's declaration a 400; the pages router
    may only render a page the principal may open (the path at the position Dash reads).
    Every refusal is audited."""
    try:
        body = request.get_json()
    except MinqingError as err:
        audit_denied("callback_body", err.key)
        return request_checks.error_response(err.status, err.key, err.user_message())
    try:
        outputs = dash_body.outputs_of(body, _callback_map())
        router = all(cid.startswith("_pages_") for cid in outputs)
        if not router and not feature_allowed(principal, outputs):
            audit_denied("callback")
            return _deny(403, "error.forbidden")
        checked = dash_body.check(body, _callback_map())
    except dash_body.BadCallback as err:
        log.info("malformed callback request: %s", err)
        audit_denied("callback_body", str(err)[:100])
        return request_checks.error_response(400, "error.request.callback")
    if router:
        pathname = checked.value("_pages_location", "pathname")
        search = checked.value("_pages_location", "search")
        if not all(v is None or isinstance(v, str) for v in (pathname, search)):
            audit_denied("callback_body", "router location")
            return request_checks.error_response(400, "error.request.callback")
        needed = PAGE_PERMISSIONS.get(page_key(pathname if isinstance(pathname, str) else "/"))
        if needed is not None and not principal.can(needed):
            audit_denied("callback")
            return _deny(403, "error.forbidden")
    return None


_CALLBACK_MAP: Final = "minqing_callback_map"  # Flask extensions: the Dash callbacks


def _callback_map() -> Any:
    """The callbacks of the server this request came to (per server, not per process:
    the stream server's gate, web/stream_gate.py, has none, and may share a process with
    the app in tests)."""
    found = current_app.extensions.get(_CALLBACK_MAP)
    return found() if found is not None else {}


def install(
    server: Flask,
    script_hashes: Callable[[], list[str]],
    callback_map: Callable[[], Any] = dict,
) -> None:
    """Configure cookies and register the guard and header hooks on ``server``;
    ``callback_map``: Dash's registered callbacks (the guard checks requests against
    them)."""
    server.extensions[_CALLBACK_MAP] = callback_map
    cfg = get_settings()
    headers.configure_cookies(server, cfg)
    server.before_request(_guard)
    server.after_request(
        headers.add_headers(headers.content_security_policy(script_hashes, cfg.tile_url))
    )


def trust_proxies(server: Flask, hops: int) -> None:
    """Behind ``hops`` reverse proxies, take the client's address and scheme from the
    X-Forwarded-For / -Proto headers they set (rate limits, the audit trail, Secure
    cookies), trusting exactly that many hops; with 0, change nothing."""
    if hops > 0:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
