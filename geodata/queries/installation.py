"""What an installation already holds (``python app.py init --empty`` starts only on none)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def holdings(s: Session) -> tuple[int, int, int]:
    """(areas, accounts, incidents) in the database."""
    row = s.execute(
        text(
            "SELECT (SELECT count(*) FROM area), (SELECT count(*) FROM app_user), "
            "(SELECT count(*) FROM incident)"
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])
