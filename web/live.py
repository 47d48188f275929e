"""``GET /api/v1/stream``: incident changes as server-sent events, for open maps and walls.

The request guard has already signed the user in (anonymous: JSON 401). Here: the user
needs MAP_VIEW or WALL_VIEW (machine tokens get no stream), then the connection is
subscribed to this process's hub (``governance/live.py``) with the user's area scope and
receives, as they are committed:

* ``change``  ``{action, items: [{id, status, version, category, color, lon, lat,
  occurred_at}], more, resync}``: incidents in the user's scope that were registered or
  moved along;
* ``spike``   the same shape, items ``{id, area_code, category, observed, expected,
  window_end}``: new spike warnings of streets in the user's scope (``governance/spikes.py``);
* ``resync``  the server missed notifications (its database connection dropped): refetch;
* ``status``  ``{live: false}`` while the server's listener is disconnected;
* ``end``     ``{reason}`` before the server closes the stream: ``rotate`` (every few
  minutes, so that clients reconnect, spreading load and signing in again),
  ``signed_out`` (the session ended: sign-out, timeout, account disabled, kiosk token
  revoked; checked every minute), ``slow``, ``shutdown``, ``busy``, ``unavailable``
  (the database cannot be reached: sent after ``status {live: false}``, with a longer
  ``retry:``; the session is checked at once when the listener loses its connection or
  fails to get it back);
* a comment every 15 s (heartbeat, keeps proxies from closing an idle connection).

Where streams are served: ``app.py serve`` runs the stream server (``web/streams.py``, an
asyncio process holding every stream in one thread) beside gunicorn; pages open it directly
(``pages/live_indicator.py``), and a client that asks the app answers 307 to it once signed
in and allowed. The stream server checks every request again through :data:`gate_bp`
(the same guard and :func:`authorize`), and sends exactly these events.

The fallback, when no stream server runs (``serve --dev``, ``MINQING_STREAM_SERVER=0``, the
tests' in-process client), is the view below: each open stream holds a gunicorn thread, a
worker serves at most ``Hub.max_streams`` (half its threads by default) and beyond that a
client gets ``end: busy`` with a long ``retry:`` and comes back later. A client that went
away is noticed within a second (its socket reads EOF), not only at the next write.
"""

from __future__ import annotations

import logging
import math
import random
import select
import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from flask import Blueprint, Response, g, redirect, request, stream_with_context

from governance import coarse, live
from governance.access import MAP_VIEW, WALL_VIEW, Principal
from settings import get_settings
from web import outage
from web import requests as request_checks
from web.errors import json_error
from web.security import audit_denied, current_principal, recheck_principal
from web.tokens import current_token

log = logging.getLogger(__name__)

bp = Blueprint("live", __name__)
# The stream server's gate (web/stream_gate.py): the same checks, no stream.
gate_bp = Blueprint("live_gate", __name__)
GRANT: Final = "stream_principal"  # flask.g: the principal the gate let through

PATH = "/api/v1/stream"
HEARTBEAT_SECONDS = 15.0
RECHECK_SECONDS = 60.0  # re-check the session (sign-out, disabled account, revoked kiosk)
# a stream checks its session on the listener's setbacks (Hub.setbacks) at once, then at
# gaps doubling from SETBACK_RECHECK_FIRST up to SETBACK_RECHECK_SECONDS while the listener
# stays down (see SetbackGate)
SETBACK_RECHECK_FIRST = 0.5
SETBACK_RECHECK_SECONDS = 10.0
STREAM_SECONDS = 300.0  # then end, so that the client reconnects (±10 %)
TICK_SECONDS = 1.0  # how often an idle stream looks at the clock and its socket
RETRY_MS = 2_000  # the client's reconnection delay after a stream ends
BUSY_RETRY_MS = (15_000, 45_000)  # a full worker: come back in 15-45 s
DOWN_RETRY_MS = (5_000, 15_000)  # the database is down: come back in 5-15 s


@dataclass
class SetbackGate:
    """When a stream checks its session because the listener lost its connection or failed
    to get it back (``Hub.setbacks`` moved): at once on the first setback, then at gaps
    doubling from :data:`SETBACK_RECHECK_FIRST` to :data:`SETBACK_RECHECK_SECONDS` while
    the listener stays down; the gap starts again once it listens.

    Why not a fixed gap: a check made in the very instant the database goes (the listener's
    backend died first; the check's own connection still answered) passes, and with a fixed
    10 s gap the stream then said nothing for 10 s of outage. Why a gap at all: a listener
    that keeps failing while the database answers (its connections all taken) must not make
    every open stream check its session at each of its attempts."""

    seen: int  # Hub.setbacks when the stream last looked
    gap: float = SETBACK_RECHECK_FIRST
    last: float = -math.inf  # when the last check on a setback was made
    fresh: bool = True  # no check on a setback since the listener was last up

    def due(self, now: float, setbacks: int, listening: bool) -> bool:
        """Is a check on the listener's setbacks due now?"""
        if listening:
            self.gap, self.fresh = SETBACK_RECHECK_FIRST, True
        return setbacks != self.seen and now - self.last >= self.gap

    def checked(self, now: float, setbacks: int, on_setback: bool) -> None:
        """A check was made now (``on_setback``: because :meth:`due` said so)."""
        self.seen = setbacks
        if on_setback:
            if not self.fresh:  # not the first since the listener was last up
                self.gap = min(self.gap * 2, SETBACK_RECHECK_SECONDS)
            self.fresh = False
            self.last = now


def _sse_response(body: Iterator[str]) -> Response:
    resp = Response(body, mimetype="text/event-stream")
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return resp


def _may_stream(principal: Principal | None) -> bool:
    return principal is not None and (principal.can(MAP_VIEW) or principal.can(WALL_VIEW))


def authorize() -> Principal | Response:
    """The signed-in principal (past the request guard) if it may have a stream, else the
    refusal: machine tokens and roles without the map or the wall get 403 (audited)."""
    principal = current_principal()
    if current_token() is not None or not _may_stream(principal):
        audit_denied("live")
        return json_error(403, "error.forbidden")
    assert principal is not None
    return principal


def stream_server_port() -> int:
    """The port of this server's stream server, or 0 when streams are served here."""
    s = get_settings()
    return s.stream_port if s.stream_server and not s.stream_url else 0


def stream_server_url(port: int) -> str | None:
    """The stream server's URL on the host this request came to (None: a host name that
    cannot be put in a URL)."""
    host = request_checks.safe_hostname(request.host)
    if host is None:
        return None
    query = request.query_string.decode("latin-1")
    return f"{request.scheme}://{host}:{port}{PATH}" + (f"?{query}" if query else "")


@gate_bp.get(PATH)
def gate() -> Response:
    """The stream server's check of a request (web/stream_gate.py): 204 with the
    principal in ``g`` when it may open a stream, else the refusal the app would give."""
    verdict = authorize()
    if isinstance(verdict, Response):
        return verdict
    setattr(g, GRANT, verdict)
    return Response(status=204)


@bp.get(PATH)
def stream() -> Response:
    """Open a live stream for the signed-in user's area scope (307 to the stream server
    when one runs)."""
    principal = authorize()
    if isinstance(principal, Response):
        return principal
    port = stream_server_port()
    target = stream_server_url(port) if port else None
    if target is not None:
        resp = redirect(target, code=307)
        resp.headers["Cache-Control"] = "no-store"
        return resp  # type: ignore[return-value]
    try:
        sub = live.hub().subscribe(principal.scope, coarse.aggregate_only(principal))
    except live.Busy as busy:
        log.info("live stream refused for %s: %s", principal.username, busy)
        return _sse_response(iter([busy_message()]))
    sock = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    return _sse_response(stream_with_context(_events(sub, principal, sock)))


def busy_message() -> str:
    retry = random.randint(*BUSY_RETRY_MS)
    return f"retry: {retry}\n\n" + live.sse(live.EV_END, {"reason": "busy"})


def unavailable_message() -> str:
    """The database is down: not live, then the end, and a reconnection later (spread, so
    that every open screen does not come back at the same instant)."""
    retry = random.randint(*DOWN_RETRY_MS)
    return (
        live.sse(live.EV_STATUS, {"live": False})
        + f"retry: {retry}\n\n"
        + live.sse(live.EV_END, {"reason": "unavailable"})
    )


def _still_allowed(principal: Principal) -> bool:
    """The session still holds, with the same role and scope (else the client reconnects
    and is checked afresh)."""
    again, _why = recheck_principal()
    return (
        _may_stream(again)
        and again is not None
        and again.scope == principal.scope
        and again.role == principal.role
    )


def client_gone(sock: Any) -> bool:
    """Has the peer closed the connection? (Readable with nothing to read means EOF.)"""
    if sock is None or isinstance(sock, ssl.SSLSocket):  # no peeking through TLS
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except (OSError, ValueError):
        return True


def _events(sub: live.Subscription, principal: Principal, sock: Any) -> Iterator[str]:
    hub = live.hub()
    try:
        yield f"retry: {RETRY_MS}\n: minqing live\n\n"
        if not hub.listening:
            yield live.sse(live.EV_STATUS, {"live": False})
        now = time.monotonic()
        ends = now + STREAM_SECONDS * random.uniform(0.9, 1.1)
        last_write = last_check = now
        gate = SetbackGate(hub.setbacks)
        while True:
            msg = sub.next(TICK_SECONDS)
            now = time.monotonic()
            if msg is not None:
                yield msg
                last_write = now
            if sub.closed:
                yield live.sse(live.EV_END, {"reason": sub.reason or "closed"})
                return
            if now >= ends:
                yield live.sse(live.EV_END, {"reason": "rotate"})
                return
            # the listener lost its connection, or failed to connect again (this stream may
            # have opened while it was down): the database may be gone, check at once
            setback = gate.due(now, hub.setbacks, hub.listening)
            if now - last_check >= RECHECK_SECONDS or setback:
                last_check = now
                gate.checked(now, hub.setbacks, setback)
                try:
                    allowed = _still_allowed(principal)
                except Exception as exc:
                    if not outage.is_outage(exc):
                        raise
                    outage.note(exc, f"live stream of {principal.username}")
                    yield unavailable_message()
                    return
                if not allowed:
                    log.info("live stream of %s ends: session no longer valid", principal.username)
                    yield live.sse(live.EV_END, {"reason": "signed_out"})
                    return
            if now - last_write >= HEARTBEAT_SECONDS:
                yield ": heartbeat\n\n"
                last_write = now
            if msg is None and client_gone(sock):
                return
    finally:
        hub.unsubscribe(sub)
