"""What the application asks of the database server itself: its PostGIS and schema
versions for ``/healthz``, and whether row-level security binds the role it connects as.
Each takes an open connection of the caller's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection


def row_security_bypassed(conn: Connection) -> bool:
    """Does the connected role escape row-level security (a superuser or BYPASSRLS)?"""
    return bool(
        conn.execute(
            text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).scalar()
    )


def facts(conn: Connection) -> dict[str, Any]:
    """PostGIS library version, the schema's Alembic revision (None before the first
    migration) and :func:`row_security_bypassed`."""
    return {
        "postgis": conn.execute(text("SELECT postgis_lib_version()")).scalar_one(),
        "schema": conn.execute(text("SELECT version_num FROM alembic_version")).scalar(),
        "bypassed": row_security_bypassed(conn),
    }
