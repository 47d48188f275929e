"""Machine tokens: per-source API clients (12345, 110, IoT ...) and wall-screen kiosks.

A token is ``mq_`` + 43 URL-safe characters (256 random bits), shown once when created.
The database keeps its SHA-256 (``token_hash``, unique) and its first 12 characters
(``token_prefix``, to recognise it in lists and audit records). Authentication hashes the
presented token and looks the hash up: the comparison happens on a digest of 256 random
bits, so its timing tells an attacker nothing about any stored token.

* ``source`` tokens act for one intake channel with explicit scopes
  (:data:`SOURCE_SCOPES`); as a :class:`TokenPrincipal` they hold the capabilities of
  their scopes (``layers:read``: the non-personal map layers), confined to their area.
* ``kiosk`` tokens carry ``wall:view`` and open the wall screen of one area: see
  ``governance/kiosks.py``.

Revocation (which also disables a kiosk's account) is ``governance/token_revocation.py``,
above both this module and ``governance/kiosks.py``.

Every creation and revocation is audited (``permission_change``) in its own transaction,
naming the token by id and prefix, never by its value.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from geodata.models import IncidentSource
from geodata.models_tokens import ApiToken, TokenKind
from geodata.queries import tokens as q
from governance import audit
from governance.access import (
    LAYER_INCIDENTS,
    LAYER_SITES,
    MAP_VIEW,
    USERS_MANAGE,
    WALL_VIEW,
    Principal,
    require,
)
from governance.area_codes import resolve as resolve_area
from governance.errors import Forbidden, InvalidInput, Unauthorized

log = logging.getLogger(__name__)

TOKEN_PREFIX = "mq_"
PREFIX_CHARS = 12  # stored and shown: "mq_" + 9 characters
MAX_TOKEN_CHARS = 100  # anything longer is not one of ours (no hashing of huge headers)
TOUCH_SECONDS = 60  # last_used_at is written at most once a minute
MAX_DAYS = 36_500

INCIDENTS_WRITE = "incidents:write"
INCIDENTS_READ = "incidents:read"
LAYERS_READ = "layers:read"
WALL_SCOPE = "wall:view"
SOURCE_SCOPES = (INCIDENTS_WRITE, INCIDENTS_READ, LAYERS_READ)
KIOSK_SCOPES = (WALL_SCOPE,)
# What a scope lets a token do among the capabilities pages and layers check. The
# persons layer needs PERSONS_COUNTS, which no scope grants: tokens never see persons.
SCOPE_CAPABILITIES: dict[str, frozenset[str]] = {
    LAYERS_READ: frozenset({MAP_VIEW, LAYER_SITES, LAYER_INCIDENTS}),
    WALL_SCOPE: frozenset({WALL_VIEW}),
}
# Short names accepted on the command line, besides the IncidentSource values themselves.
# No system posts as ``patrol``: those cases come only from failed checklist items.
SOURCE_ALIASES: dict[str, str] = {
    "12345": IncidentSource.HOTLINE.value,
    "110": IncidentSource.POLICE.value,
    **{s.value: s.value for s in IncidentSource if s is not IncidentSource.PATROL},
}


@dataclass(frozen=True)
class TokenPrincipal(Principal):
    """A machine acting through a token: not a user session.

    ``user_id`` is 0 (no account); ``username`` is ``token:<prefix>`` so that audit
    records name the token. :meth:`can` answers from the token's scopes, so use cases
    that take a :class:`Principal` (layers, persons) apply to tokens unchanged.
    """

    token_id: int = 0
    kind: str = TokenKind.SOURCE.value
    source: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    token_prefix: str = ""

    def can(self, permission: str) -> bool:
        return any(permission in SCOPE_CAPABILITIES.get(s, frozenset()) for s in self.scopes)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


@dataclass(frozen=True)
class TokenCheck:
    """Outcome of :func:`check_token`: the principal, or why there is none.

    ``reason``: ``ok``, ``malformed``, ``unknown``, ``wrong_kind``, ``revoked``,
    ``expired``. ``token_id`` / ``prefix`` are set once the token was found.
    """

    principal: TokenPrincipal | None
    reason: str
    token_id: int | None = None
    prefix: str | None = None


@dataclass(frozen=True)
class CreatedToken:
    """A new token: ``token`` is the secret, shown once and stored nowhere."""

    id: int
    token: str
    prefix: str
    kind: str
    scopes: tuple[str, ...]
    account: str | None = None  # the kiosk's system account


# ----------------------------------------------------------------------------- helpers
def hash_token(raw: str) -> str:
    """SHA-256 hex of a token, the form the database keeps."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    """A fresh token string (256 random bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def normalize_source(raw: str | None) -> str:
    """An IncidentSource value from a value or a short alias (``12345``, ``110`` ...)."""
    value = SOURCE_ALIASES.get((raw or "").strip().lower())
    if value is None:
        raise InvalidInput("error.token_source", value=raw or "", choices=", ".join(SOURCE_ALIASES))
    return value


def normalize_scopes(scopes: Any, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """Validated, de-duplicated scopes in vocabulary order (at least one)."""
    items = [scopes] if isinstance(scopes, str) else list(scopes or ())
    wanted = {p.strip() for item in items for p in str(item).split(",") if p.strip()}
    bad = sorted(wanted - set(allowed))
    if bad:
        raise InvalidInput(
            "error.token_scope_unknown", value=", ".join(bad), choices=", ".join(allowed)
        )
    if not wanted:
        raise InvalidInput("error.token_scope_missing", choices=", ".join(allowed))
    return tuple(s for s in allowed if s in wanted)


def _name(raw: str | None) -> str:
    name = (raw or "").strip()
    if not name or len(name) > 80:
        raise InvalidInput("error.token_name")
    return name


def _expiry(days: int | None) -> datetime | None:
    if days is None:
        return None
    if not 0 < int(days) <= MAX_DAYS:
        raise InvalidInput("error.token_expiry", max=MAX_DAYS)
    return datetime.now(UTC) + timedelta(days=int(days))


def _area_id(session: Session, code: str | None) -> int | None:
    """The area a token is confined to (None: none given, or the city's own code): any
    code :func:`governance.area_codes.resolve` accepts."""
    ref = resolve_area(session, code)
    return ref.id if ref else None


def check_actor(actor: Principal | None) -> None:
    """Web callers need USERS_MANAGE; ``None`` is the command line (it owns the database)."""
    if actor is not None:
        require(actor, USERS_MANAGE)


def audit_change(
    session: Session, actor: Principal | None, command: str, tok: ApiToken, **extra: Any
) -> None:
    """Audit a token's creation or revocation (by id and prefix, never its value)."""
    area = q.area_code(session, tok.area_id)
    audit.record(
        session,
        action="permission_change",
        user_id=actor.user_id if actor else None,
        username=actor.username if actor else "cli",
        role=actor.role if actor else "sysadmin",
        object_type="api_token",
        object_id=tok.id,
        detail={
            "command": command,
            "kind": tok.kind,
            "name": tok.name,
            "prefix": tok.token_prefix,
            "source": tok.source,
            "scopes": list(tok.scopes),
            "area": area,  # None: the whole city
            "expires_at": tok.expires_at.isoformat() if tok.expires_at else None,
            **extra,
        },
    )


def insert_token(
    session: Session,
    *,
    kind: str,
    name: str,
    source: str | None,
    scopes: tuple[str, ...],
    area_code: str | None,
    expires_days: int | None,
    actor: Principal | None,
) -> tuple[ApiToken, str]:
    """Validate name, area and expiry and add a token row; returns it and its secret.

    Raises
    ------
    InvalidInput
        Bad name or expiry, unknown area code.
    """
    name = _name(name)
    expires_at = _expiry(expires_days)
    area_id = _area_id(session, area_code)
    raw = new_token()
    tok = q.add(
        session,
        kind=kind,
        name=name,
        source=source,
        scopes=list(scopes),
        area_id=area_id,
        token_hash=hash_token(raw),
        token_prefix=raw[:PREFIX_CHARS],
        created_by=actor.user_id if actor and actor.user_id else None,
        expires_at=expires_at,
    )
    return tok, raw


# ----------------------------------------------------------------------------- management
def create_source_token(
    session: Session,
    *,
    source: str,
    scopes: Any,
    name: str | None = None,
    area_code: str | None = None,
    expires_days: int | None = None,
    actor: Principal | None = None,
) -> CreatedToken:
    """A token for an intake source's system (in the caller's transaction, audited).

    Raises
    ------
    InvalidInput
        Unknown source, scope or area code; empty scopes; bad name or expiry.
    """
    check_actor(actor)
    src = normalize_source(source)
    sc = normalize_scopes(scopes, SOURCE_SCOPES)
    tok, raw = insert_token(
        session,
        kind=TokenKind.SOURCE.value,
        name=name or src,
        source=src,
        scopes=sc,
        area_code=area_code,
        expires_days=expires_days,
        actor=actor,
    )
    audit_change(session, actor, "create", tok)
    log.info("created source token #%s %s (%s)", tok.id, tok.token_prefix, src)
    return CreatedToken(tok.id, raw, tok.token_prefix, tok.kind, sc)


def list_tokens(session: Session) -> list[dict[str, Any]]:
    """Every token with its state; no secret, no hash."""
    return q.listing(session)


# ----------------------------------------------------------------------------- authentication
def touch(session: Session, token_id: int) -> None:
    """Record a use of the token, at most once a minute (no write on most requests)."""
    q.touch(session, token_id, TOUCH_SECONDS)


def token_state(tok: ApiToken, kind: str | None) -> str:
    """``ok``, ``wrong_kind``, ``revoked`` or ``expired``."""
    if kind is not None and tok.kind != kind:
        return "wrong_kind"
    if tok.revoked_at is not None:
        return "revoked"
    if tok.expires_at is not None and tok.expires_at <= datetime.now(UTC):
        return "expired"
    return "ok"


def check_token(s: Session, raw: str | None, kind: str | None = None) -> TokenCheck:
    """Look a presented token up by its hash, in the caller's unit of work ``s``; the
    principal if it is live (of ``kind``).

    Refuses malformed, unknown, revoked and expired tokens (and tokens of another kind);
    records the use in ``last_used_at`` at most once a minute (when ``s`` commits).
    """
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > MAX_TOKEN_CHARS:
        return TokenCheck(None, "malformed")
    row = q.by_hash(s, hash_token(raw))
    if row is None:
        return TokenCheck(None, "unknown")
    tok, area_code, area_level, area_name = row
    state = token_state(tok, kind)
    if state != "ok":
        return TokenCheck(None, state, tok.id, tok.token_prefix)
    touch(s, tok.id)
    principal = TokenPrincipal(
        user_id=0,
        username=f"token:{tok.token_prefix}",
        display_name=tok.name,
        role="token",
        area_id=tok.area_id,
        area_code=area_code,
        area_level=area_level,
        area_name=area_name,
        token_id=tok.id,
        kind=tok.kind,
        source=tok.source,
        scopes=frozenset(tok.scopes or ()),
        token_prefix=tok.token_prefix,
    )
    return TokenCheck(principal, "ok", principal.token_id, principal.token_prefix)


def authenticate_token(
    s: Session, raw: str | None, kind: str | None = None
) -> TokenPrincipal | None:
    """The principal of a live token (see :func:`check_token`), else None."""
    return check_token(s, raw, kind).principal


def require_scope(principal: Principal | None, scope: str) -> TokenPrincipal:
    """The principal, if it is a token carrying ``scope``.

    Raises
    ------
    Unauthorized
        No principal at all.
    Forbidden
        A user session, or a token without that scope.
    """
    if principal is None:
        raise Unauthorized("error.token_invalid")
    if not isinstance(principal, TokenPrincipal) or not principal.has_scope(scope):
        raise Forbidden("error.token_scope", scope=scope)
    return principal
