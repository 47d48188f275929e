"""The live-stream server (``web/streams.py``): streams off gunicorn's threads.

Most tests run the stream server in this process (a thread with its own event loop, on a
free port) over the test database, and sign in with the app's Flask test client: the
gate's checks, the fan-out by scope, the session re-check can be watched from here. The
last ones use the ``live_server`` (gunicorn, one worker x 8 threads, with the stream
server that ``app.py serve`` starts and supervises): a hundred open streams while a page
is served, the app's 307, the page's CSP, and a stream server restarted after it died.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata.db import session_scope
from governance.access import MAP_VIEW, WALL_VIEW
from governance.live import ITEM_FIELDS
from tests.conftest import demo_password, signed_in_client
from tests.integration.test_live import Stream, incident_outside, notify, principal
from tests.integration.test_workflow import new_incident, transition

STREAM = "/api/v1/stream"
COOKIE = "minqing_session"
# The stream server is another thread (or process) reading the database: real commits,
# not the test's rolled-back connection (whose savepoints it would share across threads).
pytestmark = pytest.mark.commits


# ----------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def stream_base() -> Iterator[str]:
    """The stream server in this process (its own loop, on a thread); its base URL."""
    from settings import get_settings
    from web import streams

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(256)
    sock.setblocking(False)
    started = threading.Event()
    state: dict[str, Any] = {}

    async def main() -> None:
        state["loop"], state["stop"] = asyncio.get_running_loop(), asyncio.Event()
        await streams.serve_until(sock, get_settings(), state["stop"], started)

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    assert started.wait(30), "the stream server did not start"
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    state["loop"].call_soon_threadsafe(state["stop"].set)
    thread.join(15)
    sock.close()


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-check sessions every half second (the stream server reads these per tick)."""
    from web import live as web_live

    monkeypatch.setattr(web_live, "RECHECK_SECONDS", 0.5)
    monkeypatch.setattr(web_live, "TICK_SECONDS", 0.1)


def cookie_of(client: Any) -> str:
    """The session cookie of a signed-in Flask test client."""
    return str(client.get_cookie(COOKIE).value)


def open_at(base: str, cookie: str | None, headers: dict[str, str] | None = None) -> Stream:
    """A stream of the stream server at ``base`` (requests, on a thread), first event read."""

    def start() -> tuple[Iterator[Any], Callable[[], None]]:
        resp = requests.get(
            base + STREAM,
            cookies={COOKIE: cookie} if cookie else None,
            headers=headers,
            stream=True,
            timeout=15,
        )
        assert resp.status_code == 200, resp.text[:300]
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        return resp.iter_content(chunk_size=None), resp.close

    stream = Stream(start)
    assert stream.next("retry")[1] > 0
    return stream


def ids_in(changes: list[dict[str, Any]]) -> set[int]:
    return {int(i["id"]) for c in changes for i in c["items"]}


# ----------------------------------------------------------------------------- scopes
def test_each_scope_gets_its_changes_only_and_no_personal_field(stream_base: str) -> None:
    sup_p, cmd_p = principal("supervisor"), principal("commander")
    assert sup_p.scope
    sup = open_at(stream_base, cookie_of(signed_in_client("supervisor")))
    cmd = open_at(stream_base, cookie_of(signed_in_client("commander")))
    try:
        outside = incident_outside(sup_p.scope)
        inside = new_incident()  # in the demo grid worker's grid, inside the street
        # the outside change first (as its writer would announce it), then a transition
        notify({"id": outside, "status": "registered", "version": 1, "action": "register"})
        result = transition(inside, "verify", expected_version=1, principal=cmd_p)
        got_cmd = cmd.changes(3.0)
        got_sup = sup.changes(1.0)
        assert {inside, outside} <= ids_in(got_cmd)
        # commit order: the street's stream would have had the outside change first
        assert inside in ids_in(got_sup) and outside not in ids_in(got_sup)
        for change in got_cmd + got_sup:
            for item in change["items"]:
                assert set(item) <= set(ITEM_FIELDS)
        mine = [i for c in got_sup for i in c["items"] if i["id"] == inside]
        assert mine[-1]["version"] == result["version"]
    finally:
        sup.close()
        cmd.close()


# ----------------------------------------------------------------------------- refusals
def _get(base: str, **kw: Any) -> requests.Response:
    return requests.get(base + kw.pop("path", STREAM), timeout=15, **kw)


def test_without_a_session_401(stream_base: str) -> None:
    resp = _get(stream_base)
    assert resp.status_code == 401 and resp.json()["error"] == "unauthorized"
    resp = _get(stream_base, cookies={COOKIE: "forged.value.sig"})
    assert resp.status_code == 401


def test_machine_tokens_get_no_stream(stream_base: str) -> None:
    from governance.tokens import create_source_token

    with session_scope() as s:
        raw = create_source_token(s, source="12345", scopes=["layers:read"], name="流").token
    resp = _get(stream_base, headers={"Authorization": f"Bearer {raw}"})
    assert resp.status_code == 403 and resp.json()["key"] == "error.forbidden"
    resp = _get(stream_base, headers={"Authorization": "Bearer mq_not_a_token"})
    assert resp.status_code == 401 and resp.json()["key"] == "error.token_invalid"


def test_roles_without_the_map_or_the_wall_get_403(stream_base: str) -> None:
    refused = 0
    for username in ("admin", "security", "auditor", "dept", "gridworker", "wall"):
        who = principal(username)
        cookie = cookie_of(signed_in_client(username))
        if who.can(MAP_VIEW) or who.can(WALL_VIEW):
            open_at(stream_base, cookie).close()
            continue
        resp = _get(stream_base, cookies={COOKIE: cookie})
        assert resp.status_code == 403 and resp.json()["key"] == "error.forbidden"
        refused += 1
    assert refused, "no demo role without the map and the wall: the test proves nothing"


def test_foreign_origins_other_paths_and_methods_are_refused(stream_base: str) -> None:
    from settings import get_settings

    cookie = {COOKIE: cookie_of(signed_in_client("commander"))}
    resp = _get(stream_base, cookies=cookie, headers={"Origin": "https://evil.example"})
    assert resp.status_code == 403 and resp.json()["key"] == "error.request.origin"
    assert "Access-Control-Allow-Origin" not in resp.headers
    resp = _get(stream_base, cookies=cookie, path="/api/v1/layers/incidents")
    assert resp.status_code == 404 and resp.json()["key"] == "error.request.not_found"
    resp = requests.post(stream_base + STREAM, cookies=cookie, timeout=15)
    assert 400 <= resp.status_code < 500
    resp = _get(stream_base, cookies=cookie, path=STREAM + "?a=%00")
    assert resp.status_code == 400
    # the app's own pages (this host, the app's port) are answered with CORS credentials
    page = f"http://127.0.0.1:{get_settings().port}"
    stream = open_at(stream_base, cookie[COOKIE], {"Origin": page})
    stream.close()
    head = requests.head(stream_base + STREAM, cookies=cookie, headers={"Origin": page})
    assert head.headers["Access-Control-Allow-Origin"] == page
    assert head.headers["Access-Control-Allow-Credentials"] == "true"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.binary(max_size=200),
    name=st.sampled_from(
        ["Origin", "Cookie", "Authorization", "Host", "X-Forwarded-For", "Accept"]
    ),
    value=st.binary(max_size=200),
)
def test_hostile_query_strings_and_headers_get_a_clear_4xx(
    stream_base: str, query: bytes, name: str, value: bytes
) -> None:
    """Anything, without a session: a 4xx, never a 5xx, a hang or a stream."""
    status = raw_request(stream_base, query, name, value)
    assert 400 <= status < 500, (query, name, value, status)


def raw_request(base: str, query: bytes, name: str, value: bytes) -> int:
    """One request written byte by byte (clients refuse to send most of these)."""
    safe_q = bytes(b for b in query if b not in b" \r\n#")
    safe_v = bytes(b for b in value if b not in b"\r\n")
    parts = urlsplit(base)
    host = f"{parts.hostname}:{parts.port}".encode()
    lines = [b"GET " + STREAM.encode() + b"?" + safe_q + b" HTTP/1.1"]
    lines.append(b"Host: " + (safe_v if name == "Host" else host))
    if name != "Host":
        lines.append(name.encode() + b": " + safe_v)
    lines += [b"Connection: close", b"", b""]
    with socket.create_connection((parts.hostname, parts.port), timeout=15) as conn:
        conn.sendall(b"\r\n".join(lines))
        head = conn.recv(64)
    return int(head.split(b" ", 2)[1])


# ----------------------------------------------------------------------------- ends
def test_a_revoked_session_ends_its_stream(stream_base: str) -> None:
    from governance.accounts import close_session
    from governance.uow import unit_of_work

    client = signed_in_client("supervisor")
    with client.session_transaction() as sess:
        sid = sess["sid"]
    stream = open_at(stream_base, cookie_of(client))
    try:
        with unit_of_work() as s:
            close_session(s, sid)  # signed out elsewhere (or revoked by an administrator)
        assert stream.next("end", timeout=5) == ("end", {"reason": "signed_out"})
        assert stream.next("_closed")[0] == "_closed"
    finally:
        stream.close()
    assert _get(stream_base, cookies={COOKIE: cookie_of(client)}).status_code == 401


def test_a_revoked_kiosk_token_ends_the_wall_stream(stream_base: str) -> None:
    from app import server
    from governance.kiosks import create_kiosk_token
    from governance.token_revocation import revoke_token

    with session_scope() as s:
        tok = create_kiosk_token(s, area_code=None, name="流测试大屏")
    client = server.test_client()  # type: ignore[attr-defined]
    assert client.get(f"/wall/k/{tok.token}").status_code == 302
    stream = open_at(stream_base, cookie_of(client))
    try:
        with session_scope() as s:
            revoke_token(s, tok.id)
        assert stream.next("end", timeout=5) == ("end", {"reason": "signed_out"})
    finally:
        stream.close()
    resp = _get(stream_base, cookies={COOKIE: cookie_of(client)})
    assert resp.status_code == 401 and resp.json()["key"] == "error.kiosk_locked"


# ----------------------------------------------------------------------------- gunicorn
def sign_in(base: str, username: str) -> requests.Session:
    import re

    http = requests.Session()
    page = http.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    http.post(
        base + "/login",
        data={"username": username, "password": demo_password(username), "csrf_token": token},
        timeout=10,
    ).raise_for_status()
    return http


def stream_url(base: str, http: requests.Session) -> str:
    resp = http.get(base + STREAM, allow_redirects=False, timeout=10)
    assert resp.status_code == 307, resp.text[:200]
    return str(resp.headers["Location"])


def test_the_app_sends_clients_to_the_stream_server(live_server: str) -> None:
    assert requests.get(live_server + STREAM, timeout=10, allow_redirects=False).status_code == 401
    http = sign_in(live_server, "commander")
    target = stream_url(live_server, http)
    parts = urlsplit(target)
    assert parts.path == STREAM and parts.port != urlsplit(live_server).port
    csp = http.get(live_server + "/", timeout=30).headers["Content-Security-Policy"]
    assert f"connect-src 'self' http://127.0.0.1:{parts.port}" in csp
    health = requests.get(f"http://127.0.0.1:{parts.port}/healthz", timeout=10)
    assert health.status_code == 200 and health.json() == {"status": "ok"}


def test_a_hundred_streams_leave_the_pages_their_threads(live_server: str) -> None:
    """gunicorn here has one worker of 8 threads: on the threaded path, 4 streams filled
    it. A hundred streams on the stream server, and a layer request is still answered,
    and a change reaches every one of them."""
    from bench.live_streams import Streams

    http = sign_in(live_server, "commander")
    target = stream_url(live_server, http)
    cookies = ["; ".join(f"{c.name}={c.value}" for c in http.cookies)]
    streams = Streams(target, live_server, cookies, 100)
    try:
        assert streams.wait_connected(100, timeout=90) == 100
        layer = http.get(
            live_server + "/api/v1/layers/incidents?bbox=115.2,22.7,115.5,22.9&z=13&window=365d",
            timeout=30,
        )
        assert layer.status_code == 200
        iid = new_incident()
        transition(iid, "verify", expected_version=1, principal=principal("commander"))
        time.sleep(2.0)
    finally:
        arrivals, counters = streams.finish()
    assert all(any(a[0] == iid for a in got) for got in arrivals), counters
    assert counters["reconnects"] == 0


def test_a_stream_server_that_dies_is_started_again(seeded_database: str) -> None:
    from bench import servers
    from bench.live_streams import stream_server_pid
    from tests.conftest import ROOT

    port = servers.free_port()
    log = open(ROOT / ".data" / f"streams_restart_{port}.log", "w")
    proc = servers.spawn(port, seeded_database, log, threads=4)
    base = f"http://127.0.0.1:{port}"
    try:
        servers.wait_healthy(base, proc, log.name)
        http = sign_in(base, "commander")
        target = stream_url(base, http)
        health = f"http://127.0.0.1:{urlsplit(target).port}/healthz"
        pid = stream_server_pid(proc.pid)
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(health, timeout=2).status_code == 200:
                    break
            except requests.RequestException:  # the socket is still bound: a timeout
                pass
            assert time.monotonic() < deadline, "the stream server was not started again"
            time.sleep(0.3)
        again = stream_server_pid(proc.pid)
        assert again is not None and again != pid
        assert stream_url(base, http) == target  # the same socket, the same port
        proc.kill()  # the master killed outright: it cannot stop the stream server
        proc.wait(10)
        deadline = time.monotonic() + 15
        while _alive(again):
            assert time.monotonic() < deadline, "the stream server outlived its master"
            time.sleep(0.3)
    finally:
        servers.stop(proc)
        log.close()


def _alive(pid: int) -> bool:
    """Is ``pid`` running (not gone, not a zombie)?"""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_the_health_says_ok_and_nothing_more(stream_base: str) -> None:
    """No sign-in needed, so nothing but "ok": no counts of streams, no versions."""
    http = signed_in_client("commander")
    streams = [open_at(stream_base, cookie_of(http)) for _ in range(2)]  # open now
    try:
        resp = requests.get(stream_base + "/healthz", timeout=10)
    finally:
        for s in streams:
            s.close()
    assert resp.status_code == 200 and json.loads(resp.text) == {"status": "ok"}
    assert not any(v in resp.headers.get("Server", "") for v in ("aiohttp", "Python", "/"))


def test_alerts_reach_the_streams_whose_scope_covers_their_area(stream_base: str) -> None:
    sup_p = principal("supervisor")
    assert sup_p.scope
    sup = open_at(stream_base, cookie_of(signed_in_client("supervisor")))
    cmd = open_at(stream_base, cookie_of(signed_in_client("commander")))
    try:
        notify({"action": "alert", "alert_id": 1, "kind": "spike", "area": sup_p.scope + "001"})
        assert cmd.next("alert", timeout=5) == ("alert", {"kind": "spike"})
        assert sup.next("alert", timeout=5) == ("alert", {"kind": "spike"})
    finally:
        sup.close()
        cmd.close()
