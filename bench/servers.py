"""The app served by ``python app.py serve`` (gunicorn) in a subprocess on a free port,
for benchmarks and tests that need a real server: start it, wait until it answers, stop
it. One place, used by bench/live.py and by the tests' ``live_server``, the wall's
restartable server, the outage, bomb and start-up tests.

It lives in bench/ rather than tests/ because a benchmark is run on its own (``python
bench/live.py``) and must not depend on the test suite, while the tests already import
bench/ (the benchmarks' smoke modes); it is not part of the app either (nothing the app
serves needs it). Standard library only."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(
    port: int,
    database_url: str,
    log: IO[str] | IO[bytes],
    *,
    workers: int = 1,
    threads: int = 8,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """``app.py serve`` on 127.0.0.1:``port`` over ``database_url``, its output in ``log``;
    ``env`` is added to (and overrides) the test's environment."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "serve"],
        cwd=ROOT,
        env={
            **os.environ,
            "MINQING_DATABASE_URL": database_url,
            "MINQING_PORT": str(port),
            "MINQING_WORKERS": str(workers),
            "MINQING_THREADS": str(threads),
            **(env or {}),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def wait_healthy(
    base: str, proc: subprocess.Popen[bytes], log_name: object, timeout: float = START_TIMEOUT
) -> None:
    """Until ``/healthz`` answers 200; RuntimeError (naming the log) if the server exits
    or takes longer than ``timeout``."""
    deadline = time.monotonic() + timeout
    while not healthy(base):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the server failed to start; see {log_name}")
        time.sleep(0.3)


def stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM (a graceful stop), SIGKILL if it takes longer than ``timeout``."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
