"""The private PostgreSQL + PostGIS cluster under ``.data/`` (socket only, no TCP).

``initdb`` refuses to run as root, so as root the cluster belongs to a dedicated system
user and every server command runs through ``runuser``. That user must be able to
traverse every parent of the data directory; CI clones into folders we do not choose,
so when it cannot, the cluster falls back to ``/var/lib/minqing/<hash>`` and says so.

Every connection is authenticated (``peer``: the connecting process's operating-system
user, through the map in ``pg_ident.conf``): root and the cluster's user may connect as
the superuser, the app server's user only as the unprivileged app role, and nobody else
at all. The socket directory is ``0750`` to the group of the two service users
(``geodata/host.py``), so other local accounts cannot reach the socket either. The
files are written again at every start, so a cluster made by an older version (which
trusted every local connection) is closed at its next start.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import pwd
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from geodata import host
from settings import Settings

log = logging.getLogger(__name__)

SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; leave room for ".s.PGSQL.NNNNN"
SERVER_CONF = """\
# Written by MinQing Map (geodata/embedded.py). Socket only: no TCP port.
listen_addresses = ''
unix_socket_directories = '{sockdir}'
port = {port}
max_connections = 100
shared_buffers = 256MB
work_mem = 32MB
maintenance_work_mem = 256MB
effective_cache_size = 2GB
random_page_cost = 1.1
max_wal_size = 2GB
logging_collector = off
timezone = 'UTC'
unix_socket_permissions = {sock_mode}
{sock_group}password_encryption = 'scram-sha-256'
"""
HBA_CONF = """\
# Written by MinQing Map (geodata/embedded.py) at every start: edits are lost.
# Unix socket only (listen_addresses = ''). Each connection is authenticated by the
# operating-system user of the connecting process, mapped to the roles it may use in
# pg_ident.conf ("{mapname}"). No trust, no TCP.
# TYPE  DATABASE  USER  METHOD
local   all       all   peer map={mapname}
"""
IDENT_HEAD = """\
# Written by MinQing Map (geodata/embedded.py) at every start: edits are lost.
# MAPNAME  SYSTEM-USER  DATABASE-ROLE
"""
IDENT_MAP = "minqing"


class ClusterError(RuntimeError):
    """The embedded cluster cannot be set up or started; the message says why."""


def _pg_bindir() -> Path:
    """The newest installed server bin dir (Debian layout) that has PostGIS."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    for initdb in candidates:
        version = initdb.parent.parent.name
        if any(Path(f"/usr/share/postgresql/{version}/extension").glob("postgis.control")):
            return initdb.parent
    raise ClusterError(
        "PostgreSQL with PostGIS is not installed. Run as root:\n"
        "  apt-get install -y postgresql-15-postgis-3"
    )


@dataclass
class EmbeddedCluster:
    """A socket-only PostgreSQL cluster owned by ``user`` (when we are root)."""

    home: Path
    user: str
    port: int
    app_user: str = "minqing"  # the web server's system user (when started as root)
    app_role: str = "minqing_app"  # the only database role it may use

    @classmethod
    def from_settings(cls, s: Settings) -> EmbeddedCluster:
        return cls(
            home=Path(s.data_dir).resolve(),
            user=s.pg_user,
            port=s.pg_port,
            app_user=s.app_user or "root",
            app_role=s.app_db_role,
        )

    # -- locations ---------------------------------------------------------------------
    @property
    def as_root(self) -> bool:
        return os.geteuid() == 0

    @property
    def base(self) -> Path:
        """Where the cluster lives: ``.data/`` or, if the server user cannot reach it,
        a fallback outside the checkout (recorded in ``.data/pg.location``)."""
        marker = self.home / "pg.location"
        if marker.exists():
            return Path(marker.read_text().strip())
        return self.home

    @property
    def pgdata(self) -> Path:
        return self.base / "pg"

    @property
    def sockdir(self) -> Path:
        sock = self.base / "run"
        if len(str(sock)) > SOCKET_PATH_MAX:
            digest = hashlib.sha1(str(self.home).encode()).hexdigest()[:10]
            return Path(f"/tmp/minqing-{digest}")
        return sock

    @property
    def logfile(self) -> Path:
        return self.base / "pg.log"

    def url(self, dbname: str, user: str = "postgres") -> str:
        """SQLAlchemy URL for ``dbname`` as ``user`` over the cluster's unix socket."""
        return f"postgresql+psycopg2://{user}@/{dbname}?host={self.sockdir}&port={self.port}"

    # -- process helpers ---------------------------------------------------------------
    def _as_owner(self, *argv: str | Path) -> list[str]:
        args = [str(a) for a in argv]
        return ["runuser", "-u", self.user, "--", *args] if self.as_root else args

    def _run(self, *argv: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = self._as_owner(*argv)
        log.debug("running %s", cmd)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if check and proc.returncode != 0:
            raise ClusterError(f"{' '.join(cmd)} failed:\n{proc.stdout}{proc.stderr}")
        return proc

    def _ensure_user(self) -> None:
        """The cluster's and the app server's system users, both in host.DB_GROUP."""
        if not self.as_root:
            return
        host.ensure_user(self.user, "MinQing Map embedded PostGIS", groups=(host.DB_GROUP,))
        if self.app_user != "root":
            host.ensure_user(self.app_user, "MinQing Map web server", groups=(host.DB_GROUP,))

    def _owner_can_reach(self, path: Path) -> bool:
        if not self.as_root:
            return True
        probe = subprocess.run(["runuser", "-u", self.user, "--", "test", "-x", str(path)])
        return probe.returncode == 0

    def _chown(self, *paths: Path, group: str | None = None) -> None:
        if self.as_root:
            for p in paths:
                host.chown(p, self.user, group)

    def _ident_lines(self) -> list[tuple[str, str]]:
        """(system user, database role) pairs allowed to connect."""
        if not self.as_root:
            me = pwd.getpwuid(os.geteuid()).pw_name
            return [(me, "postgres"), (me, self.app_role)]
        pairs = [("root", "postgres"), ("root", self.app_role), (self.user, "postgres")]
        if self.app_user != "root":
            pairs.append((self.app_user, self.app_role))
        return pairs

    def _configure(self) -> None:
        """Write the server settings and the authentication rules (every start)."""
        group = f"unix_socket_group = '{host.DB_GROUP}'\n" if self.as_root else ""
        conf = SERVER_CONF.format(
            sockdir=self.sockdir,
            port=self.port,
            sock_mode="0770" if self.as_root else "0700",
            sock_group=group,
        )
        ident = IDENT_HEAD + "".join(
            f"{IDENT_MAP}  {who}  {role}\n" for who, role in self._ident_lines()
        )
        files = {
            "minqing.conf": conf,
            "pg_hba.conf": HBA_CONF.format(mapname=IDENT_MAP),
            "pg_ident.conf": ident,
        }
        for name, body in files.items():
            path = self.pgdata / name
            path.write_text(body)
            path.chmod(0o600)
            self._chown(path)

    def _restrict(self) -> None:
        """The narrowest modes that work: the data home can be traversed but not listed
        by the service users; the socket directory only by their group."""
        self.home.chmod(0o711 if self.as_root else 0o700)
        if self.base != self.home:
            self.base.chmod(0o711 if self.as_root else 0o700)
        self.sockdir.mkdir(parents=True, exist_ok=True)
        self.sockdir.chmod(0o750 if self.as_root else 0o700)
        self._chown(self.sockdir, group=host.DB_GROUP if self.as_root else None)
        self.logfile.touch(exist_ok=True)
        self.logfile.chmod(0o600)
        self._chown(self.logfile)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / "cluster.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- lifecycle -----------------------------------------------------------------------
    def initialized(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def init(self) -> bool:
        """Create the cluster if it does not exist. Returns True if it was created."""
        if self.initialized():
            return False
        bindir = _pg_bindir()
        self._ensure_user()
        self.home.mkdir(parents=True, exist_ok=True)
        self.home.chmod(0o711 if self.as_root else 0o700)
        if not self._owner_can_reach(self.home):
            digest = hashlib.sha1(str(self.home).encode()).hexdigest()[:10]
            fallback = Path("/var/lib/minqing") / digest
            log.warning(
                "user %s cannot traverse the parents of %s; the cluster goes to %s instead",
                self.user,
                self.home,
                fallback,
            )
            fallback.mkdir(parents=True, exist_ok=True)
            fallback.chmod(0o711)
            (self.home / "pg.location").write_text(str(fallback))
            if self.initialized():
                return False
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self.pgdata.chmod(0o700)
        self._chown(self.pgdata)
        t0 = time.perf_counter()
        self._run(
            bindir / "initdb",
            "-D",
            self.pgdata,
            "-U",
            "postgres",
            "--auth-local=peer",
            "--auth-host=reject",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-instructions",
        )
        with open(self.pgdata / "postgresql.conf", "a") as fh:
            fh.write("\ninclude 'minqing.conf'\n")
        log.info("initdb %s in %.1fs", self.pgdata, time.perf_counter() - t0)
        return True

    def running(self) -> bool:
        if not self.initialized():
            return False
        return (
            self._run(_pg_bindir() / "pg_ctl", "-D", self.pgdata, "status", check=False).returncode
            == 0
        )

    def start(self) -> str:
        """Init if needed and start; idempotent. Returns what was done."""
        with self._lock():
            created = self.init()
            self._ensure_user()
            self._configure()
            self._restrict()
            if self.running():
                self._run(_pg_bindir() / "pg_ctl", "-D", self.pgdata, "reload")
                return "already running"
            self._run(
                _pg_bindir() / "pg_ctl",
                "-D",
                self.pgdata,
                "-l",
                self.logfile,
                "-w",
                "-t",
                "60",
                "start",
            )
            return "initialized and started" if created else "started"

    def stop(self) -> str:
        with self._lock():
            if not self.running():
                return "not running"
            self._run(_pg_bindir() / "pg_ctl", "-D", self.pgdata, "-m", "fast", "-w", "stop")
            return "stopped"

    def status(self) -> dict[str, object]:
        return {
            "data_dir": str(self.pgdata),
            "socket_dir": str(self.sockdir),
            "authentication": "peer (pg_ident.conf map 'minqing')",
            "initialized": self.initialized(),
            "running": self.running(),
        }

    def ensure_database(self, dbname: str) -> bool:
        """Create ``dbname`` if missing. Returns True if it was created."""
        import psycopg2

        conn = psycopg2.connect(
            dbname="postgres", user="postgres", host=str(self.sockdir), port=self.port
        )
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
                if cur.fetchone():
                    return False
                cur.execute(f'CREATE DATABASE "{dbname}"')
                return True
        finally:
            conn.close()

    def drop_database(self, dbname: str) -> None:
        import psycopg2

        conn = psycopg2.connect(
            dbname="postgres", user="postgres", host=str(self.sockdir), port=self.port
        )
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        finally:
            conn.close()
