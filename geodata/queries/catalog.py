"""Reference lists read by ``governance/catalog.py`` (which caches them per process)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def category_rows(session: Session) -> list[tuple[str, str | None, str, str, str, int]]:
    """Every incident category as ``(code, parent_code, name_zh, name_en, color,
    default_priority)``, groups and leaves, in display order (``sort_order``, code)."""
    rows = session.execute(
        text(
            "SELECT code, parent_code, name_zh, name_en, color, default_priority "
            "FROM incident_category ORDER BY sort_order, code"
        )
    ).all()
    return [tuple(r) for r in rows]
