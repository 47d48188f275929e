"""Scorecards (governance/scores.py) against independent direct SQL on the demo city.

Each figure is recomputed here with plain per-group queries (no FILTER clauses, no
shared SQL), in the rolled-back ``session`` fixture; ratings and reopens are added in
that transaction because the demo history has none.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from governance import scores
from governance.filters import LOCAL_TZ

POINTS = {"satisfied": 100, "basic": 60, "dissatisfied": 0}
MIN = 5  # the issue: no rate over fewer cases (or ratings) than a stated minimum


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole >= MIN else None


def last_full_month(now: datetime) -> tuple[datetime, datetime]:
    first = now.astimezone(LOCAL_TZ).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = (first - timedelta(days=1)).replace(day=1)
    return start, first


@pytest.fixture
def period() -> tuple[datetime, datetime, datetime]:
    start, end = last_full_month(datetime.now(LOCAL_TZ))
    return start, end, datetime.now(LOCAL_TZ)


@pytest.fixture
def enriched(session: Session, period: tuple[datetime, datetime, datetime]) -> Session:
    """Ratings inside the period and some reopened cases (rolled back after the test)."""
    start, end, _ = period
    session.execute(
        text("""
        INSERT INTO incident_feedback (incident_id, rating, at)
        SELECT id, (ARRAY['satisfied', 'basic', 'dissatisfied'])[1 + id % 3],
               :start + make_interval(hours => (id % 500)::int)
        FROM incident WHERE resolved_at IS NOT NULL AND id % 4 = 0"""),
        {"start": start},
    )
    session.execute(text("UPDATE incident SET reopen_count = 1 WHERE id % 9 = 0"))
    # a case still not accepted past its deadline (late) and one not yet due (not counted)
    session.execute(
        text("""UPDATE incident SET accepted_at = NULL,
                    accept_due_at = dispatched_at + interval '1 hour'
                WHERE id = (SELECT min(id) FROM incident WHERE dispatched_at >= :s
                            AND dispatched_at < :e AND accepted_at IS NOT NULL)"""),
        {"s": start, "e": end},
    )
    return session


def _one(session: Session, sql: str, **params: Any) -> Any:
    return session.execute(text(sql), params).scalar()


def expected_department(
    session: Session, dept: int, start: datetime, end: datetime, as_of: datetime, scope: str | None
) -> dict[str, Any]:
    """The measures of one department, each by its own direct query."""
    scoped = (
        " AND grid_id IN (SELECT id FROM area WHERE level = 'grid' AND code LIKE :scope)"
        if scope
        else ""
    )
    p = {"d": dept, "s": start, "e": end, "now": as_of, "scope": (scope or "") + "%"}
    base = f"FROM incident WHERE lead_department_id = :d AND dispatched_at >= :s AND dispatched_at < :e{scoped}"
    received = _one(session, f"SELECT count(*) {base}", **p)
    # late only where the clock runs: waiting to be accepted (dispatched) or being handled
    # (accepted, in progress) past the deadline; a suspended case's clock stands still
    a_due = _one(
        session,
        f"SELECT count(*) {base} AND accept_due_at IS NOT NULL"
        " AND (accepted_at IS NOT NULL OR (accept_due_at < :now AND status = 'dispatched'))",
        **p,
    )
    a_ok = _one(session, f"SELECT count(*) {base} AND accepted_at <= accept_due_at", **p)
    r_due = _one(
        session,
        f"SELECT count(*) {base} AND resolve_due_at IS NOT NULL"
        " AND (resolved_at IS NOT NULL OR (resolve_due_at < :now"
        " AND status IN ('accepted', 'in_progress')))",
        **p,
    )
    r_ok = _one(session, f"SELECT count(*) {base} AND resolved_at <= resolve_due_at", **p)
    reopened = _one(session, f"SELECT count(*) {base} AND reopen_count > 0", **p)
    ratings = session.execute(
        text(f"""SELECT f.rating FROM incident_feedback f
                WHERE f.at >= :s AND f.at < :e AND f.incident_id IN
                  (SELECT id FROM incident WHERE lead_department_id = :d{scoped})"""),
        p,
    ).scalars()
    points = [POINTS[r] for r in ratings]
    return {
        "received": received,
        "accepted_on_time": rate(a_ok, a_due),
        "resolved_on_time": rate(r_ok, r_due),
        "reopen_rate": rate(reopened, received),
        "satisfaction": sum(points) / len(points) if len(points) >= MIN else None,
        "ratings": len(points),
    }


def _close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9)


def check(card: scores.Score, expected: dict[str, Any]) -> None:
    assert card.received == expected["received"]
    assert card.ratings == expected["ratings"]
    assert card.accept_due >= 0 and card.resolve_due >= 0
    for k in ("accepted_on_time", "resolved_on_time", "reopen_rate", "satisfaction"):
        assert _close(getattr(card, k), expected[k]), (card.key, k, getattr(card, k), expected[k])


def test_department_figures_equal_direct_sql(enriched: Session, period: Any) -> None:
    start, end, now = period
    cards = scores.scorecard(
        enriched, kind="department", scope=None, start=start, end=end, as_of=now
    )
    depts = [
        d
        for (d,) in enriched.execute(
            text("""SELECT DISTINCT lead_department_id FROM incident
                    WHERE dispatched_at >= :s AND dispatched_at < :e
                      AND lead_department_id IS NOT NULL"""),
            {"s": start, "e": end},
        )
    ]
    assert len(depts) >= 3 and {c.key for c in cards} >= {str(d) for d in depts}
    names = dict(enriched.execute(text("SELECT id::text, name_zh FROM department")).all())
    by_key = {c.key: c for c in cards}
    for d in depts:
        card = by_key[str(d)]
        check(card, expected_department(enriched, d, start, end, now, None))
        assert card.name == names[str(d)]
    assert any(c.ratings > 0 for c in cards) and any((c.reopen_rate or 0) > 0 for c in cards)
    assert any((c.accepted_on_time or 1) < 1 for c in cards)  # the late, unaccepted case


def test_composite_score_and_ranks(enriched: Session, period: Any) -> None:
    start, end, now = period
    cards = scores.scorecard(
        enriched, kind="department", scope=None, start=start, end=end, as_of=now
    )
    w = scores.SCORE_WEIGHTS
    for c in cards:
        parts = [
            (
                w["accepted_on_time"],
                None if c.accepted_on_time is None else 100 * c.accepted_on_time,
            ),
            (
                w["resolved_on_time"],
                None if c.resolved_on_time is None else 100 * c.resolved_on_time,
            ),
            (w["no_reopen"], None if c.reopen_rate is None else 100 * (1 - c.reopen_rate)),
            (w["satisfaction"], c.satisfaction),
        ]
        given = [(wt, v) for wt, v in parts if v is not None]
        expected = sum(wt * v for wt, v in given) / sum(wt for wt, _ in given) if given else None
        assert _close(c.score, expected)
        assert c.score is None or 0 <= c.score <= 100
    ranked = [c for c in cards if c.rank is not None]
    assert [c.rank for c in ranked] == sorted(c.rank for c in ranked)
    assert ranked[0].rank == 1 and ranked[0].score == max(c.score or 0 for c in ranked)
    for c in ranked:
        better = sum(1 for o in ranked if (o.score or 0) > (c.score or 0) + 1e-9)
        assert c.rank == better + 1
    assert all(c.rank is None for c in cards if c.score is None)


def test_previous_period_change(enriched: Session, period: Any) -> None:
    start, end, now = period
    prev_start = (start - timedelta(days=1)).replace(day=1)
    cards = scores.scorecard(
        enriched,
        kind="department",
        scope=None,
        start=start,
        end=end,
        previous=(prev_start, start),
        as_of=now,
    )
    before = {
        c.key: c
        for c in scores.scorecard(
            enriched, kind="department", scope=None, start=prev_start, end=start, as_of=now
        )
    }
    assert before, "the demo city has a history before last month"
    for c in cards:
        prev = before.get(c.key)
        assert c.previous_score == (prev.score if prev else None)
        assert c.previous_rank == (prev.rank if prev else None)
    # default: the previous period of equal length
    equal = scores.scorecard(enriched, kind="grid", scope=None, start=start, end=end, as_of=now)
    span = end - start
    earlier = {
        c.key: c
        for c in scores.scorecard(
            enriched, kind="grid", scope=None, start=start - span, end=start, as_of=now
        )
    }
    assert any(c.previous_score is not None for c in equal)
    for c in equal:
        assert c.previous_rank == (earlier[c.key].rank if c.key in earlier else None)


def test_scope_filters_departments_and_areas(enriched: Session, period: Any) -> None:
    start, end, now = period
    scope = enriched.execute(
        text("SELECT left(code, 9) FROM area WHERE level = 'street' ORDER BY code LIMIT 1")
    ).scalar_one()
    cards = scores.scorecard(
        enriched, kind="department", scope=scope, start=start, end=end, as_of=now
    )
    assert cards
    for c in cards:
        check(c, expected_department(enriched, int(c.key), start, end, now, scope))
    grids = scores.scorecard(enriched, kind="grid", scope=scope, start=start, end=end, as_of=now)
    assert grids and all(g.key.startswith(scope) for g in grids)
    total = _one(
        enriched,
        """SELECT count(*) FROM incident i JOIN area g ON g.id = i.grid_id
           WHERE g.code LIKE :p AND i.reported_at >= :s AND i.reported_at < :e
             AND i.status NOT IN ('merged', 'rejected')""",
        p=scope + "%",
        s=start,
        e=end,
    )
    assert sum(g.received for g in grids) == total
    streets = scores.scorecard(
        enriched, kind="street", scope=scope, start=start, end=end, as_of=now
    )
    assert len(streets) == 1 and streets[0].received == total
    assert streets[0].key[:9] == scope


def test_street_and_grid_figures_equal_direct_sql(enriched: Session, period: Any) -> None:
    start, end, now = period
    streets = scores.scorecard(enriched, kind="street", scope=None, start=start, end=end, as_of=now)
    names = dict(enriched.execute(text("SELECT code, name FROM area WHERE level = 'street'")).all())
    assert len(streets) >= 2
    for s in streets[:5]:
        assert s.name == names[s.key]
        p = {"p": s.key[:9] + "%", "s": start, "e": end, "now": now}
        base = """FROM incident i JOIN area g ON g.id = i.grid_id WHERE g.code LIKE :p
                  AND i.reported_at >= :s AND i.reported_at < :e
                  AND i.status NOT IN ('merged', 'rejected')"""
        assert s.received == _one(enriched, f"SELECT count(*) {base}", **p)
        r_due = _one(
            enriched,
            f"SELECT count(*) {base} AND i.resolve_due_at IS NOT NULL"
            " AND (i.resolved_at IS NOT NULL"
            "      OR (i.resolve_due_at <= :now AND i.status <> 'suspended'))",
            **p,
        )
        r_ok = _one(enriched, f"SELECT count(*) {base} AND i.resolved_at <= i.resolve_due_at", **p)
        assert _close(s.resolved_on_time, rate(r_ok, r_due))
        sat, n = enriched.execute(
            text("""SELECT avg(CASE f.rating WHEN 'satisfied' THEN 100 WHEN 'basic' THEN 60
                                        ELSE 0 END), count(*)
               FROM incident_feedback f JOIN incident i ON i.id = f.incident_id
               JOIN area g ON g.id = i.grid_id
               WHERE g.code LIKE :p AND f.at >= :s AND f.at < :e
                 AND i.status NOT IN ('merged', 'rejected')"""),
            p,
        ).one()
        assert _close(s.satisfaction, float(sat) if n >= MIN else None)
    grids = scores.scorecard(enriched, kind="grid", scope=None, start=start, end=end, as_of=now)
    top = grids[0]
    assert top.rank == 1
    assert top.received == _one(
        enriched,
        """SELECT count(*) FROM incident i JOIN area g ON g.id = i.grid_id
           WHERE g.code = :c AND i.reported_at >= :s AND i.reported_at < :e
             AND i.status NOT IN ('merged', 'rejected')""",
        c=top.key,
        s=start,
        e=end,
    )


def test_empty_period_gives_empty_list(session: Session) -> None:
    start = datetime(2101, 3, 1, tzinfo=LOCAL_TZ)
    end = datetime(2101, 4, 1, tzinfo=LOCAL_TZ)
    for kind in scores.KINDS:
        assert scores.scorecard(session, kind=kind, scope=None, start=start, end=end) == []
    # a group with ratings only: no shares, satisfaction only (and only from MIN ratings)
    incident = _one(session, "SELECT min(id) FROM incident WHERE lead_department_id IS NOT NULL")
    for _ in range(MIN - 1):
        session.execute(
            text(
                "INSERT INTO incident_feedback (incident_id, rating, at) VALUES (:i, 'basic', :at)"
            ),
            {"i": incident, "at": start + timedelta(days=2)},
        )
    (card,) = scores.scorecard(session, kind="department", scope=None, start=start, end=end)
    assert card.ratings == MIN - 1 and card.satisfaction is None and card.score is None
    session.execute(
        text("INSERT INTO incident_feedback (incident_id, rating, at) VALUES (:i, 'basic', :at)"),
        {"i": incident, "at": start + timedelta(days=2)},
    )
    (card,) = scores.scorecard(session, kind="department", scope=None, start=start, end=end)
    assert card.received == 0 and card.ratings == MIN and card.satisfaction == 60
    assert card.accepted_on_time is None and card.reopen_rate is None
    assert card.score == 60 and card.rank == 1 and card.previous_score is None


def test_rejects_naive_times_and_unknown_kinds(session: Session) -> None:
    with pytest.raises(ValueError):
        scores.scorecard(
            session,
            kind="department",
            scope=None,
            start=datetime(2026, 1, 1),
            end=datetime(2026, 2, 1),
        )
    with pytest.raises(ValueError):
        scores.scorecard(
            session,
            kind="county",  # type: ignore[arg-type]
            scope=None,
            start=datetime(2026, 1, 1, tzinfo=LOCAL_TZ),
            end=datetime(2026, 2, 1, tzinfo=LOCAL_TZ),
        )
