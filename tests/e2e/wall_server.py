"""A dedicated app server that a test can stop and start again on the same port.

The session's ``live_server`` (tests/conftest.py) lives for the whole session and is
shared; a test that takes the server away (the wall's "data as of" clock must turn red
and recover by itself) gets a process of its own: gunicorn on a free port, on the same
seeded test database, stopped with SIGTERM (a graceful stop, as an operator's restart)
and started again with the same address, so the page in the browser never changes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RestartableServer:
    """``python app.py serve`` on a fixed port; :meth:`stop` and :meth:`start` at will."""

    def __init__(self, database_url: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = ROOT / ".data" / f"wall_server_{self.port}.log"
        self._log: IO[str] | None = None

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait until it answers ``/healthz``."""
        assert self.proc is None, "already running"
        env = {
            **os.environ,
            "MINQING_DATABASE_URL": self.database_url,
            "MINQING_PORT": str(self.port),
            "MINQING_WORKERS": "1",
            "MINQING_THREADS": "8",
        }
        self._log = open(self.log_path, "a")  # closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "serve"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"wall test server failed to start; see {self.log_path}")
            time.sleep(0.3)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 20 s) and wait until the port is
        free."""
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        deadline = time.monotonic() + 20
        while self.healthy() and time.monotonic() < deadline:
            time.sleep(0.2)
