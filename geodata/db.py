"""Engine, sessions and the declarative base."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from settings import get_settings

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Row-level security (migration 0006) reads the caller's area scope from this setting,
# set per transaction: a code prefix, "*" for the whole jurisdiction; unset sees nothing.
SCOPE_SETTING = "minqing.scope"
ALL_AREAS = "*"
# Server settings of every connection the app opens. JIT off: every statement the app
# runs is interactive (a screen, an export, a sweep) and well under a second, yet at 10M
# incidents the planner's estimates cross ``jit_above_cost`` and it compiled for longer
# than the query ran: the dispatch board's counts spent 0.77 s of 0.83 s compiling
# (docs/scale.md, "JIT"). Set per connection, so it holds on an external cluster too.
CONNECTION_OPTIONS = "-c jit=off"


def database_url() -> str:
    """The URL the application connects with: external if set, else the embedded cluster
    as the unprivileged app role (no superuser, no BYPASSRLS)."""
    s = get_settings()
    if s.database_url:
        return s.database_url
    from geodata.embedded import EmbeddedCluster

    return EmbeddedCluster.from_settings(s).url(s.database_name, user=s.app_db_role)


def admin_database_url() -> str:
    """The URL of the schema owner (migrations, demo seed, maintenance)."""
    s = get_settings()
    if s.admin_database_url:
        return s.admin_database_url
    if s.database_url:
        return s.database_url
    from geodata.embedded import EmbeddedCluster

    return EmbeddedCluster.from_settings(s).url(s.database_name)


def _engine(url: str, *, admin: bool) -> Engine:
    options = CONNECTION_OPTIONS
    if admin:  # the owner is subject to FORCEd row-level security too: it sees everything
        options += f" -c {SCOPE_SETTING}={ALL_AREAS}"
    connect_args = {"application_name": "minqing-admin" if admin else "minqing", "options": options}
    return create_engine(
        url, pool_size=8, max_overflow=8, pool_pre_ping=True, connect_args=connect_args
    )


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """A pooled engine for ``url`` (default: the configured database, as the app role)."""
    return _engine(url or database_url(), admin=False)


@lru_cache(maxsize=4)
def get_admin_engine(url: str | None = None) -> Engine:
    """A pooled engine of the schema owner for ``url`` (default: admin_database_url)."""
    return _engine(url or admin_database_url(), admin=True)


@lru_cache(maxsize=8)
def _sessionmaker(url: str | None, admin: bool) -> sessionmaker[Session]:
    engine = get_admin_engine(url) if admin else get_engine(url)
    return sessionmaker(bind=engine, expire_on_commit=False)


def set_scope(session: Session, scope: str | None) -> None:
    """Set the row-level-security scope for the rest of the session's transaction."""
    session.execute(
        text("SELECT set_config(:name, :value, true)"),
        {"name": SCOPE_SETTING, "value": scope or ""},
    )


@contextmanager
def scope_within(session: Session, scope: str | None) -> Iterator[None]:
    """Inside the block the transaction's row-level-security scope is ``scope``; after
    it, the scope it had before (for a use case that must read wider or narrower than
    its caller's unit of work, e.g. the names a masking step needs)."""
    before = session.execute(
        text("SELECT current_setting(:name, true)"), {"name": SCOPE_SETTING}
    ).scalar()
    set_scope(session, scope)
    try:
        yield
    finally:
        set_scope(session, before or None)


@contextmanager
def session_scope(
    url: str | None = None, *, scope: str | None = None, admin: bool = False
) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error.

    ``scope`` is the area-code prefix the transaction may see in the tables under
    row-level security (``ALL_AREAS`` for the whole jurisdiction; None: none of their
    rows). ``admin`` connects as the schema owner (``url`` is then an admin URL).
    """
    session = _sessionmaker(url, admin)()
    try:
        if scope is not None:
            set_scope(session, scope)
        yield session
        session.commit()
        seal_audit(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


AUDIT_UNSEALED = "audit_unsealed"  # geodata.queries.audit.UNSEALED


def seal_audit(session: Session) -> None:
    """After a commit: if the transaction appended audit records, see that they are
    linked into the chain, without waiting for another sealer.

    Counts a request to seal, then tries the sealer (``audit_log_seal_pending``) without
    waiting for the chain lock: if another sealer holds it, that one will see the count
    moved and seal again, so this writer leaves. A sealer that sealed checks the count
    after its commit and seals once more if it moved (unless another took over). One
    sealer links every writer's committed records, so writers never queue behind it.
    The action is committed already: a failure here is logged, and the next sealer links
    what is left."""
    if not session.info.pop(AUDIT_UNSEALED, False):
        return
    try:
        session.execute(text("SELECT nextval('audit_seal_request_seq')"))  # count a request
        for _ in range(SEAL_ROUNDS):
            # A seal lost in a crash is made again, identically, by the next sealer (the
            # same rows, the same head): its commit need not wait for the disk.
            session.execute(text("SET LOCAL synchronous_commit = off"))
            seen = _seal_requests(session)
            sealed = seal_pending(session, wait=False)
            session.commit()
            if sealed is None or _seal_requests(session) == seen:
                break
        session.commit()
    except DBAPIError:
        session.rollback()
        log.warning("audit records left unsealed for the next sealer", exc_info=True)


#: Rounds one writer seals at most while others keep asking (then the next one does).
SEAL_ROUNDS = 20


def seal_pending(session: Session, *, wait: bool = True) -> int | None:
    """Link every committed audit record not yet in the chain, up to the horizon (every
    id below it decided), in id order; returns how many (``audit_log_seal_pending``), or
    None when ``wait`` is false and another sealer holds the chain lock. Holds the chain
    lock until the session's transaction ends: commit soon after. (Here rather than in
    ``geodata/queries/audit.py``, which re-exports it: the unit of work runs it.)"""
    n = session.execute(text("SELECT audit_log_seal_pending(:w)"), {"w": wait}).scalar_one()
    return None if n is None else int(n)


def _seal_requests(session: Session) -> int:
    """How many requests to seal were counted so far (a sequence: every session sees a
    count at once, before the counting transaction ends)."""
    return int(session.execute(text("SELECT last_value FROM audit_seal_request_seq")).scalar_one())
