"""The reverse cross-check (逆向倒查) on PostGIS: counts as the incidents say, a planted
blind spot found with its words, the user's scope kept, bad periods refused."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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

    (counted,) = q.counts(session, "", [_bounds(out)])
    rows = counted.cells.rows()
    assert (sum(r[2] for r in rows), sum(r[3] for r in rows)) == tuple(want)
    grids = counted.grids.rows()
    assert (sum(r[4] for r in grids), sum(r[5] for r in grids)) == tuple(want)
    assert len({(r[1], r[3]) for r in grids}) == len(grids)  # one row per grid x category
    assert [(r[1], r[3]) for r in grids] == sorted((r[1], r[3]) for r in grids)
    assert out["area"] is None and "Benjamini-Hochberg" in out["method"]


def _bounds(out: dict):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime.fromisoformat(out["period"]["start"]), datetime.fromisoformat(
        out["period"]["end"]
    )


def test_a_planted_blind_spot_is_found_and_said_in_plain_words(session) -> None:
    """60 incidents of the last 90 days become 12345 reports of one category in one grid
    that reports none of it itself: that grid is a blind spot for that category."""
    grid_id, code, name = _plant(session)
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


def test_the_demo_citys_planted_blind_spots_are_found_and_few_others(session) -> None:
    """geodata/demo/planted.py plants blind spots in the test city: the cross-check over
    its year finds every one of them by grid, and flags at most 10 % others besides the
    kinds of the demo's episodes that residents alone report (the National Day noise of
    ``geodata/demo/rhythms.EPISODES``: blind spots by construction, at nightlife hotspots)."""
    from geodata.demo import planted
    from geodata.demo.spatial import load_city_model
    from tests.conftest import SEED

    model = load_city_model(session)
    spots = {(int(model.grids.ids[b.grid]), b.category) for b in planted.spots_of(model, SEED)}
    code_of = dict(session.execute(text("SELECT id, code FROM area WHERE level = 'grid'")).all())
    want = {(code_of[g], c) for g, c in spots}
    out = _run(_principal("commander"), window="365d")
    found = {(f["place"], f["category"]) for f in out["grids"]}
    from geodata.demo.rhythms import EPISODES

    unseen = {c for *_, cats, srcs in EPISODES if "grid" not in srcs for c in cats}
    assert want <= found, want - found
    others = {(p, c) for p, c in found - want if c not in unseen}
    assert len(others) <= 0.1 * len(found), others
    ranked = [g["grid"] for g in out["by_grid"]]
    assert {code for code, _ in want} <= set(ranked)
    # the supervisor's street holds the first planted spot: their own view shows it
    sup = _run(_principal("supervisor"), window="365d")
    assert any((f["place"], f["category"]) in want for f in sup["grids"]), sup["grids"]
    assert sup["cells"], "the planted grid's cells are blind spots too"


def test_sensors_are_a_separate_side_and_bad_choices_are_refused() -> None:
    who = _principal("commander")
    residents = _run(who, window="365d")
    sensors = _run(who, window="365d", channels="sensors")
    assert residents["channels"] == "residents" and sensors["channels"] == "sensors"
    assert "物联感知不计入" in residents["method"] or "Sensors are left out" in residents["method"]
    for bad in (
        {"channels": "fax"},
        {"category": "no.such"},
        {"start": "2026-02-01", "end": "2026-01-01"},
    ):
        with pytest.raises(InvalidInput):
            _run(who, **bad)


def test_padding_is_found_where_a_grids_own_reports_are_mostly_rejected(session) -> None:
    """40 of one grid's own reports of a kind, 30 of them rejected at triage, against a
    city where few are: that grid is listed for possible padding, in words."""
    grid_id, code = session.execute(
        text("SELECT id, code FROM area WHERE level = 'grid' ORDER BY code DESC LIMIT 1")
    ).one()
    session.execute(
        text(
            "UPDATE incident SET grid_id = :g, category_code = 'city.clutter', source = 'grid', "
            "status = CASE WHEN id % 4 = 0 THEN status ELSE 'rejected' END "
            "WHERE id IN (SELECT id FROM incident WHERE occurred_at > now() - interval '80 days' "
            "AND status NOT IN ('merged', 'rejected') ORDER BY id DESC LIMIT 40)"
        ),
        {"g": grid_id},
    )
    out = _run(_principal("commander"), window="90d", lang="en")
    hits = [f for f in out["padding"] if f["place"] == code and f["category"] == "city.clutter"]
    assert hits, out["padding"][:3]
    assert (
        hits[0]["rejected"] >= 25
        and hits[0]["own"] >= 40
        and "rejected at triage" in hits[0]["words"]
    )
    assert out["tested"]["padding"] >= 1


def test_the_external_cases_of_a_blind_spot_are_listed_within_scope(session) -> None:
    who = _principal("supervisor")
    out = _run(who, window="365d")
    f = out["grids"][0]
    cases = _cases(who, place=f["place"], category=f["category"], window="365d")
    assert len(cases) == min(f["external"], 50)
    assert {c["source"] for c in cases} <= {"hotline_12345", "police_110", "public"}
    other = session.execute(
        text("SELECT code FROM area WHERE level = 'grid' AND code NOT LIKE :s LIMIT 1"),
        {"s": who.scope[:9] + "%"},
    ).scalar_one()
    with pytest.raises(Forbidden):
        _cases(who, place=other, category=f["category"], window="365d")


def _cases(who: Principal, **kw: object) -> list[dict]:
    from governance.crosscheck import external_cases

    with unit_of_work(who) as s:
        return external_cases(s, who, **kw)  # type: ignore[arg-type]


def _plant(session) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """60 incidents of the last 80 days become 12345 reports of city.garbage in the first
    grid of 城区, whose own garbage reports become 12345 reports: (grid id, code, name)."""
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
    return int(grid_id), str(code), str(name)


def test_the_weekly_packet_and_the_briefing_name_the_blind_grid(session) -> None:
    from governance import briefings, consult
    from governance.briefing_period import period_for
    from governance.filters import LOCAL_TZ

    _grid_id, code, name = _plant(session)
    week = consult.default_week(datetime.now(LOCAL_TZ) + timedelta(days=7))
    with unit_of_work() as s:
        packet = consult.build(s, None, week.isoformat())
    assert code in {g["grid"] for g in packet.blind} and packet.blind_total >= 1
    day = datetime.now(LOCAL_TZ).date()
    with unit_of_work() as s:
        b = briefings.build(s, code[:6] + "000000", period_for("weekly", day), "zh-CN")
    assert name in {g["name"] for g in b.blind} and b.blind_days == 90
    from briefings.render import html

    doc = html(b)
    assert name in doc and "Benjamini-Hochberg" in doc and 'id="crosscheck"' in doc


_TEXT = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "90d",
            "7d",
            "441502",
            "441500",
            "residents",
            "sensors",
            "city.garbage",
            "2026-01-01",
            "8841111097fffff",
        ]
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    window=_TEXT, start=_TEXT, end=_TEXT, area=_TEXT, channels=_TEXT, category=_TEXT, place=_TEXT
)
def test_any_input_gives_an_answer_or_a_translated_refusal(
    window,
    start,
    end,
    area,
    channels,
    category,
    place,  # type: ignore[no-untyped-def]
) -> None:
    from governance.crosscheck import external_cases
    from governance.errors import MinqingError

    who = _principal("supervisor")
    for call in (
        lambda s: crosscheck(s, who, window=window, start=start, end=end, area=area,
                             channels=channels, category=category, lang="en"),
        lambda s: external_cases(s, who, place=place or "", category=category or "",
                                 window=window, start=start, end=end, area=area,
                                 channels=channels),
    ):  # fmt: skip
        try:
            with unit_of_work(who) as s:
                call(s)
        except MinqingError as err:
            message = err.user_message("en")
            for given_value in (window, start, end, area, channels, category, place):
                if given_value:  # a message may quote what was given, braces and all
                    message = message.replace(given_value, "").replace(given_value[:40], "")
            # no placeholder left unfilled (a quoted value may be cleaned of controls, so
            # a lone brace the user typed can remain: only {name} is a placeholder)
            assert message and not re.search(r"\{[a-z_]+\}", message), message


def test_blind_spots_reach_their_subscribers_once_a_week(session) -> None:
    """A supervisor subscribed to blind spots of their street gets the planted blind spot
    of the last 90 days in their inbox, in words and with a link to the cross-check; the
    same week's second publication adds nothing; a subscriber elsewhere gets nothing."""
    from governance import alerts, crosscheck_alerts

    sup = _principal("supervisor")
    _grid_id, code, _name = _plant(session)
    assert code.startswith(sup.scope)
    with unit_of_work(sup) as s:
        alerts.subscribe(s, sup, kind="blind_spot", area=None, category=None)
    with unit_of_work() as s:
        first = crosscheck_alerts.publish_blind_spots(s)
    with unit_of_work() as s:
        again = crosscheck_alerts.publish_blind_spots(s)
    assert first >= 1 and again == 0
    with unit_of_work(sup) as s:
        got = [a for a in alerts.inbox(s, sup, "zh-CN") if a["kind"] == "blind_spot"]
    mine = [a for a in got if a["area"].startswith(code[:15]) and a["category"] == "city.garbage"]
    assert mine, got[:3]
    assert mine[0]["link"].startswith("/crosscheck?") and mine[0]["words"]
    assert all(a["area"].startswith(sup.scope) for a in got)  # nothing outside the street
