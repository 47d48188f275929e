"""The supervisor's patrol report (/patrol-report) on PostGIS.

Each test builds its own tasks and submissions in a week the demo has no tasks in
(June 2025), inside the rolled-back transaction of tests/conftest.py, and checks the
figures against counts written out here: by hand from the fixture, and by a direct SQL
count with the definitions of governance/patrol_report.py. Callbacks and exports are
called over HTTP as the browser calls them.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance import patrol_report
from governance.errors import Forbidden, InvalidInput
from governance.filters import LOCAL_TZ
from governance.uow import unit_of_work
from pages.patrol_report_ids import ReportIds as Ids
from tests.conftest import signed_in_client
from tests.integration.test_evaluation import post_callback, rows
from tests.integration.test_workflow import _principal

START, END = date(2025, 6, 2), date(2025, 6, 8)  # a Monday to Sunday before the demo's year
RANGE = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}
PHONE = "13812345678"
REASON = f"门卫不让进，联系电话{PHONE}"


def _at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour), LOCAL_TZ)


@dataclass
class Fixture:
    grids: dict[str, str]  # "A", "B" (the supervisor's street), "C" (another) -> code
    workers: dict[str, int]  # the grid worker of each grid
    tasks: dict[str, int]  # label -> task id


# label: (grid, last_day offset from START, status, high risk, submission or None)
# a submission: (filled day offset, on site, flags, failed items)
SPEC: dict[str, tuple[str, int, str, bool, tuple[int, bool, list[str], int] | None]] = {
    "A1": ("A", 1, "done", False, (1, True, [], 0)),  # on time
    "A2": ("A", 2, "done", False, (3, False, ["off_site"], 2)),  # late, off site
    "A3": ("A", 3, "missed", True, None),
    "A4": ("A", 4, "open", True, None),  # deadline passed, not swept yet: missed
    "A5": ("A", 6, "cancelled", True, None),  # never due
    "A6": ("A", 8, "done", False, (8, False, ["off_site"], 0)),  # after the period
    "B1": ("B", 5, "done", False, (4, True, ["low_accuracy"], 1)),  # on time, flagged
    "B2": ("B", 0, "missed", False, None),
    "C1": ("C", 2, "done", False, (2, True, [], 0)),
    "C2": ("C", 3, "missed", True, None),
}


@pytest.fixture
def fx() -> Fixture:
    """Two grids of the supervisor's street and one of another street, with the tasks of
    SPEC (period keys of their own: nothing clashes with the demo's)."""
    with session_scope(admin=True) as s:
        street = s.execute(
            text("""SELECT left(a.code, 9) FROM app_user u JOIN area a ON a.id = u.area_id
                    WHERE u.username = 'supervisor'""")
        ).scalar_one()
        picks = s.execute(
            text("""
            SELECT DISTINCT ON (inside) inside, g.id, g.code, u.id AS worker
            FROM area g JOIN app_user u ON u.area_id = g.id AND u.role = 'grid_worker'
                 AND NOT u.disabled
            CROSS JOIN LATERAL (SELECT left(g.code, 9) = :st AS inside) x
            WHERE g.level = 'grid'
            ORDER BY inside, g.code"""),
            {"st": street},
        ).all()
        other = next(p for p in picks if not p.inside)
        first = next(p for p in picks if p.inside)
        second = s.execute(
            text("""
            SELECT g.id, g.code, u.id AS worker FROM area g
            JOIN app_user u ON u.area_id = g.id AND u.role = 'grid_worker' AND NOT u.disabled
            WHERE g.level = 'grid' AND left(g.code, 9) = :st AND g.code <> :first
            ORDER BY g.code DESC LIMIT 1"""),
            {"st": street, "first": first.code},
        ).one()
        chosen = {"A": first, "B": second, "C": other}
        template, version = s.execute(
            text("""SELECT t.id, v.id FROM checklist_template t
                    JOIN checklist_template_version v ON v.template_id = t.id
                    WHERE t.subject = 'site' ORDER BY t.id, v.version LIMIT 1""")
        ).one()
        tasks: dict[str, int] = {}
        for label, (grid, last, status, high, sub) in SPEC.items():
            g = chosen[grid]
            site = s.execute(  # one of the grid's sites, else any (the key is the task's own)
                text("""SELECT id FROM key_site ORDER BY grid_id <> :g, id LIMIT 1"""),
                {"g": g.id},
            ).scalar_one()
            last_day = START + timedelta(days=last)
            deadline = datetime.combine(last_day + timedelta(days=1), time(), LOCAL_TZ)
            done_at = _at(START + timedelta(days=sub[0])) if sub else None
            tid = s.execute(
                text("""
                INSERT INTO patrol_task (subject, site_id, grid_id, template_id, assignee_id,
                    period_key, due_on, last_day, deadline, high_risk, status, done_at)
                VALUES ('site', :site, :grid, :tpl, :w, :key, :due, :last, :dl, :high, :st, :done)
                RETURNING id"""),
                {"site": site, "grid": g.id, "tpl": template, "w": g.worker,
                 "key": f"test:{label}", "due": last_day - timedelta(days=1), "last": last_day,
                 "dl": deadline, "high": high, "st": status, "done": done_at},
            ).scalar_one()  # fmt: skip
            tasks[label] = int(tid)
            if sub:
                s.execute(
                    text("""
                    INSERT INTO patrol_submission (task_id, client_id, template_version_id,
                        submitted_by, filled_at, answers, on_site, off_site_reason, flags,
                        late, failed_items, distance_m)
                    VALUES (:t, :c, :v, :w, :f, '{}', :on, :r, :flags, :late, :failed, :d)"""),
                    {"t": tid, "c": str(uuid.uuid4()), "v": version, "w": g.worker, "f": done_at,
                     "on": sub[1], "r": None if sub[1] else REASON, "flags": sub[2],
                     "late": done_at > deadline, "failed": sub[3],
                     "d": 30.0 if sub[1] else 850.0},
                )  # fmt: skip
    return Fixture(
        grids={k: v.code for k, v in chosen.items()},
        workers={k: int(v.worker) for k, v in chosen.items()},
        tasks=tasks,
    )


def _report(username: str, **kw: Any) -> patrol_report.Report:
    who = _principal(username)
    with unit_of_work(who) as s:
        return patrol_report.report(s, who, **{**RANGE, **kw})


def _figures(r: patrol_report.Rates) -> tuple[int, ...]:
    return (r.due, r.done, r.on_time, r.late, r.missed, r.off_site, r.failed)


# --------------------------------------------------------------------------- figures
def test_figures_by_grid_equal_the_fixture_counted_by_hand(fx: Fixture) -> None:
    report = _report("supervisor", group="grid")
    by_key = {r.key: _figures(r) for r in report.rows}
    #              due done on-time late missed off-site failed
    assert by_key == {
        fx.grids["A"]: (4, 2, 1, 1, 2, 1, 1),
        fx.grids["B"]: (2, 1, 1, 0, 1, 0, 1),
    }
    assert _figures(report.total) == (6, 3, 2, 1, 3, 1, 2)
    assert report.total.completion == 0.5 and report.total.on_time_rate == pytest.approx(2 / 6)
    # worst first: A (2 of 4 done) before B (1 of 2, the same rate, fewer on time? no:
    # equal completion, then on-time rate 1/4 < 1/2)
    assert [r.key for r in report.rows] == [fx.grids["A"], fx.grids["B"]]
    city = _report("commander", group="grid")
    assert {r.key: _figures(r) for r in city.rows}[fx.grids["C"]] == (2, 1, 1, 0, 1, 0, 0)
    assert _figures(city.total) == (8, 4, 3, 1, 4, 1, 2)


def test_every_grouping_equals_a_direct_sql_count(fx: Fixture) -> None:
    """The commander's figures by street, community, grid and worker against SQL written
    here from the definitions (not the report's statement)."""
    now = datetime.now(LOCAL_TZ)
    keys = {"street": "left(g.code, 9)", "community": "left(g.code, 12)", "grid": "g.code"}
    keys["worker"] = "coalesce(k.assignee_id::text, '')"
    with session_scope(admin=True) as s:
        for group, key in keys.items():
            expected = {
                r[0]: tuple(r[1:])
                for r in s.execute(
                    text(f"""
                    SELECT {key},
                      count(*),
                      sum((k.status = 'done')::int),
                      sum((k.status = 'done' AND NOT ps.late)::int),
                      sum((k.status = 'done' AND ps.late)::int),
                      sum((k.status IN ('open', 'missed'))::int),
                      sum((k.status = 'done' AND NOT ps.on_site)::int),
                      sum((k.status = 'done' AND ps.failed_items > 0)::int)
                    FROM patrol_task k JOIN area g ON g.id = k.grid_id
                    LEFT JOIN patrol_submission ps ON ps.task_id = k.id
                    WHERE k.last_day >= :a AND k.last_day <= :b AND k.status <> 'cancelled'
                      AND (k.status = 'done' OR k.deadline <= :now)
                    GROUP BY 1"""),
                    {"a": START, "b": END, "now": now},
                )
            }
            got = {r.key: _figures(r) for r in _report("commander", group=group).rows}
            assert got == expected, group
            assert len(got) >= 2


def test_lists_hold_the_missed_high_risk_visits_and_masked_off_site_check_ins(
    fx: Fixture,
) -> None:
    report = _report("supervisor")
    assert [r["task_id"] for r in report.missed] == [fx.tasks["A3"], fx.tasks["A4"]]
    assert report.missed_total == 2
    assert [r["task_id"] for r in report.off_site] == [fx.tasks["B1"], fx.tasks["A2"]]
    a2 = report.off_site[1]
    assert a2["flags"] == ["off_site"] and a2["distance_m"] == 850.0
    assert a2["off_site_reason"] and PHONE not in a2["off_site_reason"]
    assert a2["off_site_reason"].startswith("门卫不让进")
    city = _report("commander")
    assert [r["task_id"] for r in city.missed] == [fx.tasks[k] for k in ("A3", "C2", "A4")]


# ----------------------------------------------------------------------------- scope
def test_supervisor_sees_only_their_street_and_may_drill_down(fx: Fixture) -> None:
    report = _report("supervisor", group="street")
    assert [r.key for r in report.rows] == [fx.grids["A"][:9]]
    only_a = _report("supervisor", group="grid", area=fx.grids["A"][:12])
    assert {r.key for r in only_a.rows} <= {fx.grids["A"], fx.grids["B"]}
    assert fx.grids["A"] in {r.key for r in only_a.rows}
    with pytest.raises(Forbidden):
        _report("supervisor", area=fx.grids["C"][:9] + "000")
    with pytest.raises(Forbidden):
        _report("supervisor", area=fx.grids["A"][:6] + "000000")  # the county around it
    with pytest.raises(Forbidden):
        _report("gridworker")
    commander = _report("commander", group="street")
    assert {fx.grids["A"][:9], fx.grids["C"][:9]} <= {r.key for r in commander.rows}


def test_bad_input_is_a_translated_refusal() -> None:
    for kw in (
        {"period": "forever"},
        {"period": "custom", "start": "2025-02-30", "end": "2025-03-01"},
        {"period": "custom", "start": "2025-03-02", "end": "2025-03-01"},
        {"period": "custom", "start": "2020-01-01", "end": "2022-01-01"},
        {"period": "custom", "start": ["x"], "end": None},
        {"group": "planet"},
        {"area": "DROP TABLE"},
        {"area": "999999999999"},
    ):
        with pytest.raises(InvalidInput):
            _report("commander", **kw)


def _show(client: Any, **values: Any) -> Any:
    inputs = [
        (Ids.PERIOD, "value", values.get("period")),
        (Ids.DATES, "start_date", values.get("start")),
        (Ids.DATES, "end_date", values.get("end")),
        (Ids.AREA, "value", values.get("area")),
        (Ids.GROUP, "value", values.get("group")),
        (Ids.REFRESH, "data", 0),
    ]
    outputs = [(Ids.BODY, "children"), (Ids.LISTS, "children")]
    outputs += [(Ids.EXPORTS, "children"), (Ids.MESSAGE, "children")]
    return post_callback(client, outputs, inputs)


def test_the_screen_over_http_by_role(fx: Fixture) -> None:
    client = signed_in_client("supervisor")
    assert client.get("/patrol-report").status_code == 200
    resp = _show(client, **RANGE, group="grid")
    assert resp.status_code == 200
    out = resp.get_json()["response"]
    table = rows(out[Ids.BODY]["children"], "mq-preport")
    assert table[fx.grids["A"]]["due"] == "4" and table[fx.grids["A"]]["missed"] == "2"
    assert table[fx.grids["A"]]["completion"] == "50.0%"
    assert set(table) == {fx.grids["A"], fx.grids["B"], "total"}
    assert table["total"]["due"] == "6" and table["total"]["on_time_rate"] == "33.3%"
    assert PHONE not in json.dumps(out, ensure_ascii=False)
    bad = _show(client, period="custom", start="2025-13-01", end="2025-13-02")
    assert bad.status_code == 200 and bad.get_json()["response"][Ids.MESSAGE]["children"]
    worker = signed_in_client("gridworker")
    assert worker.get("/patrol-report").status_code == 403
    assert _show(worker, **RANGE).status_code == 403
    assert signed_in_client("commander").get("/patrol-report").status_code == 200


# ---------------------------------------------------------------------------- export
def _audit_head() -> int:
    with session_scope(admin=True) as s:
        return int(s.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one())


def test_exports_are_scoped_masked_and_audited(fx: Fixture) -> None:
    client = signed_in_client("supervisor")
    head = _audit_head()
    query = "period=custom&start=2025-06-02&end=2025-06-08&group=grid"
    resp = client.get(f"/export/patrol-rates.csv?{query}")
    assert resp.status_code == 200, resp.data[:300]
    table = list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert [r["key"] for r in table] == [fx.grids["A"], fx.grids["B"], ""]
    assert table[-1]["due"] == "6" and table[-1]["missed"] == "3" and table[0]["late"] == "1"
    off = client.get(f"/export/patrol-offsite.xlsx?{query}")
    assert off.status_code == 200
    from openpyxl import load_workbook

    sheet = list(load_workbook(io.BytesIO(off.data)).worksheets[0].iter_rows(values_only=True))
    head_row, body = sheet[0], [dict(zip(sheet[0], r, strict=True)) for r in sheet[1:]]
    assert "off_site_reason" in head_row and len(body) == 2
    assert all(PHONE not in str(r) for r in sheet)
    assert {r["grid_code"] for r in body} <= {fx.grids["A"], fx.grids["B"]}
    missed = client.get(f"/export/patrol-missed.csv?{query}")
    ids = [int(r["task_id"]) for r in csv.DictReader(io.StringIO(missed.data.decode("utf-8-sig")))]
    assert ids == [fx.tasks["A3"], fx.tasks["A4"]]
    with session_scope(admin=True) as s:
        records = s.execute(
            text("""SELECT object_id, username, detail FROM audit_log
                    WHERE id > :h AND action = 'export' ORDER BY id"""),
            {"h": head},
        ).all()
    assert [(r.object_id, r.username) for r in records] == [
        ("patrol-rates", "supervisor"),
        ("patrol-offsite", "supervisor"),
        ("patrol-missed", "supervisor"),
    ]
    assert records[0].detail["rows"] == 3 and records[0].detail["filters"]["group"] == "grid"
    assert client.get(f"/export/patrol-rates.geojson?{query}").status_code == 400
    out_of_scope = client.get(f"/export/patrol-rates.csv?{query}&area={fx.grids['C']}")
    assert out_of_scope.status_code == 403
    worker = signed_in_client("gridworker")
    assert worker.get(f"/export/patrol-rates.csv?{query}").status_code == 403


# -------------------------------------------------------------------------- reassign
def test_reassign_within_the_area_only(fx: Fixture) -> None:
    who = _principal("supervisor")
    with unit_of_work(who) as s:
        choices = patrol_report.worker_choices(s, who, fx.tasks["A3"])
    ids = [w["id"] for w in choices["workers"]]
    # the task's own grid's workers first (the demo's field force may have one there too)
    own = [w["id"] for w in choices["workers"] if w["grid_code"] == fx.grids["A"]]
    assert fx.workers["A"] in own and ids[: len(own)] == own and fx.workers["B"] in ids
    assert fx.workers["C"] not in ids
    assert all(w["grid_code"][:9] == fx.grids["A"][:9] for w in choices["workers"])
    with pytest.raises(InvalidInput) as err, unit_of_work(who) as s:
        patrol_report.reassign(s, who, fx.tasks["A3"], fx.workers["C"])
    assert err.value.key == "patrol.error.not_a_worker"
    with pytest.raises(Forbidden), unit_of_work(who) as s:
        patrol_report.reassign(s, who, fx.tasks["C2"], fx.workers["A"])
    with pytest.raises(InvalidInput), unit_of_work(who) as s:
        patrol_report.reassign(s, who, fx.tasks["A1"], fx.workers["B"])  # done
    for bad in ("x", None, -1, True, [1]):
        with pytest.raises(InvalidInput), unit_of_work(who) as s:
            patrol_report.reassign(s, who, bad, fx.workers["B"])
    with unit_of_work(who) as s:
        done = patrol_report.reassign(s, who, str(fx.tasks["A3"]), fx.workers["B"])
    assert done["id"] == fx.tasks["A3"]
    with session_scope(admin=True) as s:
        assignee = s.execute(
            text("SELECT assignee_id FROM patrol_task WHERE id = :t"), {"t": fx.tasks["A3"]}
        ).scalar_one()
    assert assignee == fx.workers["B"]
    worker = _principal("gridworker")
    with pytest.raises(Forbidden), unit_of_work(worker) as s:
        patrol_report.reassign(s, worker, fx.tasks["A3"], fx.workers["A"])


# ------------------------------------------------------------------------- drill-down
def _page(client: Any, search: str) -> dict[str, Any]:
    """The controls' values of the page as the router renders it for ``search``."""
    from tests.dash_requests import router_body

    body = router_body("/patrol-report")
    body["inputs"][1]["value"] = search
    cookie = client.get_cookie("_csrf_token")
    resp = client.post(
        "/_dash-update-component",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookie.value},
    )
    assert resp.status_code == 200
    found: dict[str, Any] = {}

    def walk(n: Any) -> None:
        if isinstance(n, list):
            for x in n:
                walk(x)
        elif isinstance(n, dict):
            props = n.get("props") or {}
            if props.get("id") in (Ids.PERIOD, Ids.GROUP, Ids.AREA):
                found[props["id"]] = props.get("value")
            if props.get("id") == Ids.DATES:
                found["dates"] = (props.get("start_date"), props.get("end_date"))
            for value in (props or n).values():
                walk(value)

    walk(resp.get_json()["response"])
    return found


def test_drill_down_links_open_the_next_level_with_the_same_filters(fx: Fixture) -> None:
    from pages import patrol_report_parts as parts

    report = _report("supervisor", group="street")
    params = {**RANGE, "group": "street"}
    body = parts.rates_table(report, "zh-CN", params)
    links = json.dumps(body, default=lambda c: c.to_plotly_json())
    street = fx.grids["A"][:9]
    url = parts.drill_url(params, "street", street)
    assert url in links.replace("\\u0026", "&")
    assert "group=community" in url and f"area={street}000" in url and "start=2025-06-02" in url
    client = signed_in_client("supervisor")
    shown = _page(client, "?" + url.split("?", 1)[1])
    assert shown == {
        Ids.PERIOD: "custom",
        "dates": (START.isoformat(), END.isoformat()),
        Ids.AREA: street + "000",
        Ids.GROUP: "community",
    }
    communities = _report("supervisor", group="community", area=street + "000")
    assert {r.key for r in communities.rows} == {fx.grids["A"][:12], fx.grids["B"][:12]}
    hostile = _page(client, "?period=x&group=<b>&area=1;DROP&start=soon")
    assert hostile[Ids.PERIOD] == "this_week" and hostile[Ids.GROUP] == "street"
    assert hostile[Ids.AREA] is None


def test_key_persons_by_category_only_to_those_who_see_their_points() -> None:
    """The demo's missed care visits of last month: supervisors (PERSONS_POINTS) see each
    person's category and id, commanders (counts only) the id; no one an identity."""
    from pages.patrol_report_parts import target

    # a missed high-risk care visit of last month in the supervisor's street (the demo's
    # history may have none there): its submission removed, in this test's transaction
    first = (datetime.now(LOCAL_TZ).date().replace(day=1) - timedelta(days=1)).replace(day=1)
    last = datetime.now(LOCAL_TZ).date().replace(day=1)
    with session_scope(admin=True) as s:
        task = s.execute(
            text("""SELECT k.id FROM patrol_task k JOIN area g ON g.id = k.grid_id
                    WHERE k.subject = 'person' AND k.high_risk AND g.code LIKE :p
                      AND k.last_day >= :a AND k.last_day < :b
                    ORDER BY k.id LIMIT 1"""),
            {"p": _principal("supervisor").scope + "%", "a": first, "b": last},
        ).scalar_one()
        s.execute(text("DELETE FROM patrol_submission WHERE task_id = :t"), {"t": task})
        s.execute(text("UPDATE patrol_task SET status = 'missed', done_at = NULL WHERE id = :t"),
                  {"t": task})  # fmt: skip

    def persons(username: str) -> list[dict[str, Any]]:
        who = _principal(username)
        with unit_of_work(who) as s:
            report = patrol_report.report(s, who, period="last_month", limit=10_000)
        return [r for r in report.missed if r["subject"] == "person"]

    supervised, city = persons("supervisor"), persons("commander")
    assert supervised and city
    assert all(r["person_category"] for r in supervised)
    assert all(r["person_category"] is None and r["care_level"] is None for r in city)
    assert target(city[0], "zh-CN") == f"重点人员 #{city[0]['person_id']}"
    assert not any(k in r for r in supervised for k in ("full_name", "id_number", "phone"))
