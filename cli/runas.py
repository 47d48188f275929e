"""The web server never runs as root: started as root, it hands itself to ``app_user``.

``python app.py serve`` (and ``run``, which ends in ``serve``) started as root creates the
app's system user if needed, gives it the two keys it must read (the cookie-signing key
and the data key, mode 600), drops every root privilege and executes itself again as
that user, so gunicorn's master and workers never hold root. Nothing of root's survives
the ``exec`` but the run lock (inherited on purpose: a second ``make run`` must still
see the first).

If that user cannot run this Python or read the checkout (a checkout inside a private
home directory, say), the server says exactly why and stays root rather than failing:
``make run`` must work on a fresh machine. Move the checkout, or set
``MINQING_APP_USER=root`` to silence the warning knowingly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

import click

from geodata import host
from settings import ROOT, Settings, data_key, get_settings, secret_key

APP_HOME = "app-home"  # under data_dir: HOME of the server user (Chromium's profile)


def _hand_over(s: Settings, user: str) -> Path:
    """Create the keys now (root can) and make them the server user's; its HOME."""
    data = Path(s.data_dir)
    data.mkdir(parents=True, exist_ok=True)
    if data.stat().st_mode & 0o777 != 0o711:
        data.chmod(0o711)  # traverse only: the server user reaches its files, lists nothing
    secret_key(s)
    data_key(s)
    for name in ("secret_key", "data_key"):
        path = data / name
        if path.exists():
            path.chmod(0o600)
            host.chown(path, user)
    home = data / APP_HOME
    home.mkdir(exist_ok=True)
    home.chmod(0o700)
    host.chown(home, user)
    return home


def drop_root(argv: list[str], keep: IO[str] | None = None) -> None:
    """As root: run ``app.py <argv>`` as the app user instead of this process (does not
    return), or warn and return when that user cannot run it. Not root: return."""
    if not host.is_root():
        return
    s = get_settings()
    user = s.app_user
    if user in ("", "root"):
        click.echo("warning: serving as root (MINQING_APP_USER=root)", err=True)
        return
    host.ensure_user(user, "MinQing Map web server", groups=(host.DB_GROUP,))
    home = _hand_over(s, user)
    why = host.can_run_as(user, sys.executable, ROOT)
    if why is not None:
        click.echo(
            f"warning: serving as root: user {user} cannot run {sys.executable} from "
            f"{ROOT} ({why}). Put the checkout and its .venv where {user} can read them "
            "(every parent directory must be searchable), or set MINQING_APP_USER=root.",
            err=True,
        )
        return
    if keep is not None:
        os.set_inheritable(keep.fileno(), True)
    env = {**os.environ, "HOME": str(home), "USER": user, "LOGNAME": user}
    host.become(user)
    os.chdir(ROOT)
    click.echo(f"serving as {user}")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, str(ROOT / "app.py"), *argv], env)
