"""The patrol report's periods (governance/patrol_report.py): presets and custom ranges,
and any value a hand-made request may send."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.errors import InvalidInput
from governance.patrol_report import FIRST_DAY, MAX_DAYS, PERIODS, parse_period

DAYS = st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31))


@given(today=DAYS)
def test_presets_are_whole_weeks_and_months_around_today(today: date) -> None:
    this_week = parse_period("this_week", today=today)
    last_week = parse_period("last_week", today=today)
    this_month = parse_period("this_month", today=today)
    last_month = parse_period("last_month", today=today)
    assert parse_period(None, today=today) == parse_period("", today=today) == this_week
    assert this_week.start.weekday() == 0 and (this_week.end - this_week.start).days == 6
    assert this_week.start <= today <= this_week.end
    assert last_week.end + timedelta(days=1) == this_week.start
    assert last_week.start.weekday() == 0 and (last_week.end - last_week.start).days == 6
    assert this_month.start == today.replace(day=1) and this_month.start <= today <= this_month.end
    assert (this_month.end + timedelta(days=1)).day == 1
    assert last_month.end + timedelta(days=1) == this_month.start and last_month.start.day == 1
    assert this_week.until - this_week.since == timedelta(days=7)


@given(today=DAYS, start=DAYS, end=DAYS)
def test_a_custom_range_is_taken_as_given_or_refused(today: date, start: date, end: date) -> None:
    ok = FIRST_DAY <= start <= end and (end - start).days < MAX_DAYS and start <= today
    try:
        got = parse_period("custom", start.isoformat(), end.isoformat(), today=today)
    except InvalidInput:
        assert not ok
    else:
        assert ok and (got.start, got.end) == (start, end)


@given(
    kind=st.one_of(st.none(), st.sampled_from(PERIODS), st.text(max_size=12), st.integers()),
    start=st.one_of(st.none(), st.text(max_size=14), st.integers(), st.lists(st.integers())),
    end=st.one_of(st.none(), st.text(max_size=14), st.floats()),
)
def test_any_request_value_gives_a_period_or_a_translated_refusal(
    kind: object, start: object, end: object
) -> None:
    try:
        got = parse_period(kind, start, end, today=date(2026, 12, 6))
    except InvalidInput as err:
        assert err.key.startswith(("preport.error.", "error.unknown_value"))
    else:
        assert got.start <= got.end


def test_examples() -> None:
    today = date(2026, 12, 6)  # a Sunday
    assert parse_period("this_week", today=today).start == date(2026, 11, 30)
    assert parse_period("last_month", today=today).end == date(2026, 11, 30)
    picked = parse_period("custom", "2026-11-02T00:00:00", "2026-11-08", today=today)
    assert (picked.start, picked.end) == (date(2026, 11, 2), date(2026, 11, 8))
    for bad in (("2026-02-30", "2026-03-01"), ("2026-03-02", "2026-03-01"), ("x", "y")):
        with pytest.raises(InvalidInput):
            parse_period("custom", *bad, today=today)
