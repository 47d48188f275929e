"""Emerging hot spots (新兴热点) on PostGIS: the stored result is the incidents' weekly
counts analysed, the scope is kept, bad input is a translated refusal that writes
nothing, the command line and the daily job store it, the layer serves it."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from geodata.db import session_scope
from governance import emerging
from governance.access import Principal
from governance.emerging_stats import CATEGORIES
from governance.errors import Forbidden, InvalidInput
from governance.filters import LOCAL_TZ
from governance.uow import unit_of_work

CITY = "114.9,22.5,116.3,23.7"
FAST = {"weeks": 20, "permutations": 19}


def _principal(username: str) -> Principal:
    from geodata.models import AppUser
    from governance.accounts import principal_of

    with session_scope(admin=True) as s:
        return principal_of(s, s.query(AppUser).filter_by(username=username).one())


def _run(who: Principal, **kw: object) -> dict:
    with unit_of_work(who) as s:
        return emerging.run(s, who, **kw)  # type: ignore[arg-type]


def _runs(session) -> list[tuple]:  # type: ignore[no-untyped-def]
    return session.execute(
        text("SELECT scope, weeks, permutations, cells, incidents FROM emerging_run ORDER BY 1")
    ).all()


def test_the_stored_run_is_the_weekly_counts_analysed(session) -> None:
    out = _run(_principal("commander"), **FAST, lang="en")
    start = datetime.fromisoformat(out["period_start"]).replace(tzinfo=LOCAL_TZ)
    end = datetime.fromisoformat(out["period_end"]).replace(tzinfo=LOCAL_TZ)
    assert (end - start).days == 7 * 20 and end.weekday() == 0
    want = session.execute(
        text(
            "SELECT count(*), count(DISTINCT h3_8) FROM incident WHERE grid_id IS NOT NULL "
            "AND status <> 'merged' AND occurred_at >= :a AND occurred_at < :b"
        ),
        {"a": start, "b": end},
    ).one()
    assert (out["incidents"], out["cells"]) == tuple(want) and want[0] > 0
    assert _runs(session) == [("", 20, 19, want[1], want[0])]
    cells = session.execute(
        text("SELECT category, total, hot_bins, cold_bins, grid_code FROM emerging_cell")
    ).all()
    assert len(cells) == want[1] and sum(c[1] for c in cells) == want[0]
    assert {c[0] for c in cells} <= set(CATEGORIES)
    assert all(c[2] + c[3] <= 20 and c[4] for c in cells)
    assert sum(out["found"].values()) == want[1]
    assert "Getis-Ord Gi*" in out["method_words"] and "19 conditional" in out["method_words"]
    assert "20 weeks" in out["period"]


def test_a_second_run_replaces_the_first(session) -> None:
    who = _principal("commander")
    _run(who, **FAST)
    _run(who, weeks=12, permutations=0)
    assert [r[:3] for r in _runs(session)] == [("", 12, 0)]
    orphans = session.execute(
        text("SELECT count(*) FROM emerging_cell c LEFT JOIN emerging_run r ON r.id = c.run_id "
             "WHERE r.id IS NULL")
    ).scalar()  # fmt: skip
    assert orphans == 0


def test_a_supervisor_computes_their_own_scope_only(session) -> None:
    who = _principal("supervisor")
    assert who.scope
    out = _run(who, **FAST)
    assert out["scope"] == who.scope
    other = session.execute(
        text("SELECT code FROM area WHERE level = 'county' AND code NOT LIKE :s ORDER BY code LIMIT 1"),
        {"s": who.scope[:6] + "%"},
    ).scalar_one()  # fmt: skip
    for area in (other[:6], "441500"):
        with pytest.raises(Forbidden):
            _run(who, area=area, **FAST)
    assert [r[0] for r in _runs(session)] == [who.scope]


@pytest.mark.parametrize(
    ("kw", "exc", "key"),
    [
        ({"weeks": 0}, InvalidInput, "error.input.range"),
        ({"weeks": -3}, InvalidInput, "error.input.range"),
        ({"weeks": 105}, InvalidInput, "error.input.range"),
        ({"weeks": "52 weeks"}, InvalidInput, "error.input.integer"),
        ({"weeks": True}, InvalidInput, "error.input.integer"),
        ({"permutations": 1000}, InvalidInput, "error.input.range"),
        ({"permutations": -1}, InvalidInput, "error.input.range"),
        ({"area": "999999"}, InvalidInput, None),
        ({"area": "'; DROP TABLE area; --"}, InvalidInput, None),
    ],
)
def test_bad_input_is_refused_in_words_and_writes_nothing(session, kw, exc, key) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(exc) as err:
        _run(_principal("commander"), **kw)
    assert key is None or err.value.key == key
    assert err.value.status == 400 and err.value.user_message("zh-CN") != err.value.key
    assert _runs(session) == []


def test_roles_without_analytics_are_refused(session) -> None:
    for user in ("dept", "gridworker"):
        with pytest.raises(Forbidden):
            _run(_principal(user), **FAST)
    with pytest.raises(Forbidden), unit_of_work() as s:
        emerging.summary(s, None)
    assert _runs(session) == []


def test_the_daily_job_computes_the_city_and_counties_once_a_day(session) -> None:
    now = datetime.now(LOCAL_TZ)
    with unit_of_work() as s:
        scopes = emerging.daily(s, now)
    counties = session.execute(text("SELECT count(*) FROM area WHERE level = 'county'")).scalar()
    assert scopes[0] == "" and len(scopes) == 1 + counties
    assert [r[0] for r in _runs(session)] == sorted(scopes)
    assert all(r[1:3] == (52, 99) for r in _runs(session))
    with unit_of_work() as s:
        assert emerging.daily(s, now) == []  # less than a day old


def test_the_summary_lists_categories_and_top_cells_with_grid_names(session) -> None:
    commander = _principal("commander")
    with unit_of_work(commander) as s:
        assert emerging.summary(s, commander) is None  # nothing stored yet
    out = _run(commander, **FAST)
    with unit_of_work(commander) as s:
        got = emerging.summary(s, commander, lang="zh-CN")
    assert got is not None and "Gi*" in got["method"] and "20 周" in got["period"]
    found = {k: n for k, n in out["found"].items() if n and k != "none"}
    assert {c["category"]: c["cells"] for c in got["counts"]} == found
    names = set(session.execute(text("SELECT name FROM area WHERE level = 'grid'")).scalars())
    assert all(c["grid"] in names for c in got["top"]) and len(got["top"]) <= 5
    supervisor = _principal("supervisor")
    with unit_of_work(supervisor) as s:  # the city's run, cut to the supervisor's street
        mine = emerging.summary(s, supervisor)
    assert mine is not None
    assert sum(c["cells"] for c in mine["counts"]) <= sum(c["cells"] for c in got["counts"])


def test_the_command_line_stores_and_refuses(session) -> None:
    from cli.main import cli

    done = CliRunner().invoke(
        cli, ["analytics", "emerging", "--weeks", "12", "--permutations", "9", "--json"]
    )
    assert done.exit_code == 0, done.output
    out = json.loads(done.output[done.output.index("{") :])
    assert out["scope"] == "" and out["weeks"] == 12
    county = session.execute(
        text("SELECT code FROM area WHERE level = 'county' ORDER BY code LIMIT 1")
    ).scalar_one()
    text_out = CliRunner().invoke(
        cli, ["analytics", "emerging", "--weeks", "12", "--area", county, "--lang", "en"]
    )
    assert text_out.exit_code == 0 and "Mann-Kendall" in text_out.output, text_out.output
    assert [r[:2] for r in _runs(session)] == [("", 12), (county[:6], 12)]
    bad = CliRunner().invoke(cli, ["analytics", "emerging", "--weeks", "0"])
    assert bad.exit_code != 0 and "weeks" in bad.output
    assert len(_runs(session)) == 2


def test_the_layer_serves_the_stored_cells(session, flask_client) -> None:
    resp = flask_client.get(f"/api/v1/layers/emerging?bbox={CITY}&z=11")
    assert resp.status_code == 200 and json.loads(resp.data)["features"] == []
    out = _run(_principal("commander"), **FAST)
    resp = flask_client.get(f"/api/v1/layers/emerging?bbox={CITY}&z=11")
    body = json.loads(resp.data)
    patterns = sum(n for k, n in out["found"].items() if k != "none")
    assert resp.status_code == 200 and len(body["features"]) == patterns
    assert {f["properties"]["cat"] for f in body["features"]} <= set(CATEGORIES) - {"none"}
    assert body["stats"]["weeks"] == 20 and body["stats"]["permutations"] == 19
    ring = body["features"][0]["geometry"]["coordinates"][0] if patterns else [[0, 0]] * 7
    assert len(ring) == 7


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_text = st.text(st.characters(codec="utf-8"), max_size=40)
_number = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(str), st.integers().map(str), _text
)


def test_hostile_layer_parameters_are_4xx_never_5xx(session, flask_client) -> None:
    _run(_principal("commander"), **FAST)
    before = _runs(session)

    @SETTINGS
    @given(
        bbox=st.one_of(
            _text, st.lists(_number, min_size=0, max_size=6).map(",".join), st.just(CITY)
        ),
        z=_number,
        extra=st.dictionaries(_text, _text, max_size=3),
    )
    def one(bbox: str, z: str, extra: dict[str, str]) -> None:
        resp = flask_client.get(
            "/api/v1/layers/emerging", query_string={"bbox": bbox, "z": z, **extra}
        )
        assert resp.status_code in (200, 400), (bbox, z, extra, resp.data[:200])
        if resp.status_code == 400:
            answer = resp.get_json()
            assert answer["message"] and answer["message"] != answer["key"]
        else:
            assert json.loads(resp.data)["type"] == "FeatureCollection"

    one()
    assert _runs(session) == before


def test_the_layer_is_refused_to_roles_without_analytics(session) -> None:
    from tests.conftest import signed_in_client

    resp = signed_in_client("dept").get(f"/api/v1/layers/emerging?bbox={CITY}&z=11")
    assert resp.status_code == 403 and resp.get_json()["key"]


def _texts(node) -> list[str]:  # type: ignore[no-untyped-def]
    if isinstance(node, str | int):
        return [str(node)]
    if isinstance(node, list | tuple):
        return [x for c in node for x in _texts(c)]
    kids = getattr(node, "children", None)
    return _texts(kids) if kids is not None else []


def test_the_weekly_consultation_lists_the_emerging_categories(session) -> None:
    from governance import consult
    from pages.consult_parts import emerging_block

    commander = _principal("commander")
    with unit_of_work(commander) as s:
        before = consult.weekly(s, commander)
    assert before.emerging is None
    assert "尚无计算结果" in " ".join(_texts(emerging_block(before, "zh-CN")))
    out = _run(commander, **FAST)
    with unit_of_work(commander) as s:
        packet = consult.weekly(s, commander)
    assert packet.emerging is not None
    assert packet.emerging["found"] == {k: n for k, n in out["found"].items() if n and k != "none"}
    text = " ".join(_texts(emerging_block(packet, "en")))
    assert "Getis-Ord Gi*" in text and "20 weeks" in text
    for key, n in packet.emerging["found"].items():
        assert f"{emerging.category_name(key, 'en')}: {n} cells" in text
    for cell in packet.emerging["top"]:
        assert cell["grid_name"] in text


def test_the_command_line_as_a_user_keeps_their_scope(session) -> None:
    from cli.main import cli
    from tests.conftest import demo_password

    args = ["analytics", "emerging", "--as", "supervisor", "--weeks", "10", "--permutations", "0"]
    done = CliRunner().invoke(cli, [*args, "--json"], input=demo_password("supervisor") + "\n")
    assert done.exit_code == 0, done.output
    out = json.loads(done.output[done.output.index("{") :])
    assert out["scope"] == _principal("supervisor").scope and out["permutations"] == 0
    assert "normal approximation" not in out["method_words"]  # zh-CN by default
    refused = CliRunner().invoke(
        cli, [*args, "--area", "441500"], input=demo_password("supervisor") + "\n"
    )
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    assert [r[0] for r in _runs(session)] == [out["scope"]]


def test_the_briefing_names_the_stored_emerging_hot_spots(session) -> None:
    """Once the daily run has stored a result, the printed briefing says what it found,
    with its period and method; before, that nothing is stored yet."""
    from datetime import datetime

    from briefings.render import html
    from governance import briefings, emerging
    from governance.briefing_period import period_for
    from governance.filters import LOCAL_TZ
    from governance.uow import unit_of_work

    day = datetime.now(LOCAL_TZ).date()
    with unit_of_work() as s:
        before = briefings.build(s, None, period_for("weekly", day), "zh-CN")
    with unit_of_work() as s:
        emerging.daily(s)
    with unit_of_work() as s:
        after = briefings.build(s, None, period_for("weekly", day), "zh-CN")
    assert 'id="emerging"' in html(after)
    assert after.emerging is not None and after.emerging["method"]
    if before.emerging is None:
        assert "尚无新兴热点" in html(before)
