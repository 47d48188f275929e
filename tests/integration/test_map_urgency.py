"""The map's urgency filter on the real PostGIS (issue 14): the layer API, the export and
the list of what is in view keep exactly the cases the definitions say, checked against
an oracle written here in Python from the incidents' columns."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from geodata.db import session_scope
from geodata.queries import case_state
from governance import sla
from governance import view_list as view_service
from governance.errors import Forbidden
from governance.uow import unit_of_work
from tests.integration.test_workflow import _principal

EVERYWHERE = "110,18,120,25"
MARGIN = timedelta(minutes=2)  # deadlines this close to an edge may flip between two clocks


def _cases(bbox: str = EVERYWHERE) -> list[dict[str, Any]]:
    a, b, c, d = (float(v) for v in bbox.split(","))
    with session_scope(admin=True) as s:
        return [
            dict(r)
            for r in s.execute(
                text(f"""SELECT id, status, accept_due_at, resolve_due_at, occurred_at,
                                dispatched_at, accepted_at, grid_id
                         FROM incident i
                         WHERE i.geom && ST_MakeEnvelope(:a, :b, :c, :d, 4326)
                           AND {case_state.counted()}"""),
                {"a": a, "b": b, "c": c, "d": d},
            ).mappings()
        ]


def _running_due(r: dict[str, Any]) -> datetime | None:
    if r["status"] == "dispatched":
        return r["accept_due_at"]
    if r["status"] in ("accepted", "in_progress"):
        return r["resolve_due_at"]
    return None


def _oracle(
    r: dict[str, Any], chosen: set[str], now: datetime, soon: datetime, start: datetime
) -> bool | None:
    """Whether ``r`` is in the filter (None: too close to an edge to say)."""
    due = _running_due(r)
    if due is not None and (abs(due - now) < MARGIN or abs(due - soon) < MARGIN):
        return None
    tests = {
        "overdue": due is not None and due < now,
        "due_soon": due is not None and now <= due < soon,
        "waiting": r["status"] in ("registered", "verified"),
        "handling": r["status"] in case_state.OPEN and r["status"] not in case_state.WAITING,
        "closed": r["status"] in case_state.DONE and start <= r["occurred_at"] < now,
    }
    return any(tests[c] for c in chosen)


def _ids(client: Any, url: str) -> set[int]:
    resp = client.get(url)
    assert resp.status_code == 200, resp.data[:300]
    body = json.loads(resp.data)
    assert not body.get("clustered"), "choose a smaller view for this test"
    return {int(f["properties"]["id"]) for f in body["features"]}


@pytest.mark.parametrize(
    "chosen",
    [
        ("overdue",),
        ("due_soon",),
        ("overdue", "due_soon"),
        ("waiting",),
        ("handling",),
        ("closed",),
    ],
)
def test_layer_keeps_exactly_the_cases_of_the_filter(
    flask_client: Any, chosen: tuple[str, ...]
) -> None:
    """Open cases whatever their date, closed ones within the window; nothing else."""
    hours = 72
    now = datetime.now(UTC)
    start = now - timedelta(days=30)
    rows = {r["id"]: r for r in _cases()}
    got = _ids(
        flask_client,
        f"/api/v1/layers/incidents?bbox={EVERYWHERE}&z=16&window=30d"
        f"&urgency={','.join(chosen)}&due={hours}",
    )
    soon = now + timedelta(hours=hours)
    for iid, r in rows.items():
        expected = _oracle(r, set(chosen), now, soon, start)
        if expected is None or abs(r["occurred_at"] - start) < MARGIN:
            continue
        assert (iid in got) == expected, (iid, r)
    if chosen == ("overdue",):
        assert got, "the demo city has overdue cases"


def test_overdue_on_the_map_is_the_sla_clocks_red(session: Any) -> None:
    """The map's "overdue" is the side panel's red clock (governance/sla.py), and "due
    soon" never a red one, for every case whose clock runs."""
    now = session.execute(text("SELECT now()")).scalar_one()
    rows = session.execute(
        text(f"""SELECT i.status, i.dispatched_at, i.accepted_at, i.accept_due_at,
                        i.resolve_due_at, {case_state.urgency()} AS u
                 FROM incident i WHERE {case_state.handling()}"""),
        {"now": now, "soon": now + timedelta(hours=24)},
    ).mappings()
    seen = 0
    for r in rows:
        clock = sla.clock(
            r["status"],
            now=now,
            dispatched_at=r["dispatched_at"],
            accepted_at=r["accepted_at"],
            accept_due_at=r["accept_due_at"],
            resolve_due_at=r["resolve_due_at"],
        )
        if clock is None:
            continue
        seen += 1
        assert (clock["state"] == "red") == (r["u"] == "overdue")
        assert r["u"] in ("overdue", "due_soon", "running")
    assert seen


def test_points_carry_their_urgency_and_the_most_urgent_come_first(flask_client: Any) -> None:
    resp = flask_client.get(
        f"/api/v1/layers/incidents?bbox={EVERYWHERE}&z=16&urgency=overdue,due_soon,handling"
    )
    features = json.loads(resp.data)["features"]
    kinds = [f["properties"]["urgency"] for f in features]
    assert set(kinds) <= {"overdue", "due_soon", "running", "paused"}
    overdue = [k == "overdue" for k in kinds]
    assert overdue == sorted(overdue, reverse=True)  # every overdue case before the rest
    assert all("group_color" in f["properties"] for f in features)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    urgency=st.one_of(
        st.text(max_size=30), st.lists(st.sampled_from(case_state.URGENCY_FILTERS)).map(",".join)
    ),
    due=st.one_of(st.text(max_size=8), st.integers(-5, 10**6).map(str)),
)
def test_any_urgency_or_hours_is_a_result_or_a_clear_400(
    flask_client: Any, urgency: str, due: str
) -> None:
    resp = flask_client.get(
        "/api/v1/layers/incidents",
        query_string={"bbox": "115.3,22.7,115.4,22.8", "z": "14", "urgency": urgency, "due": due},
    )
    assert resp.status_code in (200, 400), resp.data[:300]
    if resp.status_code == 400:
        body = json.loads(resp.data)
        assert body["key"].startswith("error.") and body["message"]


def test_export_follows_the_urgency_filter(flask_client: Any) -> None:
    """The map's export of its view takes the same filter (what you see is what you get)."""
    resp = flask_client.get(f"/export/incidents.csv?bbox={EVERYWHERE}&urgency=overdue")
    assert resp.status_code == 200, resp.data[:300]
    lines = resp.get_data(as_text=True).strip().splitlines()
    now = datetime.now(UTC)
    rows = {r["id"]: r for r in _cases()}
    overdue = {i for i, r in rows.items() if (d := _running_due(r)) and d < now - MARGIN}
    assert len(lines) - 1 >= len(overdue) > 0
    assert (
        flask_client.get(f"/export/incidents.csv?bbox={EVERYWHERE}&urgency=soon").status_code == 400
    )


def test_list_of_what_is_in_view_is_scoped_ordered_and_bounded() -> None:
    """The supervisor's list holds cases of their own street only, overdue first; a
    role without the incidents layer gets no case list at all."""
    who = _principal("supervisor")
    params = {
        "bbox": EVERYWHERE,
        "z": "12",
        "window": "365d",
        "urgency": "overdue,due_soon,waiting,handling",
    }
    with unit_of_work(who) as s:
        found = view_service.in_view(s, who, params, ["incidents", "sites", "areas"])
    assert found.incidents and len(found.incidents) <= view_service.LIMITS["incidents"]
    assert found.incidents_total >= len(found.incidents)
    assert who.scope
    with session_scope(admin=True) as s:
        street = set(
            s.execute(
                text("SELECT id FROM area WHERE level = 'grid' AND code LIKE :p"),
                {"p": who.scope + "%"},
            ).scalars()
        )
    rows = {r["id"]: r for r in _cases()}
    assert all(rows[r["id"]]["grid_id"] in street for r in found.incidents)
    kinds = [r["urgency"] for r in found.incidents]
    assert [k == "overdue" for k in kinds] == sorted([k == "overdue" for k in kinds], reverse=True)
    assert all(a["level"] == "community" for a in found.areas)
    # key persons: listed for the roles that see their points, never with an identity
    with unit_of_work(who) as s:
        people = view_service.in_view(s, who, params, ["persons"])
    assert people.persons and set(people.persons[0]) == {"id", "category", "care_level", "grid"}
    boss = _principal("commander")  # counts only: no list of persons
    with unit_of_work(boss) as s:
        assert view_service.in_view(s, boss, params, ["persons"]).persons == []
    wall = _principal("wall")  # aggregates only: no list of single cases
    with pytest.raises(Forbidden), unit_of_work(wall) as s:
        view_service.in_view(s, wall, params, ["incidents"])
