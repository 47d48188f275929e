"""Refused requests in the audit trail, and the throttle that bounds anonymous ones.

Used by the guard, the token and kiosk checks, the API's error handler and the views
(``refused`` for a callback's use case that said no).
"""

from __future__ import annotations

import logging

from flask import request, session

from governance import audit, throttle
from governance.errors import MinqingError
from governance.tokens import TokenCheck
from i18n import current_lang
from web.kiosk_session import is_kiosk_session
from web.session import current_principal, load_session

log = logging.getLogger(__name__)


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
    if p is None and session.get("uid") is not None and not is_kiosk_session():
        p = load_session()[0]
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


def audit_refused_token(what: str, check: TokenCheck, object_id: str) -> None:
    """Audit a refused token. Tokens that are not ours are anonymous refusals, rate-limited
    per address like the guard's (a flood of guesses cannot fill the audit trail)."""
    detail: dict[str, object] = {"check": what, "reason": check.reason}
    if check.token_id is None:
        write, suppressed = admit_anonymous_record()
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
