"""A kiosk's session state: which token opened it, and whether it is locked.

The bottom of the kiosk feature (``web/kiosk.py`` has the route and the locked answers):
the session module asks :func:`load_kiosk_principal` instead of checking the idle and
absolute timeouts, because a kiosk session lives exactly as long as its token.
"""

from __future__ import annotations

import logging
from typing import Final

from flask import request, session

from governance import audit, kiosks
from governance.access import Principal
from governance.accounts import load_principal
from governance.uow import unit_of_work

log = logging.getLogger(__name__)

ENTRY_PREFIX: Final = "/wall/k/"
KIOSK_KEY: Final = "kiosk"  # session: id of the kiosk token the session was opened with
LOCKED_KEY: Final = "kiosk_locked"  # session: the token was found dead (checked, audited once)
LOCKED: Final = "error.kiosk_locked"


def is_kiosk_session() -> bool:
    """Was this request's session opened with a kiosk link?"""
    return session.get(KIOSK_KEY) is not None


def load_kiosk_principal() -> tuple[Principal | None, str | None]:
    """The wall principal of a kiosk session while its token is live, else
    ``(None, LOCKED)``. No idle or absolute timeout: the token bounds the session."""
    if session.get(LOCKED_KEY):
        return None, LOCKED
    token_id = int(session[KIOSK_KEY])
    principal = None
    with unit_of_work() as s:  # committed before a refusal is audited (its own transaction)
        if kiosks.kiosk_token_live(s, token_id):
            principal = load_principal(s, int(session["uid"]), str(session.get("sid") or ""))
    if principal is None:  # token revoked or expired, or its account disabled
        session[LOCKED_KEY] = True
        audit.record_now(
            action="access_denied",
            outcome="denied",
            user_id=int(session["uid"]),
            username=kiosks.account_name(token_id),
            role="wall",
            object_type="api_token",
            object_id=token_id,
            client_addr=request.remote_addr,
            detail={"check": "kiosk", "reason": "locked"},
        )
        log.info("kiosk session of token #%s locked", token_id)
        return None, LOCKED
    return principal, None
