"""A freshly started server is whole before it takes traffic (finding 18).

Dash sets up its pages router and validation layout on the first request, behind a
flag set before the work is done; concurrent first requests on a fresh worker could see
a half-built app and answer 500 ("dash.page_container not found in the layout"). The
app now does that set-up when it is created (app.py ``_set_up_before_traffic``).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench import servers
from tests.conftest import ROOT

BURST = 50
ROUNDS = 3
# A mix of what arrives first at a restarted worker: pages, sign-in, assets of Dash, the
# API and hand-made callback requests (refused, but they go through every hook first).
PATHS = ["/", "/login", "/healthz", "/api/v1/categories", "/wall", "/_dash-layout"]


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Until the port accepts connections (not /healthz: that request would warm it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise RuntimeError("server did not open its port")


def _hit(base: str, i: int) -> int:
    path = PATHS[i % len(PATHS)]
    data = None
    if i % 7 == 0:
        path, data = "/_dash-update-component", json.dumps({"output": "x.y"}).encode()
    req = urllib.request.Request(base + path, data=data, method="POST" if data else "GET")
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return int(r.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


@pytest.mark.slow
def test_fresh_workers_answer_a_burst_without_5xx(seeded_database: str) -> None:
    statuses: list[int] = []
    for _ in range(ROUNDS):
        port = servers.free_port()
        log = Path(ROOT / ".data" / f"startup_{port}.log")
        with open(log, "w") as out:
            proc = servers.spawn(port, seeded_database, out, workers=2, threads=32)
        try:
            _wait_for_port(port, proc)
            base = f"http://127.0.0.1:{port}"
            with ThreadPoolExecutor(BURST) as pool:
                statuses += list(pool.map(lambda i: _hit(base, i), range(BURST)))  # noqa: B023
        finally:
            servers.stop(proc, timeout=30)
        errors = [s for s in statuses if s >= 500]
        assert not errors, f"{len(errors)} 5xx answers; see {log}"
        log.unlink(missing_ok=True)
    assert len(statuses) == BURST * ROUNDS


def test_app_is_built_whole_even_when_the_database_is_down() -> None:
    """Set-up at start must not need the database (a worker recycled during an outage
    still starts): the validation layout holds every id a callback uses."""
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from app import app\n"
        "from dash.development.base_component import Component\n"
        "ids = {c.id if isinstance(c.id, str) else c.id.get('type')\n"
        "       for c in app.validation_layout._traverse() if getattr(c, 'id', None)}\n"
        "missing = set()\n"
        "for cb in app.callback_map.values():\n"
        "    for d in cb['inputs'] + cb.get('state', []):\n"
        "        cid = d['id']\n"
        "        cid = cid if isinstance(cid, str) else None\n"
        "        if cid and not cid.startswith('{') and cid not in ids:\n"
        "            missing.add(cid)\n"
        "print('MISSING', sorted(missing))\n"
    )
    env = {
        **os.environ,
        "MINQING_DATABASE_URL": "postgresql+psycopg2://minqing_app@/none?host=/nonexistent&port=1",
    }
    out = subprocess.run(
        [sys.executable, "-c", script, str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "MISSING []" in out.stdout, out.stdout
