"""The demo city's backlog looks like a working county's, its timelines follow the app's
rules, and nothing in it is dated after the moment it was seeded.

The targets are the named constants of ``geodata/demo/backlog.py``; the definitions of
open, counted and overdue are those of ``geodata/queries/case_state.py``. The city is
seeded like the session's test city (``TEST_INCIDENTS`` incidents at seed 42) but in a
database of its own, because other tests change the session's city and their steps are
rightly dated after its seeding; and at a fixed moment, an ordinary working-day morning,
because the targets are stated for one (``backlog.py`` says what the days after a long
public holiday look like). Its year of history crosses every holiday of the 2026
calendar. The tolerances are for 20,000 incidents: a few standard errors of each share.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import text

from geodata import demo, migrate
from geodata.db import get_engine, session_scope
from geodata.demo import backlog as target
from geodata.embedded import EmbeddedCluster
from geodata.queries import case_state as cs
from governance import sla
from governance.transitions import TRANSITIONS
from settings import get_settings
from tests.conftest import SEED, TEST_INCIDENTS

DB = "minqing_demobacklog"
NOW = datetime(2026, 11, 17, 2, tzinfo=UTC)  # Tuesday 10:00 in Shanwei
SWEEP_ACTIONS = ("remind", "supervise", "review")  # no state change, no new version


@pytest.fixture(scope="module")
def city() -> Iterator[tuple[str, datetime]]:
    """(owner url, the seeding moment) of a freshly seeded demo city."""
    cluster = EmbeddedCluster.from_settings(get_settings())
    cluster.start()
    cluster.drop_database(DB)
    cluster.ensure_database(DB)
    url = cluster.url(DB)
    migrate.upgrade(url)
    with session_scope(url) as s:
        demo.seed(s, incidents=TEST_INCIDENTS, seed=SEED, now=NOW)
    yield url, NOW
    get_engine(url).dispose()
    cluster.drop_database(DB)


def _rows(url: str, sql: str, **params: object) -> list[tuple]:
    with session_scope(url) as s:
        return [tuple(r) for r in s.execute(text(sql), params).all()]


def _one(url: str, sql: str, **params: object) -> object:
    return _rows(url, sql, **params)[0][0]


# --- time -----------------------------------------------------------------------------
def test_nothing_is_dated_after_the_seeding_moment(city: tuple[str, datetime]) -> None:
    url, now = city
    late = _rows(
        url,
        """SELECT count(*) FILTER (WHERE greatest(occurred_at, reported_at, created_at,
                  updated_at, dispatched_at, accepted_at, resolved_at, closed_at,
                  suspended_at) > :now)
           FROM incident""",
        now=now,
    )[0][0]
    events = _one(url, "SELECT count(*) FROM incident_event WHERE at > :now", now=now)
    ratings = _one(url, "SELECT count(*) FROM incident_feedback WHERE at > :now", now=now)
    assert (late, events, ratings) == (0, 0, 0), f"seeded at {now}"


# --- the timeline follows the app's rules -----------------------------------------------
def test_every_step_is_one_the_state_machine_allows(city: tuple[str, datetime]) -> None:
    url, _ = city
    steps = _rows(
        url,
        """SELECT action, from_status, to_status, note IS NOT NULL AND length(note) >= 2,
                  count(*)
           FROM incident_event GROUP BY 1, 2, 3, 4""",
    )
    for action, src, dst, noted, n in steps:
        where = f"{action} {src}->{dst} x{n}"
        if action == "register":
            assert (src, dst) == (None, "registered"), where
        elif action == "feedback":
            assert src in ("resolved", "closed"), where
            assert dst in ("closed", "evaluated", "in_progress"), where
        elif action in SWEEP_ACTIONS:
            assert src == dst, where
        else:
            spec = TRANSITIONS[action]
            assert src in spec.sources, where
            if action == "resume":
                assert dst in ("dispatched", "accepted", "in_progress"), where
            else:
                assert dst == (spec.target or src), where
            assert noted or not spec.needs_note, where


def test_each_timeline_is_one_unbroken_chain(city: tuple[str, datetime]) -> None:
    """Each step starts where the one before it ended, in time order; the last one is the
    case's status; the version counts the steps that changed the case."""
    url, _ = city
    broken, backwards, bad_version = _rows(
        url,
        f"""
        WITH e AS (
            SELECT e.*, lag(e.to_status) OVER w AS prev_to, lag(e.at) OVER w AS prev_at,
                   count(*) FILTER (WHERE e.action NOT IN {SWEEP_ACTIONS}) OVER w AS steps
            FROM incident_event e
            WINDOW w AS (PARTITION BY e.incident_id ORDER BY e.id)
        )
        SELECT count(*) FILTER (WHERE prev_to IS DISTINCT FROM from_status
                                  AND action <> 'register'),
               count(*) FILTER (WHERE at < prev_at),
               count(*) FILTER (WHERE version <> steps)
        FROM e""",
    )[0]
    assert (broken, backwards, bad_version) == (0, 0, 0)
    mismatched = _one(
        url,
        f"""
        SELECT count(*) FROM incident i
        LEFT JOIN LATERAL (SELECT e.to_status FROM incident_event e WHERE e.incident_id = i.id
                           ORDER BY e.id DESC LIMIT 1) last ON true
        WHERE last.to_status IS DISTINCT FROM i.status
           OR i.version <> (SELECT count(*) FROM incident_event e WHERE e.incident_id = i.id
                            AND e.action NOT IN {SWEEP_ACTIONS})""",
    )
    assert mismatched == 0
    # a merged case points at a case that counts; a suspended one says since when and from
    bad = _one(
        url,
        """
        SELECT count(*) FROM incident i LEFT JOIN incident t ON t.id = i.merged_into_id
        WHERE (i.status = 'merged' AND (t.id IS NULL OR t.status IN ('merged', 'rejected')))
           OR (i.status = 'suspended' AND (i.suspended_at IS NULL OR i.suspended_from IS NULL
               OR NOT EXISTS (SELECT 1 FROM incident_event e WHERE e.incident_id = i.id
                              AND e.action = 'suspend' AND e.at = i.suspended_at)))
           OR (i.status <> 'suspended' AND i.suspended_at IS NOT NULL)""",
    )
    assert bad == 0


def test_deadlines_are_the_policys_on_the_working_calendar(city: tuple[str, datetime]) -> None:
    """A sample of dispatches against ``governance.sla.due_dates``; every open case's
    deadlines are its last dispatch's, moved by what came after (resume, extension)."""
    url, _ = city
    sample = _rows(
        url,
        """SELECT e.at, i.category_code, i.priority, (e.detail->>'accept_due_at')::timestamptz,
                  (e.detail->>'resolve_due_at')::timestamptz
           FROM incident_event e JOIN incident i ON i.id = e.incident_id
           WHERE e.action IN ('dispatch', 'transfer') AND e.incident_id % 37 = 0
           ORDER BY e.id""",
    )
    assert len(sample) > TEST_INCIDENTS / 60
    with session_scope(url) as s:
        wrong = [r for r in sample if sla.due_dates(s, r[1], r[2], r[0]) != (r[3], r[4])]
    assert wrong == []
    drift = _one(
        url,
        """
        WITH last AS (
            SELECT DISTINCT ON (e.incident_id) e.incident_id, e.action,
                   coalesce(e.detail->'accept_due_at'->>'to', e.detail->>'accept_due_at')
                       AS acc,
                   coalesce(e.detail->'resolve_due_at'->>'to', e.detail->>'resolve_due_at',
                            e.detail->>'until') AS res
            FROM incident_event e
            WHERE e.action IN ('dispatch', 'transfer', 'resume', 'approve_extension')
            ORDER BY e.incident_id, e.id DESC
        )
        SELECT count(*) FROM incident i JOIN last l ON l.incident_id = i.id
        WHERE i.resolve_due_at IS DISTINCT FROM l.res::timestamptz
           OR (l.acc IS NOT NULL AND i.accept_due_at IS DISTINCT FROM l.acc::timestamptz)""",
    )
    assert drift == 0


def test_a_resume_moves_the_running_deadlines_as_the_app_does(city: tuple[str, datetime]) -> None:
    url, _ = city
    resumes = _rows(
        url,
        """SELECT r.at, s.at, r.detail, a.at FROM incident_event r
           CROSS JOIN LATERAL (SELECT at FROM incident_event s WHERE s.incident_id =
               r.incident_id AND s.action = 'suspend' AND s.id < r.id
               ORDER BY s.id DESC LIMIT 1) s
           LEFT JOIN LATERAL (SELECT at FROM incident_event a WHERE a.incident_id =
               r.incident_id AND a.action = 'accept' AND a.id < r.id
               ORDER BY a.id DESC LIMIT 1) a ON true
           WHERE r.action = 'resume'""",
    )
    assert resumes
    with session_scope(url) as s:
        for resumed, suspended, detail, accepted in resumes:
            # an accepted case's accept-by is history: only resolve-by moves
            assert ("accept_due_at" in detail) == (accepted is None)
            before = datetime.fromisoformat(detail["resolve_due_at"]["from"])
            shift = sla.shifted(s, suspended, resumed, None, before)
            assert detail["paused_working_hours"] == round(shift.working_seconds / 3600, 1)
            assert datetime.fromisoformat(detail["resolve_due_at"]["to"]) == shift.resolve_due_at


# --- the backlog ------------------------------------------------------------------------
Z = 3.0  # standard errors of slack around a stated share, for a city of this size


def _within(k: float, n: float, bounds: tuple[float, float]) -> bool:
    """``k / n`` within ``bounds``, give or take Z standard errors of a share of ``n``."""
    lo, hi = bounds
    return lo - Z * (lo * (1 - lo) / n) ** 0.5 <= k / n <= hi + Z * (hi * (1 - hi) / n) ** 0.5


def test_the_backlog_is_a_few_days_of_intake_and_little_of_it_overdue(
    city: tuple[str, datetime],
) -> None:
    url, now = city
    recent, open_, overdue, worst = _rows(
        url,
        f"""SELECT count(*) FILTER (WHERE i.reported_at >= :now - interval '28 days'),
                  count(*) FILTER (WHERE {cs.is_open()}),
                  count(*) FILTER (WHERE {cs.overdue()}),
                  max(extract(epoch FROM :now - {cs.running_due()}) / 86400)
           FROM incident i WHERE {cs.counted()}""",
        now=now,
    )[0]
    daily = recent / 28
    lo, hi = target.OPEN_DAYS_OF_INTAKE
    slack = Z * open_**0.5  # the open count is a count of the city's size
    days = open_ / daily
    assert lo * daily - slack <= open_ <= hi * daily + slack, (
        f"{open_} open cases = {days:.2f} days of intake ({daily:.0f} a day, at {now})"
    )
    assert _within(overdue, open_, target.OVERDUE_SHARE_OF_OPEN), (
        f"{overdue} of {open_} open cases overdue (at {now})"
    )
    assert float(worst or 0) < target.MAX_DAYS_OVERDUE, f"an open case {worst:.1f} days overdue"


def test_suspensions_are_rare_and_short(city: tuple[str, datetime]) -> None:
    url, now = city
    total = int(_one(url, "SELECT count(*) FROM incident"))  # type: ignore[call-overload]
    ever = int(
        _one(url, "SELECT count(DISTINCT incident_id) FROM incident_event WHERE action = 'suspend'")  # type: ignore[call-overload]
    )
    assert _within(ever, total, target.EVER_SUSPENDED_SHARE), f"{ever} of {total} suspended"
    running = _rows(
        url,
        """SELECT i.id, :now - i.suspended_at > make_interval(days => p.max_suspend_days),
                  EXISTS (SELECT 1 FROM incident_event e WHERE e.incident_id = i.id
                          AND e.action = 'review'
                          AND (e.detail->>'suspended_at')::timestamptz = i.suspended_at)
           FROM incident i
           JOIN sla_policy p ON p.category_code IS NULL AND p.priority = i.priority
           WHERE i.status = 'suspended'""",
        now=now,
    )
    assert _within(len(running), total, (0, target.SUSPENDED_NOW_MAX)), f"{len(running)} now"
    too_long = [r for r in running if r[1]]
    assert len(too_long) <= target.LONG_SUSPENSIONS_LEFT
    assert all(reviewed for _, _, reviewed in too_long)  # on the supervisor's list
    assert not any(reviewed for _, long, reviewed in running if not long)
    spans = [
        float(d)
        for (d,) in _rows(
            url,
            """SELECT extract(epoch FROM r.at - s.at) / 86400 FROM incident_event r
               CROSS JOIN LATERAL (SELECT at FROM incident_event s WHERE s.incident_id =
                   r.incident_id AND s.action = 'suspend' AND s.id < r.id
                   ORDER BY s.id DESC LIMIT 1) s
               WHERE r.action = 'resume'""",
        )
    ]
    within = int(np.sum(np.asarray(spans) <= target.RESUMED_WITHIN_DAYS))
    assert _within(within, len(spans), (target.RESUMED_WITHIN_SHARE_MIN, 1.0)), (
        f"{within} of {len(spans)} resumed within {target.RESUMED_WITHIN_DAYS} days"
    )


def test_extensions_are_occasional(city: tuple[str, datetime]) -> None:
    url, _ = city
    dispatched, asked, approved = _rows(
        url,
        """SELECT count(*) FILTER (WHERE dispatched_at IS NOT NULL),
                  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM incident_event e WHERE
                      e.incident_id = i.id AND e.action = 'request_extension')),
                  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM incident_event e WHERE
                      e.incident_id = i.id AND e.action = 'approve_extension'))
           FROM incident i""",
    )[0]
    assert _within(asked, dispatched, target.EXTENSION_SHARE), f"{asked} of {dispatched}"
    assert 0 < approved < asked


def test_departments_differ_enough_to_rank(city: tuple[str, datetime]) -> None:
    """On-time resolution per lead department as the scorecards count it (resolved by
    the deadline as moved), against the model's rates: each within a few standard errors
    (less a point for the reopened cases, resolved again after their deadline), worst
    and best near the stated range."""
    url, _ = city
    rows = _rows(
        url,
        f"""SELECT d.code, count(*), avg(({cs.resolved_on_time()})::int)
           FROM incident i JOIN department d ON d.id = i.lead_department_id
           WHERE i.resolved_at IS NOT NULL GROUP BY d.code""",
    )
    rated = {code: (int(n), float(rate)) for code, n, rate in rows if n >= 100}
    assert len(rated) >= 8
    for code, (n, rate) in rated.items():
        p = target.ON_TIME[code]
        assert abs(rate - p) <= 0.02 + 3.5 * (p * (1 - p) / n) ** 0.5, (code, n, rate, p)
    rates = [rate for _, rate in rated.values()]
    lo, hi = target.ON_TIME_RANGE
    assert lo - 0.05 <= min(rates) <= lo + 0.06 and hi - 0.06 <= max(rates) <= hi + 0.02


def test_residents_rate_as_before(city: tuple[str, datetime]) -> None:
    url, _ = city
    shares = dict(
        _rows(
            url,
            """SELECT f.rating, count(*)::float / sum(count(*)) OVER ()
               FROM incident_feedback f GROUP BY 1""",
        )
    )
    for rating, share in target.SATISFACTION.items():
        assert abs(shares.get(rating, 0.0) - share) < 0.03, (rating, shares)
    sources = {
        s
        for (s,) in _rows(
            url,
            """SELECT DISTINCT i.source FROM incident_feedback f
                                          JOIN incident i ON i.id = f.incident_id""",
        )
    }
    assert sources <= set(target.RATED_SOURCES)


def test_the_dispatchers_queue_holds_recent_cases(city: tuple[str, datetime]) -> None:
    """Waiting cases (no department yet) exist, none waiting for weeks."""
    url, now = city
    waiting, oldest = _rows(
        url,
        f"SELECT count(*), max(:now - i.reported_at) FROM incident i WHERE {cs.waiting()}",
        now=now,
    )[0]
    assert waiting > 0 and oldest < timedelta(days=7)
