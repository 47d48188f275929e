"""Test set-up shared by every suite: a real PostGIS database, migrated and seeded.

Tests never touch the development database: the embedded cluster (or the external
server of MINQING_DATABASE_URL) gets a separate database ``<name>_test_<pid>``, created
fresh for each test session (so concurrent sessions never drop each other's data) and
dropped at its end, migrated with Alembic and loaded with a smaller demo city.
MINQING_DATABASE_URL is pointed at it before any application module reads settings.

Unit tests (tests/unit) need no database: the cluster is started, and the database made,
only when the session holds a test outside tests/unit, so ``pytest tests/unit`` passes
with the database stopped (`make test` runs them so, with no database in reach).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from settings import Settings, get_settings  # noqa: E402

TEST_INCIDENTS = int(os.environ.get("MINQING_TEST_INCIDENTS", "20000"))
SEED = 42


def _test_database() -> tuple[str, str, str]:
    """(app url, owner url, server admin url) of the test database. The app connects as
    the unprivileged role (row-level security applies); migrations and the seed as the
    owner; the server admin url creates and drops the database."""
    base = Settings()
    suffix = f"_test_{os.getpid()}"
    name = f"{base.database_name}{suffix}"
    if base.database_url:
        from sqlalchemy.engine import make_url

        def renamed(raw: str) -> str:
            url = make_url(raw)
            return url.set(database=f"{url.database}{suffix}").render_as_string(hide_password=False)

        owner = base.admin_database_url or base.database_url
        return renamed(base.database_url), renamed(owner), owner
    from geodata.embedded import EmbeddedCluster

    cluster = EmbeddedCluster.from_settings(base)  # started by seeded_database, if needed
    return cluster.url(name, user=base.app_db_role), cluster.url(name), cluster.url("postgres")


def _start_cluster() -> None:
    """Start the embedded cluster unless the tests run on an external server."""
    base = Settings()
    if not base.database_url:
        from geodata.embedded import EmbeddedCluster

        EmbeddedCluster.from_settings(base).start()


def _is_unit(node: pytest.Item) -> bool:
    return (ROOT / "tests" / "unit") in Path(node.path).parents


def _is_integration(node: pytest.Item) -> bool:
    return (ROOT / "tests" / "integration") in Path(node.path).parents


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _recreate(url: str, admin_url: str, *, drop_only: bool = False) -> None:
    """Drop (and unless ``drop_only`` create) the test database; also drop the test
    databases of earlier sessions whose process is gone."""
    import re

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    assert name
    prefix = name.rsplit("_test_", 1)[0] + "_test_"
    eng = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        stale = [
            db
            for (db,) in conn.execute(text("SELECT datname FROM pg_database"))
            if db.startswith(prefix)
            and (m := re.match(r"(\d+)", db[len(prefix) :]))
            and not _pid_alive(int(m.group(1)))
        ]
        for db in {*stale, name}:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        if not drop_only:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng.dispose()


def _restore_database_settings() -> None:
    """The database settings as the user gave them, before this file pointed them at the
    test database: a process started by this one (a pytest-xdist worker) inherits the
    pointed ones, and makes a test database of its own from the originals."""
    for var in ("MINQING_DATABASE_URL", "MINQING_ADMIN_DATABASE_URL"):
        saved = os.environ.get(f"TESTS_ORIGINAL_{var}")
        if saved is None:
            os.environ[f"TESTS_ORIGINAL_{var}"] = os.environ.get(var, "")
        elif saved:
            os.environ[var] = saved
        else:
            os.environ.pop(var, None)


_restore_database_settings()
TEST_URL, OWNER_URL, ADMIN_URL = _test_database()
os.environ["MINQING_DATABASE_URL"] = TEST_URL
os.environ["MINQING_ADMIN_DATABASE_URL"] = OWNER_URL
os.environ["MINQING_SLA_SWEEP_SECONDS"] = "0"  # tests sweep explicitly (test_sla_sweep.py)
os.environ["MINQING_ALERTS_DELIVER_SECONDS"] = "0"  # and send webhooks (test_alerts_webhooks.py)
# Tests roll their writes back, which sends no notification, so a layer cached in one test
# would outlive its rollback into the next: the cache is tested on its own (test_layer_cache.py)
os.environ["MINQING_LAYER_CACHE_MB"] = "0"
# the live-stream server (the default, settings.py) serves the suite's streams, whatever
# the environment says, so every test of a live screen exercises it; the threaded path is
# tested by the in-process client (test_live.py) and tests/integration/test_outage.py
os.environ["MINQING_STREAM_SERVER"] = "1"
get_settings.cache_clear()


@pytest.fixture(scope="session")
def db_url() -> str:
    """The test database URL as the app role (migrated and seeded with the demo city)."""
    return TEST_URL


@pytest.fixture(scope="session")
def owner_url() -> str:
    """The test database URL as the schema owner (sees every row)."""
    return OWNER_URL


@pytest.fixture(scope="session", autouse=True)
def seeded_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """Fresh test database: migrations to head, demo city with TEST_INCIDENTS incidents;
    none at all when every test of the session is a unit test."""
    if all(_is_unit(item) for item in request.session.items):
        yield TEST_URL
        return
    from geodata import demo, migrate
    from geodata.db import session_scope

    _start_cluster()
    _recreate(TEST_URL, ADMIN_URL)
    migrate.upgrade(OWNER_URL)
    from governance.demo_accounts import seed_accounts
    from governance.demo_patrol import seed_patrol

    with session_scope(OWNER_URL, admin=True) as s:
        demo.seed(s, incidents=TEST_INCIDENTS, seed=SEED)
        seed_accounts(s)
        seed_patrol(s, seed=SEED)
    yield TEST_URL
    from geodata.db import get_admin_engine, get_engine
    from governance import live

    live.shutdown()  # the live listener, if a test started one, before its database goes
    get_engine(TEST_URL).dispose()
    get_admin_engine(OWNER_URL).dispose()
    _recreate(TEST_URL, ADMIN_URL, drop_only=True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request: pytest.FixtureRequest) -> None:
    """Each test outside tests/unit starts with empty rate limits (sign-in failures,
    public pages, audit records of anonymous refusals): all test requests come from one
    address."""
    if _is_unit(request.node):
        return
    if _is_integration(request.node):
        request.getfixturevalue("rolled_back")
    from sqlalchemy import text

    from geodata.db import session_scope

    with session_scope(OWNER_URL, admin=True) as s:
        s.execute(text("DELETE FROM rate_limit"))


@pytest.fixture
def session(seeded_database: str, request: pytest.FixtureRequest) -> Iterator:
    """A session of the schema owner (sees every row) in a transaction that is rolled
    back after the test (in tests/integration: the ``rolled_back`` transaction, so it
    sees what the application wrote in the test)."""
    from sqlalchemy.orm import Session

    from geodata.db import get_admin_engine

    joined = request.getfixturevalue("rolled_back") if _is_integration(request.node) else None
    if joined is not None:
        with joined(OWNER_URL, True)() as sess:
            yield sess
        return
    conn = get_admin_engine(OWNER_URL).connect()
    trans = conn.begin()
    sess = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        yield sess
    finally:
        sess.close()
        trans.rollback()
        conn.close()


def demo_password(username: str) -> str:
    from governance.demo_accounts import DEMO_ACCOUNTS

    return next(a.password for a in DEMO_ACCOUNTS if a.username == username)


def signed_in_client(username: str):  # type: ignore[no-untyped-def]
    """A Flask test client of the full app, signed in through the login form."""
    import re

    from app import server

    server.config["TESTING"] = True
    client = server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    resp = client.post(
        "/login",
        data={
            "username": username,
            "password": demo_password(username),
            "csrf_token": token,
            "next": "/",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return client


@pytest.fixture(scope="session")
def flask_client(seeded_database: str):  # type: ignore[no-untyped-def]
    """Flask test client of the full app (Dash + API), signed in as the commander."""
    return signed_in_client("commander")


@pytest.fixture
def anon_client(seeded_database: str):  # type: ignore[no-untyped-def]
    """A Flask test client that is not signed in."""
    from app import server

    return server.test_client()


LIVE_SERVERS: dict[str, subprocess.Popen[bytes]] = {}  # base URL -> its server process


@pytest.fixture(scope="session")
def live_server(seeded_database: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """The app served by gunicorn in a subprocess on a free port; yields its base URL.
    Its log (``.data/live_server_<port>.log``) is kept only when a test failed."""
    from bench import servers

    port = servers.free_port()
    log = open(ROOT / ".data" / f"live_server_{port}.log", "w")
    # never recycled: its one worker, recycled mid-test (after ~2,000 requests), left the
    # server down for ~20 s (draining its live streams, then booting) and a page load of
    # whichever test ran then timed out; recycling is tested on its own server
    # (tests/integration/test_file_bombs.py)
    proc = servers.spawn(port, seeded_database, log, env={"MINQING_MAX_REQUESTS": "0"})
    base = f"http://127.0.0.1:{port}"
    servers.wait_healthy(base, proc, log.name)
    LIVE_SERVERS[base] = proc
    yield base
    LIVE_SERVERS.pop(base, None)
    servers.stop(proc)
    log.close()
    if not request.session.testsfailed:
        Path(log.name).unlink(missing_ok=True)


@pytest.fixture
def rolled_back(
    seeded_database: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Callable[[str | None, bool], Callable[[], Any]] | None]:
    """Every session the application opens in this test (app role or owner) joins one
    transaction on one connection, rolled back after the test: nothing the test writes
    stays in the shared test database.

    Each session starts in a savepoint under the role it would have had (``SET ROLE`` the
    app role, or the owner's), with its row-level-security scope unset or whole, as a new
    connection would; the service's commit releases the savepoint, and closing the
    session gives the connection back the role and scope it had before (so the test's own
    ``session`` stays the owner's). Yields the session factory (None for a test marked
    ``commits``). For tests in one process only (not the live server), and not for what
    needs a real commit: a second connection or thread seeing the rows, LISTEN/NOTIFY, a
    subprocess, or ``now()`` moving on (it is the test's start throughout): those are
    marked ``commits`` and clean up after themselves (the incidents they add are deleted
    here, whatever the outcome).
    """
    from sqlalchemy import text

    from geodata.db import session_scope as db_session

    if request.node.get_closest_marker("commits"):
        with db_session(OWNER_URL, admin=True) as s:  # its incidents are deleted after it
            last = s.execute(text("SELECT coalesce(max(id), 0) FROM incident")).scalar_one()
        yield None
        with db_session(OWNER_URL, admin=True) as s:
            s.execute(text("UPDATE incident SET merged_into_id = NULL WHERE merged_into_id > :i"),
                      {"i": last})  # fmt: skip
            s.execute(text("DELETE FROM incident WHERE id > :i"), {"i": last})
        return
    from sqlalchemy.engine import make_url
    from sqlalchemy.orm import Session

    import geodata.db as db
    from geodata.db import ALL_AREAS, SCOPE_SETTING, get_admin_engine

    app_role = get_settings().app_db_role
    conn = get_admin_engine(OWNER_URL).connect()
    outer = conn.begin()
    set_scope = text("SELECT set_config(:n, :v, true)")
    now = text("SELECT current_user, current_setting(:n, true)")

    class Joined(Session):
        """A session in a savepoint of the test's transaction; on close, the role and
        scope the connection had before it."""

        def __init__(self, admin: bool) -> None:
            super().__init__(bind=conn, join_transaction_mode="create_savepoint",
                             expire_on_commit=False)  # fmt: skip
            self._before = conn.execute(now, {"n": SCOPE_SETTING}).one()
            self.execute(text("RESET ROLE" if admin else f'SET ROLE "{app_role}"'))
            self.execute(set_scope, {"n": SCOPE_SETTING, "v": ALL_AREAS if admin else ""})

        def close(self) -> None:
            super().close()
            role, scope = self._before
            conn.execute(text(f'SET ROLE "{role}"'))
            conn.execute(set_scope, {"n": SCOPE_SETTING, "v": scope or ""})

    ours = {make_url(TEST_URL).database}
    own_sessions = db._sessionmaker

    def sessions(url: str | None, admin: bool) -> Callable[[], Session]:
        target = url or (db.admin_database_url() if admin else db.database_url())
        if make_url(target).database not in ours:  # a test's private database: as it was
            return own_sessions(url, admin)
        return lambda: Joined(admin)

    monkeypatch.setattr(db, "_sessionmaker", sessions)
    try:
        yield sessions
    finally:
        outer.rollback()
        conn.close()
