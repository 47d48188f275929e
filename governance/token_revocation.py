"""Revoking a machine token. It sits above ``governance/tokens.py`` and
``governance/kiosks.py``: revoking a kiosk token also disables the kiosk's system account
(which ends its sessions), so this is the one place that knows both.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from geodata.models_tokens import TokenKind
from geodata.queries import tokens as q
from governance.access import Principal
from governance.errors import InvalidInput, NotFound
from governance.kiosks import disable_account
from governance.tokens import audit_change, check_actor

log = logging.getLogger(__name__)


def revoke_token(session: Session, token_id: int, *, actor: Principal | None = None) -> dict:
    """Revoke a token at once (in the caller's transaction, audited). A kiosk's system
    account is disabled too, which ends its sessions.

    Raises
    ------
    NotFound
        No token with that id.
    InvalidInput
        The token is already revoked.
    """
    check_actor(actor)
    tok = q.by_id(session, token_id, lock=True)
    if tok is None:
        raise NotFound("error.not_found", what=f"token {token_id}")
    if tok.revoked_at is not None:
        raise InvalidInput("error.token_revoked_already", id=tok.id)
    tok.revoked_at = datetime.now(UTC)
    extra: dict[str, Any] = {}
    if tok.kind == TokenKind.KIOSK:
        account = disable_account(session, tok)
        if account:
            extra["account"] = account
    audit_change(session, actor, "revoke", tok, **extra)
    log.info("revoked token #%s %s", tok.id, tok.token_prefix)
    return {"id": tok.id, "prefix": tok.token_prefix, "kind": tok.kind, **extra}
