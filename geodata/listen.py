"""PostgreSQL LISTEN on a background thread, with its own connection, that survives restarts.

One :class:`Listener` holds one dedicated psycopg2 connection (autocommit, outside the
pool) that has run ``LISTEN <channel>``. Its thread waits on the connection's socket with
``select()`` and hands every batch of payloads that arrives to ``on_payloads``. When the
connection is lost (the server restarted, the backend was terminated, the network went)
it reconnects with an exponential backoff and reports each change of state to
``on_state``: the caller should assume notifications were missed while it was down.

The backoff grows to :data:`BACKOFF_MAX` while the server stays away (a crash recovery
answers "starting up" for seconds), so a listener could stay down long after the database
is back. :meth:`Listener.retry_now` cuts the wait short: the caller calls it when it has
just seen the database answer (a stream's session check succeeded). :attr:`Listener.setbacks`
counts every lost connection and failed attempt, so that a caller can tell "down and still
failing" (check whether the database is gone) from "down, as it already was".

No Dash, no domain rules: the callbacks decide what a payload means.
"""

from __future__ import annotations

import contextlib
import logging
import select
import threading
import time
from collections.abc import Callable
from typing import Any, Final

import psycopg2
import psycopg2.extensions
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

# The one channel every writer of incidents notifies on (pg_notify(INCIDENT_CHANNEL, json))
# and the live maps listen on.
INCIDENT_CHANNEL: Final = "incident_changed"
WAIT_SECONDS = 1.0  # select() timeout: how soon the thread notices stop()
PING_SECONDS = 30.0  # without traffic, check the connection this often (a silent network)
BACKOFF_FIRST, BACKOFF_MAX = 0.25, 15.0  # seconds between reconnection attempts
RETRY_SPACING = 0.25  # retry_now(): at least this long after the previous attempt


def connect_params(url: str, application_name: str) -> dict[str, Any]:
    """psycopg2 keyword arguments for a SQLAlchemy URL (host may be a socket directory)."""
    sa_url = make_url(url)
    cargs, cparams = sa_url.get_dialect()().create_connect_args(sa_url)
    if cargs:  # pragma: no cover - the psycopg2 dialect passes keywords only
        raise ValueError(f"unsupported database URL for LISTEN: {sa_url!r}")
    return {**cparams, "application_name": application_name, "connect_timeout": 5}


class Listener:
    """LISTEN on ``channel`` in a daemon thread; ``on_payloads`` gets each batch of
    payloads (in commit order), ``on_state(True/False)`` each connect and disconnect.

    Both callbacks run on the listener's thread: keep them short, and never let them
    raise (an exception is logged and the batch is dropped).
    """

    def __init__(
        self,
        url: str,
        channel: str,
        on_payloads: Callable[[list[str]], None],
        on_state: Callable[[bool], None] | None = None,
        *,
        application_name: str = "minqing-live",
    ) -> None:
        if not channel.isidentifier():
            raise ValueError(f"not a channel name: {channel!r}")
        self.channel = channel
        self._params = connect_params(url, application_name)
        self._on_payloads = on_payloads
        self._on_state = on_state
        self._stop = threading.Event()
        self._nudge = threading.Event()  # retry_now(): end the backoff wait
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None
        self.backend_pid: int | None = None  # of the current connection (tests, diagnostics)
        self.connects = 0  # successful connections so far
        self.setbacks = 0  # lost connections and failed attempts so far

    # ------------------------------------------------------------------ control
    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"listen-{self.channel}", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the thread to end (within a second); with ``timeout``, wait that long for
        it. Safe to call from a signal handler."""
        self._stop.set()
        self._nudge.set()
        if timeout is not None and self._thread is not None:
            self._thread.join(timeout)

    def retry_now(self) -> None:
        """Reconnect now rather than at the end of the backoff (the database was just seen
        answering); attempts stay at least :data:`RETRY_SPACING` apart. Thread-safe."""
        if not self._listening.is_set():
            self._nudge.set()

    @property
    def listening(self) -> bool:
        """Is the connection up with LISTEN in force?"""
        return self._listening.is_set()

    def wait_listening(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for LISTEN to be in force."""
        return self._listening.wait(timeout)

    # ------------------------------------------------------------------ thread
    def _run(self) -> None:
        delay = BACKOFF_FIRST
        while not self._stop.is_set():
            attempted = time.monotonic()
            self._nudge.clear()  # a nudge from now on asks for another attempt
            try:
                conn = psycopg2.connect(**self._params)
            except psycopg2.Error as exc:
                self.setbacks += 1
                log.warning(
                    "LISTEN %s: cannot connect (%s); retrying in %.1f s",
                    self.channel,
                    str(exc).strip(),
                    delay,
                )
                if self._nudge.wait(delay) and not self._stop.is_set():
                    log.info("LISTEN %s: retrying at once (the database answers)", self.channel)
                    self._stop.wait(max(0.0, attempted + RETRY_SPACING - time.monotonic()))
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            delay = BACKOFF_FIRST
            try:
                self._listen(conn)
            except (psycopg2.Error, OSError) as exc:
                if not self._stop.is_set():
                    log.warning(
                        "LISTEN %s: connection lost (%s); reconnecting",
                        self.channel,
                        str(exc).strip(),
                    )
            finally:
                was_up = self._listening.is_set()
                self._listening.clear()
                self.setbacks += 1
                self.backend_pid = None
                with contextlib.suppress(psycopg2.Error):
                    conn.close()
                if was_up:
                    self._state(False)
            self._stop.wait(BACKOFF_FIRST)  # a restarting server refuses for a moment

    def _listen(self, conn: Any) -> None:
        conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
        with conn.cursor() as cur:
            cur.execute(f"LISTEN {self.channel}")
        self.backend_pid = conn.get_backend_pid()
        self.connects += 1
        self._listening.set()
        log.info("LISTEN %s: listening (backend %s)", self.channel, self.backend_pid)
        self._state(True)
        quiet_since = time.monotonic()
        while not self._stop.is_set():
            ready, _, _ = select.select([conn], [], [], WAIT_SECONDS)
            if ready:
                conn.poll()  # raises on a lost connection
                payloads = [n.payload for n in conn.notifies if n.channel == self.channel]
                conn.notifies.clear()
                quiet_since = time.monotonic()
                if payloads:
                    self._deliver(payloads)
            elif time.monotonic() - quiet_since >= PING_SECONDS:
                with conn.cursor() as cur:  # a dead peer that never closed the socket
                    cur.execute("SELECT 1")
                quiet_since = time.monotonic()

    def _deliver(self, payloads: list[str]) -> None:
        try:
            self._on_payloads(payloads)
        except Exception:
            log.exception(
                "LISTEN %s: a batch of %d notifications failed", self.channel, len(payloads)
            )

    def _state(self, up: bool) -> None:
        if self._on_state is None:
            return
        try:
            self._on_state(up)
        except Exception:
            log.exception("LISTEN %s: state callback failed", self.channel)
