"""Live updates: incident changes pushed to every open map and wall screen, by area scope.

Every writer of incidents sends ``pg_notify('incident_changed', json)`` in its own
transaction, so a notification arrives only once the change is committed
(``governance/workflow.py``: ``{id, status, version, action}`` per transition;
``governance/intake.py``: the same with ``action: "register"`` for one new incident, or
``{action: "register", count, ids}`` for a batch).

Each server process runs ONE :class:`~geodata.listen.Listener` (started by the first
subscriber), and one :class:`Hub` that

1. enriches each batch of notifications once, with one query by id
   (``geodata/queries/live.py``): category and its colour, status, point, time of
   occurrence, and the grid's code, which stays on the server (the filter key);
2. fans every change out to the subscriptions whose area scope covers its grid
   (city-wide roles get everything, including incidents outside every grid; scoped
   roles only their subtree), serialised once per distinct scope;
3. merges a burst of notifications of one kind into one message, and drops a
   subscriber whose bounded queue is full (a slow client) instead of slowing
   the others, and tells everyone to refetch after the listener lost its connection
   (notifications sent meanwhile are gone).

What a subscriber receives (see :data:`ITEM_FIELDS`) carries no description, address,
name or other personal field: only what a map needs to decide whether its view changed
and to draw a brief highlight.

Spike warnings (``governance/spikes.py``) travel the same way: the evaluation notifies
``{action: "spike", spikes: [ids], count}`` on the same channel; the hub reads the warnings
(:data:`SPIKE_FIELDS`: the street's code, the category and the counts, nothing else) and
sends each subscriber whose scope covers the street a ``spike`` event, on which the wall
and the dispatch board refresh their warnings.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from geodata.db import ALL_AREAS, database_url, session_scope
from geodata.listen import INCIDENT_CHANNEL, Listener
from geodata.queries.live import changed_incidents
from geodata.queries.spikes import warnings_by_id
from governance.coarse import snapped
from settings import get_settings

log = logging.getLogger(__name__)

ITEM_FIELDS: Final = ("id", "status", "version", "category", "color", "lon", "lat", "occurred_at")
QUEUE_SIZE: Final = 256  # messages waiting for one client before it is dropped
MAX_ITEMS: Final = 200  # incidents per message; the rest are counted in "more"
LISTEN_WAIT: Final = 2.0  # a first subscriber waits this long for LISTEN to be in force

# Names of the server-sent events (the client: assets/js/minqing-live.js).
EV_CHANGE: Final = "change"  # {action, items: [...], more: n, resync: bool}
EV_RESYNC: Final = "resync"  # notifications may have been missed: refetch
EV_STATUS: Final = "status"  # {live: bool}: is the server's listener connected?
EV_END: Final = "end"  # {reason}: the server ends the stream (the client reconnects)
EV_SPIKE: Final = "spike"  # {action: "spike", items: [...], more: n, resync: bool}
SPIKE_ACTION: Final = "spike"
SPIKE_FIELDS: Final = ("id", "area_code", "category", "observed", "expected", "window_end")
# An alert was published (governance/alerts.py notifies {"action": "alert", "alert_id",
# "kind", "area"} on the same channel): {kind}, to the streams whose scope covers its area;
# the client refetches its unread count (the inbox is per user, the stream per scope).
EV_ALERT: Final = "alert"
ALERT_ACTION: Final = "alert"


class Busy(Exception):
    """This process already serves as many streams as it may."""


def visible(scope: str | None, grid_code: str | None) -> bool:
    """May a subscriber confined to ``scope`` (an area-code prefix; None: city-wide) see
    a change in the grid ``grid_code`` (None: an incident outside every grid)?"""
    if scope is None:
        return True
    return grid_code is not None and grid_code.startswith(scope)


def sse(event: str, data: Mapping[str, Any]) -> str:
    """One server-sent event (``event:`` and a one-line JSON ``data:``)."""
    return (
        f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"
    )


@dataclass(frozen=True)
class Change:
    """One changed incident: what subscribers receive, and its grid (the filter key)."""

    grid: str | None
    item: Mapping[str, object]


@dataclass(frozen=True)
class Notice:
    """One notification, enriched. ``unresolved``: incidents it announced without naming
    them (a batch larger than a notification can list): every subscriber refetches."""

    action: str
    changes: tuple[Change, ...] = ()
    unresolved: int = 0
    event: str = EV_CHANGE  # or EV_SPIKE: the changes are spike warnings, by street
    alert: tuple[str, str] | None = None  # an alert's (kind, area code)

    def message(self, scope: str | None, coarse: bool = False) -> str | None:
        """The event for a subscriber of ``scope``, or None when nothing concerns it;
        ``coarse``: an aggregate-only viewer (the wall) gets no exact point
        (``governance/coarse.py``)."""
        if self.alert is not None:
            kind, area = self.alert
            return sse(EV_ALERT, {"kind": kind}) if visible(scope, area) else None
        items = [c.item for c in self.changes if visible(scope, c.grid)]
        if coarse and self.event == EV_CHANGE:
            items = [snapped(dict(i)) for i in items]
        if not items and not self.unresolved:
            return None
        return sse(
            self.event,
            {
                "action": self.action,
                "items": items[:MAX_ITEMS],
                "more": max(0, len(items) - MAX_ITEMS),
                "resync": self.unresolved > 0,
            },
        )


@dataclass(frozen=True)
class _Announced:
    action: str
    ids: list[int]
    count: int
    status: str | None = None
    version: int | None = None


def _int(v: object) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def parse(raw: str) -> _Announced | None:
    """A notification payload, or None if it is not one of ours."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("action"), str):
        return None
    action = str(data["action"])[:40]
    if action == SPIKE_ACTION:
        listed = data.get("spikes")
        ids = [i for i in listed if _int(i) is not None] if isinstance(listed, list) else []
        return _Announced(action, ids, max(_int(data.get("count")) or 0, len(ids)))
    one = _int(data.get("id"))
    if one is not None:
        status = data.get("status")
        return _Announced(
            action, [one], 1, str(status)[:20] if status else None, _int(data.get("version"))
        )
    listed = data.get("ids")
    ids = [i for i in listed if _int(i) is not None] if isinstance(listed, list) else []
    count = _int(data.get("count"))
    return _Announced(action, ids, max(count or 0, len(ids)))


def _item(row: Mapping[str, Any], status: str | None, version: int | None) -> dict[str, object]:
    return {
        "id": int(row["id"]),
        # a single notification names the state of its own commit (a later one may follow)
        "status": status or row["status"],
        "version": version if version is not None else row["version"],
        "category": row["category_code"],
        "color": row["color"],
        "lon": row["lon"],
        "lat": row["lat"],
        "occurred_at": row["occurred_at"],
    }


def _spike_item(row: Mapping[str, Any]) -> dict[str, object]:
    return {
        "id": int(row["id"]),
        "area_code": row["area_code"],
        "category": row["category_code"],
        "observed": int(row["observed"]),
        "expected": round(float(row["expected"]), 2),
        "window_end": row["window_end"].isoformat(),
    }


def parse_alert(raw: str) -> Notice | None:
    """An alert's notification as a notice, or None if ``raw`` is not one."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("action") != ALERT_ACTION:
        return None
    kind, area = data.get("kind"), data.get("area")
    if not isinstance(kind, str) or not isinstance(area, str):
        return None
    return Notice(ALERT_ACTION, alert=(kind[:20], area[:15]))


def enrich(payloads: Iterable[str]) -> list[Notice]:
    """Notifications -> notices, with one query for all the incidents they name (and one
    for the spike warnings); alerts pass as they are."""
    payloads = list(payloads)
    alerts = [n for n in (parse_alert(p) for p in payloads) if n is not None]
    announced = [
        a for a in (parse(p) for p in payloads) if a is not None and a.action != ALERT_ACTION
    ]
    ids = sorted({i for a in announced if a.action != SPIKE_ACTION for i in a.ids})
    spike_ids = sorted({i for a in announced if a.action == SPIKE_ACTION for i in a.ids})
    rows: dict[int, dict[str, Any]] = {}
    spikes: dict[int, dict[str, Any]] = {}
    if ids or spike_ids:
        with session_scope(scope=ALL_AREAS) as s:
            rows = changed_incidents(s, ids) if ids else {}
            spikes = {int(r["id"]): r for r in warnings_by_id(s, spike_ids)}
    notices = []
    for a in announced:
        if a.action == SPIKE_ACTION:
            found = tuple(
                Change(spikes[i]["area_code"], _spike_item(spikes[i])) for i in a.ids if i in spikes
            )
            notices.append(Notice(a.action, found, max(0, a.count - len(a.ids)), EV_SPIKE))
            continue
        changes = tuple(
            Change(rows[i]["grid_code"], _item(rows[i], a.status, a.version))
            for i in a.ids
            if i in rows
        )
        notices.append(Notice(a.action, changes, max(0, a.count - len(a.ids))))
    return notices + alerts


def coalesce(notices: Iterable[Notice]) -> list[Notice]:
    """Merge neighbouring notices of the same action (a burst, such as an SLA sweep's
    hundreds of reminders, becomes one message per scope instead of hundreds)."""
    out: list[Notice] = []
    for n in notices:
        if out and out[-1].action == n.action and n.alert is None:
            last = out[-1]
            out[-1] = Notice(
                n.action, last.changes + n.changes, last.unresolved + n.unresolved, n.event
            )
        else:
            out.append(n)
    return out


@dataclass(eq=False)
class Subscription:
    """One open stream: its scope and a bounded queue of ready-made messages."""

    scope: str | None
    coarse: bool = False  # an aggregate-only viewer: points snapped to coarse cells
    maxsize: int = QUEUE_SIZE
    reason: str | None = None  # why it was closed
    _queue: queue.Queue[str | None] = field(init=False, repr=False)
    _closed: threading.Event = field(default_factory=threading.Event, repr=False)

    def __post_init__(self) -> None:
        self._queue = queue.Queue(maxsize=self.maxsize)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def offer(self, message: str) -> None:
        """Queue a message; a full queue means a client that does not keep up: close."""
        if self.closed:
            return
        try:
            self._queue.put_nowait(message)
        except queue.Full:
            log.info("live: dropping a slow client (scope %s)", self.scope or "*")
            self.close("slow")

    def close(self, reason: str) -> None:
        if self.closed:
            return
        self.reason = reason
        self._closed.set()
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(None)  # wake the reader now

    def next(self, timeout: float) -> str | None:
        """The next message, or None after ``timeout`` seconds (or when closed)."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None


class Subscriber(Protocol):
    """What the hub fans out to: a thread's :class:`Subscription`, or an asyncio stream's
    (``governance/live_loop.py``)."""

    scope: str | None
    coarse: bool

    def offer(self, message: str) -> None: ...

    def close(self, reason: str) -> None: ...


class Hub:
    """The process's listener and its subscriptions (see the module docstring)."""

    def __init__(self, url: str | None = None, max_streams: int | None = None) -> None:
        s = get_settings()
        self.url = url
        self.max_streams = max_streams or s.live_streams or max(1, s.threads // 2)
        self._subs: set[Subscriber] = set()
        self._lock = threading.Lock()
        self._listener: Listener | None = None
        self._stopping = threading.Event()
        self._was_up = False

    # ------------------------------------------------------------------ subscribers
    def subscribe(self, scope: str | None, coarse: bool = False) -> Subscription:
        """A new subscription for ``scope``; raises :class:`Busy` when full."""
        sub = Subscription(scope, coarse)
        self.add(sub).wait_listening(LISTEN_WAIT)
        return sub

    def add(self, sub: Subscriber) -> Listener:
        """Fan out to ``sub`` from now on (starting the listener if need be; it may not be
        listening yet); raises :class:`Busy` when full."""
        if self._stopping.is_set():
            raise Busy("stopping")
        with self._lock:
            if len(self._subs) >= self.max_streams:
                raise Busy(f"{len(self._subs)} streams open")
            self._subs.add(sub)
            listener = self._ensure_listener()
        # a stream is opened only once its session was read from the database: it answers,
        # so a listener still waiting out its backoff (a crash recovery said "starting up"
        # and the wait grew to 15 s) connects now, not long after the database is back
        listener.retry_now()
        return listener

    def start(self) -> Listener:
        """Start the listener before the first subscriber (a stream server at start-up)."""
        with self._lock:
            return self._ensure_listener()

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            self._subs.discard(sub)

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subs)

    @property
    def listening(self) -> bool:
        return self._listener is not None and self._listener.listening

    @property
    def setbacks(self) -> int:
        """The listener's lost connections and failed attempts so far: a stream that sees
        it grow checks at once whether the database is gone, as on the loss of LISTEN
        (a stream opened while the listener was down never sees that loss)."""
        return self._listener.setbacks if self._listener is not None else 0

    @property
    def listener(self) -> Listener | None:
        return self._listener

    def _ensure_listener(self) -> Listener:
        if self._listener is None:
            self._listener = Listener(
                self.url or database_url(), INCIDENT_CHANNEL, self.deliver, self._on_state
            )
            self._listener.start()
        return self._listener

    # ------------------------------------------------------------------ fan-out
    def deliver(self, payloads: Sequence[str]) -> None:
        """The listener's callback: enrich a batch once, then fan it out."""
        self.publish(enrich(payloads))

    def publish(self, notices: Iterable[Notice]) -> None:
        with self._lock:
            subs = list(self._subs)
        for notice in coalesce(notices):
            by_scope: dict[tuple[str | None, bool], str | None] = {}
            for sub in subs:
                key = (sub.scope, sub.coarse)
                if key not in by_scope:
                    by_scope[key] = notice.message(sub.scope, sub.coarse)
                msg = by_scope[key]
                if msg is not None:
                    sub.offer(msg)

    def broadcast(self, message: str) -> None:
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            sub.offer(message)

    def _on_state(self, up: bool) -> None:
        if up and self._was_up:  # back after an outage: what was sent meanwhile is lost
            self.broadcast(sse(EV_RESYNC, {"reason": "reconnected"}))
        elif not up:
            self.broadcast(sse(EV_STATUS, {"live": False}))
        self._was_up = self._was_up or up

    # ------------------------------------------------------------------ shutdown
    def shutdown(self) -> None:
        """End every stream and the listener (a worker stopping). Signal-handler safe."""
        self._stopping.set()
        for sub in list(self._subs):
            sub.close("shutdown")
        if self._listener is not None:
            self._listener.stop()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()


_hub: Hub | None = None
_hub_pid: int | None = None
_hub_lock = threading.Lock()


def hub() -> Hub:
    """This process's hub (a forked child gets its own: threads do not survive a fork)."""
    global _hub, _hub_pid
    with _hub_lock:
        if _hub is None or _hub_pid != os.getpid():
            _hub, _hub_pid = Hub(), os.getpid()
        return _hub


def shutdown() -> None:
    """End this process's streams and listener, if any (gunicorn's SIGTERM hook)."""
    if _hub is not None and _hub_pid == os.getpid():
        _hub.shutdown()
