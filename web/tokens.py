"""Bearer tokens on the API: machines (12345, 110, IoT systems), not user sessions.

``Authorization: Bearer mq_...`` on an ``/api/`` request replaces the cookie session:
no cookie is read or set, so CSRF does not apply (a browser never attaches this header
to a cross-site request on its own). The request guard (``web/guard.py``) calls
:func:`authenticate_bearer`; routes needing a scope call :func:`require_scope`.
"""

from __future__ import annotations

import logging

from flask import Response, g, request

from geodata.models_tokens import TokenKind
from governance import tokens as token_service
from governance.tokens import TokenPrincipal
from governance.uow import unit_of_work
from web.errors import json_error
from web.refusals import audit_refused_token

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
    with unit_of_work() as s:  # committed before a refusal is audited (its own transaction)
        check = token_service.check_token(s, raw, TokenKind.SOURCE.value)
    if check.principal is None:
        log.info("bearer token refused on %s %s: %s", request.method, request.path, check.reason)
        audit_refused_token("bearer", check, f"{request.method} {request.path}")
        resp = json_error(401, INVALID)
        resp.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return resp
    g.token = check.principal
    g.principal = check.principal
    return None


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
