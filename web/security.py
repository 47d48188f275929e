"""Request guards for every route: authentication, session timeouts, CSRF, headers.

Installed on the Flask server by :func:`install`. Dash callbacks and API routes are HTTP
endpoints anyone can call, so the guard runs before all of them; the use cases then
check permissions and area scope themselves (``governance.access``).
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, jsonify, redirect, request, session, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from governance import audit, throttle
from governance.access import (
    ANALYTICS_VIEW,
    AUDIT_VIEW,
    BRIEFING_EXPORT,
    INCIDENT_DISPATCH,
    INCIDENT_IMPORT,
    INCIDENT_REGISTER,
    MAP_VIEW,
    USERS_VIEW,
    WALL_VIEW,
    Principal,
)
from governance.accounts import close_session, load_principal, open_session
from governance.errors import MinqingError
from governance.file_tables import MAX_FILE_BYTES
from i18n import current_lang, t
from settings import get_settings
from web import dash_body, kiosk
from web import requests as request_checks
from web import tokens as bearer
from web.requests import JSON_PREFIXES

log = logging.getLogger(__name__)

CSRF_COOKIE = "_csrf_token"  # the cookie Dash's renderer copies into X-CSRFToken
CSRF_HEADER = "X-CSRFToken"
# Public routes, by the URL rule Flask matched (not by how the path starts: "/loginx",
# "/healthz/x" or "/track/a/b" match Dash's catch-all, which is not public).
PUBLIC_RULES = frozenset(
    {
        "/login",
        "/healthz",
        "/favicon.ico",
        "/_favicon.ico",
        "/assets/<path:filename>",
        "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
        kiosk.ENTRY_PREFIX + "<token>",  # the kiosk URL carries its own credential
        "/report",  # 有事找书记: residents report without an account (web/public.py)
        "/track/<code>",  # a report's progress: the tracking code is the credential
        "/track/<code>/feedback",  # ... and its rating
    }
)
# What an account may still do when it must first replace its password or has no role.
LOGOUT_PATH = "/logout"
OWN_ACCOUNT_PATHS = frozenset({"/password", LOGOUT_PATH})
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
PAGE_PERMISSIONS = {
    "/": MAP_VIEW,
    "/audit": AUDIT_VIEW,
    "/wall": WALL_VIEW,
    "/admin/users": USERS_VIEW,
    "/import": INCIDENT_IMPORT,
    "/frontdesk": INCIDENT_REGISTER,
    "/dispatch": INCIDENT_DISPATCH,  # the daily dispatch board (pages/dispatch.py)
    "/evaluation": ANALYTICS_VIEW,
    "/consult": ANALYTICS_VIEW,
    "/briefings": BRIEFING_EXPORT,  # leaders' briefings (pages/briefings.py)
}
# Where a user lands after sign-in when the page asked for is not theirs: the first page
# of this list their role may open (an auditor lands on the audit log, not a 403).
HOME_PAGES = ["/", "/audit", "/wall", "/admin/users"]
# Dash callbacks by the feature prefix of their output ids (ids are "<feature>-..."):
# a callback whose outputs belong to no listed feature is refused (fail closed).
CALLBACK_PERMISSIONS = {
    "map-": MAP_VIEW,
    "audit-": AUDIT_VIEW,
    "wall-": WALL_VIEW,
    "users-": USERS_VIEW,
    "import-": INCIDENT_IMPORT,
    "desk-": INCIDENT_REGISTER,
    "dispatch-": INCIDENT_DISPATCH,
    "eval-": ANALYTICS_VIEW,
    "consult-": ANALYTICS_VIEW,
    "brief-": BRIEFING_EXPORT,
}
DASH_UPDATE = "/_dash-update-component"
# The largest callback body: an uploaded file (governance/file_tables.py) in base64, plus
# the rest of the request. Larger bodies are refused before they are read.
DASH_MAX_BODY = MAX_FILE_BYTES * 4 // 3 + 2**20
SEEN_GRANULARITY = 30  # seconds: refresh the idle clock at most this often
# Requests a page makes by itself, not a person: they do not refresh the idle clock (an
# open map's live stream reconnects every few minutes and must not keep a session alive).
PASSIVE_PATHS = frozenset({"/api/v1/stream"})
# Callbacks a page fires by itself: a timer's tick (the department inbox, the dispatch
# board, the wall) or a pushed change (the map's live version). Only a callback whose
# every changed property is one of these is passive; a click, a filter or a page load
# still counts as the person being there.
PASSIVE_PROPS = (".n_intervals",)
PASSIVE_STORES = frozenset({"map-live-version.data"})


def is_public() -> bool:
    """Does this request match a public route (no sign-in)?"""
    rule = request.url_rule
    return rule is not None and rule.rule in PUBLIC_RULES


def current_principal() -> Principal | None:
    """The signed-in user of this request (None outside a request or when anonymous)."""
    return getattr(g, "principal", None)


def home_for(principal: Principal, wanted: str = "/") -> str:
    """``wanted`` if the principal may open it, else the first page of HOME_PAGES they
    may open (else ``wanted``, which will then explain the refusal)."""
    path = wanted.split("?", 1)[0]
    needed = PAGE_PERMISSIONS.get(path)
    if needed is None or principal.can(needed):
        return wanted
    for page in HOME_PAGES:
        if principal.can(PAGE_PERMISSIONS[page]):
            return page
    return wanted


def csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def start_session(principal: Principal) -> None:
    """Fresh session for a successful sign-in (new id: no session fixation), recorded
    server-side so that sign-out or an account change ends it everywhere at once."""
    session.clear()
    now = int(time.time())
    sid = secrets.token_urlsafe(32)
    open_session(principal.user_id, sid, request.remote_addr)
    session.update(
        uid=principal.user_id,
        sid=sid,
        login_at=now,
        seen_at=now,
        csrf=secrets.token_urlsafe(32),
    )
    session.permanent = True


def end_session() -> None:
    if session.get("sid"):
        close_session(str(session["sid"]))
    session.clear()


def _deny(status: int, key: str) -> Response:
    lang = current_lang()
    if request.path.startswith(JSON_PREFIXES):
        resp = jsonify(
            {
                "error": "unauthorized" if status == 401 else "forbidden",
                "message": t(key, lang),
                "key": key,
            }
        )
        resp.status_code = status
        return resp
    if status == 401:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))  # type: ignore[return-value]
    from web.auth import forbidden_page

    return forbidden_page(key)


def _load_principal() -> tuple[Principal | None, str | None]:
    uid = session.get("uid")
    if uid is None:
        return None, None
    if kiosk.is_kiosk_session():  # a wall screen: its token, not the clock, ends it
        return kiosk.load_kiosk_principal()
    cfg = get_settings()
    now = int(time.time())
    if now - int(session.get("seen_at", 0)) > cfg.session_idle_minutes * 60:
        return None, "error.session_idle"
    if now - int(session.get("login_at", 0)) > cfg.session_absolute_hours * 3600:
        return None, "error.session_expired"
    principal = load_principal(int(uid), str(session.get("sid") or ""))
    if principal is None:  # signed out elsewhere, revoked, disabled or deleted
        return None, "error.session_expired"
    if now - int(session.get("seen_at", 0)) > SEEN_GRANULARITY and not _passive():
        session["seen_at"] = now
    return principal, None


def _passive() -> bool:
    """Is this request one the page made by itself (it does not refresh the idle clock)?"""
    if request.path in PASSIVE_PATHS:
        return True
    if request.path != DASH_UPDATE:
        return False
    body = request.get_json(silent=True)
    changed = body.get("changedPropIds") if isinstance(body, dict) else None
    return (
        isinstance(changed, list)
        and bool(changed)
        and all(
            isinstance(p, str) and (p.endswith(PASSIVE_PROPS) or p in PASSIVE_STORES)
            for p in changed
        )
    )


def load_session_principal() -> Principal | None:
    """The signed-in principal of this request's session, for routes the guard lets
    through without loading it (sign-out)."""
    return _load_principal()[0]


def recheck_principal() -> tuple[Principal | None, str | None]:
    """The request's session checked again now, as the guard checks it (timeouts, sign-out,
    a disabled account, a revoked kiosk token): for requests that last, such as a live
    stream. ``(None, message key)`` once it no longer holds."""
    return _load_principal()


def _too_large() -> Response:
    """A callback body over DASH_MAX_BODY (an upload too large): 413, translated."""
    key = "import.error.request_too_large"
    resp = jsonify(
        {
            "error": "payload_too_large",
            "message": t(key, current_lang(), max_mb=MAX_FILE_BYTES // 2**20),
            "key": key,
        }
    )
    resp.status_code = 413
    return resp


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
    principal, expired = _load_principal()
    if principal is None:
        if expired == kiosk.LOCKED:
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
    needed = PAGE_PERMISSIONS.get(_page_key(path))
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


def _page_key(path: str) -> str:
    """A page path as PAGE_PERMISSIONS spells it: Dash's router ignores the slashes
    around a path ("/audit/" and "//audit" render /audit), so the check must too."""
    return "/" + path.strip("/")


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
        if not router and not _feature_allowed(principal, outputs):
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
        needed = PAGE_PERMISSIONS.get(_page_key(pathname if isinstance(pathname, str) else "/"))
        if needed is not None and not principal.can(needed):
            audit_denied("callback")
            return _deny(403, "error.forbidden")
    return None


def _feature_allowed(principal: Principal, output_ids: tuple[str, ...]) -> bool:
    """Every output belongs to a feature (by id prefix) the principal may use."""
    for cid in output_ids:
        perm = next(
            (p for prefix, p in CALLBACK_PERMISSIONS.items() if cid.startswith(prefix)), None
        )
        if perm is None or not principal.can(perm):
            return False
    return True


def admit_anonymous_record() -> tuple[bool, int]:
    """For an anonymous refusal from this client address: (write an audit record?, how
    many refusals went unrecorded before it). At most
    ``throttle.ANONYMOUS_DENIALS_PER_ADDRESS`` records a minute per address, counted in
    the database for every worker and node, so an unauthenticated flood cannot fill the
    audit trail (each record is sealed in turn) and no count is lost."""
    verdict = throttle.hit_now(
        throttle.ANONYMOUS_DENIALS_PER_ADDRESS,
        request.remote_addr or "?",
        audit_refusals=False,
        reports=True,
    )
    return verdict.allowed, verdict.suppressed_before


def refused(err: MinqingError, what: str) -> str:
    """A callback's use case said no: log it, audit it when a permission or scope check
    said no (403), and return the user's message in the request's language."""
    log.info("%s refused: %s", what, err.key)
    if err.status == 403:
        audit_denied(what, err.key)
    return err.user_message(current_lang())


def audit_denied(what: str, key: str | None = None) -> None:
    """Record a refused request (route, callback or object) in the audit trail.
    Anonymous refusals are rate-limited per client address (signed-in ones never).
    A refusal the guard makes before it has loaded the session's account (a malformed
    request, a cross-site POST) still names who sent it."""
    p = current_principal()
    if p is None and session.get("uid") is not None and not kiosk.is_kiosk_session():
        p = _load_principal()[0]
    detail: dict[str, object] = {"check": what}
    if key:
        detail["key"] = key
    if p is None and session.get("uid") is None:
        write, suppressed = admit_anonymous_record()
        if not write:
            log.info("anonymous refusal not audited (rate limit): %s", request.path)
            return
        if suppressed:
            detail["suppressed_before"] = suppressed
    audit.record_now(
        action="access_denied",
        outcome="denied",
        user_id=(p.user_id or None) if p else session.get("uid"),  # tokens: no account
        username=p.username if p else None,
        role=p.role if p else None,
        object_type="route",
        object_id=f"{request.method} {request.path}"[:200],
        client_addr=request.remote_addr,
        detail=detail,
    )


# Responses a browser may keep: static files, and map layers without case details
# (boundaries, labels, key sites, hexagon counts). Everything else may carry clear text
# or case details (pages, callbacks, incidents, timelines, files): "no-store", so that a
# shared command-centre PC's disk cache or a proxy keeps none of it.
CACHEABLE_RULES = frozenset(
    {
        "/assets/<path:filename>",
        "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
        "/_favicon.ico",
        "/favicon.ico",
    }
)
LAYER_RULE = "/api/v1/layers/<layer>"
CACHEABLE_LAYERS = frozenset({"areas", "labels", "sites", "density"})
HSTS = "max-age=31536000; includeSubDomains"


def _may_cache(resp: Response) -> bool:
    rule = request.url_rule.rule if request.url_rule is not None else None
    if rule in CACHEABLE_RULES:
        return True
    layer = (request.view_args or {}).get("layer")
    return rule == LAYER_RULE and layer in CACHEABLE_LAYERS and resp.status_code == 200


def _headers(csp: Callable[[], str]) -> Callable[[Response], Response]:
    def add(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", csp())
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if not _may_cache(resp):
            resp.headers["Cache-Control"] = "no-store"
        if get_settings().cookie_secure:  # served over HTTPS: browsers must stay on it
            resp.headers["Strict-Transport-Security"] = HSTS
        if "csrf" in session:  # readable by Dash's renderer, which echoes it in a header
            token = str(session["csrf"])
            if request.cookies.get(CSRF_COOKIE) != token:
                resp.set_cookie(
                    CSRF_COOKIE,
                    token,
                    samesite="Strict",
                    secure=get_settings().cookie_secure,
                    httponly=False,
                )
        return resp

    return add


_callback_maps: list[Callable[[], Any]] = []


def _callback_map() -> Any:
    return _callback_maps[-1]() if _callback_maps else {}


def install(
    server: Flask,
    script_hashes: Callable[[], list[str]],
    callback_map: Callable[[], Any] = dict,
) -> None:
    """Configure cookies and register the guard and header hooks on ``server``;
    ``callback_map``: Dash's registered callbacks (the guard checks requests against
    them)."""
    _callback_maps.append(callback_map)
    cfg = get_settings()
    server.config.update(
        SESSION_COOKIE_NAME="minqing_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=cfg.cookie_secure,
        PERMANENT_SESSION_LIFETIME=cfg.session_absolute_hours * 3600,
    )
    tiles = ""
    if cfg.tile_url:
        from urllib.parse import urlsplit

        parts = urlsplit(cfg.tile_url.replace("{s}", "a"))
        tiles = f" {parts.scheme}://{parts.netloc.replace('a.', '*.', 1)}"
    cache: dict[str, str] = {}

    def csp() -> str:
        if "v" not in cache:
            hashes = " ".join(script_hashes())  # Dash returns them quoted
            cache["v"] = (
                "default-src 'self'; "
                f"script-src 'self' {hashes}; "
                "style-src 'self' 'unsafe-inline'; "
                f"img-src 'self' data: blob:{tiles}; "
                "font-src 'self' data:; connect-src 'self'; "
                "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
                "form-action 'self'"
            )
        return cache["v"]

    server.before_request(_guard)
    server.after_request(_headers(csp))


def trust_proxies(server: Flask, hops: int) -> None:
    """Behind ``hops`` reverse proxies, take the client's address and scheme from the
    X-Forwarded-For / -Proto headers they set (rate limits, the audit trail, Secure
    cookies), trusting exactly that many hops; with 0, change nothing."""
    if hops > 0:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
