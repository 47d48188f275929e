"""The weekly consultation packet (/consult): the service on constructed data in the
rolled-back ``session`` fixture (a case moved three times, an overdue case, reports at
one address spelled three ways), the week picker's rules, and the callback as a
supervisor's browser calls it: scoped to their street, masked text only.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.db import session_scope
from governance import consult
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ
from pages.consult_ids import ConsultIds
from tests.conftest import signed_in_client
from tests.integration.test_evaluation import consult_call, rows, supervisor_scope
from tests.integration.wall_helpers import overdue_ids, states_at

PHONE = "13812345678"


@pytest.fixture
def week_data(session: Session) -> dict[str, Any]:
    """In the last full week, inside the supervisor's street: a case moved three times
    (description with a phone number), an overdue case, three reports at one address."""
    scope = session.execute(
        text("""SELECT left(a.code, 9) FROM app_user u JOIN area a ON a.id = u.area_id
                WHERE u.username = 'supervisor'""")
    ).scalar_one()
    start, end = consult.parse_week(consult.default_week().isoformat())
    grid = session.execute(
        text("""SELECT g.id, g.code, ST_X(g.label_point) AS lon, ST_Y(g.label_point) AS lat
                FROM area g WHERE g.level = 'grid' AND g.code LIKE :p ORDER BY g.code
                LIMIT 1"""),
        {"p": scope + "%"},
    ).one()

    def add(
        desc: str, at: datetime, address: str | None = None, status: str = "dispatched", **cols: Any
    ) -> int:
        extra = "".join(f", {k}" for k in cols)
        values = "".join(f", :{k}" for k in cols)
        return int(
            session.execute(
                text(f"""
                INSERT INTO incident (source, external_id, category_code, occurred_at,
                    reported_at, grid_id, status, priority, description, address, geom,
                    h3_6, h3_7, h3_8, h3_9, h3_10, version{extra})
                VALUES ('grid', 'consult-' || gen_random_uuid(), 'city.street_vending', :at,
                    :at, :grid, :status, 3, :desc, :addr,
                    ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 0, 0, 0, 0, 0, 1{values})
                RETURNING id"""),
                {
                    "at": at,
                    "grid": grid.id,
                    "desc": desc,
                    "addr": address,
                    "status": status,
                    "lon": grid.lon,
                    "lat": grid.lat,
                    **cols,
                },
            ).scalar_one()
        )

    moved = add(f"占道经营，联系电话{PHONE}", start + timedelta(hours=2))
    for action, at in (
        ("transfer", start - timedelta(days=1)),
        ("return", start + timedelta(hours=5)),
        ("transfer", start + timedelta(days=2)),
    ):
        session.execute(
            text("""INSERT INTO incident_event (incident_id, at, action, version)
                    VALUES (:i, :at, :a, 2)"""),
            {"i": moved, "at": at, "a": action},
        )
    overdue = add(
        "超期未办结",
        start - timedelta(days=20),
        status="accepted",  # the resolve clock runs
        resolve_due_at=start + timedelta(days=1),
        dispatched_at=start - timedelta(days=20),
        accepted_at=start - timedelta(days=19),
    )
    address_ids = [
        add("同址", start + timedelta(days=d), addr)
        for d, addr in ((-30, "海滨路８８号"), (-2, "海滨路 88 号"), (3, "海滨路88号"))
    ]
    return {
        "scope": scope,
        "start": start,
        "end": end,
        "moved": moved,
        "overdue": overdue,
        "address_ids": address_ids,
    }


def test_packet_sections_on_constructed_data(session: Session, week_data: dict[str, Any]) -> None:
    start, end = week_data["start"], week_data["end"]
    packet = consult.build(session, week_data["scope"], start.date().isoformat())
    by_id = {c.id: c for c in packet.stuck}
    moved = by_id[week_data["moved"]]
    assert moved.moves == 3 and moved.overdue_days is None
    assert PHONE not in moved.description and "138****5678" in moved.description
    late = by_id[week_data["overdue"]]
    assert late.moves == 0 and late.overdue_days == pytest.approx(6.0)
    assert packet.stuck[0].id == week_data["moved"]  # most moves first
    # independently: overdue as the cases stood at the week's end (replayed from the
    # timeline), or moved at least twice with a move in the week; not merged or rejected
    late = overdue_ids(states_at(session, week_data["scope"], end), end)
    bounced = set(
        session.execute(
            text("""
            SELECT i.id FROM incident i JOIN area g ON g.id = i.grid_id
            WHERE g.code LIKE :p AND i.reported_at < :e
              AND (SELECT count(*) FROM incident_event v WHERE v.incident_id = i.id
                   AND v.action IN ('transfer', 'return') AND v.at < :e) >= 2
              AND EXISTS (SELECT 1 FROM incident_event v WHERE v.incident_id = i.id
                   AND v.action IN ('transfer', 'return') AND v.at >= :s AND v.at < :e)"""),
            {"p": week_data["scope"] + "%", "s": start, "e": end},
        ).scalars()
    )
    counted = set(
        session.execute(
            text("SELECT id FROM incident WHERE status NOT IN ('merged', 'rejected')")
        ).scalars()
    )
    expected_total = len((late | bounced) & counted)
    assert packet.stuck_total == expected_total
    (repeat,) = [r for r in packet.repeats if "海滨路" in r.address]
    assert repeat.count == 3 and repeat.week_count == 1
    assert repeat.incident_ids == tuple(reversed(week_data["address_ids"]))
    assert all(h.label in ("new", "persistent") for h in packet.hotspots)
    # another street sees none of it
    other = session.execute(
        text(
            "SELECT left(code, 9) FROM area WHERE level = 'street' AND left(code, 9) <> :p "
            "ORDER BY code LIMIT 1"
        ),
        {"p": week_data["scope"]},
    ).scalar_one()
    elsewhere = consult.build(session, other, start.date().isoformat())
    assert not {week_data["moved"], week_data["overdue"]} & {c.id for c in elsewhere.stuck}
    assert not [r for r in elsewhere.repeats if "海滨路" in r.address]


def test_week_parsing() -> None:
    now = datetime(2026, 11, 26, 9, tzinfo=LOCAL_TZ)  # a Thursday
    assert consult.default_week(now).isoformat() == "2026-11-16"
    assert consult.week_options(now)[0].isoformat() == "2026-11-23"
    start, end = consult.parse_week("2026-11-16", now)
    assert end - start == timedelta(days=7) and start.weekday() == 0
    for bad in ("2026-11-17", "2026-11-30", "2026-02-30", "next week", None, 5):
        with pytest.raises(InvalidInput):
            consult.parse_week(bad, now)


def test_consult_callback_is_scoped_and_masked() -> None:
    scope = supervisor_scope()
    client = signed_in_client("supervisor")
    assert client.get("/consult").status_code == 200
    week = consult.default_week().isoformat()
    resp = consult_call(client, week)
    assert resp.status_code == 200
    body = resp.get_json()["response"]
    assert body[ConsultIds.MESSAGE]["children"] == ""
    raw = json.dumps(body, ensure_ascii=False)
    m = re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", raw)  # no phone number in clear
    assert not m, raw[m.start() - 300 : m.end() + 50] if m else ""
    stuck = rows(body[ConsultIds.STUCK]["children"], "mq-consult")
    with session_scope(admin=True) as s:
        codes = dict(
            s.execute(
                text("""SELECT i.id::text, g.code FROM incident i JOIN area g ON g.id = i.grid_id
                        WHERE i.id = ANY(:ids)"""),
                {"ids": [int(k) for k in stuck]},
            ).all()
        )
    assert all(codes[k].startswith(scope) for k in stuck)
    bad = consult_call(client, "2026-11-17").get_json()["response"]
    assert "会商周" in bad[ConsultIds.MESSAGE]["children"]
    assert bad[ConsultIds.STUCK]["children"] == []
