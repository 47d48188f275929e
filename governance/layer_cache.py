"""A per-process cache of rendered incident layers, invalidated by the live change stream.

Fifty map clients panning a city ask for the same few viewports again and again: the
map snaps its bbox outward to a quarter-tile grid of the zoom and pads it by a quarter of
the view (``layers/urls.py`` :func:`padded_bbox`), so a small pan, a repeat and a
neighbour's view give the same URL. Answering those from memory instead of running the
query and serialising thousands of features again is what brings the endpoint near its SQL.

Tile-aligned: a cached layer answers for its bbox snapped outward to the whole 256-px tiles
of its zoom (:func:`tile_aligned`), so the map's views within the same tiles, a small pan
or a neighbour's view, are one entry. What it returns is the layer of that bbox, a
superset of the view's, exactly as if that bbox had been asked for: density cells and
the incidents cap (points up to ``max_features``, else clusters, with ``X-Truncated``)
are those of the aligned bbox. With the cache off the bbox is used as sent.

What is cached: only the ``incidents`` and ``density`` layers (:data:`CACHED_LAYERS`), the
ones whose every change is announced on the ``incident_changed`` channel that the live maps
listen to. Areas, labels, sites, coverage and emerging hot spots change through writers
that send no notification, and the persons layer (masked identities, points for some roles
only) is never kept: those are rendered for every request as before.

The key (:func:`cache_key`) is the layer, the whole validated query (bbox, zoom, window or
dates, filters, resolution ...), the caller's language, their area scope and row-level
security scope, and every capability the layer use case consults (so a wall that may see
aggregates only never gets a commander's body, and a street supervisor never gets a
city-wide one). Access and validation run on every request before the cache is looked at:
a refused or malformed request is a 4xx whatever the cache holds, and only a successful
render is ever stored.

Freshness, exactly as the live stream:

* a process-wide generation counter is bumped by every notification on the channel (this
  process's own :class:`geodata.listen.Listener`); an entry is served only while the
  generation it was rendered at is current, and a render is stored only if no
  notification arrived while it ran (its snapshot may predate the change). So a change is
  visible in this process as soon as its notification reaches it, the moment the live
  stream learns of it too;
* while the listener is down (or not yet connected) nothing is served from or stored in
  the cache, and its reconnection bumps the generation (notifications may have been lost);
* each entry lives at most ``settings.layer_cache_ttl`` seconds (default 15): a case
  leaves a relative window ("30d" ending now), turns overdue or due soon (the points carry
  their urgency at render time), a category's colour or an area's grids change, all
  without a notification. That is the one documented bound: such changes show at most
  the TTL late; everything a writer announces shows at once.

A kept layer holds its body and its gzip, compressed once and sent as is to every client
that accepts gzip, at level 1: on a 1.1 MB density body level 6 (Flask-Compress's) took
41 ms and level 1 10 ms for 17 % more bytes, which a command centre's network does not
notice but its two cores do. Memory is bounded by bytes (``settings.layer_cache_mb``), least recently used evicted
first. An ``OrderedDict`` under one lock does it in a few lines; ``cachetools.LRUCache``
with ``getsizeof`` would too, but it is not thread-safe either (the same lock is needed),
has no per-entry generation or expiry in one structure, and would be a new dependency.
"""

from __future__ import annotations

import gzip
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from geodata.listen import INCIDENT_CHANNEL, Listener
from governance.access import (
    ANALYTICS_VIEW,
    LAYER_INCIDENTS,
    LAYER_SITES,
    MAP_VIEW,
    PATROL_SUPERVISE,
    PERSONS_COUNTS,
    PERSONS_POINTS,
    WALL_VIEW,
    Principal,
    require,
)
from governance.layers import LayerPayload, checked_query
from settings import get_settings

log = logging.getLogger(__name__)

CACHED_LAYERS: Final = frozenset({"incidents", "density"})
# Every capability governance/layers.py and governance/coarse.py consult: two principals
# share an entry only if they agree on all of them (and on their scopes).
KEY_CAPABILITIES: Final = (
    MAP_VIEW,
    WALL_VIEW,
    LAYER_INCIDENTS,
    LAYER_SITES,
    PERSONS_COUNTS,
    PERSONS_POINTS,
    PATROL_SUPERVISE,
    ANALYTICS_VIEW,
)
ENTRY_OVERHEAD: Final = 512  # bytes per entry besides its body (key, headers, bookkeeping)
MAX_ENTRY_SHARE: Final = 8  # one body may take at most 1/8 of the cache
GZIP_MIN_BYTES: Final = 500  # as app.py's COMPRESS_MIN_SIZE: smaller bodies go as they are
GZIP_LEVEL: Final = 1  # 4x cheaper than level 6 on large GeoJSON, ~17 % larger
FOLLOW_SECONDS: Final = 30.0  # how long a request waits for the same render by another
WALL_SNAPSHOT_BYTES: Final = 64 * 1024  # charged per kept wall snapshot (tiles and short lists)
TILE_SPAN: Final = 1  # a cached layer answers for its bbox snapped out to whole tiles


@dataclass(frozen=True)
class Answer:
    """A layer as kept and sent: the payload and, for a body worth compressing, its gzip
    (compressed once when rendered, not again for every client that gets it)."""

    payload: LayerPayload
    gzipped: bytes | None = None

    @classmethod
    def of(cls, payload: LayerPayload) -> Answer:
        body = payload.body
        if len(body) < GZIP_MIN_BYTES:
            return cls(payload)
        return cls(payload, gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))

    @property
    def size(self) -> int:
        return len(self.payload.body) + len(self.gzipped or b"") + ENTRY_OVERHEAD


@dataclass(frozen=True)
class _Entry:
    value: Any  # an Answer, or a wall snapshot
    generation: int
    expires: float  # time.monotonic()
    size: int


class LayerCache:
    """LRU by bytes of rendered layers, valid for one generation of the change stream.

    Thread-safe (gunicorn gthread workers serve requests on several threads). ``listen``
    False leaves the listener out (tests drive :meth:`bump` and :meth:`set_listening`).
    """

    def __init__(
        self,
        max_bytes: int,
        ttl: float,
        *,
        url: str | None = None,
        listen: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_bytes = max_bytes
        self.ttl = ttl
        self._url = url
        self._listen = listen
        self._clock = clock
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._running: dict[Hashable, threading.Event] = {}  # keys being rendered
        self._bytes = 0
        self._generation = 0
        self._listening = False
        self._listener: Listener | None = None
        self.hits = self.misses = self.stores = 0

    # ------------------------------------------------------------------ stream
    def start(self) -> None:
        """Start this process's listener (once; a daemon thread). Until it is listening
        the cache stays out of the way."""
        if not self._listen or self._listener is not None:
            return
        with self._lock:
            if self._listener is not None:
                return
            from geodata.db import database_url

            self._listener = Listener(
                self._url or database_url(),
                INCIDENT_CHANNEL,
                lambda _payloads: self.bump(),
                self.set_listening,
                application_name="minqing-layer-cache",
            )
        self._listener.start()

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop(timeout=2)

    def bump(self) -> None:
        """Something changed (a notification): every entry rendered before is stale."""
        with self._changed:
            self._generation += 1
            self._entries.clear()
            self._bytes = 0
            self._changed.notify_all()

    def set_listening(self, up: bool) -> None:
        """The listener connected (True) or lost its connection (False): either way
        notifications may have been missed, so start a new generation."""
        with self._changed:
            self._listening = up
        self.bump()

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def active(self) -> bool:
        return self.max_bytes > 0 and self._listening

    def wait_generation(self, after: int, timeout: float) -> bool:
        """Wait until the generation has moved past ``after`` (tests, benchmarks)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._generation > after, timeout)

    # ------------------------------------------------------------------ entries
    @property
    def size(self) -> int:
        """Bytes held (bodies plus a fixed overhead per entry)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            if entry.generation != self._generation or entry.expires <= self._clock():
                self._drop(key)
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.value

    def put(self, key: Hashable, generation: int, value: Any, size: int) -> bool:
        """Keep ``value`` (of about ``size`` bytes) made at ``generation``, unless a
        notification arrived since (it may have read the database before the change) or
        it is too big."""
        with self._lock:
            if generation != self._generation or not self._listening:
                return False
            if size * MAX_ENTRY_SHARE > self.max_bytes:
                return False
            if key in self._entries:
                self._drop(key)
            self._entries[key] = _Entry(value, generation, self._clock() + self.ttl, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))
            self.stores += 1
            return True

    def lead(self, key: Hashable) -> threading.Event | None:
        """Claim the render of ``key``: None if this caller renders it (then it must call
        :meth:`done`), else the event set when the caller already rendering it is done.
        Fifty clients that ask for one new view together run its query once."""
        with self._lock:
            running = self._running.get(key)
            if running is not None:
                return running
            self._running[key] = threading.Event()
            return None

    def done(self, key: Hashable) -> None:
        with self._lock:
            running = self._running.pop(key, None)
        if running is not None:
            running.set()

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key)
        self._bytes -= entry.size


def tile_aligned(
    bbox: tuple[float, float, float, float], zoom: float
) -> tuple[float, float, float, float]:
    """``bbox`` snapped outward to the grid of whole 256-px tiles of ``zoom`` (in degrees,
    on both axes, like the map's own quarter-tile snapping in layers/urls.py): every view
    the map builds inside the same tiles becomes one request, so neighbours and small pans
    share an entry. The result contains ``bbox`` and stays in range."""
    step = 360.0 / 2 ** int(zoom) * TILE_SPAN
    minlon, minlat, maxlon, maxlat = bbox
    return (
        max(-180.0, math.floor(minlon / step) * step),
        max(-90.0, math.floor(minlat / step) * step),
        min(180.0, math.ceil(maxlon / step) * step),
        min(90.0, math.ceil(maxlat / step) * step),
    )


def aligned_args(
    layer: str, args: Mapping[str, str], principal: Principal | None
) -> dict[str, str]:
    """Check access and validate the request (the same 4xx as an uncached render), then
    the same request for its tile-aligned bbox (:func:`tile_aligned`)."""
    _who, query = checked_query(layer, args, principal)
    plain = args.to_dict() if hasattr(args, "to_dict") else dict(args)
    plain["bbox"] = ",".join(repr(v) for v in tile_aligned(query.bbox.as_tuple(), query.z))
    return plain


def cache_key(
    layer: str, args: Mapping[str, str], principal: Principal | None, lang: str
) -> tuple[Hashable, ...]:
    """Check access and validate the request (the same 4xx as an uncached render), then
    its key: everything the rendered body can depend on."""
    who, query = checked_query(layer, args, principal)
    values = {name: getattr(query, name) for name in type(query).model_fields}
    values["bbox"] = query.bbox.as_tuple()
    params = tuple(sorted((k, v) for k, v in values.items() if v is not None))
    return (layer, params, lang, *principal_key(who))


def principal_key(who: Principal) -> tuple[Hashable, ...]:
    """What of a principal a cached answer may depend on: their area scope, their
    row-level-security scope and every capability the use cases consult."""
    return ((who.scope, who.rls_scope), tuple(who.can(p) for p in KEY_CAPABILITIES))


_CACHE: LayerCache | None = None
_CACHE_LOCK = threading.Lock()


def layer_cache() -> LayerCache:
    """This process's cache (created from the settings, its listener started on first use)."""
    global _CACHE
    if _CACHE is None:
        with _CACHE_LOCK:
            if _CACHE is None:
                s = get_settings()
                _CACHE = LayerCache(s.layer_cache_mb * 1024 * 1024, s.layer_cache_ttl)
    return _CACHE


def cached_layer(
    layer: str,
    args: Mapping[str, str],
    principal: Principal | None,
    lang: str,
    render: Callable[[Mapping[str, str]], LayerPayload],
) -> tuple[Answer, str]:
    """The layer and where it came from (``hit``, ``miss``, ``off``): from the cache when
    a valid entry exists, else ``render(args)`` (the caller's unit of work around
    :func:`governance.layers.render_layer`), stored when it may be. A cached layer is
    the one of the tile-aligned bbox (:func:`tile_aligned`). With the cache off (or its
    listener down) the request is rendered as sent and the answer has no gzip (the app's
    compression does it, as before)."""
    if layer not in CACHED_LAYERS:
        return Answer(render(args)), "off"
    cache = layer_cache()
    if cache.max_bytes <= 0:
        return Answer(render(args)), "off"
    cache.start()
    aligned = aligned_args(layer, args, principal)  # 4xx here, cached or not
    if not cache.active:
        return Answer(render(args)), "off"
    key = cache_key(layer, aligned, principal, lang)
    return _shared(cache, key, lambda: Answer.of(render(aligned)), lambda a: a.size)


T = TypeVar("T")


def _shared(
    cache: LayerCache, key: Hashable, make: Callable[[], T], size: Callable[[T], int]
) -> tuple[T, str]:
    """The valid entry of ``key``, or ``make()`` once (others asking meanwhile wait for
    it), kept if no notification arrived while it ran."""
    hit = cache.get(key)
    if hit is not None:
        return hit, "hit"
    running = cache.lead(key)
    if running is not None:  # the same answer is being made: wait for it
        running.wait(FOLLOW_SECONDS)
        hit = cache.get(key)
        if hit is not None:
            return hit, "hit"
        return make(), "miss"  # not kept (something changed meanwhile): make it again
    try:
        generation = cache.generation  # before its snapshot of the database is taken
        value = make()
        cache.put(key, generation, value, size(value))
    finally:
        cache.done(key)
    return value, "miss"


def cached_wall_snapshot(principal: Principal, lang: str, make: Callable[[], T]) -> T:
    """The wall's figures and lists (``make``: the caller's unit of work around
    :func:`governance.wall.snapshot`), shared by every wall screen of the same scope and
    language until a notification or the TTL: a hundred walls refreshing every 10 s ask
    the database once per change instead of ten times a second. What no notification
    announces (patrol figures, SLA countdowns moving on) shows at most the TTL late; the
    snapshot's ``as_of`` says when it was read."""
    cache = layer_cache()
    if cache.max_bytes <= 0:
        return make()
    cache.start()
    if not cache.active:
        return make()
    key = ("wall", lang, *principal_key(require(principal, WALL_VIEW)))
    value, _ = _shared(cache, key, make, lambda _v: WALL_SNAPSHOT_BYTES)
    return value
