"""The live-stream server beside gunicorn: ``app.py serve`` binds its socket, starts it
and restarts it; ``app.py streams --fd N`` (hidden) is the process itself.

Why the gunicorn master supervises it (:class:`StreamSupervisor`, called from its main
loop in ``cli/serve.py``) rather than a process manager: ``make run``, the tests' servers
and ``bench/servers.spawn`` all start ``app.py serve`` and nothing else, and must get the
stream server with it; and stopping the master (Ctrl-C, SIGTERM) must stop it too.

The master binds the socket (``MINQING_STREAM_PORT``; 0: the app's port + 1 when it is free,
else any free port) before gunicorn forks its workers and puts the bound port in ``MINQING_STREAM_PORT``, so that the workers
(the pages, the 307 of ``/api/v1/stream``) know where streams are served; a restarted
stream server inherits the same socket, so the port never changes while serving. A page
learns the port when it loads (and its CSP allows just that port), so the default is a
port that stays the same when the server restarts: open screens reconnect by themselves.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Final

import click

from settings import get_settings

log = logging.getLogger(__name__)

APP_PY: Final = Path(__file__).resolve().parent.parent / "app.py"
RESTART_DELAY: Final = 1.0  # seconds between restarts of a stream server that keeps dying
STOP_TIMEOUT: Final = 10.0
BACKLOG: Final = 1024  # hundreds of screens reconnect at once after a restart


class StreamSupervisor:
    """The stream server process: bind once, start, restart when it dies, stop."""

    def __init__(self, host: str, port: int, app_port: int) -> None:
        self.host, self.requested_port, self.app_port = host, port, app_port
        self.sock: socket.socket | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.stopping = False

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1]) if self.sock is not None else 0

    def bind(self) -> int:
        """Bind the stream socket and publish its port to this process's environment
        (inherited by gunicorn's workers and the stream server); returns the port."""
        if self.requested_port:
            sock = self._bound(self.requested_port)
            if sock is None:
                raise click.ClickException(
                    f"port {self.host}:{self.requested_port} for live streams is in use; set "
                    "MINQING_STREAM_PORT to another port (0: the app's port + 1, or any free one)"
                )
        else:  # the next port, so that it is the same after a restart (open pages keep it)
            sock = (self._bound(self.app_port + 1) if self.app_port < 65535 else None) or (
                self._bound(0)
            )
            if sock is None:
                raise click.ClickException("no free port for live streams")
        sock.listen(BACKLOG)
        sock.set_inheritable(True)
        self.sock = sock
        os.environ["MINQING_STREAM_PORT"] = str(self.port)
        # the app's own port (`serve --port` overrides the setting): the stream server
        # answers CORS for pages on it
        os.environ["MINQING_PORT"] = str(self.app_port)
        get_settings.cache_clear()
        return self.port

    def _bound(self, port: int) -> socket.socket | None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, port))
        except OSError:
            sock.close()
            return None
        return sock

    def start(self) -> None:
        assert self.sock is not None
        fd = self.sock.fileno()
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, str(APP_PY), "streams", "--fd", str(fd)], pass_fds=(fd,)
        )
        log.info("live-stream server (pid %s) on %s:%s", self.proc.pid, self.host, self.port)

    def check(self) -> None:
        """Restart the stream server if it died (called about once a second)."""
        if self.stopping or self.proc is None or self.proc.poll() is None:
            return
        if time.monotonic() - self.started_at < RESTART_DELAY:
            return
        log.error("live-stream server (pid %s) exited; restarting it", self.proc.pid)
        self.start()

    def stop(self) -> None:
        """SIGTERM (the streams end with ``end: shutdown``), SIGKILL if it lingers."""
        self.stopping = True
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            except ChildProcessError:  # reaped by gunicorn's waitpid(-1) already
                pass
        if self.sock is not None:
            self.sock.close()
            self.sock = None


@click.command(hidden=True)
@click.option("--fd", type=int, required=True, help="The listening socket, inherited.")
def streams(fd: int) -> None:
    """The live-stream server on an inherited socket (started by `serve`)."""
    from web import streams as stream_server

    sock = socket.socket(fileno=fd)
    sock.setblocking(False)
    stream_server.serve(sock)
