"""Online patrol on PostGIS: task generation, submissions, findings as cases.

Every test runs in the rolled-back transaction of tests/conftest.py, except the
concurrency test, which needs real commits from many connections.
"""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance import patrol_plan, patrol_submit, patrol_templates
from governance.access import Principal
from governance.errors import Conflict, Forbidden, InvalidInput
from governance.filters import LOCAL_TZ
from governance.patrol_params import SubmissionIn
from governance.patrol_schedule import periods
from governance.request_model import parse
from governance.sla import is_workday
from governance.uow import unit_of_work
from tests.integration.test_workflow import _principal

YEAR = (date(2027, 1, 1), date(2027, 12, 31))  # after the demo's generated tasks


def _rule_of(rules: list[dict[str, Any]], subject: str, kind: str, grade: int) -> dict[str, Any]:
    """The most specific rule, written out again from the module docstring."""
    fits = [
        r
        for r in rules
        if r["subject"] == subject and r["kind"] in (kind, "*") and r["grade"] in (grade, None)
    ]
    return sorted(fits, key=lambda r: (r["kind"] == "*", r["grade"] is None))[0]


def test_a_year_of_tasks_matches_the_frequencies_exactly(rolled_back: Any) -> None:
    with session_scope(admin=True) as s:
        s.execute(text("DELETE FROM patrol_task WHERE due_on > :d"), {"d": date(2026, 12, 20)})
        made = patrol_plan.generate(s, *YEAR)
        rules = [dict(r) for r in s.execute(text("SELECT * FROM patrol_rule")).mappings()]
        overrides = dict(s.execute(text("SELECT day, workday FROM calendar_day")).all())
        targets = s.execute(
            text("""
            SELECT 'site' AS subject, id, site_type AS kind, risk_grade AS grade FROM key_site
            UNION ALL
            SELECT 'person', id, category, care_level FROM key_person""")
        ).all()
        got = Counter(
            (subject, target)
            for subject, target in s.execute(
                text("""
                SELECT subject, coalesce(site_id, person_id) FROM patrol_task
                WHERE due_on <= :end AND last_day >= :start"""),
                {"start": YEAR[0], "end": YEAR[1]},
            )
        )
        keys = s.execute(
            text("""
            SELECT count(*), count(DISTINCT (subject, coalesce(site_id, person_id), period_key))
            FROM patrol_task""")
        ).one()
        again = patrol_plan.generate(s, *YEAR)
        halves = (
            patrol_plan.generate(s, YEAR[0], date(2027, 6, 30)).total
            + patrol_plan.generate(s, date(2027, 6, 30), YEAR[1]).total
        )
    expected = {}
    for subject, target, kind, grade in targets:
        rule = _rule_of(rules, subject, kind, grade)
        expected[(subject, target)] = len(
            periods(
                rule["period"],
                rule["every"],
                *YEAR,
                workdays_only=rule["workdays_only"],
                is_workday=lambda d: is_workday(d, overrides),
            )
        )
    assert made.total == sum(expected.values())
    assert dict(got) == expected  # every site and person, no gap, no duplicate
    assert keys[0] == keys[1]
    assert again.total == 0 and halves == 0
    # the defaults: a major hazard daily (365), a low-risk site monthly (12)
    assert 365 in expected.values() and 12 in expected.values()


def test_generation_refuses_a_backwards_or_huge_span(rolled_back: Any) -> None:
    with session_scope(admin=True) as s:
        with pytest.raises(InvalidInput):
            patrol_plan.generate(s, date(2027, 2, 1), date(2027, 1, 1))
        with pytest.raises(InvalidInput):
            patrol_plan.generate(s, date(2027, 1, 1), date(2030, 1, 1))


# ----------------------------------------------------------------------------- submissions
@pytest.fixture
def worker() -> Principal:
    return _principal("gridworker")


def _task(worker: Principal, subject: str = "site") -> dict[str, Any]:
    """An open task of the demo grid worker (made due today if needed)."""
    with session_scope(admin=True) as s:
        row = (
            s.execute(
                text("""
                SELECT k.id, k.template_id, v.id AS version_id, v.items,
                       ST_X(coalesce(ks.geom, kp.geom)) AS lon,
                       ST_Y(coalesce(ks.geom, kp.geom)) AS lat
                FROM patrol_task k
                JOIN checklist_template t ON t.id = k.template_id
                JOIN checklist_template_version v
                  ON v.template_id = t.id AND v.version = t.current_version
                LEFT JOIN key_site ks ON ks.id = k.site_id
                LEFT JOIN key_person kp ON kp.id = k.person_id
                WHERE k.assignee_id = :u AND k.subject = :subj AND k.status = 'open'
                ORDER BY k.due_on, k.id LIMIT 1"""),
                {"u": worker.user_id, "subj": subject},
            )
            .mappings()
            .one()
        )
        today = datetime.now(LOCAL_TZ).date()
        s.execute(
            text("UPDATE patrol_task SET due_on = :d, last_day = :e, deadline = :dl WHERE id = :i"),
            {"d": today, "e": today + timedelta(days=2),
             "dl": datetime.combine(today + timedelta(days=3), datetime.min.time(), LOCAL_TZ),
             "i": row["id"]},
        )  # fmt: skip
        return dict(row)


def _answers(items: list[dict[str, Any]], fail: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if item["kind"] == "pass_fail":
            out[item["key"]] = "fail" if item["key"] == fail else "pass"
        elif item["kind"] == "number":
            out[item["key"]] = (item["max"] or 0) + 1 if item["key"] == fail else item["min"] or 0
        elif item["kind"] == "choice":
            good = [c for c in item["choices"] if not c["fail"]]
            bad = [c for c in item["choices"] if c["fail"]]
            out[item["key"]] = (bad if item["key"] == fail else good)[0]["value"]
    return out


JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


def _body(task: dict[str, Any], *, fail: str | None = None, **extra: Any) -> SubmissionIn:
    import base64

    photos = [
        {"item": i["key"], "data_base64": base64.b64encode(JPEG).decode()}
        for i in task["items"]
        if i["kind"] == "photo" and i.get("min_photos")
    ]
    raw = {
        "client_id": str(uuid.uuid4()),
        "template_version_id": task["version_id"],
        "answers": _answers(task["items"], fail),
        "position": {"lon": task["lon"], "lat": task["lat"] + 0.0002, "accuracy_m": 8},
        "photos": photos,
        **extra,
    }
    return parse(SubmissionIn, raw)


def _failable(task: dict[str, Any]) -> str:
    return next(i["key"] for i in task["items"] if i["kind"] == "pass_fail")


def test_a_failed_item_becomes_one_case_at_the_site(rolled_back: Any, worker: Principal) -> None:
    task = _task(worker)
    key = _failable(task)
    with unit_of_work(worker) as s:
        out = patrol_submit.submit(s, task["id"], _body(task, fail=key), principal=worker)
    assert out["on_site"] and out["flags"] == [] and not out["late"]
    assert [c["item"] for c in out["cases"]] == [key]
    with session_scope(admin=True) as s:
        case = s.execute(
            text("""
            SELECT i.source, i.category_code, i.status, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat
            FROM incident i WHERE i.id = :i"""),
            {"i": out["cases"][0]["incident_id"]},
        ).one()
        status = s.execute(text("SELECT status FROM patrol_task WHERE id = :i"), {"i": task["id"]})
        item = next(i for i in task["items"] if i["key"] == key)
    assert case.source == "patrol" and case.category_code == item["fail_category"]
    assert abs(case.lon - task["lon"]) < 1e-6 and abs(case.lat - task["lat"]) < 1e-6
    assert status.scalar_one() == "done"


def test_a_resend_writes_nothing_and_another_submission_is_refused(
    rolled_back: Any, worker: Principal
) -> None:
    task = _task(worker)
    body = _body(task, fail=_failable(task))
    with unit_of_work(worker) as s:
        first = patrol_submit.submit(s, task["id"], body, principal=worker)
    with unit_of_work(worker) as s:
        again = patrol_submit.submit(s, task["id"], body, principal=worker)
    assert again["replayed"] and again["id"] == first["id"] and again["cases"] == first["cases"]
    with pytest.raises(Conflict), unit_of_work(worker) as s:
        patrol_submit.submit(s, task["id"], _body(task), principal=worker)


def test_off_site_needs_a_reason_and_is_flagged(rolled_back: Any, worker: Principal) -> None:
    task = _task(worker)
    far = {"lon": task["lon"], "lat": task["lat"] + 0.01, "accuracy_m": 10}  # ~1.1 km
    with pytest.raises(InvalidInput) as err, unit_of_work(worker) as s:
        patrol_submit.submit(s, task["id"], _body(task, position=far), principal=worker)
    assert err.value.key == "patrol.error.reason_required"
    body = _body(task, position=far, off_site_reason="场所大门锁闭，在门外查看")
    with unit_of_work(worker) as s:
        out = patrol_submit.submit(s, task["id"], body, principal=worker)
    assert not out["on_site"] and out["flags"] == ["off_site"] and out["distance_m"] > 1000
    task2 = _task(worker, "person")
    denied = _body(task2, position=None, off_site_reason="定位权限被拒绝，已电话确认")
    with unit_of_work(worker) as s:
        out2 = patrol_submit.submit(s, task2["id"], denied, principal=worker)
    assert out2["flags"] == ["no_position"]


def test_someone_elses_task_and_a_stale_checklist_are_refused(
    rolled_back: Any, worker: Principal
) -> None:
    task = _task(worker)
    supervisor = _principal("supervisor")
    with pytest.raises(Forbidden), unit_of_work(supervisor) as s:
        patrol_submit.submit(s, task["id"], _body(task), principal=supervisor)
    with session_scope(admin=True) as s:  # a newer version, published before the period
        code = s.execute(
            text("SELECT code FROM checklist_template WHERE id = :t"), {"t": task["template_id"]}
        ).scalar_one()
    commander = _principal("commander")
    with unit_of_work(commander) as s:
        patrol_templates.publish(s, code, task["items"], principal=commander)
    with session_scope(admin=True) as s:
        s.execute(
            text("UPDATE checklist_template_version SET created_at = now() - interval '30 days' "
                 "WHERE template_id = :t"),
            {"t": task["template_id"]},
        )  # fmt: skip
    with pytest.raises(InvalidInput) as err, unit_of_work(worker) as s:
        patrol_submit.submit(s, task["id"], _body(task), principal=worker)
    assert err.value.key == "patrol.error.stale_template"


def test_a_submission_renders_against_its_pinned_version(
    rolled_back: Any, worker: Principal
) -> None:
    from governance import patrol_day

    task = _task(worker)
    key = _failable(task)
    with unit_of_work(worker) as s:
        out = patrol_submit.submit(s, task["id"], _body(task, fail=key), principal=worker)
    with session_scope(admin=True) as s:
        code = s.execute(
            text("SELECT code FROM checklist_template WHERE id = :t"), {"t": task["template_id"]}
        ).scalar_one()
    changed = [{**i, "label_zh": "改过的" + i["label_zh"]} for i in task["items"]][1:]
    commander = _principal("commander")
    with unit_of_work(commander) as s:
        patrol_templates.publish(s, code, changed, principal=commander)
    with unit_of_work(worker) as s:
        shown = patrol_day.submission(s, out["id"], principal=worker, lang="zh-CN")
    assert shown["version"] == 1 and shown["current_version"] == 2
    assert [i["key"] for i in shown["items"]] == [i["key"] for i in task["items"]]
    assert not any(i["label"].startswith("改过的") for i in shown["items"])
    assert next(i for i in shown["items"] if i["key"] == key)["failed"]


@pytest.mark.commits
def test_twenty_concurrent_sends_store_one_submission_and_one_case(worker: Principal) -> None:
    task = _task(worker)
    body = _body(task, fail=_failable(task))

    def send(_n: int) -> dict[str, Any]:
        with unit_of_work(worker) as s:
            return patrol_submit.submit(s, task["id"], body, principal=worker)

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            results = list(pool.map(send, range(20)))
        assert len({r["id"] for r in results}) == 1
        assert sum(not r["replayed"] for r in results) == 1
        with session_scope(admin=True) as s:
            n_subs = s.execute(
                text("SELECT count(*) FROM patrol_submission WHERE task_id = :t"), {"t": task["id"]}
            ).scalar_one()
            n_cases = s.execute(
                text(
                    "SELECT count(*) FROM incident WHERE source = 'patrol' AND external_id LIKE :p"
                ),
                {"p": f"patrol-{results[0]['id']}-%"},
            ).scalar_one()
        assert (n_subs, n_cases) == (1, 1)
    finally:
        with session_scope(admin=True) as s:
            s.execute(text("DELETE FROM patrol_submission WHERE task_id = :t"), {"t": task["id"]})
            s.execute(text("UPDATE patrol_task SET status = 'open', done_at = NULL WHERE id = :t"),
                      {"t": task["id"]})  # fmt: skip


def test_the_monthly_evaluation_shows_patrol_figures_equal_to_a_direct_count(
    rolled_back: Any,
) -> None:
    """Submissions written straight into a month's visits of one grid (some late, some
    off site): the evaluation's patrol columns for the grid and its street equal counts
    made here from the raw rows."""
    from governance import evaluation

    month = "2026-10"
    with session_scope(admin=True) as s:
        grid = s.execute(
            text("""SELECT g.id, g.code FROM area g JOIN patrol_task k ON k.grid_id = g.id
                    WHERE k.last_day BETWEEN '2026-10-01' AND '2026-10-31'
                    GROUP BY g.id, g.code ORDER BY count(*) DESC, g.code LIMIT 1""")
        ).one()
        tasks = s.execute(
            text("""SELECT k.id, k.deadline, k.template_id FROM patrol_task k
                    WHERE k.grid_id = :g AND k.last_day BETWEEN '2026-10-01' AND '2026-10-31'
                    ORDER BY k.id"""),
            {"g": grid.id},
        ).all()
        assert len(tasks) >= 6
        # the demo's history visited most of them: start from none visited
        s.execute(text("DELETE FROM patrol_submission WHERE task_id = ANY(:t)"),
                  {"t": [t.id for t in tasks]})  # fmt: skip
        s.execute(text("UPDATE patrol_task SET status = 'missed', done_at = NULL "
                       "WHERE id = ANY(:t)"), {"t": [t.id for t in tasks]})  # fmt: skip
        for n, task in enumerate(tasks[: len(tasks) * 2 // 3]):
            late = n % 4 == 0
            filled = (
                task.deadline + timedelta(hours=5) if late else task.deadline - timedelta(hours=3)
            )
            s.execute(
                text("""
                INSERT INTO patrol_submission (task_id, client_id, template_version_id,
                    submitted_by, filled_at, answers, on_site, flags, late)
                SELECT :t, :c, v.id, NULL, :f, '{}'::jsonb, :on, '{}', :late
                FROM checklist_template_version v WHERE v.template_id = :tpl AND v.version = 1"""),
                {"t": task.id, "c": f"eval-{task.id}", "f": filled, "on": n % 3 != 0,
                 "late": late, "tpl": task.template_id},
            )  # fmt: skip
            s.execute(text("UPDATE patrol_task SET status = 'done', done_at = :f WHERE id = :t"),
                      {"f": filled, "t": task.id})  # fmt: skip
        ev = evaluation.evaluate(s, None, month, kinds=("street", "grid"))

        def direct(prefix: str) -> tuple[int, int, int, int]:
            row = s.execute(
                text("""
                SELECT count(*), count(p.id), count(p.id) FILTER (WHERE p.filled_at <= k.deadline),
                       count(p.id) FILTER (WHERE NOT p.on_site)
                FROM patrol_task k JOIN area g ON g.id = k.grid_id
                LEFT JOIN patrol_submission p ON p.task_id = k.id
                WHERE g.code LIKE :p AND k.status <> 'cancelled'
                  AND k.last_day >= '2026-10-01' AND k.last_day <= '2026-10-31'"""),
                {"p": prefix + "%"},
            ).one()
            return tuple(int(x) for x in row)  # type: ignore[return-value]

        for kind, key in (("grid", grid.code), ("street", grid.code[:9])):
            due, done, on_time, off = direct(key)
            line = ev.patrol_of(kind, key if kind == "grid" else key + "000")
            assert line is not None and line.due == due, kind
            assert line.done == pytest.approx(done / due)
            assert line.on_time == pytest.approx(on_time / due)
            assert line.off_site == pytest.approx(off / done)


def test_the_command_line_generates_lists_and_publishes(rolled_back: Any, tmp_path: Any) -> None:
    import json as json_

    from click.testing import CliRunner

    from cli.main import cli
    from tests.conftest import demo_password

    runner = CliRunner()
    first = runner.invoke(cli, ["patrol", "generate", "--from", "2028-03-01", "--to", "2028-03-07"])
    assert first.exit_code == 0, first.output
    added = int(first.output.split(": ", 1)[1].split(" ")[0])
    assert added > 0
    again = runner.invoke(cli, ["patrol", "generate", "--from", "2028-03-01", "--to", "2028-03-07"])
    assert again.exit_code == 0 and ": 0 site visits and 0 care visits added" in again.output
    bad = runner.invoke(cli, ["patrol", "generate", "--from", "2028-03-07", "--to", "2028-03-01"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    listed = runner.invoke(cli, ["patrol", "templates"])
    assert listed.exit_code == 0 and "site.gas_station" in listed.output
    with session_scope(admin=True) as s:
        items = s.execute(
            text("""SELECT v.items FROM checklist_template_version v
                    JOIN checklist_template t ON t.id = v.template_id
                    WHERE t.code = 'site.market' AND v.version = t.current_version""")
        ).scalar_one()
    path = tmp_path / "market.json"
    path.write_text(json_.dumps(items[:-1], ensure_ascii=False), encoding="utf-8")
    password = demo_password("commander") + "\n"
    done = runner.invoke(
        cli, ["patrol", "publish", "site.market", str(path), "--as", "commander"], input=password
    )
    assert done.exit_code == 0 and "version 2" in done.output, done.output
    path.write_text("[{}]", encoding="utf-8")
    refused = runner.invoke(
        cli, ["patrol", "publish", "site.market", str(path), "--as", "commander"], input=password
    )
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    not_planner = runner.invoke(
        cli,
        ["patrol", "publish", "site.market", str(path), "--as", "supervisor"],
        input=demo_password("supervisor") + "\n",
    )
    assert not_planner.exit_code != 0
