"""The live-stream server: every open map's and wall's ``/api/v1/stream`` in one asyncio
process, so that streams take no gunicorn thread.

Why: a gunicorn thread per stream meant a worker served at most half its threads as
streams (with 2 workers x 32 threads the 33rd open screen was told to come back later),
and every stream thread taken was one fewer for pages. Here a stream is a coroutine and a
bounded queue: hundreds cost a few MB and almost no CPU while nothing changes.

``app.py serve`` starts it (``cli/streams.py``) on a socket the gunicorn master binds
(``MINQING_STREAM_PORT``, 0: any free port), restarts it if it dies and stops it with
gunicorn. Pages open it directly (``pages/live_indicator.py``: the page's host, this
port, ``withCredentials``); the app's own ``/api/v1/stream`` answers 307 to it.

What it does, per request (any method, any path: an endpoint anyone can call):

1. ``Origin``: a browser's cross-origin request must come from the app's pages (this host,
   the app's port, or this very origin); anything else is a 403 before any other work;
2. the gate (``web/stream_gate.py``): the app's own guard and view check, in a worker
   thread; a refusal is sent exactly as the app would send it (401, 403, 400, 405, 503);
3. a stream: subscribed to the process's hub (``governance/live_loop.py``: ONE LISTEN
   connection, one enrichment query per batch, fan-out by area scope) and sent the events
   of ``web/live.py``, with the same rotation, heartbeat, re-check of the session every
   minute (the gate again, with the stream's request), ``busy`` when full, and
   ``unavailable`` when the database is gone: the session is checked at once whenever the
   listener loses its connection or fails to get it back (``Hub.setbacks``), also for a
   stream opened while the listener was down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final
from urllib.parse import urlsplit

from aiohttp import web
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder

from governance import coarse, live
from governance.access import Principal
from governance.live_loop import AsyncSubscription, LoopHub
from settings import Settings, get_settings
from web import live as live_view
from web import requests as request_checks
from web import stream_gate
from web.stream_gate import Verdict

log = logging.getLogger(__name__)

PATH: Final = live_view.PATH
HEALTH_PATH: Final = "/healthz"
GATE_THREADS: Final = 8  # concurrent session checks (each a short database read)
WRITE_TIMEOUT: Final = 30.0  # a client that takes longer to accept an event is gone
MAX_HEADER_BYTES: Final = 8190  # longer request lines or header fields: 400 (aiohttp)
SSE_HEADERS: Final = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",  # nginx: pass each event on at once
}
_DROP: Final = frozenset({"content-type", "content-length", "cache-control", "connection"})
SERVER_NAME: Final = "minqing"  # aiohttp's default names the Python and aiohttp versions


class StreamServer:
    """The aiohttp application and its state: the gate, its threads and the hub."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.gate = stream_gate.create_gate(self.settings)
        self.pool = ThreadPoolExecutor(GATE_THREADS, thread_name_prefix="stream-gate")
        self._hub: LoopHub | None = None
        self._open: set[AsyncSubscription] = set()  # woken every tick for their chores
        self._ticker: asyncio.Task[None] | None = None

    @property
    def hub(self) -> LoopHub:
        assert self._hub is not None, "the stream server has not started"
        return self._hub

    def application(self) -> web.Application:
        app = web.Application(
            handler_args={"max_line_size": MAX_HEADER_BYTES, "max_field_size": MAX_HEADER_BYTES}
        )
        app.on_response_prepare.append(_plain_server)
        app.router.add_route("GET", HEALTH_PATH, self.health)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        app.on_startup.append(self._start)
        return app

    async def _start(self, _app: web.Application) -> None:
        self._hub = LoopHub(asyncio.get_running_loop(), max_streams=self.settings.stream_max)
        self._hub.start()
        self._ticker = asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        """One timer for every stream's periodic work (heartbeat, re-check, rotation, a
        client gone): each is woken once per tick, instead of a timer per stream."""
        while True:
            await asyncio.sleep(live_view.TICK_SECONDS)
            for sub in list(self._open):
                sub.wake()

    def shutdown(self) -> None:
        """End every stream (each sends ``end: shutdown``) and the listener."""
        if self._ticker is not None:
            self._ticker.cancel()
        if self._hub is not None:
            self._hub.shutdown()

    # ------------------------------------------------------------------ requests
    async def health(self, _request: web.Request) -> web.Response:
        """The process serves (supervision, the tests): ``{"status": "ok"}`` and nothing
        more. Anyone may call it, so it tells no counts of streams (how many screens are
        open says who works when), no state of the listener and no versions."""
        return web.json_response({"status": "ok"})

    async def handle(self, request: web.Request) -> web.StreamResponse:
        environ = _environ(request)
        if environ is None:
            return await self._refuse(request, 400, "error.request.bad", {})
        cors = self.cors(request)
        if cors is None:
            log.info("stream request from a foreign origin %r refused", request.headers["Origin"])
            return await self._refuse(request, 403, "error.request.origin", {})
        if request.path != PATH:
            return await self._refuse(request, 404, "error.request.not_found", cors)
        verdict = await self._check(environ)
        if verdict.principal is None or request.method != "GET":  # HEAD: the check only
            return _send(verdict, cors)
        return await self._stream(request, verdict, environ, cors)

    def cors(self, request: web.Request) -> dict[str, str] | None:
        """The CORS headers for this request's ``Origin`` ({} without one), or None when
        the origin is not one of the app's pages: this host at the app's port, or this
        server's own origin (a proxy routing the stream path on the site's origin)."""
        origin = request.headers.get("Origin")
        if origin is None:
            return {}
        if not allowed_origin(origin, request.scheme, request.host, self.settings.port):
            return None
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Vary": "Origin",
        }

    async def _check(self, environ: dict[str, Any]) -> Verdict:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, stream_gate.check, self.gate, environ)

    async def _refuse(
        self, request: web.Request, status: int, key: str, cors: dict[str, str]
    ) -> web.Response:
        environ = _environ(request) or _environ_of("GET", PATH, b"", [], request.remote)
        assert environ is not None
        return _send(stream_gate.refusal(self.gate, environ, status, key), cors)

    # ------------------------------------------------------------------ a stream
    async def _stream(
        self, request: web.Request, verdict: Verdict, environ: dict[str, Any], cors: dict[str, str]
    ) -> web.StreamResponse:
        principal = verdict.principal
        assert principal is not None
        headers = [(k, v) for k, v in verdict.headers if k.lower() not in _DROP]
        resp = web.StreamResponse(status=200)
        for k, v in [*headers, *SSE_HEADERS.items(), *cors.items()]:
            resp.headers.add(k, v)
        sub = AsyncSubscription(principal.scope, coarse.aggregate_only(principal))
        try:
            self.hub.add(sub)
        except live.Busy as busy:
            log.info("live stream refused for %s: %s", principal.username, busy)
            await resp.prepare(request)
            await resp.write(live_view.busy_message().encode())
            return resp
        self._open.add(sub)
        try:
            await resp.prepare(request)
            await self._pump(request, resp, sub, principal, environ)
        except (ConnectionError, TimeoutError):
            pass  # the client went away
        finally:
            self._open.discard(sub)
            self.hub.unsubscribe(sub)
        return resp

    async def _pump(
        self,
        request: web.Request,
        resp: web.StreamResponse,
        sub: AsyncSubscription,
        principal: Principal,
        environ: dict[str, Any],
    ) -> None:
        """The events of one stream until it ends (the loop of ``web/live.py``)."""
        hub = self.hub

        async def send(text: str) -> None:
            await asyncio.wait_for(resp.write(text.encode()), WRITE_TIMEOUT)

        await send(f"retry: {live_view.RETRY_MS}\n: minqing live\n\n")
        # a server just started (or reconnecting): give LISTEN the moment the threaded
        # path gives its first subscriber (Hub.subscribe) before saying it is not live
        deadline = time.monotonic() + live.LISTEN_WAIT
        while not hub.listening and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if not hub.listening:
            await send(live.sse(live.EV_STATUS, {"live": False}))
        now = time.monotonic()
        ends = now + live_view.STREAM_SECONDS * random.uniform(0.9, 1.1)
        last_write = now
        # the first re-check at a random point of the first interval: streams opened
        # together (a restart, a wall of screens) must not re-check together ever after
        # (500 session checks at once held the process, and every event, for seconds)
        last_check = now - random.uniform(0.0, live_view.RECHECK_SECONDS)
        gate = live_view.SetbackGate(hub.setbacks)
        while True:
            await sub.wait()  # a message, the end, or the tick
            ready = sub.take()
            now = time.monotonic()
            if ready:
                await send("".join(ready))
                last_write = now
            if sub.closed:
                await send(live.sse(live.EV_END, {"reason": sub.reason or "closed"}))
                return
            if now >= ends:
                await send(live.sse(live.EV_END, {"reason": "rotate"}))
                return
            # the listener lost its connection, or failed to connect again (this stream may
            # have opened while it was down, and then never sees it lost): the database
            # may be gone, check at once (then at growing gaps: SetbackGate)
            setback = gate.due(now, hub.setbacks, hub.listening)
            if now - last_check >= live_view.RECHECK_SECONDS or setback:
                last_check = now
                gate.checked(now, hub.setbacks, setback)
                again = await self._check(environ)
                if again.status >= 500:  # the database cannot be reached (or a fault)
                    await send(live_view.unavailable_message())
                    return
                if not same_grant(principal, again.principal):
                    log.info("live stream of %s ends: session no longer valid", principal.username)
                    await send(live.sse(live.EV_END, {"reason": "signed_out"}))
                    return
            if now - last_write >= live_view.HEARTBEAT_SECONDS:
                await send(": heartbeat\n\n")
                last_write = now
            if not ready and (request.transport is None or request.transport.is_closing()):
                return


async def _plain_server(_request: web.Request, resp: web.StreamResponse) -> None:
    """Every answer's ``Server`` header names no versions (aiohttp's default does)."""
    resp.headers["Server"] = SERVER_NAME


def same_grant(first: Principal, again: Principal | None) -> bool:
    """The session still holds with the same role and scope (else the client reconnects
    and is checked afresh)."""
    return again is not None and again.scope == first.scope and again.role == first.role


def allowed_origin(origin: str, scheme: str, host: str, app_port: int) -> bool:
    """Is ``origin`` the app's pages on this host (``host``: this request's Host header)
    at the app's port, or this server's own origin?"""
    if origin == f"{scheme}://{host}":
        return True
    try:
        parts = urlsplit(origin)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or parts.path or parts.query or parts.username:
        return False
    mine = request_checks.safe_hostname(host)
    theirs = request_checks.safe_hostname(parts.netloc)
    return mine is not None and theirs == mine and port == app_port


def _environ(request: web.Request) -> dict[str, Any] | None:
    """The request as a WSGI environ for the gate (None: headers a WSGI server could not
    carry either, such as non-Latin-1 text)."""
    path = request.raw_path.split("?", 1)[0]
    query = request.rel_url.raw_query_string.encode("latin-1", "replace")
    headers = list(request.headers.items())
    return _environ_of(request.method, path, query, headers, request.remote)


def _environ_of(
    method: str, path: str, query: bytes, headers: list[tuple[str, str]], remote: str | None
) -> dict[str, Any] | None:
    try:
        builder = EnvironBuilder(
            path=path if path.startswith("/") else "/",
            query_string=query.decode("latin-1"),
            method=method,
            headers=Headers(headers),
            environ_base={"REMOTE_ADDR": remote or "0.0.0.0"},
        )
        environ: dict[str, Any] = builder.get_environ()
    except (ValueError, UnicodeError):
        return None
    return environ


def _send(verdict: Verdict, cors: dict[str, str]) -> web.Response:
    resp = web.Response(status=verdict.status, body=verdict.body)
    for k, v in [*verdict.headers, *cors.items()]:
        resp.headers.add(k, v)
    return resp


# ---------------------------------------------------------------------- running it
async def serve_until(
    sock: socket.socket,
    settings: Settings,
    stop: asyncio.Event,
    started: threading.Event | None = None,
) -> None:
    """Serve streams on the listening ``sock`` until ``stop`` is set, then end them
    (``end: shutdown``); ``started`` is set once requests are accepted."""
    server = StreamServer(settings)
    runner = web.AppRunner(server.application(), handle_signals=False, shutdown_timeout=5.0)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    log.info("live streams on %s", sock.getsockname())
    if started is not None:
        started.set()
    await stop.wait()
    server.shutdown()
    await asyncio.sleep(0.2)  # the streams write their end event
    await runner.cleanup()
    server.pool.shutdown(wait=False, cancel_futures=True)


async def _orphaned(stop: asyncio.Event) -> None:
    """Stop when the process that started this one is gone (the gunicorn master was
    killed outright, with no chance to stop it): no stream server outlives its app."""
    parent = os.getppid()
    while not stop.is_set():
        await asyncio.sleep(1.0)
        if os.getppid() != parent:
            log.warning("the server that started the stream server is gone; stopping")
            stop.set()


async def _serve(sock: socket.socket, settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    watch = asyncio.create_task(_orphaned(stop))
    await serve_until(sock, settings, stop)
    watch.cancel()


def serve(sock: socket.socket, settings: Settings | None = None) -> None:
    """Serve streams on the listening ``sock`` until SIGTERM or SIGINT."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(sock, settings or get_settings()))
