"""The webhook sender: pending deliveries of alerts, POSTed, signed, retried.

:func:`deliver_once` is one pass: it claims each due delivery in a short transaction of
its own (``FOR UPDATE SKIP LOCKED``, then leased by moving its next attempt ahead, so two
processes never take the same one and no lock is held while a request is on the wire),
sends each with a 5-second timeout, and records every attempt (status code or error,
duration) with the outcome in another short transaction: a 2xx marks it sent, never to
be sent again; anything else schedules the next attempt after 30 s, 2 min, 10 min, 1 h and
6 h, then marks it failed. Requests happen only here, in the sender's thread or the
``alerts deliver`` command, never in a request or in the publisher's unit of work.

Should a process die between sending and recording, the lease expires and the delivery
is sent again: at least once, so receivers de-duplicate by the payload's ``id``.

:func:`start_background` runs a pass every ``MINQING_ALERTS_DELIVER_SECONDS`` in a daemon
thread, once per process (like ``governance/sla_sweep.py``).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from geodata.db import session_scope
from geodata.queries import webhooks as q
from governance import webhooks
from governance.filters import LOCAL_TZ

log = logging.getLogger(__name__)

BACKOFF: Final = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
MAX_ATTEMPTS: Final = len(BACKOFF) + 1  # the first try and five retries, then failed
TIMEOUT_SECONDS: Final = 5.0  # per socket operation
TOTAL_SECONDS: Final = TIMEOUT_SECONDS + 1  # the whole request, however it drips
LEASE: Final = timedelta(seconds=60)  # one request's time (5 s a socket operation), amply
BATCH: Final = 20
USER_AGENT: Final = "MinQing-Webhook/1"


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now."""

    def __init__(self, address: str, host: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """TLS to the checked address, with the host name for SNI and the certificate."""

    def __init__(self, address: str, host: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def payload(row: dict[str, Any]) -> bytes:
    """The JSON body: ``{id, kind, area_code, category, created_at, evidence}``."""
    return json.dumps(
        {
            "id": int(row["alert_id"]),
            "kind": row["kind"],
            "area_code": row["area_code"],
            "category": row["category_code"],
            "created_at": row["created_at"].isoformat(),
            "evidence": row["evidence"],
        },
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def post(
    url: str, body: bytes, secret: str, timestamp: str, resolve: webhooks.Resolver
) -> tuple[int | None, str | None]:
    """POST ``body`` signed; (status code, None) or (None, error). The URL is checked
    again now (DNS rebinding) and the connection goes to the address checked."""
    try:
        scheme, host, port, address = webhooks.check_url(url, resolve)
    except webhooks.UrlRefused as refused:
        return None, f"refused: {refused.key}"
    cls = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    conn = cls(address, host, port, TIMEOUT_SECONDS)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    deadline: threading.Timer | None = None
    try:
        conn.connect()
        # each socket operation times out after 5 s; a receiver that drips its answer a
        # byte at a time is cut off when the whole request has taken TOTAL_SECONDS
        deadline = threading.Timer(TOTAL_SECONDS, _cut, (conn,))
        deadline.daemon = True
        deadline.start()
        conn.request(
            "POST",
            target,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                webhooks.TIMESTAMP_HEADER: timestamp,
                webhooks.SIGNATURE_HEADER: webhooks.sign(secret, timestamp, body),
            },
        )
        resp = conn.getresponse()
        resp.read(1024)  # a little of the answer, never all of it
        return resp.status, None
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:200]
    finally:
        if deadline is not None:
            deadline.cancel()
        conn.close()


def _cut(conn: http.client.HTTPConnection) -> None:
    """End a request that has taken too long (shutdown wakes a blocked read)."""
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: nothing to cut
            sock.shutdown(socket.SHUT_RDWR)


def _next(attempt: int, now: datetime) -> datetime | None:
    """When to try again after failed attempt number ``attempt`` (None: give up)."""
    return now + BACKOFF[attempt - 1] if attempt < MAX_ATTEMPTS else None


def deliver_once(
    now: datetime | None = None,
    *,
    resolve: webhooks.Resolver = webhooks.system_resolver,
    clock: Callable[[], float] = time.monotonic,
    limit: int = BATCH,
) -> dict[str, int]:
    """One pass over at most ``limit`` deliveries due at ``now`` (default: the clock);
    returns how many were sent, retried later and failed. Opens its own short
    transactions: each delivery is claimed just before it is sent, so its lease covers
    one request only (a batch claimed at once could outlive its lease while earlier ones
    time out, and another process would take the rest)."""
    now = now or datetime.now(LOCAL_TZ)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for _ in range(limit):
        with session_scope() as s:
            claimed = q.claim(s, now, now + LEASE, 1)
        if not claimed:
            break
        row = claimed[0]
        code: int | None
        error: str | None
        try:
            secret = webhooks.secret_of(int(row["target_id"]), row["secret_enc"])
        except Exception:  # a key changed: say so in the log of attempts, not a crash
            log.warning("webhook %s: cannot read its secret", row["target_id"], exc_info=True)
            code, error, ms = None, "secret unreadable", 0
        else:
            started = clock()
            code, error = post(row["url"], payload(row), secret, str(int(now.timestamp())), resolve)
            ms = int((clock() - started) * 1000)
        ok = code is not None and 200 <= code < 300
        attempt = int(row["attempts"])
        retry_at = None if ok else _next(attempt, now)
        outcome = "sent" if ok else ("pending" if retry_at is not None else "failed")
        with session_scope() as s:
            q.record(
                s,
                int(row["id"]),
                at=now,
                status_code=code,
                error=error,
                duration_ms=ms,
                outcome=outcome,
                next_at=retry_at,
            )
        counts["sent" if ok else ("retry" if retry_at else "failed")] += 1
        log.info("webhook delivery %s attempt %d: %s %s", row["id"], attempt, code, error or "")
    return counts


_started = threading.Event()


def start_background(interval_seconds: int) -> None:
    """Send due deliveries every ``interval_seconds`` in a daemon thread (once per
    process; 0: never)."""
    if interval_seconds <= 0 or _started.is_set():
        return
    _started.set()

    def loop() -> None:
        stop = threading.Event()
        while not stop.wait(interval_seconds):
            try:
                while sum(deliver_once().values()) >= BATCH:  # a backlog: keep going
                    pass
            except Exception:  # the next round tries again
                log.warning("webhook delivery pass failed", exc_info=True)

    threading.Thread(target=loop, name="webhook-sender", daemon=True).start()
