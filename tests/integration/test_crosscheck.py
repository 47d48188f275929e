"""The reverse cross-check (逆向倒查) on PostGIS: counts as the incidents say, a planted
blind spot found with its words, the user's scope kept, bad periods refused."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance.access import Principal
from governance.crosscheck import crosscheck
from governance.errors import Forbidden, InvalidInput
from governance.uow import unit_of_work


def _principal(username: str) -> Principal:
    from geodata.models import AppUser
    from governance.accounts import principal_of

    with session_scope(admin=True) as s:
        return principal_of(s, s.query(AppUser).filter_by(username=username).one())


def _run(who: Principal, **kw: object) -> dict:
    with unit_of_work(who) as s:
        return crosscheck(s, who, **kw)  # type: ignore[arg-type]


def test_the_counts_are_the_incidents_of_the_period(session) -> None:
    out = _run(_principal("commander"), window="365d")
    start, end = out["period"]["start"], out["period"]["end"]
    want = session.execute(
        text(
            "SELECT count(*) FILTER (WHERE source IN ('grid', 'patrol')), "
            "count(*) FILTER (WHERE source NOT IN ('grid', 'patrol')) FROM incident "
            "WHERE grid_id IS NOT NULL AND status <> 'merged' "
            "AND occurred_at >= CAST(:a AS timestamptz) AND occurred_at < CAST(:b AS timestamptz)"
        ),
        {"a": start, "b": end},
    ).one()
    from geodata.queries import crosscheck as q

    rows = q.cell_counts(session, "", *_bounds(out))
    assert (sum(r[2] for r in rows), sum(r[3] for r in rows)) == tuple(want)
    assert out["area"] is None and "Benjamini-Hochberg" in out["method"]


def _bounds(out: dict):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime.fromisoformat(out["period"]["start"]), datetime.fromisoformat(
        out["period"]["end"]
    )


def test_a_planted_blind_spot_is_found_and_said_in_plain_words(session) -> None:
    """60 incidents of the last 90 days become 12345 reports of one category in one grid
    that reports none of it itself: that grid is a blind spot for that category."""
    grid_id, code, name = session.execute(
        text(
            "SELECT id, code, name FROM area WHERE level = 'grid' AND code LIKE '441502%' ORDER BY code LIMIT 1"
        )
    ).one()
    cell = session.execute(
        text("SELECT h3_8 FROM incident WHERE grid_id = :g LIMIT 1"), {"g": grid_id}
    ).scalar()
    session.execute(
        text(
            "UPDATE incident SET source = 'hotline_12345' WHERE grid_id = :g "
            "AND category_code = 'city.garbage' AND source IN ('grid', 'patrol')"
        ),
        {"g": grid_id},
    )
    session.execute(
        text(
            "UPDATE incident SET grid_id = :g, h3_8 = coalesce(:cell, h3_8), "
            "category_code = 'city.garbage', source = 'hotline_12345', "
            "external_id = 'planted-' || id WHERE id IN (SELECT id FROM incident "
            "WHERE occurred_at > now() - interval '80 days' AND status <> 'merged' "
            "AND grid_id IS NOT NULL ORDER BY id LIMIT 60)"
        ),
        {"g": grid_id, "cell": cell},
    )
    out = _run(_principal("commander"), window="90d", lang="zh-CN")
    hits = [f for f in out["grids"] if f["place"] == code and f["category"] == "city.garbage"]
    assert hits, out["grids"][:3]
    hit = hits[0]
    assert hit["own"] == 0 and hit["external"] >= 60 and hit["q"] <= 0.05
    assert hit["name"] == name and hit["before"] == "new"
    assert "外部渠道" in hit["words"] and "网格自报 0 件" in hit["words"]
    assert out["tested"]["grids"] >= 1


def test_a_supervisor_sees_their_own_street_and_nothing_else(session) -> None:
    who = _principal("supervisor")
    assert who.scope
    assert _run(who)["area"] == who.scope
    other = session.execute(
        text(
            "SELECT code FROM area WHERE level = 'county' AND code NOT LIKE :s ORDER BY code LIMIT 1"
        ),
        {"s": who.scope[:6] + "%"},
    ).scalar_one()
    with pytest.raises(Forbidden):
        _run(who, area=other[:6])
    with pytest.raises(Forbidden):
        _run(who, area="441500")  # the whole city


def test_departments_may_not_and_long_periods_are_refused() -> None:
    with pytest.raises(Forbidden):
        _run(_principal("dept"))
    with pytest.raises(InvalidInput) as err:
        _run(_principal("commander"), start="2024-01-01", end="2026-12-01")
    assert err.value.key == "crosscheck.error.too_long"


def test_the_command_line_prints_the_method_and_the_blind_spots(session) -> None:
    import json

    from click.testing import CliRunner

    from cli.main import cli
    from tests.conftest import demo_password

    args = ["analytics", "crosscheck", "--as", "supervisor", "--window", "365d"]
    done = CliRunner().invoke(cli, [*args, "--json"], input=demo_password("supervisor") + "\n")
    assert done.exit_code == 0, done.output
    out = json.loads(done.output[done.output.index("{") :])
    assert out["area"] == _principal("supervisor").scope and out["method"]
    text_out = CliRunner().invoke(
        cli, [*args, "--lang", "en"], input=demo_password("supervisor") + "\n"
    )
    assert text_out.exit_code == 0 and "Benjamini-Hochberg" in text_out.output
    refused = CliRunner().invoke(
        cli, [*args, "--area", "441500"], input=demo_password("supervisor") + "\n"
    )
    assert refused.exit_code != 0
