"""Webhooks of alerts against a real local receiver (http.server on 127.0.0.1, allowed by
MINQING_WEBHOOK_ALLOW_LOCAL): signed, retried on the back-off schedule with an injected
clock, every attempt logged, never sent twice after a success, never blocking publish,
never double-sent by two concurrent senders; and the live stream announces alerts.

These need real commits (the sender opens its own transactions, two senders run on two
connections, NOTIFY arrives on commit): each cleans up the rows it made."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from geodata.db import session_scope
from governance import alerts, webhook_sender, webhooks
from governance.access import Principal
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ
from governance.uow import unit_of_work
from settings import get_settings
from tests.conftest import signed_in_client

pytestmark = pytest.mark.commits
PREFIX = "whtest-"
SPIKE = {"observed": 14, "expected": 3.1, "window_hours": 24}


def _principal(username: str) -> Principal:
    from geodata.models import AppUser
    from governance.accounts import principal_of

    with session_scope(admin=True) as s:
        return principal_of(s, s.query(AppUser).filter_by(username=username).one())


class Receiver:
    """A local HTTP receiver answering with ``codes`` in turn (the last one repeated),
    after ``delay`` seconds; it keeps every request (headers and body)."""

    def __init__(self, codes: list[int], delay: float = 0.0) -> None:
        self.codes, self.delay = list(codes), delay
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.lock:
                    outer.requests.append((dict(self.headers), body))
                    code = outer.codes.pop(0) if len(outer.codes) > 1 else outer.codes[0]
                time.sleep(outer.delay)
                try:
                    self.send_response(code)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender gave up waiting (a timeout test)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook?x=1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def local_allowed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Loopback receivers allowed; every alert, target and subscription of the test gone
    afterwards."""
    monkeypatch.setenv("MINQING_WEBHOOK_ALLOW_LOCAL", "1")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("MINQING_WEBHOOK_ALLOW_LOCAL")
    get_settings.cache_clear()
    with session_scope(admin=True) as s:
        s.execute(text("DELETE FROM alert WHERE dedup_key LIKE 'whtest-%'"))
        s.execute(text("DELETE FROM webhook_target WHERE name LIKE 'whtest-%'"))
        s.execute(text("DELETE FROM alert_subscription"))


@pytest.fixture(scope="module")
def grid() -> str:
    with session_scope(admin=True) as s:
        return str(
            s.execute(text("SELECT code FROM area WHERE level = 'grid' ORDER BY code LIMIT 1"))
            .scalar_one()
        )  # fmt: skip


def _target(url: str, kinds: list[str] | None = None) -> dict[str, Any]:
    admin = _principal("admin")
    with unit_of_work(admin) as s:
        return webhooks.add_target(s, admin, name=PREFIX + "t", url=url, kinds=kinds or ["spike"])


def _publish(grid: str, key: str) -> int:
    with unit_of_work() as s:
        return alerts.publish(s, kind="spike", area_code=grid, category=None, key=PREFIX + key,
                              evidence=SPIKE)  # fmt: skip


def _start() -> datetime:
    """A moment after every delivery just queued is due (they are due at their commit)."""
    return datetime.now(LOCAL_TZ) + timedelta(minutes=1)


def _delivery(key: str) -> dict[str, Any]:
    with session_scope(admin=True) as s:
        row = s.execute(
            text("SELECT d.* FROM webhook_delivery d JOIN alert a ON a.id = d.alert_id "
                 "WHERE a.dedup_key = :k"), {"k": PREFIX + key}).mappings().one()  # fmt: skip
        attempts = s.execute(
            text("SELECT status_code, error, duration_ms FROM webhook_attempt "
                 "WHERE delivery_id = :d ORDER BY id"), {"d": row["id"]}).all()  # fmt: skip
    return {**row, "log": [tuple(a) for a in attempts]}


def test_signed_retried_logged_and_never_sent_again(grid: str) -> None:
    rx = Receiver([500, 500, 200])
    try:
        secret = _target(rx.url)["secret"]
        _publish(grid, "retry")
        t0 = _start()
        assert webhook_sender.deliver_once(t0) == {"sent": 0, "retry": 1, "failed": 0}
        assert webhook_sender.deliver_once(t0 + timedelta(seconds=29)) == {
            "sent": 0,
            "retry": 0,
            "failed": 0,
        }
        assert webhook_sender.deliver_once(t0 + timedelta(seconds=30))["retry"] == 1
        t2 = t0 + timedelta(seconds=30) + timedelta(minutes=2)
        assert webhook_sender.deliver_once(t2 - timedelta(seconds=1))["retry"] == 0
        assert webhook_sender.deliver_once(t2) == {"sent": 1, "retry": 0, "failed": 0}
        for later in (timedelta(hours=1), timedelta(days=2)):
            assert webhook_sender.deliver_once(t2 + later) == {"sent": 0, "retry": 0, "failed": 0}
        assert len(rx.requests) == 3
        d = _delivery("retry")
        assert d["status"] == "sent" and d["attempts"] == 3
        assert [a[0] for a in d["log"]] == [500, 500, 200]
        assert all(a[1] is None and a[2] >= 0 for a in d["log"])
        for headers, body in rx.requests:
            ts, sig = headers["X-MinQing-Timestamp"], headers["X-MinQing-Signature"]
            assert webhooks.verify(secret, ts, body, sig, now=int(ts))
            assert not webhooks.verify(secret + "x", ts, body, sig, now=int(ts))
            assert not webhooks.verify(secret, ts, body + b" ", sig, now=int(ts))
            assert headers["Content-Type"] == "application/json"
            sent = json.loads(body)
            assert set(sent) == {"id", "kind", "area_code", "category", "created_at", "evidence"}
            assert sent["evidence"] == SPIKE and sent["area_code"] == grid
    finally:
        rx.close()


def test_a_delivery_fails_after_the_last_retry(grid: str) -> None:
    rx = Receiver([503])
    try:
        _target(rx.url)
        _publish(grid, "fail")
        now = _start()
        for wait in (timedelta(0), *webhook_sender.BACKOFF):
            now += wait
            webhook_sender.deliver_once(now)
        d = _delivery("fail")
        assert d["status"] == "failed" and d["attempts"] == webhook_sender.MAX_ATTEMPTS == 6
        assert webhook_sender.deliver_once(now + timedelta(days=7))["failed"] == 0
        assert len(rx.requests) == 6
    finally:
        rx.close()


def test_a_receiver_that_hangs_blocks_neither_publish_nor_for_long(grid: str) -> None:
    rx = Receiver([200], delay=webhook_sender.TIMEOUT_SECONDS + 3)
    try:
        _target(rx.url)
        assert _publish(grid, "slow") == 0  # no subscriber: inbox rows 0, one webhook queued
        assert rx.requests == []  # publish sent nothing itself
        assert _delivery("slow")["status"] == "pending"
        counts = webhook_sender.deliver_once(_start())
        assert counts == {"sent": 0, "retry": 1, "failed": 0}
        d = _delivery("slow")
        assert d["log"][0][0] is None and "timed out" in d["log"][0][1]
    finally:
        rx.close()


def test_a_receiver_that_drips_its_answer_is_cut_off(grid: str) -> None:
    """Each byte within the socket timeout, the whole never: the request still ends."""
    import socket

    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)

    def drip() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                while not stop.is_set():
                    try:
                        conn.sendall(b"H")
                    except OSError:
                        break
                    stop.wait(1.0)

    threading.Thread(target=drip, daemon=True).start()
    try:
        _target(f"http://127.0.0.1:{listener.getsockname()[1]}/hook")
        _publish(grid, "drip")
        assert webhook_sender.deliver_once(_start()) == {"sent": 0, "retry": 1, "failed": 0}
        code, error, _ms = _delivery("drip")["log"][0]
        assert code is None and error
    finally:
        stop.set()
        listener.close()


def test_dns_rebinding_is_checked_at_delivery(grid: str) -> None:
    rx = Receiver([200])
    try:
        _target(rx.url)
        _publish(grid, "rebind")
        counts = webhook_sender.deliver_once(_start(), resolve=lambda _h, _p: ["10.1.2.3"])
        assert counts["retry"] == 1 and rx.requests == []
        assert _delivery("rebind")["log"][0][1] == "refused: alerts.error.url_address"
    finally:
        rx.close()


def test_two_concurrent_senders_never_double_send(grid: str) -> None:
    rx = Receiver([200], delay=0.05)
    try:
        _target(rx.url)
        keys = [f"conc{i}" for i in range(12)]
        for k in keys:
            _publish(grid, k)
        now = _start()
        barrier = threading.Barrier(2)
        results: list[dict[str, int]] = []

        def sender() -> None:
            barrier.wait()
            while True:
                got = webhook_sender.deliver_once(now, limit=3)
                results.append(got)
                if not sum(got.values()):
                    return

        threads = [threading.Thread(target=sender) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        ids = Counter(json.loads(body)["id"] for _h, body in rx.requests)
        assert len(ids) == len(keys) and set(ids.values()) == {1}
        assert sum(r["sent"] for r in results) == len(keys)
        assert all(_delivery(k)["attempts"] == 1 for k in keys)
    finally:
        rx.close()


def test_disabling_a_target_fails_its_pending_deliveries_and_the_cli_lists_them(grid: str) -> None:
    from cli.alerts import alerts as alerts_cli

    rx = Receiver([200])
    try:
        target = _target(rx.url)
        _publish(grid, "off")
        runner = CliRunner()
        listed = runner.invoke(alerts_cli, ["deliveries", "--status", "pending"])
        assert listed.exit_code == 0 and "pending" in listed.output, listed.output
        res = runner.invoke(alerts_cli, ["webhook-disable", str(target["id"])])
        assert res.exit_code == 0, res.output
        assert _delivery("off")["status"] == "failed"
        assert runner.invoke(alerts_cli, ["deliver"]).output.startswith("sent: 0")
        assert rx.requests == []
        shown = runner.invoke(alerts_cli, ["webhooks"]).output
        assert "disabled" in shown and target["secret"] not in shown
    finally:
        rx.close()


def test_the_secret_is_stored_encrypted_and_refused_urls_write_nothing(
    grid: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _target("http://127.0.0.1:9/hook")
    with session_scope(admin=True) as s:
        stored = bytes(s.execute(text("SELECT secret_enc FROM webhook_target WHERE id = :i"),
                                 {"i": out["id"]}).scalar_one())  # fmt: skip
        before = s.execute(text("SELECT count(*) FROM webhook_target")).scalar_one()
    assert out["secret"].encode() not in stored and len(stored) > len(out["secret"])
    assert webhooks.secret_of(out["id"], stored) == out["secret"]
    monkeypatch.setenv("MINQING_WEBHOOK_ALLOW_LOCAL", "0")
    get_settings.cache_clear()
    for url in (
        "http://127.0.0.1:9/",
        "http://10.0.0.8/",
        "ftp://example.org/",
        "http://2130706433/",
    ):
        with pytest.raises(InvalidInput):
            _target(url)
    client = signed_in_client("admin")
    cookie = client.get_cookie("_csrf_token")
    resp = client.post(
        "/api/v1/alerts/webhooks?lang=en",
        data=json.dumps({"name": "whtest-x", "url": "http://[::1]:8080/", "kinds": ["spike"]}),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookie.value if cookie else ""},
    )
    assert resp.status_code == 400 and resp.get_json()["key"] == "alerts.error.url_address"
    assert "internal network" in resp.get_json()["message"]
    with session_scope(admin=True) as s:
        assert s.execute(text("SELECT count(*) FROM webhook_target")).scalar_one() == before


def test_the_live_stream_announces_an_alert_to_the_scopes_it_concerns() -> None:
    from tests.integration.test_live import open_stream

    sup = _principal("supervisor")
    assert sup.scope is not None
    with session_scope(admin=True) as s:
        inside, outside = (
            s.execute(text(f"SELECT code FROM area WHERE level = 'grid' AND {cond} "
                           "starts_with(code, :p) ORDER BY code LIMIT 1"), {"p": sup.scope})
            .scalar_one() for cond in ("", "NOT")
        )  # fmt: skip
    sup_stream = open_stream(signed_in_client("supervisor"))
    cmd_stream = open_stream(signed_in_client("commander"))
    try:
        _publish(outside, "live-out")
        assert cmd_stream.next("alert")[1] == {"kind": "spike"}
        _publish(inside, "live-in")
        assert cmd_stream.next("alert")[1] == {"kind": "spike"}
        assert sup_stream.next("alert")[1] == {"kind": "spike"}
        # the alert outside the supervisor's street, published first, never reached them
        with pytest.raises(AssertionError, match="no .* event"):
            sup_stream.next("alert", timeout=1.0)
    finally:
        sup_stream.close()
        cmd_stream.close()
