"""Spike warnings (突增预警) on PostGIS: the evaluation finds the bursts planted in the demo
city (geodata/demo/planted_spikes.py) with counts as the incidents say and their evidence,
a second run stores nothing, ``recent`` keeps to the viewer's scope and permissions, the
command line refuses bad input in words, and the live stream carries the warnings to the
screens in scope only."""

from __future__ import annotations

import json
import queue
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from geodata.db import session_scope
from geodata.demo.planted_spikes import PLANTED
from governance import live, spikes
from governance.errors import Forbidden, InvalidInput
from governance.uow import unit_of_work
from tests.conftest import signed_in_client
from tests.integration.test_live import Stream, open_stream, principal, quick, stop_hub  # noqa: F401  (fixtures)

PLANTED_SERIES = {(p.street_code, p.category) for p in PLANTED}


def _seed_now(session: Any) -> datetime:
    """Just after the last incident of the seed: the planted bursts end an hour before the
    seed's ``now`` at the latest, so they all lie in the 24 hours before this."""
    last = session.execute(text("SELECT max(occurred_at) FROM incident")).scalar_one()
    return last + timedelta(minutes=1)


def _evaluate(at: datetime) -> list[spikes.SpikeWarning]:
    with unit_of_work() as s:
        return spikes.evaluate(s, at)


def _named(stream: Stream, name: str, seconds: float) -> list[dict[str, Any]]:
    """Every event ``name`` of ``stream`` within ``seconds``."""
    out = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            got, data = stream.events.get(timeout=left)
        except queue.Empty:
            break
        if got == name:
            out.append(data)
    return out


def test_the_planted_spikes_are_found_with_their_counts_and_evidence(session: Any) -> None:
    at = _seed_now(session)
    stored = _evaluate(at)
    found = {(w.area_code, w.category): w for w in stored}
    assert PLANTED_SERIES <= set(found), sorted(found)
    for code, cat in PLANTED_SERIES:
        w = found[(code, cat)]
        observed = session.execute(
            text(
                "SELECT count(*) FROM incident i JOIN area g ON g.id = i.grid_id "
                "WHERE left(g.code, 9) = :p AND i.category_code = :c AND i.status <> 'merged' "
                "AND i.occurred_at >= :a AND i.occurred_at < :b"
            ),
            {"p": code[:9], "c": cat, "a": at - timedelta(hours=24), "b": at},
        ).scalar_one()
        assert w.observed == observed >= 5
        assert w.observed >= 2 * w.expected and w.q <= 0.01 and w.p <= w.q
        assert w.window_end == at and w.window_start == at - timedelta(hours=24)
        daily = w.evidence["daily"]
        assert len(daily) == 56 and daily[-2] + daily[-1] >= w.observed  # the window's days
        assert (
            w.evidence["first_day"]
            == (at.astimezone(spikes.LOCAL_TZ).date() - timedelta(days=55)).isoformat()
        )
    stored_rows = session.execute(text("SELECT count(*) FROM spike_warning")).scalar_one()
    assert stored_rows == len(stored)


def test_a_second_run_stores_nothing_new(session: Any) -> None:
    at = _seed_now(session)
    first = _evaluate(at)
    assert first
    assert _evaluate(at) == []
    assert _evaluate(at + timedelta(minutes=30)) == []  # same series, overlapping window
    count = session.execute(text("SELECT count(*) FROM spike_warning")).scalar_one()
    assert count == len(first)


def test_the_analysis_tests_every_street_and_category(session: Any) -> None:
    at = _seed_now(session)
    with unit_of_work() as s:
        a = spikes.analyse(s, at)
    streets = session.execute(text("SELECT count(*) FROM area WHERE level = 'street'")).scalar()
    cats = {c for _, c in a.series}
    assert len(a.series) == streets * len(cats)
    hist = session.execute(
        text(
            "SELECT count(*) FROM incident WHERE grid_id IS NOT NULL AND status <> 'merged' "
            "AND occurred_at >= :a AND occurred_at < :b"
        ),
        {"a": a.win_start - timedelta(weeks=8), "b": a.win_start},
    ).scalar_one()
    assert int(a.weekly.sum()) == hist  # every incident of the history in one series


def test_recent_keeps_to_the_scope_and_the_permissions(session: Any) -> None:
    _evaluate(_seed_now(session))
    at = _seed_now(session)
    commander = spikes.recent(session, principal("commander"), lang="en", now=at)
    assert PLANTED_SERIES <= {(w["area_code"], w["category"]) for w in commander}
    sup = principal("supervisor")  # 香洲街道
    theirs = spikes.recent(session, sup, lang="zh-CN", now=at)
    assert theirs and all(w["area_code"].startswith(sup.scope or "-") for w in theirs)
    assert ("441502001000", "city.garbage") in {(w["area_code"], w["category"]) for w in theirs}
    wall = spikes.recent(session, principal("wall"), lang="en", now=at)
    assert {w["id"] for w in wall} == {w["id"] for w in commander}
    words = next(w["words"] for w in commander if w["category"] == "city.garbage")
    assert "usual for this place" in words and "times as many" in words
    assert "in the last 24 hours" in words
    for who in ("gridworker", "auditor", "admin"):
        with pytest.raises(Forbidden):
            spikes.recent(session, principal(who), now=at)
    with pytest.raises(Forbidden):
        spikes.recent(session, None, now=at)
    with pytest.raises(InvalidInput):
        spikes.recent(session, principal("commander"), limit=0)
    # long after: nothing is current any more
    assert spikes.recent(session, principal("commander"), now=at + timedelta(days=2)) == []


def test_a_warning_carries_no_personal_data(session: Any) -> None:
    stored = _evaluate(_seed_now(session))
    raw = json.dumps([w.__dict__ for w in stored], default=str, ensure_ascii=False)
    descriptions = session.execute(
        text("SELECT description FROM incident ORDER BY occurred_at DESC LIMIT 200")
    ).scalars()
    assert not any(d and d in raw for d in descriptions)
    assert "phone" not in raw and "address" not in raw and "description" not in raw


def test_naive_times_and_garbage_are_refused_in_words() -> None:
    with pytest.raises(InvalidInput):
        spikes.evaluate(None, datetime(2026, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as err:
        spikes.parse_at("yesterday")
    assert err.value.user_message("en")


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_command_line_refuses_a_bad_time_in_words(lang: str) -> None:
    from cli.main import cli

    result = CliRunner().invoke(
        cli, ["analytics", "spikes", "--at", "2026-13-45T99", "--lang", lang]
    )
    assert result.exit_code == 1, result.output
    assert "Error" in result.output and "Traceback" not in result.output
    assert ("时间" in result.output) if lang == "zh-CN" else ("time" in result.output.lower())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.text(max_size=40))
def test_any_at_is_a_time_or_a_translated_refusal(raw: str) -> None:
    try:
        at = spikes.parse_at(raw)
    except InvalidInput as err:
        assert err.user_message("en") and err.status == 400
        return
    assert at is not None and at.tzinfo is not None


def test_the_command_line_evaluates_and_says_what_it_stored(session: Any) -> None:
    from cli.main import cli

    at = _seed_now(session).isoformat()
    result = CliRunner().invoke(cli, ["analytics", "spikes", "--at", at, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert PLANTED_SERIES <= {(r["area_code"], r["category"]) for r in rows}
    again = CliRunner().invoke(cli, ["analytics", "spikes", "--at", at, "--lang", "en"])
    assert again.exit_code == 0 and "0 new spike warnings" in again.output


@pytest.mark.commits
def test_the_stream_brings_each_screen_the_warnings_of_its_scope() -> None:
    """Needs commits: NOTIFY reaches the listener only on commit. The supervisor (香洲街道)
    gets the garbage burst of their street and not the one of 城东街道; the commander both."""
    sup, cmd = (
        open_stream(signed_in_client("supervisor")),
        open_stream(signed_in_client("commander")),
    )
    try:
        with session_scope(admin=True) as s:
            at = _seed_now(s)
        with unit_of_work() as s:
            stored = spikes.evaluate(s, at)
        assert PLANTED_SERIES <= {(w.area_code, w.category) for w in stored}
        got_cmd = _named(cmd, live.EV_SPIKE, 4.0)
        got_sup = _named(sup, live.EV_SPIKE, 1.0)
        cmd_items = {(i["area_code"], i["category"]) for e in got_cmd for i in e["items"]}
        sup_items = {(i["area_code"], i["category"]) for e in got_sup for i in e["items"]}
        assert PLANTED_SERIES <= cmd_items
        assert ("441502001000", "city.garbage") in sup_items
        assert all(code.startswith("441502001") for code, _ in sup_items)
        for e in got_cmd + got_sup:
            for item in e["items"]:
                assert set(item) == set(live.SPIKE_FIELDS)
    finally:
        sup.close()
        cmd.close()
        with session_scope(admin=True) as s:
            s.execute(text("DELETE FROM spike_warning"))


def test_the_background_run_keeps_its_interval(session: Any, monkeypatch: Any) -> None:
    """The server's thread calls ``maybe_run`` every SLA sweep: it evaluates once per
    ``MINQING_SPIKE_SECONDS`` per process (0: never), in a unit of its own."""
    monkeypatch.setattr(spikes, "_last_run", 0.0)
    assert spikes.maybe_run(0) == 0
    first = spikes.maybe_run(300)
    stored = session.execute(text("SELECT count(*) FROM spike_warning")).scalar_one()
    assert stored == first
    assert spikes.maybe_run(300) == 0  # too soon: nothing evaluated
    assert session.execute(text("SELECT count(*) FROM spike_warning")).scalar_one() == stored


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(limit=st.one_of(st.integers(), st.floats(), st.text(max_size=5), st.none(), st.booleans()))
def test_any_limit_is_a_list_or_a_translated_refusal(session: Any, limit: Any) -> None:
    who = principal("commander")
    try:
        out = spikes.recent(session, who, limit=limit)
    except InvalidInput as err:
        assert err.status == 400 and err.user_message("zh-CN")
        return
    assert isinstance(out, list) and len(out) <= limit


def test_a_spike_reaches_its_subscribers_inbox_and_webhook_queue(session: Any) -> None:
    """The commander subscribed to spikes city-wide: each new warning becomes one alert in
    their inbox (numbers only, in words, linked to the dispatch board) and one delivery per
    matching webhook target; a second run publishes nothing."""
    from governance import alerts
    from tests.integration.test_crosscheck import _principal

    who = _principal("commander")
    with unit_of_work(who) as s:
        alerts.subscribe(s, who, kind="spike", area=None, category=None)
    at = _seed_now(session)
    stored = _evaluate(at)
    assert stored
    with unit_of_work(who) as s:
        got = [a for a in alerts.inbox(s, who, "zh-CN") if a["kind"] == "spike"]
    assert {(a["area"][:9], a["category"]) for a in got} >= {
        (w.area_code[:9], w.category) for w in stored
    }
    for a in got:
        assert set(a["evidence"]) <= set(alerts.alerts_evidence.ALLOWED["spike"])
        assert a["words"] and a["link"].startswith("/dispatch")
    keys = [f"spike:{w.id}" for w in stored]
    published = text("SELECT count(*) FROM alert WHERE dedup_key = ANY(:k)")
    assert session.execute(published, {"k": keys}).scalar_one() == len(stored)
    before = session.execute(text("SELECT count(*) FROM alert")).scalar_one()
    assert _evaluate(at) == []
    assert session.execute(text("SELECT count(*) FROM alert")).scalar_one() == before
