"""A dedicated app server that a test can stop and start again on the same port.

The session's ``live_server`` (tests/conftest.py) lives for the whole session and is
shared; a test that takes the server away (the wall's "data as of" clock must turn red
and recover by itself) gets a process of its own: gunicorn on a free port, on the same
seeded test database, stopped with SIGTERM (a graceful stop, as an operator's restart)
and started again with the same address, so the page in the browser never changes.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import IO

from bench import servers

ROOT = Path(__file__).resolve().parents[2]


class RestartableServer:
    """``python app.py serve`` on a fixed port; :meth:`stop` and :meth:`start` at will."""

    def __init__(self, database_url: str, port: int | None = None) -> None:
        self.port = port or servers.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = ROOT / ".data" / f"wall_server_{self.port}.log"
        self._log: IO[str] | None = None

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait until it answers ``/healthz``."""
        assert self.proc is None, "already running"
        self._log = open(self.log_path, "a")  # closed in stop()
        self.proc = servers.spawn(self.port, self.database_url, self._log)
        try:
            servers.wait_healthy(self.url, self.proc, self.log_path, timeout)
        except RuntimeError:
            self.stop()
            raise

    def healthy(self) -> bool:
        return servers.healthy(self.url)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 20 s) and wait until the port is
        free."""
        if self.proc is not None:
            servers.stop(self.proc, timeout=20)
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        deadline = time.monotonic() + 20
        while self.healthy() and time.monotonic() < deadline:
            time.sleep(0.2)
