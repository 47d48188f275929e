"""Engine, sessions and the declarative base."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import Engine
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


def database_url() -> str:
    """The URL of the configured database: external if set, else the embedded cluster."""
    s = get_settings()
    if s.database_url:
        return s.database_url
    from geodata.embedded import EmbeddedCluster

    return EmbeddedCluster.from_settings(s).url(s.database_name)


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """A pooled engine for ``url`` (default: the configured database)."""
    return create_engine(
        url or database_url(),
        pool_size=8,
        max_overflow=8,
        pool_pre_ping=True,
        connect_args={"application_name": "minqing"},
    )


@lru_cache(maxsize=4)
def _sessionmaker(url: str | None) -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = _sessionmaker(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
