"""The layer cache's own rules (governance/layer_cache.py), without a database: bounded
memory, one generation of the change stream, expiry, and keys that never cross a scope
or a capability."""

from __future__ import annotations

import pytest

from governance.access import Principal
from governance.errors import Forbidden, InvalidInput
from governance.layer_cache import (
    ENTRY_OVERHEAD,
    Answer,
    LayerCache,
    aligned_args,
    cache_key,
    tile_aligned,
)
from governance.layers import LayerPayload

ARGS = {"bbox": "115.2,22.8,115.4,22.95", "z": "13", "window": "30d"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def payload(n: int, tag: str = "x") -> Answer:
    """An answer of ``n`` bytes (no gzip: sizes stay exact)."""
    return Answer(LayerPayload((tag * n).encode(), "application/geo+json", 1))


def keep(cache: LayerCache, key: str | tuple[str, int], generation: int, answer: Answer) -> bool:
    return cache.put(key, generation, answer, answer.size)


def listening(
    max_bytes: int = 100_000, ttl: float = 15.0, clock: Clock | None = None
) -> LayerCache:
    cache = LayerCache(max_bytes, ttl, listen=False, clock=clock or Clock())
    cache.set_listening(True)
    return cache


def test_memory_stays_under_the_bound_and_the_least_recently_used_go_first() -> None:
    cache = listening(max_bytes=20_000)
    size = 1000 + ENTRY_OVERHEAD
    for i in range(100):
        assert keep(cache, ("k", i), cache.generation, payload(1000))
        assert cache.size <= 20_000
        if i == 5:
            assert cache.get(("k", 0)) is not None  # used: kept while 1..5 go
    assert len(cache) == 20_000 // size
    assert cache.size == len(cache) * size
    assert cache.get(("k", 99)) is not None
    assert cache.get(("k", 1)) is None


def test_an_entry_too_big_for_its_share_is_not_kept() -> None:
    cache = listening(max_bytes=80_000)
    assert not keep(cache, "big", cache.generation, payload(20_000))
    assert keep(cache, "small", cache.generation, payload(5_000))
    assert cache.get("big") is None and cache.size == 5_000 + ENTRY_OVERHEAD


def test_a_notification_makes_every_entry_stale_and_empties_the_cache() -> None:
    cache = listening()
    g = cache.generation
    assert keep(cache, "a", g, payload(10))
    assert cache.get("a") is not None
    cache.bump()
    assert cache.get("a") is None
    assert cache.size == 0 and len(cache) == 0


def test_a_render_that_saw_a_notification_arrive_is_not_stored() -> None:
    """The render started at generation g may have read the database before the change."""
    cache = listening()
    g = cache.generation
    cache.bump()
    assert not keep(cache, "a", g, payload(10))
    assert cache.get("a") is None


def test_nothing_is_stored_or_served_while_the_listener_is_down() -> None:
    cache = listening()
    assert keep(cache, "a", cache.generation, payload(10))
    cache.set_listening(False)
    assert not cache.active
    assert cache.get("a") is None
    assert not keep(cache, "b", cache.generation, payload(10))
    cache.set_listening(True)  # back: a new generation (notifications may have been lost)
    assert cache.active and cache.get("a") is None and cache.get("b") is None


def test_entries_expire_after_the_ttl() -> None:
    clock = Clock()
    cache = listening(ttl=15.0, clock=clock)
    assert keep(cache, "a", cache.generation, payload(10))
    clock.now += 14.9
    assert cache.get("a") is not None
    clock.now += 0.2
    assert cache.get("a") is None and len(cache) == 0


def test_a_kept_layer_counts_its_gzip_and_the_gzip_is_the_body() -> None:
    import gzip

    body = b'{"type":"FeatureCollection","features":[' + b'{"a":1},' * 500 + b"{}]}"
    answer = Answer.of(LayerPayload(body, "application/geo+json", 501))
    assert answer.gzipped is not None and gzip.decompress(answer.gzipped) == body
    assert answer.size == len(body) + len(answer.gzipped) + ENTRY_OVERHEAD
    assert Answer.of(LayerPayload(b"{}", "application/geo+json", 0)).gzipped is None
    cache = listening()
    assert keep(cache, "a", cache.generation, answer) and cache.size == answer.size


def test_a_cache_of_zero_bytes_keeps_nothing() -> None:
    cache = LayerCache(0, 15.0, listen=False)
    cache.set_listening(True)
    assert not cache.active
    assert not keep(cache, "a", cache.generation, payload(1))


def person(role: str, code: str | None = None, level: str | None = None) -> Principal:
    return Principal(1, role, role, role, area_code=code, area_level=level)


def test_keys_differ_by_scope_capability_language_and_every_parameter() -> None:
    commander = person("commander")
    street = person("supervisor", "441502001", "street")
    other_street = person("supervisor", "441502002", "street")
    wall = person("wall")
    keys = {
        cache_key("density", ARGS, commander, "zh-CN"),
        cache_key("density", ARGS, street, "zh-CN"),
        cache_key("density", ARGS, other_street, "zh-CN"),
        cache_key("density", ARGS, wall, "zh-CN"),
        cache_key("density", ARGS, commander, "en"),
        cache_key("incidents", ARGS, commander, "zh-CN"),
        cache_key("density", {**ARGS, "z": "14"}, commander, "zh-CN"),
        cache_key("density", {**ARGS, "window": "7d"}, commander, "zh-CN"),
        cache_key("density", {**ARGS, "bbox": "115.2,22.8,115.4,22.96"}, commander, "zh-CN"),
        cache_key("density", {**ARGS, "urgency": "overdue"}, commander, "zh-CN"),
        cache_key("density", {**ARGS, "res": "8"}, commander, "zh-CN"),
        cache_key("density", {**ARGS, "sources": "hotline_12345"}, commander, "zh-CN"),
    }
    assert len(keys) == 12
    # the same request by an equal principal shares the entry
    assert cache_key("density", ARGS, person("commander"), "en") == cache_key(
        "density", dict(ARGS), commander, "en"
    )


def test_the_key_checks_access_and_input_first() -> None:
    with pytest.raises(Forbidden):
        cache_key("incidents", ARGS, person("wall"), "en")  # aggregates only
    with pytest.raises(Forbidden):
        cache_key("density", ARGS, None, "en")
    with pytest.raises(InvalidInput):
        cache_key("density", {**ARGS, "z": "99"}, person("commander"), "en")
    with pytest.raises(InvalidInput):
        cache_key("nope", ARGS, person("commander"), "en")


def test_a_tile_aligned_bbox_holds_the_view_and_neighbours_share_it() -> None:
    import random

    from layers.urls import padded_bbox

    rng = random.Random(4)
    shared = 0
    for _ in range(500):
        z = rng.randint(11, 14)
        lon, lat = rng.uniform(114.9, 116.3), rng.uniform(22.5, 23.7)
        w, h = 1600 * 360 / (256 * 2**z) / 2, 900 * 360 / (256 * 2**z) / 2
        view = padded_bbox((lon - w, lat - h, lon + w, lat + h), z)
        out = tile_aligned(view, z)
        assert out[0] <= view[0] and out[1] <= view[1] and out[2] >= view[2] and out[3] >= view[3]
        assert tile_aligned(out, z) == out  # already aligned: unchanged
        step = 360 / 2**z
        assert all(abs(v / step - round(v / step)) < 1e-9 for v in out)
        assert (out[2] - out[0]) - (view[2] - view[0]) <= 2 * step
        nudge = w * 0.02  # a small pan
        moved = padded_bbox((lon - w + nudge, lat - h, lon + w + nudge, lat + h), z)
        shared += tile_aligned(moved, z) == out
    assert shared > 250  # most small pans stay in the same tiles
    assert tile_aligned((-180.0, -90.0, 180.0, 90.0), 3) == (-180.0, -90.0, 180.0, 90.0)


def test_aligned_args_keep_every_other_parameter_and_check_access() -> None:
    args = aligned_args("density", {**ARGS, "v": "7"}, person("commander"))
    assert args["window"] == "30d" and args["z"] == "13" and args["v"] == "7"
    bbox = tuple(float(v) for v in args["bbox"].split(","))
    assert bbox == tile_aligned((115.2, 22.8, 115.4, 22.95), 13)
    with pytest.raises(Forbidden):
        aligned_args("incidents", ARGS, person("wall"))
    with pytest.raises(InvalidInput):
        aligned_args("density", {**ARGS, "bbox": "1,2,3"}, person("commander"))


def test_one_render_per_key_at_a_time() -> None:
    cache = listening()
    assert cache.lead("a") is None  # this caller renders "a"
    running = cache.lead("a")
    assert running is not None and not running.is_set()  # the next one waits
    assert cache.lead("b") is None  # another key is not held up
    cache.done("a")
    assert running.is_set()
    assert cache.lead("a") is None  # free again
    cache.done("a")
    cache.done("b")


def test_wall_screens_of_one_scope_and_language_share_one_snapshot() -> None:
    from governance import layer_cache

    cache = listening(max_bytes=10 * 1024 * 1024)
    made: list[str] = []

    def make(tag: str) -> str:
        made.append(tag)
        return tag

    old = layer_cache._CACHE
    layer_cache._CACHE = cache
    try:
        commander, street = person("commander"), person("wall", "441502001", "street")
        wall = person("wall")
        assert layer_cache.cached_wall_snapshot(commander, "zh-CN", lambda: make("c")) == "c"
        assert (
            layer_cache.cached_wall_snapshot(person("commander"), "zh-CN", lambda: make("x")) == "c"
        )
        assert layer_cache.cached_wall_snapshot(commander, "en", lambda: make("e")) == "e"
        assert layer_cache.cached_wall_snapshot(wall, "zh-CN", lambda: make("w")) == "w"
        assert layer_cache.cached_wall_snapshot(street, "zh-CN", lambda: make("s")) == "s"
        with pytest.raises(Forbidden):
            layer_cache.cached_wall_snapshot(person("auditor"), "en", lambda: make("a"))
        cache.bump()  # a notification: read again
        assert layer_cache.cached_wall_snapshot(commander, "zh-CN", lambda: make("c2")) == "c2"
        assert made == ["c", "e", "w", "s", "c2"]
    finally:
        layer_cache._CACHE = old
