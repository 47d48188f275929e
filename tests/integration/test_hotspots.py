"""Hotspots (governance/hotspots.py) on constructed data: two weeks in 2031, when the
demo city has no incidents, filled in the rolled-back ``session`` fixture so that one
cell of each label (new, persistent, cooling) and a background of quiet cells exist."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.hexagons import cell_center_lonlat
from governance import hotspots
from governance.filters import LOCAL_TZ

START = datetime(2031, 3, 10, tzinfo=LOCAL_TZ)  # a Monday
END = START + timedelta(days=7)
PREV = START - timedelta(days=7)
HOT = 8  # incidents in a hot cell; 12 quiet cells of 1 keep mean + 2 sd below 8


def _insert(session: Session, source_id: int, at: datetime, n: int, category: str) -> None:
    """``n`` copies (place, grid, H3 cells) of incident ``source_id`` at ``at``."""
    session.execute(
        text("""
        INSERT INTO incident (source, external_id, category_code, occurred_at, reported_at,
            grid_id, status, priority, description, geom, h3_6, h3_7, h3_8, h3_9, h3_10,
            version)
        SELECT 'grid', 'hot-' || gen_random_uuid(), :cat, :at + make_interval(mins => g),
               :at + make_interval(mins => g), grid_id, 'registered', 3, '热点测试', geom,
               h3_6, h3_7, h3_8, h3_9, h3_10, 1
        FROM incident, generate_series(1, :n) AS g WHERE id = :id"""),
        {"cat": category, "at": at, "n": n, "id": source_id},
    )


@pytest.fixture
def constructed(session: Session) -> dict[str, Any]:
    """Cells A (hot in both weeks), B (hot this week only), C (hot last week only), one
    cell under the minimum in both weeks and 12 quiet cells per week."""
    rows = session.execute(
        text("""SELECT DISTINCT ON (h3_8) h3_8, id, category_code,
                       (SELECT code FROM area WHERE id = grid_id) AS grid_code
                FROM incident WHERE grid_id IS NOT NULL ORDER BY h3_8, id LIMIT 40""")
    ).all()
    assert len(rows) >= 30
    a, b, c, low, *quiet = rows
    for cell_row, week, n in ((a, PREV, HOT), (a, START, HOT + 1), (b, START, HOT)):
        _insert(session, cell_row.id, week + timedelta(days=1), n, "city.street_vending")
    _insert(session, c.id, PREV + timedelta(days=2), HOT + 2, c.category_code)
    _insert(session, low.id, PREV, 2, low.category_code)
    _insert(session, low.id, START, 2, low.category_code)
    for i, q in enumerate(quiet[:12]):
        _insert(session, q.id, PREV + timedelta(hours=i), 1, q.category_code)
    for i, q in enumerate(quiet[12:24]):
        _insert(session, q.id, START + timedelta(hours=i), 1, q.category_code)
    return {
        "a": a,
        "b": b,
        "c": c,
        "low": low,
        "c_category": c.category_code,
        "quiet": {q.h3_8 for q in quiet[:24]},
    }


def test_labels_counts_and_order(session: Session, constructed: dict[str, Any]) -> None:
    found = hotspots.hotspots(session, scope=None, start=START, end=END, res=8)
    by_cell = {h.cell: h for h in found}
    a, b, c = constructed["a"], constructed["b"], constructed["c"]
    assert set(by_cell) == {a.h3_8, b.h3_8, c.h3_8}
    assert by_cell[a.h3_8].label == "persistent"
    assert (by_cell[a.h3_8].count, by_cell[a.h3_8].previous) == (HOT + 1, HOT)
    assert by_cell[b.h3_8].label == "new"
    assert (by_cell[b.h3_8].count, by_cell[b.h3_8].previous) == (HOT, 0)
    assert by_cell[c.h3_8].label == "cooling"
    assert (by_cell[c.h3_8].count, by_cell[c.h3_8].previous) == (0, HOT + 2)
    # hot ones by count, then cooling
    assert [h.cell for h in found] == [a.h3_8, b.h3_8, c.h3_8]
    assert by_cell[a.h3_8].top_category == "city.street_vending"
    assert by_cell[c.h3_8].top_category == constructed["c_category"]
    for h in found:
        assert h.res == 8
        assert (h.lon, h.lat) == pytest.approx(cell_center_lonlat(h.cell))
    assert constructed["low"].h3_8 not in by_cell
    assert not constructed["quiet"] & set(by_cell)
    assert hotspots.hotspots(session, scope=None, start=START, end=END, limit=2) == found[:2]


def _cells(session: Session, start: datetime, end: datetime, scope: str = "") -> dict[int, int]:
    """Incidents per res-8 cell in ``[start, end)`` in grids under ``scope``."""
    return dict(
        session.execute(
            text("""SELECT i.h3_8, count(*) FROM incident i JOIN area g ON g.id = i.grid_id
                    WHERE i.occurred_at >= :s AND i.occurred_at < :e AND g.code LIKE :p
                    GROUP BY i.h3_8"""),
            {"s": start, "e": end, "p": scope + "%"},
        ).all()
    )


def hot_by_rule(cells: dict[int, int]) -> set[int]:
    """The documented rule in Python: at least max(MIN_COUNT, mean + 2 sd) of the other
    non-empty cells' counts."""
    hot = set()
    for cell, x in cells.items():
        others = [v for c, v in cells.items() if c != cell and v > 0]
        bar = float(hotspots.MIN_COUNT)
        if others:
            mean = sum(others) / len(others)
            sd = (sum((v - mean) ** 2 for v in others) / len(others)) ** 0.5
            bar = max(bar, mean + hotspots.SD_FACTOR * sd)
        if x >= bar:
            hot.add(cell)
    return hot


def test_threshold_follows_the_spread(session: Session, constructed: dict[str, Any]) -> None:
    """Many busy cells raise the bar: with 12 more cells of 7 this week, B's 8 no longer
    stands out (mean + 2 sd of the others is above 10)."""
    assert hot_by_rule(_cells(session, START, END)) == {
        constructed["a"].h3_8,
        constructed["b"].h3_8,
    }
    extra = session.execute(
        text("""SELECT DISTINCT ON (h3_8) h3_8, id FROM incident
                WHERE grid_id IS NOT NULL AND h3_8 <> ALL(:used)
                ORDER BY h3_8 DESC, id LIMIT 12"""),
        {"used": [constructed[k].h3_8 for k in ("a", "b", "c", "low")]},
    ).all()
    for r in extra:
        _insert(session, r.id, START + timedelta(days=3), 7, "city.street_vending")
    expected_now = hot_by_rule(_cells(session, START, END))
    found = {h.cell: h for h in hotspots.hotspots(session, scope=None, start=START, end=END)}
    assert {c for c, h in found.items() if h.label != "cooling"} == expected_now
    assert constructed["b"].h3_8 not in expected_now


def test_scope_and_grid_names(session: Session, constructed: dict[str, Any]) -> None:
    a = constructed["a"]
    for scope in (a.grid_code, a.grid_code[:12]):
        found = hotspots.hotspots(session, scope=scope, start=START, end=END, limit=100)
        now, before = _cells(session, START, END, scope), _cells(session, PREV, START, scope)
        hot_now, hot_before = hot_by_rule(now), hot_by_rule(before)
        assert {h.cell for h in found} == hot_now | hot_before
        for h in found:
            assert (h.count, h.previous) == (now.get(h.cell, 0), before.get(h.cell, 0))
            labels = {"new": (True, False), "persistent": (True, True), "cooling": (False, True)}
            assert (h.cell in hot_now, h.cell in hot_before) == labels[h.label]
            name = session.execute(
                text("""SELECT name FROM area WHERE level = 'grid' AND code LIKE :p
                        AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
                        ORDER BY code LIMIT 1"""),
                {"p": scope + "%", "lon": h.lon, "lat": h.lat},
            ).scalar()
            if name is None:  # the centre lies outside the area: its busiest grid
                name = session.execute(
                    text("""SELECT g.name FROM incident i JOIN area g ON g.id = i.grid_id
                            WHERE i.h3_8 = :c AND g.code LIKE :p AND i.occurred_at >= :s
                              AND i.occurred_at < :e
                            GROUP BY g.code, g.name ORDER BY count(*) DESC, g.code LIMIT 1"""),
                    {"c": h.cell, "p": scope + "%", "s": PREV, "e": END},
                ).scalar()
            assert h.grid_name == name and name is not None
    # alone in its grid, A stands out in both weeks
    in_grid = hotspots.hotspots(session, scope=a.grid_code, start=START, end=END)
    assert (in_grid[0].cell, in_grid[0].label) == (a.h3_8, "persistent")
    assert in_grid[0].grid_name is not None
    outside = session.execute(
        text(
            "SELECT left(code, 9) FROM area WHERE level = 'street' AND left(code, 9) <> :p "
            "ORDER BY code LIMIT 1"
        ),
        {"p": a.grid_code[:9]},
    ).scalar_one()
    assert a.h3_8 not in {
        h.cell for h in hotspots.hotspots(session, scope=outside, start=START, end=END)
    }


def test_empty_period(session: Session) -> None:
    start = datetime(2101, 1, 1, tzinfo=LOCAL_TZ)
    assert hotspots.hotspots(session, scope=None, start=start, end=start + timedelta(7)) == []
    assert hotspots.hotspots(session, scope=None, start=start, end=start) == []
    with pytest.raises(ValueError):
        hotspots.hotspots(session, scope=None, start=START, end=END, res=5)
