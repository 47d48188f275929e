"""Time playback's periods and scopes (governance/playback.py) and its frame URL
(layers/playback.py), without a database."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from governance.errors import Forbidden, InvalidInput
from governance.filters import LOCAL_TZ
from governance.playback import MAX_DAYS, frame_scope, period
from layers.playback import frame_url


def test_frames_are_local_days_or_hours_end_inclusive() -> None:
    days = period(date(2026, 3, 1), date(2026, 3, 31), "day")
    assert days.frames == 31
    assert days.bounds(0) == (
        datetime(2026, 3, 1, tzinfo=LOCAL_TZ),
        datetime(2026, 3, 2, tzinfo=LOCAL_TZ),
    )
    assert days.label(30) == "2026-03-31"
    hours = period(date(2026, 3, 1), date(2026, 3, 2), "hour")
    assert hours.frames == 48
    start, end = hours.bounds(47)
    assert start == datetime(2026, 3, 2, 23, tzinfo=LOCAL_TZ) and end - start == timedelta(hours=1)
    assert hours.label(13) == "2026-03-01 13:00"


@pytest.mark.parametrize(
    ("first", "last", "step", "key"),
    [
        (date(2026, 3, 2), date(2026, 3, 1), "day", "playback.error.inverted"),
        (
            date(2025, 1, 1),
            date(2025, 1, 1) + timedelta(days=MAX_DAYS),
            "day",
            "playback.error.too_long",
        ),
        (date(2026, 3, 1), date(2026, 3, 1), "week", "playback.error.step"),
    ],
)
def test_a_bad_period_is_refused(first: date, last: date, step: str, key: str) -> None:
    with pytest.raises(InvalidInput) as err:
        period(first, last, step)
    assert err.value.key == key


def test_a_leap_year_fits_and_a_frame_outside_is_refused() -> None:
    leap = period(date(2028, 1, 1), date(2028, 12, 31), "hour")
    assert leap.frames == MAX_DAYS * 24
    for n in (-1, leap.frames):
        with pytest.raises(InvalidInput) as err:
            leap.bounds(n)
        assert err.value.key == "playback.error.frame"


def test_an_area_narrows_the_scope_and_never_widens_it() -> None:
    assert frame_scope(None, "441502") == "441502"
    assert frame_scope("441502001", "441502") == "441502001"  # the street stays the street
    assert frame_scope("441502", "441502001") == "441502001"
    assert frame_scope("441502", None) == "441502"
    with pytest.raises(Forbidden):
        frame_scope("441502", "441521")


def test_the_frame_url_is_stable_and_leaves_the_frame_to_the_browser() -> None:
    url = frame_url((115.25, 22.7, 115.5, 22.9), 12, date(2026, 3, 1), date(2026, 3, 31), "day")
    assert url == (
        "/api/v1/playback/frame?bbox=115.25,22.7,115.5,22.9&z=12"
        "&start=2026-03-01&end=2026-03-31&step=day"
    )
