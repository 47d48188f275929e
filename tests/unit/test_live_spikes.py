"""Spike warnings on the live stream (governance/live.py): the evaluation's notification is
parsed as a spike announcement, and a spike notice becomes a ``spike`` event for the
subscribers whose scope covers the street, the wall's included (no point to coarsen)."""

from __future__ import annotations

import json

from governance import live


def test_a_spike_notification_names_its_warnings() -> None:
    got = live.parse(json.dumps({"action": "spike", "spikes": [3, "x", 5, True], "count": 9}))
    assert got is not None
    assert got.action == live.SPIKE_ACTION and got.ids == [3, 5] and got.count == 9
    assert live.parse(json.dumps({"action": "spike", "spikes": "3"})).ids == []  # type: ignore[union-attr]


def test_a_spike_notice_reaches_only_the_scopes_covering_its_street() -> None:
    item = {"id": 7, "area_code": "441502001000", "category": "city.garbage",
            "observed": 12, "expected": 0.4, "window_end": "2026-12-06T17:00:00+00:00"}  # fmt: skip
    notice = live.Notice(live.SPIKE_ACTION, (live.Change("441502001000", item),), 0, live.EV_SPIKE)
    city, street, county = (
        notice.message(None),
        notice.message("441502001"),
        notice.message("441502"),
    )
    assert city and street and county
    assert city.startswith("event: spike\n")
    data = json.loads(city.split("data: ", 1)[1])
    assert data["items"] == [item] and not data["resync"]
    assert notice.message("441581002") is None  # another street
    assert notice.message("441502001002") is None  # a community below: not its street's
    assert notice.message(None, coarse=True) == city  # nothing to snap on the wall
    assert set(item) == set(live.SPIKE_FIELDS)
