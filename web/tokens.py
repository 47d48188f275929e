"""Bearer tokens on the API: machines (12345, 110, IoT systems), not user sessions.

``Authorization: Bearer mq_...`` on an ``/api/`` request replaces the cookie session:
no cookie is read or set, so CSRF does not apply (a browser never attaches this header
to a cross-site request on its own). The request guard (``web/security.py``) calls
:func:`authenticate_bearer`; routes needing a scope call :func:`require_scope`.
"""

from __future__ import annotations

import logging

from flask import Response, g, jsonify, request

from geodata.models_tokens import TokenKind
from governance import audit
from governance import tokens as token_service
from governance.tokens import TokenCheck, TokenPrincipal
from i18n import current_lang, t

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
INVALID = "error.token_invalid"


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header ("" if empty), else None."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def authenticate_bearer(raw: str) -> Response | None:
    """Set ``g.token`` (and ``g.principal``) for a live source token; otherwise a JSON 401,
    audited as ``access_denied`` (naming the token by prefix when it is one of ours)."""
    check = token_service.check_token(raw, TokenKind.SOURCE.value)
    if check.principal is None:
        log.info("bearer token refused on %s %s: %s", request.method, request.path, check.reason)
        audit_refused_token("bearer", check, f"{request.method} {request.path}")
        resp = jsonify(
            {"error": "unauthorized", "message": t(INVALID, current_lang()), "key": INVALID}
        )
        resp.status_code = 401
        resp.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return resp
    g.token = check.principal
    g.principal = check.principal
    return None


def audit_refused_token(what: str, check: TokenCheck, object_id: str) -> None:
    """Audit a refused token. Tokens that are not ours are anonymous refusals, rate-limited
    per address like the guard's (a flood of guesses cannot fill the audit trail)."""
    detail: dict[str, object] = {"check": what, "reason": check.reason}
    if check.token_id is None:
        from web import security  # the guard's limiter (imported late: it imports us)

        write, suppressed = security.admit_anonymous_record()
        if not write:
            return
        if suppressed:
            detail["suppressed_before"] = suppressed
    else:
        detail["token_id"] = check.token_id
    audit.record_now(
        action="access_denied",
        outcome="denied",
        username=f"token:{check.prefix}" if check.prefix else None,
        role="token",
        object_type="route",
        object_id=object_id[:200],
        client_addr=request.remote_addr,
        detail=detail,
    )


def current_token() -> TokenPrincipal | None:
    """The token principal of this request (None for user sessions and anonymous ones)."""
    return getattr(g, "token", None)


def require_scope(scope: str) -> TokenPrincipal:
    """The request's token if it carries ``scope`` (e.g. ``incidents:write``).

    Raises :class:`~governance.errors.Unauthorized` without a token and
    :class:`~governance.errors.Forbidden` for a session user or a token without the scope;
    the API turns them into 401 / 403 (403s are audited there).
    """
    return token_service.require_scope(current_token() or getattr(g, "principal", None), scope)
