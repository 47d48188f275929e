"""Personal data written into free text never leaves the system in clear: phones written
"138 1234 5678" and "１３８．１２３４．５６７８", an ID number grouped "440102 19900307 123X",
a bank card, a house-level address, the incident's reporter's name and the name of a key
person of its community, in descriptions and a resolution note, as they come out on the
wall feed, in a CSV export, on the public tracking page, in a briefing's overdue-cases
table and on the dispatch board (governance/pii.py, wired through
governance/known_names.py)."""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from geodata.crypto import cipher
from geodata.db import session_scope
from geodata.queries.persons import person_row
from governance.filters import LOCAL_TZ
from governance.masking import mask_name
from tests.conftest import signed_in_client
from tests.integration.wall_helpers import post_callback, refresh_payload

REPORTER = "欧阳志明"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# what must never be shown, and what the masked text shows instead
CLEAR = (
    "138 1234 5678",
    "13812345678",
    "１３８．１２３４．５６７８",
    "440102 19900307 123X",
    "19900307",
    "6222 0212 3456 7890 128",
    "0212 3456",
    "12号3栋501室",
)
MASKED = ("138 **** 5678", "１３８．****．５６７８", "440*** ******** 123X", "建设路*号*栋*室")


@dataclass(frozen=True)
class Case:
    """The incidents written for the test: their ids, grid, descriptions and names."""

    ids: tuple[int, ...]
    grid_code: str
    key_person: str
    tracking_code: str
    descriptions: tuple[str, ...]

    @property
    def names(self) -> tuple[str, str]:
        return REPORTER, self.key_person


def descriptions(key_person: str) -> tuple[str, ...]:
    """Five short texts (a wall feed line shows 34 characters), newest first."""
    return (
        f"来电人{REPORTER}，电话138 1234 5678",
        "回电１３８．１２３４．５６７８，急",
        "身份证440102 19900307 123X遗失",
        "卡号6222 0212 3456 7890 128被盗刷",
        f"{key_person}住建设路12号3栋501室，漏水",
    )


def note(key_person: str) -> str:
    return (
        f"已回访来电人{REPORTER}及{key_person}（建设路12号3栋501室），电话138 1234 5678、"
        "１３８．１２３４．５６７８，身份证440102 19900307 123X，卡号6222 0212 3456 7890 128"
    )


@pytest.fixture(scope="module")
def case() -> Iterator[Case]:
    """Five overdue incidents just reported in the grid of a demo key person, the first
    with a named reporter, a tracking code and a resolution note; removed afterwards."""
    now = datetime.now(LOCAL_TZ)
    code = "".join(secrets.choice(ALPHABET) for _ in range(10))
    with session_scope(admin=True) as s:
        pid, grid_id, grid_code = s.execute(
            text("""SELECT p.id, p.grid_id, g.code FROM key_person p JOIN area g
                    ON g.id = p.grid_id
                    WHERE EXISTS (SELECT 1 FROM incident i WHERE i.grid_id = p.grid_id)
                    ORDER BY p.id LIMIT 1""")
        ).one()
        person = person_row(s, pid)
        assert person is not None
        key_person = str(person["full_name"]).removesuffix("（演示）")
        texts = descriptions(key_person)
        ids = []
        for n, desc in enumerate(texts):
            ids.append(
                s.execute(
                    text("""
                INSERT INTO incident (source, external_id, category_code, occurred_at,
                    reported_at, grid_id, status, priority, description, address, geom,
                    h3_6, h3_7, h3_8, h3_9, h3_10, version, resolve_due_at, tracking_code)
                SELECT 'hotline_12345', 'pii-' || gen_random_uuid(), i.category_code,
                       :occurred, :reported, i.grid_id, 'in_progress', 3, :d, '测试地址',
                       i.geom, i.h3_6, i.h3_7, i.h3_8, i.h3_9, i.h3_10, 1, :due, :code
                FROM incident i WHERE i.grid_id = :g ORDER BY i.id LIMIT 1 RETURNING id"""),
                    {
                        "occurred": now - timedelta(days=1),
                        "reported": now - timedelta(seconds=n + 1),
                        "d": desc,
                        "g": grid_id,
                        "due": now - timedelta(days=3650),  # the most overdue of the grid
                        "code": code if n == 0 else None,
                    },
                ).scalar_one()
            )
        c = cipher()
        s.execute(
            text("""INSERT INTO incident_reporter (incident_id, name_enc)
                    VALUES (:i, :n)"""),
            {"i": ids[0], "n": c.encrypt(REPORTER, c.place("incident_reporter", "name", ids[0]))},
        )
        s.execute(
            text("""INSERT INTO incident_event (incident_id, action, from_status, to_status,
                    version, actor_role, note) VALUES (:i, 'resolve', 'in_progress',
                    'in_progress', 1, 'department', :note)"""),
            {"i": ids[0], "note": note(key_person)},
        )
    yield Case(tuple(ids), str(grid_code), key_person, code, texts)
    with session_scope(admin=True) as s:
        for table in ("incident_event", "incident_reporter"):
            s.execute(text(f"DELETE FROM {table} WHERE incident_id = ANY(:ids)"), {"ids": ids})
        s.execute(text("DELETE FROM incident WHERE id = ANY(:ids)"), {"ids": ids})


def assert_masked(body: str, case: Case, *, masked: tuple[str, ...] = MASKED) -> None:
    """Nothing of ``CLEAR`` nor the names in ``body``; the masked forms are there."""
    leaked = [v for v in (*CLEAR, *case.names) if v in body]
    assert not leaked, leaked
    missing = [
        v for v in (*masked, mask_name(REPORTER), mask_name(case.key_person)) if v not in body
    ]
    assert not missing, missing


def test_the_wall_feed_masks_every_form(case: Case) -> None:
    resp = post_callback(signed_in_client("wall"), refresh_payload())
    assert resp.status_code == 200
    body = json.dumps(resp.get_json(), ensure_ascii=False)
    assert "mq-wall-feed-text" in body
    assert_masked(body, case)


def test_a_csv_export_masks_descriptions(case: Case) -> None:
    resp = signed_in_client("commander").get(
        f"/export/incidents.csv?window=7d&area={case.grid_code}"
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    body = resp.data.decode("utf-8-sig")
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(body))}
    assert set(case.ids) <= set(rows)
    assert_masked(body, case)
    shown = rows[case.ids[4]]["description"]
    assert shown == f"{mask_name(case.key_person)}住建设路*号*栋*室，漏水"


def test_the_public_tracking_page_masks_the_resolution_note(case: Case) -> None:
    from app import server

    page = server.test_client().get(f"/track/{case.tracking_code}").get_data(as_text=True)
    assert "建设路*号*栋*室" in page
    assert_masked(page, case)


def test_a_briefing_masks_the_overdue_cases(case: Case) -> None:
    from briefings.render import render
    from governance import briefings
    from governance.briefing_period import parse_request
    from governance.uow import unit_of_work

    day = datetime.now(LOCAL_TZ).date().isoformat()
    req = parse_request(period="daily", day=day, area=case.grid_code, fmt="html", lang="zh-CN")
    with unit_of_work() as s:
        b = briefings.build(s, req.area_code, req.period, "zh-CN")
    assert {line.id for line in b.overdue} >= set(case.ids)
    with unit_of_work() as s:
        doc = briefings.export(s, None, req, render, username="pytest").data.decode("utf-8")
    assert_masked(doc, case)


def test_the_dispatch_board_masks_descriptions(case: Case) -> None:
    from geodata.models import AppUser
    from governance import dispatch_board
    from governance.accounts import principal_of
    from governance.uow import unit_of_work

    with session_scope(admin=True) as s:
        commander = principal_of(s, s.query(AppUser).filter_by(username="commander").one())
    with unit_of_work(commander) as s:
        board = dispatch_board.board(s, commander, limit=50)
    rows = [r for r in board.lists["overdue"] if r.id in case.ids]
    assert len(rows) == len(case.ids)
    assert_masked("\n".join(r.description for r in rows), case)
