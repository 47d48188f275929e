"""A database that tests may stop: a second, small embedded cluster with its own app server.

The test session's database lives on the shared embedded cluster under ``.data/``, which
every test (and every other session on this machine) uses: it is never stopped. A test
of an outage gets instead a cluster of its own, made by the same ``EmbeddedCluster`` (so
it authenticates and restricts its socket exactly as the real one) under a temporary
home, migrated, seeded with a small demo city and served by its own gunicorn (``app.py
serve``, as in production). :meth:`OutageServer.stop_database` then kills it as a crash
would and :meth:`OutageServer.start_database` brings it back, while gunicorn keeps
running: what the app answers meanwhile, and whether it recovers by itself, is what the
tests look at.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import servers
from geodata.embedded import EmbeddedCluster
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "minqing_outage"
PORT = 5433  # the socket's port number (socket only: it clashes with nothing)
INCIDENTS = 300


@dataclass
class OutageServer:
    """The app on a database of its own (see the module docstring)."""

    base: str  # http://127.0.0.1:<port>
    cluster: EmbeddedCluster
    kiosk_token: str  # a live wall-screen token of the whole city
    log: Path  # gunicorn's output

    def stop_database(self) -> float:
        """Kill the cluster as a crash would, and wait until it is gone: SIGQUIT to the
        postmaster, which is what ``pg_ctl stop -m immediate`` sends (no checkpoint,
        every backend ends at once, clients are cut mid-statement). Seconds taken."""
        t0 = time.monotonic()
        pid = int((self.cluster.pgdata / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGQUIT)
        while _alive(pid):
            if time.monotonic() - t0 > 30:
                raise RuntimeError(f"postmaster {pid} did not stop within 30 s")
            time.sleep(0.02)
        return time.monotonic() - t0

    def start_database(self) -> float:
        """Start the cluster again (crash recovery); returns when it accepts connections."""
        t0 = time.monotonic()
        self.cluster.start()
        return time.monotonic() - t0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _seed(owner_url: str, incidents: int) -> str:
    """Migrate, seed the demo city and its accounts; a kiosk token (returned)."""
    from geodata import demo, migrate
    from geodata.db import get_admin_engine, session_scope
    from governance.demo_accounts import seed_accounts
    from governance.kiosks import create_kiosk_token

    migrate.upgrade(owner_url)
    with session_scope(owner_url, admin=True) as s:
        demo.seed(s, incidents=incidents, seed=42)
        seed_accounts(s)
    with session_scope(owner_url, admin=True) as s:
        token = create_kiosk_token(s, area_code=None, name="outage wall").token
    get_admin_engine(owner_url).dispose()  # nothing of this process stays connected
    return token


@contextmanager
def outage_server(
    *, incidents: int = INCIDENTS, keep_log: list[bool], stream_server: bool = True
) -> Iterator[OutageServer]:
    """The cluster and the server, torn down afterwards. ``keep_log``: set its first item
    to keep gunicorn's output (copied under .data/) when a test failed. ``stream_server``:
    live streams on the stream server (the default, ``web/streams.py``) or on gunicorn's
    threads (``MINQING_STREAM_SERVER=0``)."""
    home = Path(tempfile.mkdtemp(prefix="minqing-outage-", dir="/tmp"))
    settings = Settings()
    cluster = dataclasses.replace(EmbeddedCluster.from_settings(settings), home=home, port=PORT)
    proc: subprocess.Popen[bytes] | None = None
    log = home / "server.log"
    try:
        cluster.start()
        cluster.ensure_database(DATABASE)
        owner_url = cluster.url(DATABASE)
        token = _seed(owner_url, incidents)
        port = servers.free_port()
        env = {
            "MINQING_ADMIN_DATABASE_URL": owner_url,
            "MINQING_SLA_SWEEP_SECONDS": "0",
            "MINQING_STREAM_SERVER": "1" if stream_server else "0",
        }
        with open(log, "wb") as out:
            proc = servers.spawn(
                port, cluster.url(DATABASE, user=settings.app_db_role), out, env=env
            )
        base = f"http://127.0.0.1:{port}"
        servers.wait_healthy(base, proc, log)
        yield OutageServer(base=base, cluster=cluster, kiosk_token=token, log=log)
    finally:
        try:
            if proc is not None:
                servers.stop(proc)
            cluster.stop()
            if keep_log and keep_log[0] and log.exists():
                name = f"outage_server_{os.getpid()}{'' if stream_server else '_threads'}.log"
                shutil.copy(log, Path(settings.data_dir) / name)
        finally:
            fallback = home / "pg.location"  # a cluster moved out of reach of its user
            if fallback.exists():
                shutil.rmtree(fallback.read_text().strip(), ignore_errors=True)
            shutil.rmtree(home, ignore_errors=True)
