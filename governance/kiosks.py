"""Wall-screen kiosks: a kiosk token and the system account it signs in as.

A kiosk token (``kind = 'kiosk'``, scope ``wall:view``) opens the wall screen of one area
(or of the whole city). Each has a system account ``kiosk-<token id>``: role ``wall``, the
token's area, a password hash argon2 cannot parse (so no password ever signs it in). A
kiosk session is therefore an ordinary server-side session of that account, with a real
user id in every audit record; the request guard re-checks the token itself on every
request (``web/kiosk.py``), and revoking the token disables the account too
(``governance/token_revocation.py``, which sits above this module and ``tokens``).
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from geodata.models import AppUser, Role
from geodata.models_tokens import ApiToken, TokenKind
from geodata.queries import tokens as token_rows
from geodata.queries import users as user_rows
from governance.access import Principal
from governance.accounts import principal_of, set_disabled
from governance.errors import InvalidInput
from governance.tokens import (
    KIOSK_SCOPES,
    CreatedToken,
    TokenCheck,
    audit_change,
    check_actor,
    check_token,
    insert_token,
    token_state,
    touch,
)

log = logging.getLogger(__name__)

ACCOUNT_PREFIX = "kiosk-"
# argon2 cannot parse this, so no password ever matches it (InvalidHashError: a failure)
UNUSABLE_PASSWORD = "!kiosk-token-only"


def account_name(token_id: int) -> str:
    """The system account of kiosk token ``token_id``."""
    return f"{ACCOUNT_PREFIX}{int(token_id)}"


def create_kiosk_token(
    session: Session,
    *,
    area_code: str | None,
    name: str,
    expires_days: int | None = None,
    actor: Principal | None = None,
) -> CreatedToken:
    """A wall-screen token for one area (None: the whole city) and its system account
    (in the caller's transaction, audited).

    Raises
    ------
    InvalidInput
        Unknown area code, bad name or expiry, or the account name is taken.
    """
    check_actor(actor)
    tok, raw = insert_token(
        session,
        kind=TokenKind.KIOSK.value,
        name=name,
        source=None,
        scopes=KIOSK_SCOPES,
        area_code=area_code,
        expires_days=expires_days,
        actor=actor,
    )
    account = _account(session, tok, create=True)
    assert account is not None
    audit_change(session, actor, "create", tok, account=account.username)
    log.info("created kiosk token #%s %s (area %s)", tok.id, tok.token_prefix, area_code)
    return CreatedToken(tok.id, raw, tok.token_prefix, tok.kind, KIOSK_SCOPES, account.username)


def _account(session: Session, tok: ApiToken, *, create: bool) -> AppUser | None:
    """The kiosk's system account: found by name, created if missing and ``create``.
    An account of that name that is not a wall account of the token's area is refused."""
    username = account_name(tok.id)
    user = user_rows.user_by_name(session, username)
    if user is None and create:
        user = user_rows.add_user(
            session,
            username=username,
            display_name=tok.name[:80],
            password_hash=UNUSABLE_PASSWORD,
            role=Role.WALL.value,
            area_id=tok.area_id,
        )
    elif user is not None and (user.role != Role.WALL or user.area_id != tok.area_id):
        if create:
            raise InvalidInput("error.user_exists", username=username)
        log.warning("account %s is not the wall account of kiosk token #%s", username, tok.id)
        return None
    return user


def disable_account(session: Session, tok: ApiToken) -> str | None:
    """Disable a revoked kiosk's account, ending its sessions; returns its name."""
    account = _account(session, tok, create=False)
    if account is None:
        return None
    set_disabled(session, account.username)
    return account.username


def kiosk_sign_in(s: Session, raw: str | None) -> tuple[Principal | None, TokenCheck]:
    """The principal of a live kiosk token's system account (created if missing), in the
    caller's unit of work ``s``.

    Returns ``(None, check)`` when the token is not a live kiosk token, or its account
    is disabled or is not the token's wall account.
    """
    check = check_token(s, raw, TokenKind.KIOSK.value)
    if check.principal is None or check.token_id is None:
        return None, check
    tok = token_rows.by_id(s, check.token_id)
    account = _account(s, tok, create=True) if tok is not None else None
    if account is None or account.disabled:
        return None, TokenCheck(None, "no_account", check.token_id, check.prefix)
    return principal_of(s, account), check


def kiosk_token_live(s: Session, token_id: int) -> bool:
    """Is kiosk token ``token_id`` still live (not revoked, not expired)? Asked by the
    request guard on every request of a kiosk session, in its unit of work ``s``;
    records the use."""
    tok = token_rows.by_id(s, token_id)
    if tok is None or token_state(tok, TokenKind.KIOSK.value) != "ok":
        return False
    touch(s, tok.id)
    return True
