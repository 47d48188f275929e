"""Data quality (数据质量考核) of streets and grids: its counts are those of the reverse
cross-check and of the incidents, the planted blind spots lower their grids' quality,
and the composite score of streets and grids weighs it as documented."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import text

from geodata.queries import crosscheck as q
from governance import data_quality, scores
from governance.crosscheck_stats import blind_spots
from governance.filters import LOCAL_TZ
from settings import get_settings


def _year() -> tuple[datetime, datetime]:
    end = datetime.now(LOCAL_TZ)
    return end - timedelta(days=365), end


def test_the_timely_share_counts_the_grids_own_reports(session) -> None:
    start, end = _year()
    by_grid = data_quality.by_unit(session, "grid", None, start, end, scores.MIN_BASE)
    minutes = get_settings().timely_minutes
    rows = session.execute(
        text(
            "SELECT g.code, count(*), count(*) FILTER (WHERE i.reported_at - i.occurred_at "
            "<= make_interval(mins => :m)) FROM incident i JOIN area g ON g.id = i.grid_id "
            "WHERE i.source IN ('grid', 'patrol') AND i.status <> 'merged' "
            "AND i.occurred_at >= :s AND i.occurred_at < :e GROUP BY 1"
        ),
        {"m": minutes, "s": start, "e": end},
    ).all()
    assert rows
    for code, own, timely in rows:
        assert (by_grid[code].own, by_grid[code].timely) == (own, timely)
    streets = data_quality.by_unit(session, "street", None, start, end, scores.MIN_BASE)
    assert sum(u.own for u in streets.values()) == sum(r[1] for r in rows)
    assert all(len(k) == 9 for k in streets)


def test_blind_spots_of_a_grid_are_those_the_cross_check_flags(session) -> None:
    start, end = _year()
    rows = q.counts(session, "", [(start, end)], q.RESIDENTS)[0].grids.rows()
    t = blind_spots(
        np.array([r[-2] for r in rows]), np.array([r[-1] for r in rows]),
        np.array([r[-3] for r in rows], dtype=object),
    )  # fmt: skip
    flagged: dict[str, int] = {}
    for r, b in zip(rows, t.blind, strict=True):
        flagged[r[1]] = flagged.get(r[1], 0) + int(b)
    by_grid = data_quality.by_unit(session, "grid", None, start, end, scores.MIN_BASE)
    assert {k: v.blind for k, v in by_grid.items() if v.blind} == {
        k: v for k, v in flagged.items() if v
    }
    assert sum(flagged.values()) >= 6  # the demo's planted blind spots, at least


def test_the_score_of_a_grid_weighs_its_data_quality(session) -> None:
    end = datetime.now(LOCAL_TZ)
    start = end - timedelta(days=90)
    cards = scores.scorecard(session, kind="grid", scope=None, start=start, end=end, as_of=end)
    w = scores.weights()
    assert w["data_quality"] == pytest.approx(get_settings().data_quality_weight)
    assert sum(w.values()) == pytest.approx(1.0)
    checked = 0
    for c in cards:
        dq = c.quality.score if c.quality else None
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
            (w["data_quality"], dq),
        ]
        given = [(wt, v) for wt, v in parts if v is not None]
        want = sum(wt * v for wt, v in given) / sum(wt for wt, _ in given) if given else None
        assert (c.score is None and want is None) or c.score == pytest.approx(want)
        checked += dq is not None
    assert checked, "some grid has a data-quality score"
    departments = scores.scorecard(
        session, kind="department", scope=None, start=start, end=end, as_of=end
    )
    assert all(d.quality is None for d in departments)
