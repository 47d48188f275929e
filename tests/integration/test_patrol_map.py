"""Patrol on the map: key-site markers carry their patrol status, the coverage layer's
figures equal a direct count, the site panel lists visits and open findings."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance.errors import Forbidden
from governance.filters import LOCAL_TZ
from governance.layers import render_layer
from governance.uow import unit_of_work
from tests.integration.test_workflow import _principal

CITY = "114.8,22.4,116.4,23.7"


def _grid_bbox(code: str) -> str:
    with session_scope(admin=True) as s:
        box = s.execute(
            text("SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) "
                 "FROM area WHERE code = :c"),
            {"c": code},
        ).one()  # fmt: skip
    return ",".join(f"{v:.5f}" for v in box)


def _submit_raw(
    s: Any, task_id: int, *, failed: int, filled: datetime, on_site: bool = True
) -> None:
    s.execute(
        text("""
        INSERT INTO patrol_submission (task_id, client_id, template_version_id, submitted_by,
            filled_at, answers, on_site, flags, failed_items, late)
        SELECT k.id, 'map-' || k.id, v.id, k.assignee_id, :f, '{}'::jsonb, :on, '{}', :n,
               CAST(:f AS timestamptz) > k.deadline
        FROM patrol_task k JOIN checklist_template_version v
          ON v.template_id = k.template_id AND v.version = 1
        WHERE k.id = :t"""),
        {"t": task_id, "f": filled, "on": on_site, "n": failed},
    )
    s.execute(text("UPDATE patrol_task SET status = 'done', done_at = :f WHERE id = :t"),
              {"f": filled, "t": task_id})  # fmt: skip


def test_site_markers_carry_their_patrol_status(rolled_back: Any) -> None:
    worker = _principal("gridworker")
    now = datetime.now(LOCAL_TZ)
    today = now.date()
    with session_scope(admin=True) as s:
        sites = s.execute(
            # each site's latest visit not submitted yet (just after midnight the latest
            # visits are yesterday's, most of them done: submitting again is refused)
            text("""SELECT DISTINCT ON (k.site_id) k.site_id, k.id FROM patrol_task k
                    WHERE k.assignee_id = :u AND k.site_id IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM patrol_submission p WHERE p.task_id = k.id)
                    ORDER BY k.site_id, k.due_on DESC"""),
            {"u": worker.user_id},
        ).all()
        assert len(sites) >= 3
        (a, ta), (b, tb), (c, tc) = sites[:3]
        for site, task in ((a, ta), (b, tb), (c, tc)):  # each site's current visit: today's
            s.execute(
                text("""UPDATE patrol_task SET due_on = :d, last_day = :d, status = 'open',
                        deadline = :dl WHERE id = :t"""),
                {"d": today, "dl": now + timedelta(hours=3), "t": task},
            )
            s.execute(text("UPDATE patrol_task SET due_on = due_on - 500, last_day = last_day - 500 "
                           "WHERE site_id = :s AND id <> :t AND due_on >= :d"),
                      {"s": site, "t": task, "d": today - timedelta(days=400)})  # fmt: skip
        _submit_raw(s, ta, failed=0, filled=now - timedelta(hours=1))  # done
        _submit_raw(s, tb, failed=2, filled=now - timedelta(hours=1))  # done, problems found
        s.execute(text("UPDATE patrol_task SET deadline = :dl WHERE id = :t"),
                  {"dl": now - timedelta(minutes=5), "t": tc})  # overdue  # fmt: skip
    with unit_of_work(worker) as s:
        payload = render_layer(
            s, "sites", {"bbox": _grid_bbox(worker.area_code), "z": "15"}, worker
        )
    status = {
        f["properties"]["id"]: f["properties"]["patrol"]
        for f in json.loads(payload.body)["features"]
    }
    assert (status[a], status[b], status[c]) == ("done", "failed", "overdue")


def test_coverage_layer_equals_a_direct_count_and_is_for_supervisors(rolled_back: Any) -> None:
    supervisor = _principal("supervisor")
    end = datetime.now(LOCAL_TZ).date()
    start = end - timedelta(days=30)
    with session_scope(admin=True) as s:
        tasks = s.execute(
            text("""SELECT k.id, k.deadline FROM patrol_task k JOIN area g ON g.id = k.grid_id
                    WHERE g.code LIKE :p AND k.last_day >= :a AND k.last_day < :b
                    ORDER BY k.id LIMIT 40"""),
            {"p": supervisor.scope + "%", "a": start, "b": end},
        ).all()
        s.execute(
            text("DELETE FROM patrol_submission WHERE task_id = ANY(:t)"),
            {"t": [t[0] for t in tasks]},
        )  # fmt: skip  (the demo's history, undone)
        for n, (tid, deadline) in enumerate(tasks):
            if n % 3:
                _submit_raw(s, tid, failed=0, filled=deadline - timedelta(hours=1 if n % 5 else -2))
    args = {"bbox": CITY, "z": "10", "window": "30d"}
    with unit_of_work(supervisor) as s:
        features = json.loads(render_layer(s, "coverage", args, supervisor).body)["features"]
    assert features and all(f["properties"]["level"] == "street" for f in features)
    with session_scope(admin=True) as s:
        for f in features:
            p = f["properties"]
            assert p["code"].startswith(supervisor.scope)
            due, on_time = s.execute(
                text("""
                SELECT count(*), count(p.id) FILTER (WHERE p.filled_at <= k.deadline)
                FROM patrol_task k JOIN area g ON g.id = k.grid_id
                LEFT JOIN patrol_submission p ON p.task_id = k.id
                WHERE left(g.code, 9) = left(:c, 9) AND k.status <> 'cancelled'
                  AND k.last_day >= :a AND k.last_day < :b"""),
                {"c": p["code"], "a": start, "b": end},
            ).one()
            assert (p["due"], p["on_time"]) == (due, on_time)
        assert sum(f["properties"]["on_time"] for f in features) > 0
    worker = _principal("gridworker")
    with pytest.raises(Forbidden), unit_of_work(worker) as s:
        render_layer(s, "coverage", args, worker)


def test_the_site_panel_lists_visits_and_open_findings(rolled_back: Any) -> None:
    from governance import sites

    commander = _principal("commander")
    now = datetime.now(LOCAL_TZ)
    with session_scope(admin=True) as s:
        site, task = s.execute(
            text("""SELECT k.site_id, k.id FROM patrol_task k WHERE k.site_id IS NOT NULL
                    AND k.due_on <= :d ORDER BY k.due_on DESC, k.id LIMIT 1"""),
            {"d": now.date()},
        ).one()
        _submit_raw(s, task, failed=1, filled=now - timedelta(minutes=30))
        sub = s.execute(
            text("SELECT id FROM patrol_submission WHERE task_id = :t"), {"t": task}
        ).scalar_one()
        incident = s.execute(
            text(
                "SELECT id FROM incident WHERE status NOT IN "
                "('closed', 'evaluated', 'rejected', 'merged') ORDER BY id LIMIT 1"
            )
        ).scalar_one()
        s.execute(
            text("INSERT INTO patrol_finding VALUES (:s, 'x', :i)"), {"s": sub, "i": incident}
        )
    with unit_of_work(commander) as s:
        shown = sites.site_detail(s, site, "zh-CN", principal=commander)
    assert shown["visits"][0]["task_id"] == task and shown["visits"][0]["status"] == "done"
    assert shown["visits"][0]["failed_items"] == 1
    assert [f["incident_id"] for f in shown["open_findings"]] == [incident]


def test_the_area_panel_shows_the_areas_patrol_to_patrol_staff(rolled_back: Any) -> None:
    from governance import areas

    supervisor, dept = _principal("supervisor"), _principal("dept")
    with session_scope(admin=True) as s:
        grid = s.execute(text("SELECT id FROM area WHERE code = :c"),
                         {"c": _principal("gridworker").area_code}).scalar_one()  # fmt: skip
        end = datetime.now(LOCAL_TZ).date()
        due, done = s.execute(
            text("""SELECT count(*), count(p.id) FROM patrol_task k
                    LEFT JOIN patrol_submission p ON p.task_id = k.id
                    WHERE k.grid_id = :g AND k.status <> 'cancelled'
                      AND k.last_day >= :a AND k.last_day < :b"""),
            {"g": grid, "a": end - timedelta(days=30), "b": end},
        ).one()
    with unit_of_work(supervisor) as s:
        shown = areas.area_summary(s, grid, principal=supervisor, window="30d")
    assert shown["patrol"]["due"] == due and shown["patrol"]["done"] == done
    with unit_of_work(dept) as s:
        assert areas.area_summary(s, grid, principal=dept, window="30d")["patrol"] is None
