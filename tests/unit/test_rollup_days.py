"""The whole local days of a density window (geodata/queries/rollup.py): the rollup
answers for exactly these, the raw rows for the rest of the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from geodata.queries.rollup import local_midnight, whole_days

INSTANTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@given(start=INSTANTS, span=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)))
def test_whole_days_are_the_days_inside_the_window(start: datetime, span: timedelta) -> None:
    """Against a brute force: every local date around the window whose day lies inside."""
    end = start + span
    d, inside = (start - timedelta(days=2)).date(), []
    while d <= (end + timedelta(days=2)).date():
        if local_midnight(d) >= start and local_midnight(d + timedelta(days=1)) <= end:
            inside.append(d)
        d += timedelta(days=1)
    expected = (inside[0], inside[-1] + timedelta(days=1)) if inside else None
    assert whole_days(start, end) == expected


def test_midnight_edges() -> None:
    day = local_midnight(datetime(2026, 3, 9).date())
    assert whole_days(day, day + timedelta(days=1)) == (
        day.date(),
        (day + timedelta(days=1)).date(),
    )
    assert whole_days(day, day + timedelta(hours=23, minutes=59)) is None
    assert whole_days(day - timedelta(microseconds=1), day + timedelta(days=1)) == (
        day.date(),
        (day + timedelta(days=1)).date(),
    )
    assert whole_days(day + timedelta(microseconds=1), day + timedelta(days=2)) == (
        (day + timedelta(days=1)).date(),
        (day + timedelta(days=2)).date(),
    )
