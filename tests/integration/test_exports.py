"""Exports over HTTP on the real database: every format parses back to the rows of a
direct SQL query under the same filters and scope; masking; scope; the row cap; one audit
record per export; refusals (anonymous, unauthorised) refused and audited."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance import exports
from governance.export_formats import spreadsheet_safe
from governance.filters import LOCAL_TZ
from governance.masking import redact_contacts
from governance.persons import mask_address
from tests.conftest import signed_in_client

FORMATS = ("csv", "xlsx", "geojson", "gpkg")
CITY = "110,18,120,25"
RAW_DESCRIPTION = "占道经营，联系人电话 13812345678，身份证 110101199003071234"


def parse(fmt: str, body: bytes) -> list[dict[str, Any]]:
    """The rows of an export file, read back with each format's own reader."""
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
        return [{k: (v if v != "" else None) for k, v in r.items()} for r in reader]
    if fmt == "xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    if fmt == "geojson":
        doc = json.loads(body)
        assert doc["type"] == "FeatureCollection"
        return [f["properties"] | {"_geom": f["geometry"]} for f in doc["features"]]
    import pyogrio

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.gpkg"
        path.write_bytes(body)
        frame = pyogrio.read_dataframe(path)
    assert frame.crs is None or frame.crs.to_epsg() == 4326
    out = []
    for rec in frame.to_dict("records"):
        out.append({k: (None if _isnan(v) else v) for k, v in rec.items()})
    return out


def _isnan(v: Any) -> bool:
    return isinstance(v, float) and v != v


def _client(username: str) -> Any:
    return signed_in_client(username)


@pytest.fixture(scope="module")
def marked() -> Iterator[int]:
    """A recent incident in the supervisor's street with contacts in its description."""
    with session_scope(admin=True) as s:
        iid = s.execute(
            text("""
            INSERT INTO incident (source, external_id, category_code, occurred_at, reported_at,
                grid_id, status, priority, description, address, geom,
                h3_6, h3_7, h3_8, h3_9, h3_10, version)
            SELECT 'grid', 'ex-' || gen_random_uuid(), i.category_code, now() - interval '1 day',
                   now() - interval '1 day', i.grid_id, 'verified', 3, :d, '某某路 12 号 3 栋',
                   i.geom, i.h3_6, i.h3_7, i.h3_8, i.h3_9, i.h3_10, 1
            FROM incident i JOIN app_user u ON u.username = 'gridworker'
            WHERE i.grid_id = u.area_id ORDER BY i.id LIMIT 1 RETURNING id"""),
            {"d": RAW_DESCRIPTION},
        ).scalar_one()
    yield int(iid)


def _scope(username: str) -> str | None:
    with session_scope(admin=True) as s:
        row = s.execute(
            text("""SELECT a.code, a.level FROM app_user u LEFT JOIN area a ON a.id = u.area_id
                    WHERE u.username = :u"""),
            {"u": username},
        ).one()
    from governance.access import scope_prefix

    return scope_prefix(row[0], row[1])


def expected_incidents(username: str, start: date, end: date, cats: list[str]) -> list[dict]:
    """Incidents as the export must hold them, by a direct query (owner role, no RLS)."""
    scope = _scope(username)
    with session_scope(admin=True) as s:
        rows = s.execute(
            text("""SELECT i.id, i.category_code, i.status, i.occurred_at, g.code AS grid_code,
                           i.address, i.description, cm.name AS community
                    FROM incident i LEFT JOIN area g ON g.id = i.grid_id
                    LEFT JOIN area cm ON cm.id = g.parent_id
                    WHERE i.occurred_at >= :a AND i.occurred_at < :b
                      AND i.category_code = ANY(:c)
                      AND i.geom && ST_MakeEnvelope(110, 18, 120, 25, 4326)
                      AND (CAST(:p AS text) IS NULL OR g.code LIKE :p || '%')
                    ORDER BY i.occurred_at DESC, i.id"""),
            {
                "a": datetime.combine(start, time(), LOCAL_TZ),
                "b": datetime.combine(end + timedelta(days=1), time(), LOCAL_TZ),
                "c": cats,
                "p": scope,
            },
        ).mappings()
        return [dict(r) for r in rows]


def _window(marked: int) -> tuple[date, date, str]:
    with session_scope(admin=True) as s:
        cat = s.execute(
            text("SELECT category_code FROM incident WHERE id = :i"), {"i": marked}
        ).scalar_one()
    today = datetime.now(LOCAL_TZ).date()
    return today - timedelta(days=20), today, str(cat)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("username", ["commander", "supervisor"])
def test_incidents_export_equals_direct_sql(marked: int, username: str, fmt: str) -> None:
    start, end, cat = _window(marked)
    query = f"start={start}&end={end}&categories={cat}&bbox={CITY}"
    resp = _client(username).get(f"/export/incidents.{fmt}?{query}")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert "attachment" in resp.headers["Content-Disposition"]
    got = parse(fmt, resp.data)
    want = expected_incidents(username, start, end, [cat])
    assert want and marked in {r["id"] for r in want}
    assert [int(r["id"]) for r in got] == [r["id"] for r in want]
    assert int(resp.headers["X-Export-Rows"]) == len(want)
    sheet = fmt in ("csv", "xlsx")
    for g, w in zip(got, want, strict=True):
        assert g["category_code"] == w["category_code"] and g["status"] == w["status"]
        assert g["grid_code"] == w["grid_code"]
        stamp = w["occurred_at"].astimezone(LOCAL_TZ).isoformat(timespec="seconds")
        assert g["occurred_at"] == stamp
        # masked for every role: exports never carry a clear address or contact
        address = mask_address(w["address"], w["community"])
        description = redact_contacts(w["description"])
        assert g["address"] == (spreadsheet_safe(address) if sheet else address)
        assert g["description"] == (spreadsheet_safe(description) if sheet else description)
    mine = next(g for g in got if int(g["id"]) == marked)
    assert "13812345678" not in mine["description"]
    assert "110101199003071234" not in mine["description"]
    assert "12 号" not in (mine["address"] or "")
    if fmt == "geojson":
        assert all(g["_geom"]["type"] == "Point" for g in got)


def test_supervisor_export_stays_in_scope() -> None:
    scope = _scope("supervisor")
    assert scope
    with session_scope(admin=True) as s:
        other = s.execute(
            text("""SELECT code FROM area WHERE level = 'street' AND left(code, 9) <> :p
                    ORDER BY code LIMIT 1"""),
            {"p": scope},
        ).scalar_one()
    q = f"window=365d&area={other}"
    sup = parse("csv", _client("supervisor").get(f"/export/incidents.csv?{q}").data)
    city = parse("csv", _client("commander").get(f"/export/incidents.csv?{q}").data)
    assert sup == [] and city, "an out-of-scope area yields nothing of it"
    own = parse("csv", _client("supervisor").get("/export/incidents.csv?window=365d").data)
    assert own and all(r["grid_code"].startswith(scope) for r in own)


def test_grids_export_counts_and_key_persons_by_role() -> None:
    q = "level=grid&window=365d"
    cmd = parse("xlsx", _client("commander").get(f"/export/grids.xlsx?{q}").data)
    dept = parse("xlsx", _client("dept").get(f"/export/grids.xlsx?{q}").data)
    assert cmd and len(cmd) == len(dept)
    assert "key_persons" in cmd[0] and "key_persons" not in dept[0]
    now = datetime.now(LOCAL_TZ)
    with session_scope(admin=True) as s:
        want = dict(
            s.execute(
                text("""SELECT g.code, (SELECT count(*) FROM key_person p WHERE p.grid_id = g.id)
                        FROM area g WHERE g.level = 'grid'""")
            ).all()
        )
        incidents = dict(
            s.execute(
                text("""SELECT g.code, count(i.id) FROM area g LEFT JOIN incident i
                        ON i.grid_id = g.id AND i.occurred_at >= :a AND i.occurred_at < :b
                        WHERE g.level = 'grid' GROUP BY g.code"""),
                {"a": now - timedelta(days=365), "b": now},
            ).all()
        )
    assert {r["code"]: r["key_persons"] for r in cmd} == want
    got = {r["code"]: r["incidents"] for r in cmd}
    assert got.keys() == incidents.keys()
    # the export ran a moment before this query: at most the incidents of that moment differ
    assert sum(abs(got[k] - incidents[k]) for k in got) <= 2
    streets = parse("csv", _client("commander").get("/export/grids.csv?level=street").data)
    with session_scope(admin=True) as s:
        by_street = dict(
            s.execute(
                text("""SELECT st.code, count(i.id) FROM area st
                        LEFT JOIN area g ON g.level = 'grid' AND left(g.code, 9) = left(st.code, 9)
                        LEFT JOIN incident i ON i.grid_id = g.id
                          AND i.occurred_at >= now() - interval '30 days'
                        WHERE st.level = 'street' GROUP BY st.code""")
            ).all()
        )
    got_streets = {r["code"]: int(r["incidents"]) for r in streets}
    assert got_streets.keys() == by_street.keys() and sum(by_street.values()) > 0
    assert sum(abs(got_streets[k] - by_street[k]) for k in by_street) <= 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_sites_and_dispatch_queue_export(fmt: str) -> None:
    client = _client("supervisor")
    sites = parse(fmt, client.get(f"/export/sites.{fmt}").data)
    scope = _scope("supervisor")
    with session_scope(admin=True) as s:
        ids = s.execute(
            text("""SELECT s.id FROM key_site s JOIN area g ON g.id = s.grid_id
                    WHERE g.code LIKE :p ORDER BY s.id"""),
            {"p": f"{scope}%"},
        ).scalars()
        assert [int(r["id"]) for r in sites] == list(ids)
        queue = s.execute(
            text("""SELECT i.id FROM incident i JOIN area g ON g.id = i.grid_id
                    WHERE g.code LIKE :p AND i.status IN ('registered', 'verified')
                    ORDER BY i.reported_at, i.id"""),
            {"p": f"{scope}%"},
        ).scalars()
        queue_ids = list(queue)
    got = parse(fmt, client.get(f"/export/dispatch-queue.{fmt}").data)
    assert [int(r["id"]) for r in got] == queue_ids
    assert all(r["sla_state"] in ("red", "amber", "green") for r in got)


def _audit_rows(since_id: int, action: str | None = None) -> list[dict]:
    with session_scope(admin=True) as s:
        rows = s.execute(
            text("""SELECT id, action, outcome, username, object_type, object_id, detail
                    FROM audit_log WHERE id > :i ORDER BY id"""),
            {"i": since_id},
        ).mappings()
        return [dict(r) for r in rows if action is None or r["action"] == action]


def _head() -> int:
    with session_scope(admin=True) as s:
        return int(s.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one())


def test_each_export_is_audited_once() -> None:
    head = _head()
    resp = _client("commander").get("/export/incidents.geojson?window=7d&sources=grid")
    assert resp.status_code == 200
    rows = _audit_rows(head, "export")
    assert len(rows) == 1
    rec = rows[0]
    assert rec["username"] == "commander" and rec["object_id"] == "incidents"
    assert rec["detail"]["format"] == "geojson"
    assert rec["detail"]["rows"] == len(parse("geojson", resp.data))
    assert rec["detail"]["filters"] == {"window": "7d", "sources": "grid"}
    assert int(resp.headers["X-Audit-Record"]) == rec["id"]


def test_refusals_are_refused_and_audited(anon_client: Any) -> None:
    resp = anon_client.get("/export/incidents.csv")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    head = _head()
    for username, path in (
        ("gridworker", "/export/dispatch-queue.xlsx"),
        ("wall", "/export/incidents.csv"),
        ("auditor", "/export/grids.gpkg"),
        ("commander", "/export/inbox.csv"),  # no department
    ):
        resp = _client(username).get(path)
        assert resp.status_code == 403, (username, path)
        denied = _audit_rows(head, "access_denied")
        assert denied and denied[-1]["username"] == username
        assert denied[-1]["object_id"] == f"GET {path}"
        head = denied[-1]["id"]
    assert not [r for r in _audit_rows(0, "export") if r["username"] in ("gridworker", "wall")]


def test_bad_input_and_cap_are_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client("commander")
    head = _head()
    resp = client.get("/export/incidents.doc")
    assert resp.status_code == 400 and "csv" in resp.get_data(as_text=True)
    resp = client.get("/export/people.csv")
    assert resp.status_code == 400 and "未知的导出数据" in resp.get_data(as_text=True)
    resp = client.get("/export/incidents.csv?area=99x")
    assert resp.status_code == 400 and "区域代码“99x”格式不对" in resp.get_data(as_text=True)
    monkeypatch.setattr(exports, "EXPORT_CAP", 5)
    resp = client.get("/export/incidents.xlsx?window=365d")
    assert resp.status_code == 400 and "最多导出 5 条" in resp.get_data(as_text=True)
    client.set_cookie("minqing_lang", "en")
    resp = client.get("/export/incidents.xlsx?window=365d")
    assert resp.status_code == 400 and "at most 5" in resp.get_data(as_text=True)
    assert _audit_rows(head, "export") == []


def test_department_inbox_export() -> None:
    with session_scope(admin=True) as s:
        dept = s.execute(
            text("SELECT department_id FROM app_user WHERE username = 'dept'")
        ).scalar_one()
        ids = list(
            s.execute(
                text("""SELECT id FROM incident
                        WHERE (lead_department_id = :d OR :d = ANY(assist_department_ids))
                          AND status IN ('dispatched', 'accepted', 'in_progress', 'suspended')"""),
                {"d": dept},
            ).scalars()
        )
    got = [int(r["id"]) for r in parse("csv", _client("dept").get("/export/inbox.csv").data)]
    assert ids and sorted(got) == sorted(ids)
    # in the screen's order: the cases to act on first, most urgent first, then the others
    from geodata.models import AppUser
    from governance.accounts import principal_of
    from governance.inbox import department_queue
    from governance.uow import unit_of_work

    with session_scope(admin=True) as s:
        who = principal_of(s, s.query(AppUser).filter_by(username="dept").one())
    with unit_of_work(who) as s:
        act, paused = (sec["items"] for sec in department_queue(s, who)["sections"])
    assert got[: len(act)] == [item["id"] for item in act]
    assert {item["id"] for item in paused} <= set(got[len(act) :])


def test_map_menu_offers_what_the_role_may_export() -> None:
    from pages.export_menu import menu_links

    def datasets(username: str) -> set[str]:
        from geodata.models import AppUser
        from governance.accounts import principal_of

        with session_scope(admin=True) as s:
            p = principal_of(s, s.query(AppUser).filter_by(username=username).one())
        links = menu_links(p, "zh-CN", {"window": "7d"})
        return {
            a.href.split("/export/")[1].split(".")[0] for line in links for a in line.children[1:]
        }

    assert datasets("commander") == {"incidents", "sites", "grids"}
    assert datasets("dept") == {"incidents", "sites", "grids", "inbox"}
