"""The live hub for an asyncio event loop: hundreds of streams in one thread.

``governance/live.py``'s :class:`~governance.live.Hub` was built for gunicorn threads:
each stream waits on a ``queue.Queue`` in a thread of its own. The stream server
(``web/streams.py``) holds every stream as a coroutine instead; this module adapts the hub
to it and changes nothing of what is sent: the same listener (one LISTEN connection per
process), the same enrichment (one query per batch, no personal field), the same scope
filtering and coalescing, the same events.

Why a hop to the loop: the listener's thread enriches a batch (a database query: it must
not block the loop) and then hands the finished notices to the loop with ONE
``call_soon_threadsafe``; the fan-out to every stream then runs on the loop, where
``asyncio.Queue`` lives. (One cross-thread wake-up per subscriber and message would be
500 wake-ups per change.)
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Iterable

from governance.live import QUEUE_SIZE, Hub, Notice

log = logging.getLogger(__name__)


class AsyncSubscription:
    """One stream on the loop: its scope and a bounded queue of ready-made messages.
    Only the loop's thread calls its methods (the hub hops there first).

    Cheap to wake, because a change wakes every stream: a deque and one bare future per
    wait, no task and no timer per wait (``asyncio.wait_for`` on a queue made a task and
    a timer for each of 500 streams at every change and every tick). The stream's
    periodic work (heartbeat, re-check, rotation) is woken by :meth:`wake`, which the
    server calls for all streams from one timer.
    """

    def __init__(self, scope: str | None, coarse: bool = False, maxsize: int = QUEUE_SIZE):
        self.scope = scope
        self.coarse = coarse
        self.reason: str | None = None  # why it was closed
        self._items: deque[str] = deque()
        self._maxsize = maxsize
        self._waiter: asyncio.Future[None] | None = None

    @property
    def closed(self) -> bool:
        return self.reason is not None

    def offer(self, message: str) -> None:
        """Queue a message; a full queue means a client that does not keep up: close."""
        if self.closed:
            return
        if len(self._items) >= self._maxsize:
            log.info("live: dropping a slow client (scope %s)", self.scope or "*")
            self.close("slow")
            return
        self._items.append(message)
        self.wake()

    def close(self, reason: str) -> None:
        if self.closed:
            return
        self.reason = reason
        self.wake()

    def wake(self) -> None:
        """Let the waiting reader run now (a message, a close, or its periodic work)."""
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def take(self) -> list[str]:
        """Every queued message (oldest first), emptying the queue."""
        out = list(self._items)
        self._items.clear()
        return out

    async def wait(self) -> None:
        """Until a message is queued, the subscription closes or :meth:`wake` is called."""
        if self._items or self.closed:
            return
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None


class LoopHub(Hub):
    """A :class:`~governance.live.Hub` whose fan-out runs on ``loop`` (see the module
    docstring); subscribers are :class:`AsyncSubscription` objects."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, url: str | None = None, max_streams: int = 2000
    ) -> None:
        super().__init__(url, max_streams)
        self._loop = loop

    def publish(self, notices: Iterable[Notice]) -> None:
        """On the listener's thread: hand the enriched notices to the loop."""
        ready = list(notices)
        self._on_loop(lambda: Hub.publish(self, ready))

    def broadcast(self, message: str) -> None:
        self._on_loop(lambda: Hub.broadcast(self, message))

    def shutdown(self) -> None:
        """End every stream and the listener (called on the loop)."""
        Hub.shutdown(self)

    def _on_loop(self, fn: Callable[[], None]) -> None:
        if self._loop.is_closed():
            return
        try:
            self._loop.call_soon_threadsafe(fn)
        except RuntimeError:  # the loop closed meanwhile (shutting down)
            log.debug("live: the loop is closed; a message was dropped")
