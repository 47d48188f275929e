"""The demo city's year of patrol (governance/demo_patrol.py, geodata/demo/patrol_*.py),
as tests/conftest.py seeds it: believable shares, answers the domain's own judge agrees
with, findings that are cases at the right place, check-in verdicts the server would
have given, nothing after the seeding moment, task statuses that follow the submissions,
and the same rows for the same seed.

Each test reads the seeded test database in the rolled-back transaction of conftest.py.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.demo import patrol as field
from geodata.demo import patrol_history
from governance import patrol_checkin, patrol_templates
from governance.patrol_params import Position

# no checklist was sent after the seeding moment, so the last one sent is at or before it:
# tasks whose deadline is before that had ended (those of a period under way may be done
# or not yet); the test session may run for hours after the seed, with no sweep
SEEDED = "(SELECT max(submitted_at) FROM patrol_submission)"
ENDED = f"k.deadline <= {SEEDED}"


def _rows(s: Session, sql: str, **params: Any) -> list[Any]:
    return list(s.execute(text(sql), params).all())


def _one(s: Session, sql: str, **params: Any) -> Any:
    return s.execute(text(sql), params).scalar_one()


def test_most_visits_are_on_time_some_late_some_missed(session: Session) -> None:
    on_time, late, missed, n = _rows(
        session,
        f"""
        SELECT count(*) FILTER (WHERE x.id IS NOT NULL AND NOT x.late),
               count(*) FILTER (WHERE x.late), count(*) FILTER (WHERE x.id IS NULL), count(*)
        FROM patrol_task k LEFT JOIN patrol_submission x ON x.task_id = k.id
        WHERE {ENDED}""",
    )[0]
    assert n > 100_000
    assert 0.83 <= on_time / n <= 0.92, on_time / n
    assert 0.035 <= late / n <= 0.075, late / n
    assert 0.05 <= missed / n <= 0.11, missed / n
    # worse in rural grids and for monthly visits, better at major-risk sites
    by = dict(
        _rows(
            session,
            f"""
            SELECT g, avg((x.id IS NULL)::int) FROM (
                SELECT k.id,
                       CASE WHEN s.risk_grade = 4 THEN 'major'
                            WHEN starts_with(k.period_key, 'month') THEN 'monthly'
                            WHEN NOT a.is_urban THEN 'rural' ELSE 'other' END AS g
                FROM patrol_task k JOIN area a ON a.id = k.grid_id
                LEFT JOIN key_site s ON s.id = k.site_id WHERE {ENDED}) t
            LEFT JOIN patrol_submission x ON x.task_id = t.id GROUP BY g""",
        )
    )
    assert by["major"] < by["other"] < by["rural"] and by["other"] < by["monthly"], by
    # late visits come within a few days of the deadline
    days = _one(
        session,
        """SELECT max(x.filled_at - k.deadline) FROM patrol_submission x
           JOIN patrol_task k ON k.id = x.task_id WHERE x.late""",
    )
    assert timedelta(0) < days <= timedelta(days=6)


def test_the_periods_under_way_are_partly_done(session: Session) -> None:
    done, total = _rows(
        session,
        f"""SELECT count(*) FILTER (WHERE status = 'done'), count(*) FROM patrol_task k
            WHERE due_on <= ({SEEDED} AT TIME ZONE 'Asia/Shanghai')::date AND NOT {ENDED}""",
    )[0]
    assert total > 100 and 0 < done < total


def test_tasks_follow_their_submissions(session: Session) -> None:
    bad = _one(
        session,
        f"""
        SELECT count(*) FROM patrol_task k LEFT JOIN patrol_submission x ON x.task_id = k.id
        WHERE (k.status = 'done') <> (x.id IS NOT NULL)
           OR (k.status = 'done' AND k.done_at IS DISTINCT FROM x.filled_at)
           OR (k.status = 'missed' AND k.deadline > now())
           OR (k.status = 'open' AND {ENDED})
           OR (x.id IS NOT NULL AND (x.late <> (x.filled_at > k.deadline)
               OR x.filled_at < (k.due_on::timestamp AT TIME ZONE 'Asia/Shanghai')
               OR x.submitted_at < x.filled_at OR x.submitted_at > x.filled_at + interval '1 day'
               OR x.submitted_by IS DISTINCT FROM k.assignee_id))""",
    )
    assert bad == 0
    assert _one(session, "SELECT count(*) FROM patrol_task WHERE status = 'cancelled'") == 0
    distinct = _rows(session, "SELECT count(*), count(DISTINCT client_id) FROM patrol_submission")[
        0
    ]
    assert distinct[0] == distinct[1] > 100_000
    # sent a minute after filling, a few from the outbox hours later
    outbox = _one(
        session,
        """SELECT avg((submitted_at - filled_at > interval '20 minutes')::int)
           FROM patrol_submission""",
    )
    assert 0.03 < outbox < 0.10


def test_nothing_is_dated_after_the_seeding_moment(session: Session) -> None:
    now = _one(session, "SELECT now()")
    latest = _rows(
        session,
        """
        SELECT (SELECT max(greatest(filled_at, submitted_at)) FROM patrol_submission),
               (SELECT max(done_at) FROM patrol_task),
               (SELECT max(e.at) FROM incident_event e JOIN incident i ON i.id = e.incident_id
                WHERE i.source = 'patrol'),
               (SELECT max(greatest(reported_at, updated_at)) FROM incident
                WHERE source = 'patrol')""",
    )[0]
    assert all(t <= now for t in latest), latest
    # a grid worker's day starts after 08:00 and ends before midnight
    hours = _rows(
        session,
        """SELECT min(extract(hour FROM filled_at AT TIME ZONE 'Asia/Shanghai')),
                  max(extract(hour FROM filled_at AT TIME ZONE 'Asia/Shanghai'))
           FROM patrol_submission""",
    )[0]
    assert hours[0] >= 8 and hours[1] <= 23


def _submissions(s: Session, where: str = "TRUE") -> list[Any]:
    return _rows(
        s,
        f"""
        SELECT x.id, x.answers, v.items, x.failed_items,
               coalesce((SELECT array_agg(f.item_key ORDER BY f.item_key) FROM patrol_finding f
                         WHERE f.submission_id = x.id), '{{}}') AS findings
        FROM patrol_submission x
        JOIN checklist_template_version v ON v.id = x.template_version_id
        WHERE {where} ORDER BY x.id""",
    )


def test_answers_judged_fail_exactly_the_items_with_a_finding(session: Session) -> None:
    rows = _submissions(session, "x.failed_items > 0 OR x.id % 5 = 0")
    assert len(rows) > 20_000
    failed_subs = 0
    for sid, answers, items, n_failed, findings in rows:
        values = {k: v for k, v in answers["values"].items() if v is not None}
        photos = {i["key"]: i["min_photos"] for i in items if i["kind"] == "photo"}  # none kept
        judged = patrol_templates.judge(items, values, answers["notes"], photos)
        failed = sorted(i["key"] for i in judged.failed)
        assert failed == list(findings), sid
        assert len(failed) == n_failed and judged.answers == answers["values"], sid
        assert set(answers["notes"]) <= set(failed), sid
        failed_subs += bool(failed)
    total = _one(session, "SELECT count(*) FROM patrol_submission")
    assert 0.02 <= failed_subs / total <= 0.04, failed_subs / total
    # more at high-risk sites and persons
    high, other = _rows(
        session,
        """SELECT avg((x.failed_items > 0)::int) FILTER (WHERE k.high_risk),
                  avg((x.failed_items > 0)::int) FILTER (WHERE NOT k.high_risk)
           FROM patrol_submission x JOIN patrol_task k ON k.id = x.task_id""",
    )[0]
    assert high > other


def test_every_finding_is_a_patrol_case_at_the_right_place(session: Session) -> None:
    bad = _rows(
        session,
        """
        SELECT f.submission_id, f.item_key FROM patrol_finding f
        JOIN patrol_submission x ON x.id = f.submission_id
        JOIN patrol_task k ON k.id = x.task_id
        JOIN checklist_template_version v ON v.id = x.template_version_id
        JOIN checklist_template t ON t.id = v.template_id
        JOIN area g ON g.id = k.grid_id
        LEFT JOIN key_site s ON s.id = k.site_id
        LEFT JOIN incident i ON i.id = f.incident_id
        LEFT JOIN incident_category c ON c.code = i.category_code
        CROSS JOIN LATERAL (SELECT e AS item FROM jsonb_array_elements(v.items) e
                            WHERE e->>'key' = f.item_key) it
        WHERE i.id IS NULL OR i.source <> 'patrol'
           OR i.external_id <> 'patrol-' || f.submission_id || '-' || f.item_key
           OR i.category_code <> it.item->>'fail_category'
           OR i.priority <> coalesce((it.item->>'fail_priority')::int, c.default_priority)
           OR i.grid_id <> k.grid_id
           OR i.occurred_at <> x.filled_at OR i.reported_at <> x.submitted_at
           OR NOT starts_with(i.description, '【巡查发现】' || t.name_zh || '：')
           OR ST_Distance(i.geom, CASE WHEN k.subject = 'site' THEN s.geom
                                       ELSE g.label_point END) > 1e-7
           OR i.address IS DISTINCT FROM s.address""",
    )
    assert bad == [], bad[:5]
    counts = _rows(
        session,
        """SELECT (SELECT count(*) FROM patrol_finding),
                  (SELECT sum(failed_items) FROM patrol_submission),
                  (SELECT count(*) FROM incident WHERE source = 'patrol')""",
    )[0]
    assert counts[0] == counts[1] == counts[2] > 1000
    care = _one(
        session,
        "SELECT count(*) FROM incident WHERE source = 'patrol' AND starts_with(category_code, 'care.')",
    )
    assert care > 100


def test_patrol_cases_go_round_the_loop(session: Session) -> None:
    by_status = dict(
        _rows(
            session,
            """SELECT status IN ('closed', 'evaluated', 'rejected', 'merged'), count(*)
               FROM incident WHERE source = 'patrol' AND reported_at < now() - interval '30 days'
               GROUP BY 1""",
        )
    )
    assert by_status.get(False, 0) <= 0.01 * by_status[True]
    recent_open = _one(
        session,
        """SELECT count(*) FROM incident WHERE source = 'patrol'
           AND status NOT IN ('closed', 'evaluated', 'rejected', 'merged')""",
    )
    assert recent_open > 0
    bad = _one(
        session,
        """
        SELECT count(*) FROM incident i WHERE i.source = 'patrol' AND (
            i.version <> (SELECT count(*) FROM incident_event e WHERE e.incident_id = i.id
                          AND e.action NOT IN ('review', 'remind', 'supervise'))
            OR NOT EXISTS (SELECT 1 FROM incident_event e WHERE e.incident_id = i.id
                           AND e.action = 'register')
            OR (i.status = 'closed' AND (i.closed_at IS NULL OR i.resolved_at IS NULL
                                          OR i.accepted_at IS NULL OR i.dispatched_at IS NULL
                                          OR i.resolve_due_at IS NULL))
            OR (i.status = 'suspended' AND i.suspended_at IS NULL)
            OR (i.status <> 'registered' AND i.status <> 'rejected' AND i.status <> 'merged'
                AND i.status <> 'verified' AND i.lead_department_id IS NULL))""",
    )
    assert bad == 0
    notes = _one(
        session,
        """SELECT count(*) FROM incident_event e JOIN incident i ON i.id = e.incident_id
           WHERE i.source = 'patrol' AND e.action = 'resolve' AND e.note IS NULL""",
    )
    assert notes == 0
    # the two suspensions left past their limit are the city's incidents', not these
    reviews = _one(
        session,
        """SELECT count(*) FROM incident_event e JOIN incident i ON i.id = e.incident_id
           WHERE i.source = 'patrol' AND e.action = 'review'""",
    )
    assert reviews == 0


def test_check_in_verdicts_are_the_servers(session: Session) -> None:
    rows = _rows(
        session,
        """
        SELECT x.id, x.lon, x.lat, x.accuracy_m, x.distance_m, x.on_site, x.flags,
               x.off_site_reason, x.filled_at, ST_X(coalesce(s.geom, p.geom)),
               ST_Y(coalesce(s.geom, p.geom)), coalesce(r.radius_m, 100),
               lag(x.lon) OVER w, lag(x.lat) OVER w, lag(x.filled_at) OVER w
        FROM patrol_submission x
        JOIN patrol_task k ON k.id = x.task_id
        LEFT JOIN key_site s ON s.id = k.site_id
        LEFT JOIN key_person p ON p.id = k.person_id
        LEFT JOIN LATERAL (
            SELECT r.radius_m FROM patrol_rule r
            WHERE r.subject = k.subject AND r.kind IN (coalesce(s.site_type, p.category), '*')
              AND (r.grade = coalesce(s.risk_grade, p.care_level) OR r.grade IS NULL)
            ORDER BY (r.kind <> '*') DESC, (r.grade IS NOT NULL) DESC LIMIT 1) r ON TRUE
        WHERE x.lon IS NOT NULL
        WINDOW w AS (PARTITION BY x.submitted_by ORDER BY x.filled_at, x.id)
        UNION ALL
        SELECT x.id, NULL, NULL, NULL, x.distance_m, x.on_site, x.flags, x.off_site_reason,
               x.filled_at, 0, 0, 100, NULL, NULL, NULL
        FROM patrol_submission x WHERE x.lon IS NULL""",
    )
    flags: dict[str, int] = defaultdict(int)
    metres = []
    for (sid, lon, lat, acc, dist, on_site, stored, reason, at, tx, ty, radius,
         plon, plat, pat) in rows:  # fmt: skip
        position = None if lon is None else Position(lon, lat, acc)
        previous = None if plon is None else patrol_checkin.Previous(plon, plat, pat)
        verdict = patrol_checkin.judge(position, (tx, ty), radius, at=at, previous=previous)
        assert verdict.flags == list(stored), sid
        assert verdict.on_site == on_site and verdict.distance_m == dist, sid
        assert (reason is None) == on_site, sid
        assert reason is None or len(reason) >= patrol_checkin.MIN_REASON_CHARS
        for f in stored:
            flags[f] += 1
        if on_site:
            metres.append(dist)
            assert 5 <= acc <= 40
    n = len(rows)
    assert 0.03 <= flags["off_site"] / n <= 0.06, flags
    assert 0.005 <= flags["no_position"] / n <= 0.02, flags
    assert flags["too_fast"] <= 0.001 * n  # only where the positions imply it
    assert 4.8 <= min(metres) and max(metres) <= 60.2  # 5-60 m, positions to 6 decimals


def test_the_vectorised_checks_agree_with_judge() -> None:
    rng = np.random.default_rng(5)
    n = 2000
    lon, lat = 115.3 + rng.normal(0, 0.01, n), 22.8 + rng.normal(0, 0.01, n)
    worker = rng.integers(0, 5, n)
    filled = 1_780_000_000 + np.sort(rng.integers(0, 20 * 86_400, n))
    ids = np.arange(n)
    lon[rng.random(n) < 0.05] = np.nan
    fast = patrol_history.too_fast(worker, filled, ids, lon, lat)
    tx, ty = 115.3, 22.8
    dist = patrol_history.haversine(lon, lat, np.full(n, tx), np.full(n, ty))
    last: dict[int, patrol_checkin.Previous] = {}
    at0 = datetime(1970, 1, 1, tzinfo=UTC)
    for i in range(n):
        if lon[i] != lon[i]:
            continue
        at = at0 + timedelta(seconds=int(filled[i]))
        v = patrol_checkin.judge(
            Position(lon[i], lat[i], 10), (tx, ty), 500, at=at, previous=last.get(worker[i])
        )
        assert ("too_fast" in v.flags) == fast[i], i
        assert v.distance_m == round(dist[i], 1), i
        last[worker[i]] = patrol_checkin.Previous(lon[i], lat[i], at)
    assert fast.any()


def _fingerprint(s: Session, tasks: list[int]) -> str:
    rows = _rows(
        s,
        """SELECT x.task_id, x.client_id, x.filled_at, x.submitted_at, x.lon, x.lat,
                  x.accuracy_m, x.flags, x.answers::text, x.off_site_reason, k.status, k.done_at,
                  (SELECT array_agg(f.item_key || i.category_code || i.status ORDER BY f.item_key)
                   FROM patrol_finding f JOIN incident i ON i.id = f.incident_id
                   WHERE f.submission_id = x.id)
           FROM patrol_task k LEFT JOIN patrol_submission x ON x.task_id = k.id
           WHERE k.id = ANY(:t) ORDER BY k.id""",
        t=tasks,
    )
    return hashlib.md5(repr(rows).encode()).hexdigest()


def test_the_same_seed_writes_the_same_history(session: Session) -> None:
    now = _one(session, "SELECT date_trunc('hour', now())")
    tasks = [
        r[0]
        for r in _rows(
            session,
            """SELECT k.id FROM patrol_task k JOIN area g ON g.id = k.grid_id
               WHERE g.code IN (SELECT code FROM area WHERE level = 'grid' ORDER BY code LIMIT 40)
                 AND k.due_on <= (:now AT TIME ZONE 'Asia/Shanghai')::date""",
            now=now,
        )
    ]
    assert len(tasks) > 500
    session.execute(text("DELETE FROM patrol_submission WHERE task_id = ANY(:t)"), {"t": tasks})
    session.execute(
        text("UPDATE patrol_task SET status = 'open', done_at = NULL WHERE id = ANY(:t)"),
        {"t": tasks},
    )
    runs = []
    for seed in (42, 42, 43):
        nested = session.begin_nested()
        history = field.write_history(session, seed=seed, now=now)
        runs.append((history, _fingerprint(session, tasks)))
        nested.rollback()
    (a, fa), (b, fb), (c, fc) = runs
    assert a == b and fa == fb
    assert a.submissions > 400 and (c, fc) != (a, fa)
