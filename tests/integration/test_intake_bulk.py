"""Bulk intake written in chunks (governance/intake_bulk.py): the same outcome as one piece.

The smallest chunk is made tiny here so that a batch of a dozen items crosses several
chunk boundaries: a late invalid item, a repeat or a replay in another chunk than its
first occurrence, a point outside the token's area in a later chunk, and concurrent
batches sharing external ids in different orders.
"""

from __future__ import annotations

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from tests.integration import test_intake as base
from tests.integration.test_intake import (
    counts,
    item,
    machine,
    make_token,
    post,
    street_and_far_point,
)

BULK = "/api/v1/incidents/bulk"
grid, point, hotline = base.grid, base.point, base.hotline  # the intake tests' fixtures


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    from governance import intake_bulk

    monkeypatch.setattr(intake_bulk, "MIN_CHUNK", 2)


def stored(external_ids: list[str]) -> dict[str, tuple[int, int]]:
    """external id -> (incident id, its number of timeline events)."""
    with session_scope(admin=True) as s:
        rows = s.execute(
            text("""SELECT i.external_id, i.id,
                           (SELECT count(*) FROM incident_event e WHERE e.incident_id = i.id)
                    FROM incident i
                    WHERE i.source = 'hotline_12345' AND i.external_id = ANY(:e)"""),
            {"e": external_ids},
        ).all()
    return {e: (int(i), int(n)) for e, i, n in rows}


def test_an_invalid_item_in_a_late_chunk_refuses_the_whole_batch(hotline, point) -> None:  # type: ignore[no-untyped-def]
    items = [item(point, description=f"第 {k} 件") for k in range(20)]
    items[3]["lon"] = "east"
    items[17]["category"] = "no.such"
    items[18]["reporter"] = {"name": "张三", "phone": "abc"}
    before = counts()
    resp = post(hotline, BULK, {"items": items})
    assert resp.status_code == 400, resp.get_json()
    errors = [(e["index"], e["field"]) for e in resp.get_json()["errors"]]
    assert errors == [(3, "lon"), (17, "category"), (18, "reporter.phone")]
    assert counts() == before
    assert stored([it["external_id"] for it in items]) == {}


def test_repeats_and_replays_across_chunks_keep_their_ids(hotline, point) -> None:  # type: ignore[no-untyped-def]
    first = [item(point, reporter={"name": "李四", "phone": "13800000000"}) for _ in range(6)]
    out = post(hotline, BULK, first).get_json()
    assert out["summary"] == {"items": 6, "created": 6, "replayed": 0}
    old = {it["external_id"]: e["id"] for it, e in zip(first, out["items"], strict=True)}
    fresh = [item(point) for _ in range(9)]
    # replays of the first batch, new items, and repeats of new items far apart in the body
    body = [first[4], *fresh[:5], first[0], *fresh[5:], {**fresh[1], "description": "again"}]
    body += [{**first[2], "description": "changed"}, fresh[7]]
    before = counts()
    resp = post(hotline, BULK, {"items": body})
    assert resp.status_code == 200, resp.get_json()
    data = resp.get_json()
    assert data["summary"] == {"items": 14, "created": 9, "replayed": 5}
    got = data["items"]
    assert [e["index"] for e in got] == list(range(14))
    assert got[0]["id"] == old[first[4]["external_id"]] and got[0]["replayed"]
    assert got[6]["id"] == old[first[0]["external_id"]]
    assert got[12]["id"] == old[first[2]["external_id"]] and "duplicate_of" not in got[12]
    assert got[11] == {"index": 11, "id": got[2]["id"], "created": False, "replayed": True,
                       "duplicate_of": 2}  # fmt: skip
    assert got[13]["duplicate_of"] == 9 and got[13]["id"] == got[9]["id"]
    new = [e for e in got if e["created"]]
    assert len(new) == 9 and len({e["id"] for e in new}) == 9
    assert counts() == (before[0] + 9, before[1] + 9, before[2])
    rows = stored([it["external_id"] for it in first + fresh])
    assert len(rows) == 15 and all(n == 1 for _, n in rows.values())
    assert {e: i for e, (i, _) in rows.items() if e in old} == old
    with session_scope(admin=True) as s:
        desc = s.execute(
            text("SELECT description FROM incident WHERE id = :i"), {"i": got[2]["id"]}
        ).scalar_one()
    assert desc == ""  # the first occurrence's (no description), not the repeat's "again"


def test_a_point_outside_the_area_in_a_later_chunk_writes_nothing(grid, point) -> None:  # type: ignore[no-untyped-def]
    street, xy = street_and_far_point(grid)
    token = make_token(source="12345", scopes=("incidents:write",), area_code=street)
    items = [item(point) for _ in range(13)]
    items[9] = item(xy)
    before = counts()
    resp = post(token, BULK, items)
    assert resp.status_code == 400, resp.get_json()
    errors = resp.get_json()["errors"]
    assert [(e["index"], e["key"]) for e in errors] == [(9, "intake.field.out_of_area")]
    assert counts() == before


@pytest.mark.commits
def test_concurrent_batches_sharing_ids_in_any_order_write_each_once(hotline, point) -> None:  # type: ignore[no-untyped-def]
    """Needs commits: four threads on their own connections must see each other's rows;
    the incidents are deleted at the end."""
    shared = [item(point) for _ in range(30)]
    sent: list[str] = [it["external_id"] for it in shared]
    try:
        _send_concurrently(hotline, point, shared, sent)
    finally:
        with session_scope(admin=True) as s:
            s.execute(
                text(
                    "DELETE FROM incident WHERE source = 'hotline_12345' AND external_id = ANY(:e)"
                ),
                {"e": sent},
            )


def _send_concurrently(hotline: str, point: Any, shared: list, sent: list[str]) -> None:  # type: ignore[type-arg]
    rnd = random.Random(7)
    bodies = []
    for _ in range(4):
        own = [item(point) for _ in range(10)]
        sent += [it["external_id"] for it in own]
        body = shared + own
        rnd.shuffle(body)
        bodies.append(json.dumps({"items": body}))
    barrier = threading.Barrier(len(bodies))

    def send(body: str) -> Any:
        client = machine()
        barrier.wait()
        return client.post(
            BULK,
            data=body,
            headers={"Authorization": f"Bearer {hotline}", "Content-Type": "application/json"},
        )

    before = counts()
    with ThreadPoolExecutor(len(bodies)) as pool:
        responses = list(pool.map(send, bodies))
    assert [r.status_code for r in responses] == [200] * 4, [r.get_json() for r in responses]
    created = sum(r.get_json()["summary"]["created"] for r in responses)
    assert created == 30 + 4 * 10
    ids_of_shared: dict[str, set[int]] = {}
    for sent, r in zip(bodies, responses, strict=True):
        for it, e in zip(json.loads(sent)["items"], r.get_json()["items"], strict=True):
            if it in shared:
                ids_of_shared.setdefault(it["external_id"], set()).add(e["id"])
    assert all(len(v) == 1 for v in ids_of_shared.values()) and len(ids_of_shared) == 30
    rows = stored([it["external_id"] for it in shared])
    assert {e: {i} for e, (i, _) in rows.items()} == ids_of_shared
    assert counts()[:2] == (before[0] + 70, before[1] + 70)
