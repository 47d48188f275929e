"""The demo seed ends with a checkpoint (finding 16: a crash soon after a seed replayed
~1.6 GB of write-ahead log, 55 s of 503s at the next start)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from geodata import db, migrate


@pytest.mark.commits
def test_seed_ends_with_a_checkpoint(owner_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Needs commits: the seed writes into a database of its own, dropped at the end, and
    the checkpoint is measured from other connections."""
    from cli.demo import seed_demo
    from settings import get_settings
    from tests.conftest import ADMIN_URL

    url = make_url(owner_url).set(database=make_url(owner_url).database + "_ckpt")
    raw = url.render_as_string(hide_password=False)
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    try:
        migrate.upgrade(raw)
        monkeypatch.setenv("MINQING_ADMIN_DATABASE_URL", raw)
        get_settings.cache_clear()
        db.get_admin_engine.cache_clear()
        db._sessionmaker.cache_clear()
        with admin.connect() as conn:
            before = conn.execute(text("SELECT pg_current_wal_lsn()")).scalar_one()
        seed_demo(300, 7, if_empty=True, reset=False)
        with admin.connect() as conn:
            redo = conn.execute(text("SELECT redo_lsn FROM pg_control_checkpoint()")).scalar_one()
            behind = conn.execute(
                text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), :r)"), {"r": redo}
            ).scalar_one()
            written = conn.execute(
                text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), :b)"), {"b": before}
            ).scalar_one()
        # what a crash now would replay: a small part of what the seed wrote
        assert written > 0 and behind < written / 10, (behind, written)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        db.get_admin_engine.cache_clear()
        db._sessionmaker.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()
