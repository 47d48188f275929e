"""Kept period figures (``geodata/queries/kept.py``, migration 0029): a closed period's
cross-check counts and the weekly packet's repeated addresses are computed once, read
back equal, dropped by history loaded later or a deleted incident of the period, kept
through a report that arrives after the period, never kept for a period still running,
and counted again when what was kept cannot be read."""

from __future__ import annotations

import json
import zlib
from datetime import datetime, time, timedelta

from sqlalchemy import text

from geodata.queries import crosscheck as q
from governance.filters import LOCAL_TZ

KIND = q.KIND


def _window() -> tuple[datetime, datetime]:
    """The 90 days up to this morning's midnight (local): a closed period."""
    end = datetime.combine(datetime.now(LOCAL_TZ).date(), time(), LOCAL_TZ)
    return end - timedelta(days=90), end


def _kept(session, kind: str = KIND) -> int:  # type: ignore[no-untyped-def]
    return int(
        session.execute(
            text("SELECT count(*) FROM kept_figure WHERE kind = :k"), {"k": kind}
        ).scalar_one()
    )


def _same(a: q.Counts, b: q.Counts) -> None:
    for name in ("cells", "grids", "own"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.columns == y.columns
        assert x.rows() == y.rows(), name


def _totals(c: q.Counts) -> tuple[int, int]:
    return int(c.grids["own"].sum()), int(c.grids["external"].sum())


def _add(session, at: datetime, reported: datetime, source: str = "hotline_12345") -> int:  # type: ignore[no-untyped-def]
    """One incident copied from an existing one of a grid, at ``at``, reported ``reported``."""
    return int(
        session.execute(
            text("""
            INSERT INTO incident (source, external_id, category_code, occurred_at,
                reported_at, grid_id, status, priority, description, geom,
                h3_6, h3_7, h3_8, h3_9, h3_10, version)
            SELECT :source, 'kept-' || gen_random_uuid(), category_code, :at, :reported,
                grid_id, 'dispatched', 3, 'kept figure test', geom,
                h3_6, h3_7, h3_8, h3_9, h3_10, 1
            FROM incident WHERE grid_id IS NOT NULL ORDER BY id LIMIT 1
            RETURNING id"""),
            {"source": source, "at": at, "reported": reported},
        ).scalar_one()
    )


def test_a_closed_periods_counts_are_kept_and_read_back_equal(session) -> None:
    start, end = _window()
    kept_before = _kept(session)
    counted, previous = q.counts(session, "", [(start, end), (end, end + timedelta(days=1))])
    assert counted.as_of is None and previous.as_of is None
    assert _kept(session) == kept_before + 1  # the closed one only: tomorrow is still to come
    (again,) = q.counts(session, "", [(start, end)])
    assert again.as_of is not None
    _same(again, counted)
    assert len(again.cells) > 0 and len(again.grids) > 0


def test_both_periods_of_an_analysis_are_kept_and_the_words_say_as_of_when(session) -> None:
    from governance.crosscheck import analyse
    from governance.filters import TimeRange

    start, end = _window()
    first = analyse(session, "", TimeRange(start, end), lang="zh-CN")
    assert first["as_of"] is None
    assert _kept(session) >= 2  # this period and the one before, each under its own key
    second = analyse(session, "", TimeRange(start, end), lang="zh-CN")
    assert second["as_of"] is not None
    assert {k: v for k, v in second.items() if k != "as_of"} == {
        k: v for k, v in first.items() if k != "as_of"
    }


def test_history_loaded_later_drops_the_kept_counts_and_is_counted(session) -> None:
    start, end = _window()
    (first,) = q.counts(session, "", [(start, end)])
    n = _kept(session)
    at = start + timedelta(days=10)
    _add(session, at, at + timedelta(hours=2))  # reported inside the period, loaded now
    assert _kept(session) == n - 1
    (second,) = q.counts(session, "", [(start, end)])
    assert second.as_of is None
    own, ext = _totals(first)
    assert _totals(second) == (own, ext + 1)


def test_a_report_after_the_period_leaves_its_published_counts(session) -> None:
    start, end = _window()
    (first,) = q.counts(session, "", [(start, end)])
    n = _kept(session)
    _add(session, end - timedelta(hours=1), end + timedelta(minutes=30))  # a late report
    assert _kept(session) == n
    (second,) = q.counts(session, "", [(start, end)])
    assert second.as_of is not None
    _same(second, first)


def test_a_deleted_incident_of_the_period_drops_the_kept_counts(session) -> None:
    start, end = _window()
    victim = _add(session, start + timedelta(days=3), start + timedelta(days=3))
    (first,) = q.counts(session, "", [(start, end)])
    n = _kept(session)
    session.execute(text("DELETE FROM incident WHERE id = :i"), {"i": victim})
    assert _kept(session) == n - 1
    (second,) = q.counts(session, "", [(start, end)])
    own, ext = _totals(first)
    assert _totals(second) == (own, ext - 1)


def test_a_period_still_running_is_never_kept(session) -> None:
    now = datetime.now(LOCAL_TZ)
    n = _kept(session)
    q.counts(session, "", [(now - timedelta(days=30), now + timedelta(hours=1))])
    assert _kept(session) == n


def test_unreadable_kept_counts_are_counted_again(session) -> None:
    start, end = _window()
    (first,) = q.counts(session, "", [(start, end)])
    session.execute(
        text("UPDATE kept_figure SET body = :b WHERE kind = :k"),
        {"b": b"PK\x03\x04 not an archive", "k": KIND},
    )
    (second,) = q.counts(session, "", [(start, end)])
    assert second.as_of is None
    _same(second, first)
    (third,) = q.counts(session, "", [(start, end)])  # and kept again, readable
    assert third.as_of is not None
    _same(third, first)


def test_an_area_keeps_its_own_counts(session) -> None:
    start, end = _window()
    prefix = session.execute(
        text("SELECT code FROM area WHERE level = 'county' ORDER BY code LIMIT 1")
    ).scalar_one()
    (city,) = q.counts(session, "", [(start, end)])
    (county,) = q.counts(session, prefix, [(start, end)])
    (county_again,) = q.counts(session, prefix, [(start, end)])
    assert county_again.as_of is not None
    _same(county_again, county)
    assert all(str(c).startswith(prefix) for c in county.grids["code"])
    assert len(county.grids) < len(city.grids)


def test_the_weekly_packets_repeated_addresses_are_kept_redacted(session) -> None:
    from governance import consult
    from governance.uow import unit_of_work

    week = consult.default_week(datetime.now(LOCAL_TZ))
    with unit_of_work() as s:
        first = consult.build(s, None, week.isoformat())
    with unit_of_work() as s:
        body = s.execute(
            text("SELECT body FROM kept_figure WHERE kind = :k"), {"k": consult.REPEATS_KIND}
        ).scalar_one()
        second = consult.build(s, None, week.isoformat())
        raw = {
            a
            for (a,) in s.execute(
                text("SELECT DISTINCT address FROM incident WHERE address ~ '[0-9]+号'")
            ).all()
        }
    kept = json.loads(zlib.decompress(bytes(body)))
    assert kept["total"] == first.repeats_total
    assert [r["address"] for r in kept["rows"]] == [r.address for r in first.repeats]
    assert second.repeats == first.repeats and second.blind == first.blind
    assert second.stuck == first.stuck and second.stuck_total == first.stuck_total
    assert not raw & {r["address"] for r in kept["rows"]}  # no house number kept in clear


def test_a_closed_months_scorecards_are_kept_and_say_as_of_when(session) -> None:
    from governance import evaluation

    month = evaluation.default_month()
    n = _kept(session, "scorecard")
    first = evaluation.evaluate(session, None, month, kinds=("department", "grid"))
    assert _kept(session, "scorecard") == n + 2  # one per kind
    assert first.as_of is not None
    second = evaluation.evaluate(session, None, month, kinds=("department", "grid"))
    assert second.cards == first.cards and second.as_of == first.as_of
    assert first.cards["grid"] and any(s.quality for s in first.cards["grid"])


def test_scorecards_asked_as_of_a_given_time_are_computed_not_kept(session) -> None:
    from governance import evaluation

    month = evaluation.default_month()
    n = _kept(session, "scorecard")
    ev = evaluation.evaluate(session, None, month, now=datetime.now(LOCAL_TZ))
    assert ev.as_of is None and _kept(session, "scorecard") == n


def test_history_drops_only_the_periods_it_falls_in(session) -> None:
    start, end = _window()
    before = (start - (end - start), start)
    q.counts(session, "", [before, (start, end)])  # both kept
    at = before[0] + timedelta(days=5)
    session.execute(
        text("""INSERT INTO incident (source, external_id, category_code, occurred_at,
                    reported_at, grid_id, status, priority, description, geom,
                    h3_6, h3_7, h3_8, h3_9, h3_10, version)
                SELECT 'hotline_12345', 'kept-many-' || g, category_code,
                    CAST(:at AS timestamptz) + g * interval '1 minute',
                    CAST(:at AS timestamptz) + g * interval '1 minute', grid_id, 'dispatched',
                    3, 'history', geom, h3_6, h3_7, h3_8, h3_9, h3_10, 1
                FROM incident, generate_series(1, 500) g
                WHERE incident.id = (SELECT min(id) FROM incident WHERE grid_id IS NOT NULL)"""),
        {"at": at},
    )  # 500 rows of history, all in the period before
    older, current = q.counts(session, "", [before, (start, end)])
    assert older.as_of is None  # dropped and counted again, with the history in it
    assert current.as_of is not None  # untouched


def test_kept_json_that_cannot_be_read_is_computed_again(session) -> None:
    from governance import consult, evaluation

    month = evaluation.default_month()
    week = consult.default_week(datetime.now(LOCAL_TZ)).isoformat()
    first = evaluation.evaluate(session, None, month, kinds=("grid",))
    packet = consult.build(session, None, week)
    for body in (b"not zlib", zlib.compress(b'[{"key": "x", "unknown": 1}]')):
        session.execute(
            text("UPDATE kept_figure SET body = :b WHERE kind IN ('scorecard', :r)"),
            {"b": body, "r": consult.REPEATS_KIND},
        )
        again = evaluation.evaluate(session, None, month, kinds=("grid",))
        assert again.cards == first.cards
        assert consult.build(session, None, week).repeats == packet.repeats
    # and kept again, readable
    assert evaluation.evaluate(session, None, month, kinds=("grid",)).cards == first.cards
    assert _kept(session, "scorecard") >= 1 and _kept(session, consult.REPEATS_KIND) == 1


def test_the_packets_stuck_cases_of_a_closed_week_are_kept_masked(session) -> None:
    from governance import consult

    week = consult.default_week(datetime.now(LOCAL_TZ)).isoformat()
    first = consult.build(session, None, week)
    body = session.execute(
        text("SELECT body FROM kept_figure WHERE kind = :k"), {"k": consult.STUCK_KIND}
    ).scalar_one()
    kept = json.loads(zlib.decompress(bytes(body)))
    assert kept["total"] == first.stuck_total
    assert [r["description"] for r in kept["rows"]] == [c.description for c in first.stuck]
    again = consult.build(session, None, week)
    assert again.stuck == first.stuck and again.hotspots == first.hotspots
    assert _kept(session, consult.HOTSPOTS_KIND) == 1


def test_a_closed_days_briefing_figures_are_kept_unless_asked_as_of_a_time(session) -> None:
    from governance import briefings
    from governance.briefing_period import period_for

    period = period_for("daily", datetime.now(LOCAL_TZ).date() - timedelta(days=1))
    n = _kept(session, briefings.KPIS_KIND)
    given = briefings.build(session, None, period, now=datetime.now(LOCAL_TZ))
    assert _kept(session, briefings.KPIS_KIND) == n  # as of a given time: computed
    first = briefings.build(session, None, period)
    assert _kept(session, briefings.KPIS_KIND) == n + 2  # the day and the day before
    again = briefings.build(session, None, period)
    assert again.kpis == first.kpis == given.kpis
    assert again.departments == first.departments
    assert again.blind_as_of is not None and again.figures_as_of is not None
    assert given.figures_as_of is None
    from briefings.render import render

    page = render(again, "html")
    doc = page.decode("utf-8")
    assert "数据截至：" + again.figures_as_of.strftime("%Y-%m-%d %H:%M") in doc


def test_a_closed_days_most_overdue_are_kept_as_a_ranking_and_read_afresh(session) -> None:
    """The briefing's most overdue cases at a closed day's end are kept as ids and
    deadlines only: the same lines as a fresh rebuild, a case's text edited since shows
    as it is now, and a case received before the day's end but loaded afterwards drops
    the ranking (it is counted at once)."""
    from governance import briefings
    from governance.briefing_period import period_for

    period = period_for("daily", datetime.now(LOCAL_TZ).date() - timedelta(days=1))
    n = _kept(session, briefings.OVERDUE_KIND)
    fresh = briefings.build(session, None, period, now=datetime.now(LOCAL_TZ)).overdue
    assert _kept(session, briefings.OVERDUE_KIND) == n
    first = briefings.build(session, None, period).overdue
    assert _kept(session, briefings.OVERDUE_KIND) == n + 1
    assert [(o.id, o.due, o.description) for o in first] == [
        (o.id, o.due, o.description) for o in fresh
    ]
    assert first, "the demo city has overdue cases at a day's end"
    body = session.execute(
        text("SELECT body FROM kept_figure WHERE kind = :k"), {"k": briefings.OVERDUE_KIND}
    ).scalar_one()
    kept_json = json.loads(zlib.decompress(body))
    assert [i for i, _due in kept_json] == [o.id for o in first]  # ids and deadlines only
    session.execute(
        text("UPDATE incident SET description = '已改写的描述' WHERE id = :i"), {"i": first[0].id}
    )
    assert briefings.build(session, None, period).overdue[0].description == "已改写的描述"
    # an old case, received a week ago and waiting for acceptance since: loaded now
    week_ago = period.end - timedelta(days=7)
    late = _add(session, week_ago, week_ago)
    session.execute(
        text("""UPDATE incident SET accept_due_at = :d, resolve_due_at = :d + interval '1 day',
                    dispatched_at = :d WHERE id = :i"""),
        {"d": week_ago - timedelta(days=300), "i": late},
    )
    assert _kept(session, briefings.OVERDUE_KIND) == n  # the insert dropped the ranking
    assert briefings.build(session, None, period).overdue[0].id == late


def test_the_blind_grids_are_the_full_analysis_grids(session) -> None:
    from governance.crosscheck import analyse, blind_grids
    from governance.filters import TimeRange

    start, end = _window()
    tr = TimeRange(start, end)
    counted = blind_grids(session, "", tr)  # counts and keeps
    full = analyse(session, "", tr)  # the kept counts, cells and all
    again = blind_grids(session, "", tr)  # the kept counts, grids only
    assert counted["by_grid"] == full["by_grid"] == again["by_grid"]
    assert counted["as_of"] is None and again["as_of"] == full["as_of"] is not None
    open_now = TimeRange(start + timedelta(days=1), datetime.now(LOCAL_TZ))
    assert (
        blind_grids(session, "", open_now)["by_grid"] == analyse(session, "", open_now)["by_grid"]
    )


def test_the_morning_run_keeps_a_weeks_packet_masked_as_its_areas_reader_sees_it(session) -> None:  # type: ignore[no-untyped-def]
    """``consult.keep_ahead`` (the morning run, no principal, the app's role under
    row-level security) keeps a county's packet with the names its readers' scope masks;
    built with no scope, as a job would by default, a reporter's name stays in the text."""
    from geodata.crypto import cipher
    from geodata.queries import consult as cq
    from governance import consult, evaluation
    from governance.uow import unit_of_work

    week = consult.default_week(datetime.now(LOCAL_TZ))
    start, end = consult.parse_week(week.isoformat())
    stuck, _ = cq.stuck_cases(
        session, scope=None, start=start, end=end, min_moves=consult.MIN_MOVES, limit=1
    )
    assert stuck, "the demo city has a case moved more than once in the week"
    case = int(stuck[0]["id"])
    county = session.execute(  # the county of that case, by its 6-digit code
        text(
            "SELECT left(g.code, 6) FROM incident i JOIN area g ON g.id = i.grid_id WHERE i.id = :i"
        ),
        {"i": case},
    ).scalar_one()
    name = "钟离测试"
    c = cipher()
    session.execute(
        text("""INSERT INTO incident_reporter (incident_id, name_enc) VALUES (:i, :n)
                ON CONFLICT (incident_id) DO UPDATE SET name_enc = excluded.name_enc"""),
        {"i": case, "n": c.encrypt(name, c.place("incident_reporter", "name", case))},
    )
    session.execute(
        text("UPDATE incident SET description = :d WHERE id = :i"),
        {"d": f"{name}反映路灯不亮", "i": case},
    )
    session.execute(text("DELETE FROM kept_figure"))

    def described(packet: consult.Packet) -> str:
        return next(s.description for s in packet.stuck if s.id == case)

    with unit_of_work() as s:  # what the warning is about: no scope, no names to mask
        assert name in described(consult.build(s, county, week.isoformat()))
    session.execute(text("DELETE FROM kept_figure"))
    with unit_of_work() as s:
        kept_packet = consult.keep_ahead(s, county, week)
    assert name not in described(kept_packet) and "反映路灯不亮" in described(kept_packet)
    scopes = session.execute(
        text("SELECT DISTINCT scope FROM kept_figure WHERE kind = :k"), {"k": consult.STUCK_KIND}
    ).scalars()
    assert list(scopes) == [county]
    with unit_of_work() as s:  # read back, not computed again: the same masked text
        assert described(consult.keep_ahead(s, county, week)) == described(kept_packet)
    assert _kept(session, consult.HOTSPOTS_KIND) == 1 and _kept(session, consult.REPEATS_KIND) == 1

    month = evaluation.default_month()
    with unit_of_work() as s:
        cards = evaluation.keep_ahead(s, None, month)
    assert set(cards.cards) == set(evaluation.scores.KINDS)
    assert cards.as_of is not None  # kept: it says as of when
    assert _kept(session, "scorecard") == len(evaluation.scores.KINDS)  # one per kind


def test_the_morning_runs_monday_keeps_the_city_packet_and_reports_a_bad_area(session) -> None:  # type: ignore[no-untyped-def]
    from cli.export import _keep_ahead
    from governance import consult

    week = consult.default_week(datetime.now(LOCAL_TZ))
    session.execute(text("DELETE FROM kept_figure"))
    sunday = week + timedelta(days=6)  # due_today's day for a Monday's weekly
    assert _keep_ahead("daily", sunday, None, "zh-CN")  # nothing to keep ahead
    assert _kept(session, consult.STUCK_KIND) == 0
    assert _keep_ahead("weekly", sunday, None, "zh-CN")
    assert session.execute(
        text("SELECT period_start FROM kept_figure WHERE kind = :k AND scope = ''"),
        {"k": consult.STUCK_KIND},
    ).scalar_one() == datetime.combine(week, time(), LOCAL_TZ)
    assert not _keep_ahead("weekly", sunday, "999999", "zh-CN")  # names no area: reported
