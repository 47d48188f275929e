"""What other accounts of the machine can reach (finding 1 and 12 of the security test).

The embedded cluster authenticates every connection by the connecting process's system
user (peer, with a map); its socket directory is closed to other accounts; the web
server drops root for its own unprivileged user. These checks need root (to act as
other users); the suite runs as root in CI.
"""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from geodata import host
from geodata.embedded import EmbeddedCluster
from settings import get_settings

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="acting as other users needs root")


def _cluster() -> EmbeddedCluster:
    s = get_settings()
    if s.database_url and "host=/" not in s.database_url:
        pytest.skip("an external database: its authentication is its administrator's")
    return EmbeddedCluster.from_settings(s)


def _psql(user: str, role: str, sockdir: Path, port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "runuser",
            "-u",
            user,
            "--",
            "psql",
            "-h",
            str(sockdir),
            "-p",
            str(port),
            "-U",
            role,
            "-d",
            "postgres",
            "-w",
            "-Atc",
            "SELECT current_user",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        cwd="/",
        timeout=30,
    )


@pytest.mark.parametrize("role", ["postgres", "minqing_app"])
def test_another_local_account_cannot_connect(role: str) -> None:
    """``nobody`` was a superuser over the socket (pg_hba said trust): now it cannot
    even reach the socket, whichever role it names."""
    c = _cluster()
    out = _psql("nobody", role, c.sockdir, c.port)
    assert out.returncode != 0
    assert "Permission denied" in out.stderr or "No such file" in out.stderr, out.stderr


def test_the_app_user_gets_only_the_app_role() -> None:
    """Peer authentication with the map: the server's user is the unprivileged app role
    and cannot name the superuser, even though it reaches the socket."""
    s = get_settings()
    c = _cluster()
    superuser = _psql(s.app_user, "postgres", c.sockdir, c.port)
    assert superuser.returncode != 0
    assert "Peer authentication failed" in superuser.stderr, superuser.stderr
    app = _psql(s.app_user, s.app_db_role, c.sockdir, c.port)
    assert app.returncode == 0, app.stderr
    assert app.stdout.strip() == s.app_db_role


def test_no_rule_trusts_a_connection(owner_url: str) -> None:
    """Every rule PostgreSQL has loaded authenticates (no trust, no TCP at all)."""
    _cluster()
    eng = create_engine(owner_url)
    with eng.connect() as conn:
        rules = conn.execute(text("SELECT type, auth_method FROM pg_hba_file_rules")).all()
        listen = conn.execute(text("SHOW listen_addresses")).scalar()
    eng.dispose()
    assert rules and {m for _t, m in rules} <= {"peer", "scram-sha-256", "reject"}, rules
    assert {t for t, _m in rules} == {"local"}
    assert listen == ""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_have_the_narrowest_modes_that_work() -> None:
    c = _cluster()
    assert _mode(c.home) == 0o711  # traverse only: nobody lists what is in .data
    assert _mode(c.pgdata) == 0o700
    assert _mode(c.sockdir) == 0o750
    assert c.sockdir.stat().st_gid == host.ensure_group(host.DB_GROUP)
    assert _mode(c.logfile) == 0o600
    for name in ("pg_hba.conf", "pg_ident.conf", "minqing.conf"):
        assert _mode(c.pgdata / name) == 0o600


def test_the_web_server_does_not_run_as_root(live_server: str) -> None:
    """gunicorn's master and every worker belong to the app user, and the keys they
    need are that user's alone (finding 12: the server ran as root)."""
    import sys

    from settings import ROOT
    from tests.conftest import LIVE_SERVERS

    s = get_settings()
    why = host.can_run_as(s.app_user, sys.executable, ROOT)
    if why is not None:  # the server says so and stays root (cli/runas.py)
        pytest.skip(f"{s.app_user} cannot run the app from this checkout: {why}")
    proc = LIVE_SERVERS[live_server]
    want = pwd.getpwnam(s.app_user).pw_uid
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    assert children, "no gunicorn worker"
    for pid in [proc.pid, *map(int, children)]:
        status = Path(f"/proc/{pid}/status").read_text()
        uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
        assert set(map(int, uids)) == {want}, (pid, uids)
        groups = next(line for line in status.splitlines() if line.startswith("Groups:"))
        assert " 0" not in f" {groups.split(':', 1)[1]} ", groups  # not in root's group
    for name in ("secret_key", "data_key"):
        key = Path(s.data_dir) / name
        assert key.stat().st_uid == want and _mode(key) == 0o600
