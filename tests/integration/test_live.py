"""Live updates on the real database: LISTEN/NOTIFY -> the process's hub -> SSE streams.

Streams are read through the Flask test client (in this process, with its own hub and
listener) with the heartbeat and session re-check shortened, and once through gunicorn
(the ``live_server`` fixture) for the real thing: headers, framing, a real transition.
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import text

from geodata.db import session_scope
from governance import live
from governance.access import Principal
from tests.conftest import demo_password, signed_in_client
from tests.integration.test_workflow import new_incident, transition

STREAM = "/api/v1/stream"
WAIT = 5.0  # seconds to wait for an event that must come


# ----------------------------------------------------------------------------- helpers
def parse_block(block: str) -> tuple[str, Any] | None:
    """One SSE block -> (event name, decoded data); comments -> ("comment", text)."""
    name, data, retry = "message", [], None
    comment = None
    for line in block.split("\n"):
        if line.startswith(":"):
            comment = line[1:].strip()
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif line.startswith("retry:"):
            retry = int(line[6:].strip())
    if data:
        return name, json.loads("\n".join(data))
    if retry is not None:
        return "retry", retry
    if comment is not None:
        return "comment", comment
    return None


class Stream:
    """Opens and reads a streamed response on a thread of its own (a Flask request's
    contexts belong to the thread that runs it); events go to a queue."""

    def __init__(self, start: Callable[[], tuple[Iterator[Any], Callable[[], None]]]) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.text: list[str] = []
        self._start = start
        self._chunks: Iterator[Any] = iter(())
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        close: Callable[[], None] = lambda: None  # noqa: E731
        try:
            self._chunks, close = self._start()
            self._consume("")
        except Exception as exc:  # noqa: BLE001 - closed under our feet: the stream is over
            self.events.put(("_error", repr(exc)))
        finally:
            self.events.put(("_closed", None))
            close()

    def _consume(self, buf: str) -> None:
        for chunk in self._chunks:
            piece = chunk.decode() if isinstance(chunk, bytes) else str(chunk)
            self.text.append(piece)
            buf += piece
            while "\n\n" in buf:
                block, buf = buf.split("\n\n", 1)
                ev = parse_block(block)
                if ev is not None:
                    self.events.put(ev)
            if self._stop.is_set():
                break

    def next(self, *names: str, timeout: float = WAIT) -> tuple[str, Any]:
        """The next event named one of ``names`` (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {names} event within {timeout} s")
            try:
                name, data = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if name in names or name in ("_closed", "_error"):
                return name, data

    def changes(self, seconds: float) -> list[dict[str, Any]]:
        """Every change event within ``seconds``."""
        out = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                name, data = self.events.get(timeout=left)
            except queue.Empty:
                break
            if name == "change":
                out.append(data)
        return out

    def close(self) -> None:
        self._stop.set()
        self.thread.join(5)


def open_stream(client: Any) -> Stream:
    """A live stream of the Flask test client ``client``, its first event read."""

    def start() -> tuple[Iterator[Any], Callable[[], None]]:
        resp = client.get(STREAM, buffered=False)
        assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
        assert resp.mimetype == "text/event-stream"
        return iter(resp.response), resp.close

    stream = Stream(start)
    assert stream.next("retry")[1] > 0
    return stream


def notify(payload: dict[str, Any]) -> None:
    """What a writer of incidents sends, in its own committed transaction."""
    with session_scope(admin=True) as s:
        s.execute(text("SELECT pg_notify('incident_changed', :p)"), {"p": json.dumps(payload)})


def principal(username: str) -> Principal:
    from geodata.models import AppUser
    from governance.accounts import principal_of

    with session_scope(admin=True) as s:
        return principal_of(s, s.query(AppUser).filter_by(username=username).one())


def incident_outside(scope: str) -> int:
    """An incident in a grid outside the area-code prefix ``scope``."""
    with session_scope(admin=True) as s:
        return int(
            s.execute(
                text("""SELECT i.id FROM incident i JOIN area g ON g.id = i.grid_id
                        WHERE NOT starts_with(g.code, :p) ORDER BY i.id LIMIT 1"""),
                {"p": scope},
            ).scalar_one()
        )


def incident_without_grid() -> int:
    """A fresh incident outside every grid (flagged, as intake keeps them)."""
    with session_scope(admin=True) as s:
        return int(
            s.execute(
                text("""
            INSERT INTO incident (source, external_id, category_code, occurred_at, reported_at,
                grid_id, status, priority, description, address, geom,
                h3_6, h3_7, h3_8, h3_9, h3_10, version, location_flag)
            SELECT 'grid', 'live-' || gen_random_uuid(), category_code, now(), now(),
                   NULL, 'registered', 3, '外部事件', address, geom,
                   h3_6, h3_7, h3_8, h3_9, h3_10, 1, 'outside_jurisdiction'
            FROM incident ORDER BY id LIMIT 1 RETURNING id""")
            ).scalar_one()
        )


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk at least every 0.3 s (so readers can stop), re-checks every 0.5 s."""
    from web import live as web_live

    monkeypatch.setattr(web_live, "HEARTBEAT_SECONDS", 0.3)
    monkeypatch.setattr(web_live, "RECHECK_SECONDS", 0.5)
    monkeypatch.setattr(web_live, "TICK_SECONDS", 0.1)


@pytest.fixture(scope="module", autouse=True)
def stop_hub() -> Iterator[None]:
    yield
    live.shutdown()
    live._hub = None  # later tests of this process get a fresh hub, as a new worker would


# ----------------------------------------------------------------------------- the rule
def test_visibility_follows_the_area_scope() -> None:
    assert live.visible(None, "441502001001001") and live.visible(None, None)
    assert live.visible("441502001", "441502001001001")
    assert not live.visible("441502001", "441502002001001")
    assert not live.visible("441502001", None)  # outside every grid: city-wide roles only


def test_a_slow_subscriber_is_dropped_not_waited_for() -> None:
    sub = live.Subscription(None, maxsize=2)
    for n in range(3):
        sub.offer(f"m{n}")
    assert sub.closed and sub.reason == "slow"
    assert sub.next(0.1) == "m0"


def test_a_batch_names_only_what_each_scope_may_see() -> None:
    item = {"id": 1, "lon": 115.3, "lat": 22.8}
    notice = live.Notice(
        "register",
        (live.Change("441502001001001", item), live.Change("441521001001001", {**item, "id": 2})),
    )
    assert notice.message("441503") is None
    scoped = notice.message("441502001")
    assert scoped is not None and '"id":1' in scoped and '"id":2' not in scoped
    everything = live.Notice("register", (), unresolved=600).message("441502001")
    assert everything is not None and '"resync":true' in everything


def test_a_burst_becomes_one_message_per_kind() -> None:
    item = {"id": 1, "lon": 115.3, "lat": 22.8}
    burst = [live.Notice("remind", (live.Change("441502001001001", item),))] * 1000
    (merged,) = live.coalesce(burst)
    body = json.loads(merged.message(None).split("data: ", 1)[1])  # type: ignore[union-attr]
    assert len(body["items"]) == live.MAX_ITEMS and body["more"] == 1000 - live.MAX_ITEMS
    mixed = [live.Notice("verify"), live.Notice("register"), live.Notice("register")]
    assert [n.action for n in live.coalesce(mixed)] == ["verify", "register"]


def test_live_versions_change_only_the_incident_layers_urls() -> None:
    from layers.urls import LayerFilters
    from layers.view import live_versions, view_urls

    bounds = [[22.7, 115.2], [22.9, 115.5]]
    on = ["areas", "sites", "incidents", "density"]
    before = view_urls(bounds, 12, LayerFilters(), on)
    after = view_urls(bounds, 12, LayerFilters(), on, live={"i": "abc1", "d": "xyz2"})
    assert after.incidents == f"{before.incidents}&v=abc1"
    assert after.density == f"{before.density}&v=xyz2"
    assert (after.areas, after.labels, after.sites) == (before.areas, before.labels, before.sites)
    assert live_versions({"i": "<b>x</b>", "d": "ok1", "x": "y"}) == {"d": "ok1"}
    assert live_versions("junk") == {}


# ----------------------------------------------------------------------------- access
def test_anonymous_gets_401(anon_client: Any) -> None:
    resp = anon_client.get(STREAM)
    assert resp.status_code == 401 and resp.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize(
    "username",
    ["commander", "supervisor", "gridworker", "dept", "wall", "admin", "security", "auditor"],
)
def test_every_role_with_the_map_or_the_wall_and_no_other_gets_a_stream(username: str) -> None:
    from governance.access import MAP_VIEW, WALL_VIEW

    client = signed_in_client(username)
    who = principal(username)
    if who.can(MAP_VIEW) or who.can(WALL_VIEW):
        open_stream(client).close()  # 200 text/event-stream, a retry hint first
    else:
        resp = client.get(STREAM)
        assert resp.status_code == 403 and resp.get_json()["key"] == "error.forbidden"


def test_machine_tokens_get_no_stream(anon_client: Any) -> None:
    from governance.tokens import create_source_token

    with session_scope() as s:
        raw = create_source_token(s, source="12345", scopes=["layers:read"], name="实时").token
    resp = anon_client.get(STREAM, headers={"Authorization": f"Bearer {raw}"})
    assert resp.status_code == 403 and resp.get_json()["key"] == "error.forbidden"


# ----------------------------------------------------------------------------- fan-out
@pytest.mark.commits
def test_each_stream_gets_only_its_scope_and_no_personal_field() -> None:
    """Needs commits: NOTIFY is delivered to the listener's connection only on commit."""
    sup_p, cmd_p = principal("supervisor"), principal("commander")
    assert sup_p.scope
    sup, cmd = (
        open_stream(signed_in_client("supervisor")),
        open_stream(signed_in_client("commander")),
    )
    try:
        inside = new_incident()  # in the demo grid worker's grid, inside the street
        outside = incident_outside(sup_p.scope)
        no_grid = incident_without_grid()
        result = transition(inside, "verify", expected_version=1, principal=cmd_p)
        notify({"id": outside, "status": "registered", "version": 1, "action": "register"})
        notify({"id": no_grid, "status": "registered", "version": 1, "action": "register"})
        notify({"action": "register", "count": 2, "ids": [inside, outside]})  # a batch

        got_cmd = [c for c in cmd.changes(3.0)]
        got_sup = [c for c in sup.changes(0.5)]
        # (a burst of one kind may arrive as one message: compare the items in order)
        ids_cmd = [(c["action"], i["id"]) for c in got_cmd for i in c["items"]]
        ids_sup = [(c["action"], i["id"]) for c in got_sup for i in c["items"]]
        register = [("register", i) for i in (outside, no_grid, inside, outside)]
        assert ids_cmd == [("verify", inside), *register]
        # only their street, never the incident outside every grid
        assert ids_sup == [("verify", inside), ("register", inside)]

        verified = got_sup[0]
        assert verified["action"] == "verify" and not verified["resync"]
        (item,) = verified["items"]
        assert item["status"] == "verified" and item["version"] == result["version"]
        assert set(item) == set(live.ITEM_FIELDS)
        assert isinstance(item["lon"], float) and isinstance(item["lat"], float)
        assert re.fullmatch(r"#[0-9a-fA-F]{6}", item["color"])
        for change in got_cmd + got_sup:
            for it in change["items"]:
                assert set(it) == set(live.ITEM_FIELDS)  # no description, address, name
        raw = "".join(sup.text + cmd.text)
        assert "测试事件" not in raw and "外部事件" not in raw  # the descriptions
        with session_scope(admin=True) as s:
            address = s.execute(
                text("SELECT address FROM incident WHERE id = :i"), {"i": inside}
            ).scalar_one()
        assert not address or address not in raw
    finally:
        sup.close()
        cmd.close()


@pytest.mark.commits
def test_the_listener_reconnects_after_its_backend_is_terminated(owner_url: str) -> None:
    """Needs commits: NOTIFY is delivered to the listener's connection only on commit."""
    stream = open_stream(signed_in_client("commander"))
    try:
        listener = live.hub().listener
        assert listener is not None and listener.listening
        pid, connects = listener.backend_pid, listener.connects
        with session_scope(owner_url, admin=True) as s:
            assert s.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
        assert stream.next("status")[1] == {"live": False}
        assert stream.next("resync")[0] == "resync"  # back: refetch what was missed
        assert listener.connects == connects + 1 and listener.backend_pid != pid
        iid = new_incident()
        notify({"id": iid, "status": "registered", "version": 1, "action": "register"})
        name, data = stream.next("change")
        assert name == "change" and data["items"][0]["id"] == iid
    finally:
        stream.close()


# ----------------------------------------------------------------------------- endings
def test_a_revoked_session_ends_its_stream() -> None:
    from governance.accounts import close_session
    from governance.uow import unit_of_work

    client = signed_in_client("supervisor")
    with client.session_transaction() as sess:
        sid = sess["sid"]
    stream = open_stream(client)
    try:
        with unit_of_work() as s:
            close_session(s, sid)  # signed out elsewhere (or revoked by an administrator)
        assert stream.next("end") == ("end", {"reason": "signed_out"})
        assert stream.next("_closed")[0] == "_closed"
    finally:
        stream.close()
    assert client.get(STREAM).status_code == 401


def test_a_revoked_kiosk_token_ends_the_wall_stream() -> None:
    from app import server
    from governance.kiosks import create_kiosk_token
    from governance.token_revocation import revoke_token

    with session_scope() as s:
        tok = create_kiosk_token(s, area_code=None, name="实时测试大屏")
    client = server.test_client()  # type: ignore[attr-defined]
    assert client.get(f"/wall/k/{tok.token}").status_code == 302
    stream = open_stream(client)
    try:
        with session_scope() as s:
            revoke_token(s, tok.id)
        assert stream.next("end") == ("end", {"reason": "signed_out"})
    finally:
        stream.close()
    resp = client.get(STREAM)
    assert resp.status_code == 401 and resp.get_json()["key"] == "error.kiosk_locked"


def test_streams_rotate_and_a_full_worker_says_come_back_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from web import live as web_live

    monkeypatch.setattr(web_live, "STREAM_SECONDS", 0.5)
    client = signed_in_client("commander")
    stream = open_stream(client)
    try:
        assert stream.next("end", timeout=3) == ("end", {"reason": "rotate"})
    finally:
        stream.close()
    hub = live.hub()
    monkeypatch.setattr(hub, "max_streams", hub.subscribers)
    resp = client.get(STREAM)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.mimetype == "text/event-stream"
    retry = int(re.search(r"retry: (\d+)", body).group(1))  # type: ignore[union-attr]
    assert retry >= 15_000 and '"reason":"busy"' in body


def test_the_stream_does_not_keep_an_idle_session_alive() -> None:
    client = signed_in_client("commander")
    with client.session_transaction() as sess:
        seen = sess["seen_at"] = int(time.time()) - 120
    stream = open_stream(client)
    stream.close()
    with client.session_transaction() as sess:
        assert sess["seen_at"] == seen  # the idle clock still runs


# ----------------------------------------------------------------------------- gunicorn
@pytest.mark.commits
def test_through_gunicorn_a_transition_arrives_with_the_sse_headers(live_server: str) -> None:
    """Needs commits: the gunicorn server is another process, and NOTIFY is delivered on
    commit."""
    http = requests.Session()
    page = http.get(live_server + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    http.post(
        live_server + "/login",
        data={
            "username": "commander",
            "password": demo_password("commander"),
            "csrf_token": token,
            "next": "/",
        },
        timeout=10,
    ).raise_for_status()
    resp = http.get(live_server + STREAM, stream=True, timeout=10)
    try:
        assert resp.status_code == 200
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        assert resp.headers["Cache-Control"] == "no-store"
        assert resp.headers["X-Accel-Buffering"] == "no"
        assert "Content-Security-Policy" in resp.headers
        stream = Stream(lambda: (resp.iter_content(chunk_size=None), resp.close))
        assert stream.next("retry")[1] > 0
        iid = new_incident()
        t0 = time.monotonic()
        transition(iid, "verify", expected_version=1, principal=principal("commander"))
        name, data = stream.next("change")
        assert name == "change" and data["items"][0]["id"] == iid
        assert time.monotonic() - t0 < 2.0
        stream.close()
    finally:
        resp.close()
