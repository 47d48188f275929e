"""Signing in: throttled per client address and overall, then the password check.

The per-account lockout (``governance/accounts.py``) stops guessing one account's
password; it does nothing against trying one common password on every account from one
address (password spraying: 60 attempts in 10 s were all answered at full speed), nor
against the same spread over many addresses. Here, before any password is checked:

* failed sign-ins per client address: at most :data:`~governance.throttle.SIGNIN_FAILURES_PER_ADDRESS`;
* failed sign-ins of everyone: at most :data:`~governance.throttle.SIGNIN_FAILURES_ALL`
  (a distributed attack slows every sign-in for a while, which is the point);

counted in PostgreSQL, so every worker and node shares them. Only failures count: a
county office behind one address signing in at 8:00 is not throttled, its typos are.
A refused attempt costs no password check and answers 429 with ``Retry-After``; the
first refusal of a window is audited with the number refused since the last record.
A malformed user name (a NUL byte, a lone surrogate, 10,000 characters) is a failed
attempt like any other: audited, counted, answered with the same message.
"""

from __future__ import annotations

import logging

from geodata.db import session_scope
from governance import accounts, audit, inputs, throttle
from governance.access import Principal
from governance.errors import InvalidInput, Unauthorized
from settings import get_settings

log = logging.getLogger(__name__)

LIMITS = (
    (throttle.SIGNIN_FAILURES_PER_ADDRESS, None),
    (throttle.SIGNIN_FAILURES_ALL, throttle.GLOBAL),
)


def _key(limit_key: str | None, client_addr: str | None) -> str:
    return limit_key or client_addr or "?"


def sign_in(username: object, password: object, client_addr: str | None) -> Principal:
    """The principal of a correct username and password, or :class:`Unauthorized` (one
    message for every reason), or :class:`~governance.throttle.TooMany` (429).

    Takes no unit of work BY DESIGN: every step is its own transaction because a refused
    attempt must leave its traces although the sign-in fails (the throttle's counters,
    :func:`_failed`; the account's failure count and lockout,
    :func:`governance.accounts.authenticate`; the audit records, ``audit.record_now``)."""
    with session_scope() as s:
        for limit, key in LIMITS:
            verdict = throttle.peek(s, limit, _key(key, client_addr))
            if not verdict.allowed:
                break
    if not verdict.allowed:
        _audit_throttled(limit, verdict, username, client_addr)
        raise throttle.TooMany("error.signin.throttled", verdict.retry_after)
    secret = password if isinstance(password, str) else ""
    try:
        name = inputs.text(username, "username", max_len=64, required=True) or ""
    except InvalidInput as err:
        accounts.burn_verification(secret)
        _failed(client_addr)
        audit.record_now(
            action="login_failed",
            outcome="failure",
            client_addr=client_addr,
            detail={"reason": "malformed_username", "key": err.key},
        )
        raise Unauthorized(
            "error.bad_credentials", minutes=get_settings().lockout_minutes
        ) from None
    try:
        return accounts.authenticate(name, secret, client_addr)
    except Unauthorized:
        _failed(client_addr)
        raise


def _failed(client_addr: str | None) -> None:
    """Count one failed sign-in in every limit."""
    with session_scope() as s:
        for limit, key in LIMITS:
            throttle.count(s, limit, _key(key, client_addr))


def _audit_throttled(
    limit: throttle.Limit, verdict: throttle.Verdict, username: object, client_addr: str | None
) -> None:
    log.info("sign-in throttled (%s) from %s", limit.name, client_addr)
    if not verdict.audit:
        return
    name = username if isinstance(username, str) and inputs.is_clean(username) else None
    detail: dict[str, object] = {"reason": "throttled", "limit": limit.name}
    if verdict.suppressed_before:
        detail["suppressed_before"] = verdict.suppressed_before
    audit.record_now(
        action="login_failed",
        outcome="denied",
        username=name[:64] if name else None,
        client_addr=client_addr,
        detail=detail,
    )
