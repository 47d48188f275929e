"""SQL of machine tokens (``api_token``): new rows, the list (never a hash), lookup by
hash or id, the rate-limited ``last_used_at`` write.

The rules (scopes, kinds, expiry, who may create or revoke) live in
``governance/tokens.py``, ``governance/kiosks.py`` and ``governance/token_revocation.py``;
these functions run in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geodata.models import Area
from geodata.models_tokens import ApiToken


def add(session: Session, **columns: Any) -> ApiToken:
    """A new token row (``columns`` as the model names them), flushed: its id is known."""
    tok = ApiToken(**columns)
    session.add(tok)
    session.flush()
    return tok


def by_id(session: Session, token_id: int, *, lock: bool = False) -> ApiToken | None:
    """The token ``token_id``; with ``lock``, held (FOR UPDATE) until the transaction ends."""
    return session.get(ApiToken, int(token_id), with_for_update=True if lock else None)


def by_hash(
    session: Session, token_hash: str
) -> tuple[ApiToken, str | None, str | None, str | None] | None:
    """The token of hash ``token_hash`` with its area's code, level and name (None, None,
    None: the whole city); None if there is no such token."""
    row = session.execute(
        select(ApiToken, Area.code, Area.level, Area.name)
        .outerjoin(Area, Area.id == ApiToken.area_id)
        .where(ApiToken.token_hash == token_hash)
    ).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


def area_code(session: Session, area_id: int | None) -> str | None:
    """The code of area ``area_id`` (None for None: the whole city)."""
    if area_id is None:
        return None
    return session.execute(select(Area.code).where(Area.id == area_id)).scalar()


def listing(session: Session) -> list[dict[str, Any]]:
    """Every token with its state (``active``, ``expired``, ``revoked``), by id."""
    rows = session.execute(
        text("""
        SELECT t.id, t.kind, t.name, t.source, t.scopes, t.token_prefix AS prefix,
               a.code AS area_code, a.name AS area_name, t.created_at, t.expires_at,
               t.revoked_at, t.last_used_at,
               CASE WHEN t.revoked_at IS NOT NULL THEN 'revoked'
                    WHEN t.expires_at IS NOT NULL AND t.expires_at <= now() THEN 'expired'
                    ELSE 'active' END AS state
        FROM api_token t LEFT JOIN area a ON a.id = t.area_id
        ORDER BY t.id""")
    ).mappings()
    return [dict(r) for r in rows]


def touch(session: Session, token_id: int, every_seconds: int) -> None:
    """Record a use of the token, unless one was recorded in the last ``every_seconds``
    (no write on most requests)."""
    session.execute(
        text(
            "UPDATE api_token SET last_used_at = now() WHERE id = :i AND "
            "(last_used_at IS NULL OR last_used_at < now() - make_interval(secs => :s))"
        ),
        {"i": token_id, "s": every_seconds},
    )
