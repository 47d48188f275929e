"""Host accounts and file modes: who on this machine may reach the database and the keys.

Started as root, MinQing Map keeps three kinds of process apart:

* the embedded PostgreSQL cluster runs as ``settings.pg_user`` (``minqing-pg``);
* the web server (gunicorn and its workers) runs as ``settings.app_user`` (``minqing``);
* the command line (migrations, the demo seed, account bootstrap) stays root.

The group ``minqing-db`` holds the two service users; the cluster's socket directory is
``0750`` to that group, so no other local account can even reach the socket, and the
cluster authenticates each connection by its operating-system user (``peer``, with the
map written by ``geodata/embedded.py``). Every function here is a no-op when not root:
a developer's own cluster and server then belong to them alone.
"""

from __future__ import annotations

import grp
import logging
import os
import pwd
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

DB_GROUP = "minqing-db"  # may reach the cluster's socket: the cluster and the app server


def is_root() -> bool:
    return os.geteuid() == 0


def ensure_group(name: str) -> int:
    """The group's id, creating it as a system group when missing (root only)."""
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        subprocess.run(["groupadd", "--system", name], check=True)
        log.info("created system group %s", name)
        return grp.getgrnam(name).gr_gid


def ensure_user(name: str, comment: str, groups: tuple[str, ...] = ()) -> pwd.struct_passwd:
    """A system user without a login shell or home, member of ``groups`` (root only)."""
    for g in groups:
        ensure_group(g)
    try:
        user = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                "--comment",
                comment,
                name,
            ],
            check=True,
        )
        log.info("created system user %s", name)
        user = pwd.getpwnam(name)
    missing = [g for g in groups if name not in grp.getgrnam(g).gr_mem]
    if missing:
        subprocess.run(["usermod", "--append", "--groups", ",".join(missing), name], check=True)
    return user


def chown(path: Path, user: str, group: str | None = None) -> None:
    """``path`` owned by ``user`` (and ``group``, else the user's own group)."""
    gid = grp.getgrnam(group).gr_gid if group else pwd.getpwnam(user).pw_gid
    shutil.chown(path, user=pwd.getpwnam(user).pw_uid, group=gid)


def can_run_as(user: str, python: str, root: Path) -> str | None:
    """None if ``user`` can run ``python`` and import the app from ``root``; else why not
    (a checkout under a private home directory, an interpreter under /root ...)."""
    probe = subprocess.run(
        [
            "runuser",
            "-u",
            user,
            "--",
            python,
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import settings, dash, flask",
            str(root),
        ],
        capture_output=True,
        text=True,
        cwd="/",
    )
    if probe.returncode == 0:
        return None
    lines = (probe.stderr or probe.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit status {probe.returncode}"


def become(user: str) -> None:
    """Drop every privilege of this process for those of ``user`` (root only; for good:
    the real, effective and saved ids all change, so it cannot come back)."""
    entry = pwd.getpwnam(user)
    os.setgroups(os.getgrouplist(user, entry.pw_gid))
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)
    if os.geteuid() == 0 or os.getuid() == 0:  # pragma: no cover - setuid failed silently
        raise RuntimeError(f"could not drop root privileges for {user}")
