"""Patrol periods, checklist judging and the check-in verdict: pure rules, no database."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ
from governance.patrol_checkin import Previous, distance_m, judge
from governance.patrol_params import Position, SubmissionIn
from governance.patrol_schedule import EPOCH, period_of, periods
from governance.patrol_templates import check_items
from governance.patrol_templates import judge as judge_answers
from governance.request_model import parse

RULES = [("day", 1), ("day", 3), ("week", 1), ("week", 2), ("month", 1), ("month", 3)]
days = st.dates(min_value=date(2001, 1, 1), max_value=date(2090, 12, 31))


# ----------------------------------------------------------------------------- periods
@settings(max_examples=300, deadline=None)
@given(day=days, rule=st.sampled_from(RULES))
def test_a_day_lies_in_exactly_its_period(day: date, rule: tuple[str, int]) -> None:
    p = period_of(day, *rule)
    assert p.due_on <= day <= p.last_day
    assert period_of(p.due_on, *rule) == p == period_of(p.last_day, *rule)
    before = period_of(p.due_on - timedelta(days=1), *rule)
    assert before.last_day == p.due_on - timedelta(days=1) and before.key != p.key


@settings(max_examples=200, deadline=None)
@given(start=days, length=st.integers(0, 800), rule=st.sampled_from(RULES))
def test_periods_tile_a_span_without_gap_or_overlap(
    start: date, length: int, rule: tuple[str, int]
) -> None:
    end = start + timedelta(days=length)
    ps = periods(*rule, start, end)
    assert ps[0].due_on <= start and ps[-1].last_day >= end
    for a, b in zip(ps, ps[1:], strict=False):
        assert b.due_on == a.last_day + timedelta(days=1)
    assert len({p.key for p in ps}) == len(ps)


@settings(max_examples=100, deadline=None)
@given(start=days, cut=st.integers(0, 400), length=st.integers(1, 400), rule=st.sampled_from(RULES))
def test_generating_in_two_runs_gives_the_periods_of_one(
    start: date, cut: int, length: int, rule: tuple[str, int]
) -> None:
    end = start + timedelta(days=cut + length)
    middle = start + timedelta(days=cut)
    once = {p.key for p in periods(*rule, start, end)}
    twice = {p.key for p in periods(*rule, start, middle)} | {
        p.key for p in periods(*rule, middle, end)
    }
    assert once == twice


def test_frequencies_across_year_and_month_ends() -> None:
    year = (date(2026, 1, 1), date(2026, 12, 31))
    assert len(periods("day", 1, *year)) == 365
    assert len(periods("month", 1, *year)) == 12
    # ISO weeks overlapping 2026: 2025-12-29 .. 2027-01-03 is 53 weeks
    weeks = periods("week", 1, *year)
    assert len(weeks) == 53 and weeks[0].due_on == date(2025, 12, 29)
    assert all(w.due_on.weekday() == 0 and w.last_day.weekday() == 6 for w in weeks)
    feb = period_of(date(2028, 2, 15), "month", 1)  # a leap year
    assert (feb.due_on, feb.last_day) == (date(2028, 2, 1), date(2028, 2, 29))
    dec = period_of(date(2026, 12, 31), "day", 3)
    assert (dec.last_day - dec.due_on).days == 2 and dec.due_on <= date(2026, 12, 31)
    assert period_of(EPOCH, "week", 1).key == "week1:0"


def test_deadline_is_local_midnight_after_the_last_day() -> None:
    p = period_of(date(2026, 12, 31), "month", 1)
    assert p.deadline == datetime(2027, 1, 1, tzinfo=LOCAL_TZ)


def test_workdays_only_skips_periods_without_a_working_day() -> None:
    holidays = {date(2026, 10, d) for d in range(1, 9)}  # National Day week

    def workday(d: date) -> bool:
        return d.weekday() < 5 and d not in holidays

    daily = periods(
        "day", 1, date(2026, 9, 28), date(2026, 10, 11), workdays_only=True, is_workday=workday
    )
    assert [p.due_on.day for p in daily] == [28, 29, 30, 9]
    weekly = periods(
        "week", 1, date(2026, 9, 28), date(2026, 10, 11), workdays_only=True, is_workday=workday
    )
    assert len(weekly) == 2  # the week of Oct 5-11 still has Oct 9 (a Friday)
    every_day = periods("day", 1, date(2026, 10, 1), date(2026, 10, 8))
    assert len(every_day) == 8


# ----------------------------------------------------------------------------- checklists
LEAVES = ["safety.fire_hazard", "care.health_risk"]
ITEMS = [
    {"key": "exits", "kind": "pass_fail", "label_zh": "出口", "label_en": "Exits", "fail_category": "safety.fire_hazard"},
    {"key": "temp", "kind": "number", "label_zh": "温度", "label_en": "Temp", "min": -5, "max": 30, "unit": "℃",
     "fail_category": "safety.fire_hazard", "fail_priority": 1},
    {"key": "seen", "kind": "choice", "label_zh": "见面", "label_en": "Seen", "fail_category": "care.health_risk",
     "choices": [{"value": "yes", "label_zh": "是", "label_en": "Yes"},
                 {"value": "no", "label_zh": "否", "label_en": "No", "fail": True}]},
    {"key": "remarks", "kind": "text", "label_zh": "备注", "label_en": "Remarks", "required": False},
    {"key": "photo", "kind": "photo", "label_zh": "照片", "label_en": "Photo", "min_photos": 1},
]  # fmt: skip


def test_items_are_checked_and_normalised() -> None:
    items = check_items(ITEMS, LEAVES)
    assert [i["required"] for i in items] == [True, True, True, False, False]
    assert items[1]["min"] == -5.0 and items[2]["choices"][0]["fail"] is False
    for bad in (
        [],
        [ITEMS[0], ITEMS[0]],  # a key twice
        [{**ITEMS[0], "kind": "slider"}],
        [{**ITEMS[0], "fail_category": "no.such"}],
        [{**ITEMS[1], "min": 40}],  # min above max
        [{**ITEMS[1], "max": float("nan")}],
        [{**ITEMS[2], "choices": [ITEMS[2]["choices"][0]]}],  # one choice
        [{**ITEMS[0], "label_zh": " "}],
        [{**ITEMS[0], "key": "Bad Key"}],
        [{**ITEMS[0], "fail_priority": True}],
    ):
        with pytest.raises(InvalidInput):
            check_items(bad, LEAVES)


def test_answers_fail_where_the_item_says() -> None:
    items = check_items(ITEMS, LEAVES)
    ok = judge_answers(items, {"exits": "pass", "temp": 20, "seen": "yes"}, {}, {"photo": 1})
    assert ok.failed == [] and ok.answers["remarks"] is None
    bad = judge_answers(
        items, {"exits": "fail", "temp": 31.5, "seen": "no"}, {"temp": "热"}, {"photo": 1}
    )
    assert [i["key"] for i in bad.failed] == ["exits", "temp", "seen"]
    na = judge_answers(items, {"exits": "na", "temp": "na", "seen": "yes"}, {}, {"photo": 2})
    assert na.failed == []


@pytest.mark.parametrize(
    ("answers", "photos", "key"),
    [
        ({"temp": 1, "seen": "yes"}, {"photo": 1}, "patrol.error.required"),
        ({"exits": "maybe", "temp": 1, "seen": "yes"}, {"photo": 1}, "patrol.error.answer"),
        ({"exits": "pass", "temp": "hot", "seen": "yes"}, {"photo": 1}, "patrol.error.answer"),
        ({"exits": "pass", "temp": 1, "seen": "perhaps"}, {"photo": 1}, "patrol.error.answer"),
        ({"exits": "pass", "temp": 1, "seen": "yes"}, {}, "patrol.error.photo_missing"),
        (
            {"exits": "pass", "temp": 1, "seen": "yes", "extra": 1},
            {"photo": 1},
            "patrol.error.unknown_item",
        ),
        (
            {"exits": "pass", "temp": 1, "seen": "yes"},
            {"photo": 1, "exits": 1},
            "patrol.error.unknown_item",
        ),
        ({"exits": "pass", "temp": True, "seen": "yes"}, {"photo": 1}, "patrol.error.answer"),
    ],
)
def test_bad_answers_are_refused_by_name(answers: dict, photos: dict, key: str) -> None:
    with pytest.raises(InvalidInput) as err:
        judge_answers(check_items(ITEMS, LEAVES), answers, {}, photos)
    assert err.value.key == key


# ----------------------------------------------------------------------------- check-in
SITE = (115.3750, 22.7870)
AT = datetime(2026, 12, 6, 10, 0, tzinfo=LOCAL_TZ)


def _near(metres: float) -> Position:
    """A point ``metres`` north of SITE."""
    return Position(SITE[0], SITE[1] + metres / 111_195.0, 10.0)


def test_on_site_within_the_radius() -> None:
    v = judge(_near(60), SITE, 100, at=AT)
    assert v.on_site and v.flags == [] and 59 <= (v.distance_m or 0) <= 61


def test_off_site_inaccurate_missing_and_too_fast() -> None:
    assert judge(_near(150), SITE, 100, at=AT).flags == ["off_site"]
    far = Position(SITE[0], SITE[1], 250.0)
    assert judge(far, SITE, 100, at=AT).flags == ["low_accuracy"]
    assert judge(None, SITE, 100, at=AT).flags == ["no_position"]
    # 30 km in 10 minutes is 180 km/h
    prev = Previous(SITE[0], SITE[1] - 30_000 / 111_195.0, AT - timedelta(minutes=10))
    v = judge(_near(10), SITE, 100, at=AT, previous=prev)
    assert v.on_site and v.flags == ["too_fast"]
    slow = Previous(SITE[0], SITE[1] - 3_000 / 111_195.0, AT - timedelta(minutes=10))
    assert judge(_near(10), SITE, 100, at=AT, previous=slow).flags == []  # 18 km/h


@settings(max_examples=200, deadline=None)
@given(
    lon=st.floats(-180, 180),
    lat=st.floats(-90, 90),
    lon2=st.floats(-180, 180),
    lat2=st.floats(-90, 90),
)
def test_distance_is_a_metric_on_the_sphere(
    lon: float, lat: float, lon2: float, lat2: float
) -> None:
    d = distance_m(lon, lat, lon2, lat2)
    assert 0 <= d <= math.pi * 6_371_008.8 + 1
    assert math.isclose(d, distance_m(lon2, lat2, lon, lat), abs_tol=1e-6)


# ----------------------------------------------------------------------------- the body
BODY = {"client_id": "0b7c6f0e-3d8a-4f5e-9a51-7c1d2e3f4a5b", "template_version_id": 1}


@pytest.mark.parametrize(
    "position",
    [
        {"lon": float("nan"), "lat": 22.0, "accuracy_m": 5},
        {"lon": 115.0, "lat": 95.0, "accuracy_m": 5},
        {"lon": 181.0, "lat": 22.0, "accuracy_m": 5},
        {"lon": 115.0, "lat": 22.0, "accuracy_m": -1},
        {"lon": 115.0, "lat": 22.0},
        {"lon": "115", "lat": 22.0, "accuracy_m": 5},
        {"lon": 115.0, "lat": 22.0, "accuracy_m": 5, "alt": 3},
        [115.0, 22.0],
    ],
)
def test_positions_out_of_this_world_are_refused(position: object) -> None:
    with pytest.raises(InvalidInput) as err:
        parse(SubmissionIn, {**BODY, "position": position})
    assert err.value.key == "patrol.error.position"


def test_the_body_refuses_what_it_does_not_know() -> None:
    assert parse(SubmissionIn, BODY).position is None
    for bad in (
        {**BODY, "client_id": "short"},
        {**BODY, "template_version_id": "1"},
        {**BODY, "whatever": 1},
        {**BODY, "photos": [{"item": "p", "data_base64": "bm90IGFuIGltYWdl"}]},  # "not an image"
        {**BODY, "photos": [{"item": "p"}]},
        {**BODY, "answers": {"a": {"nested": 1}}},
        {**BODY, "answers": {"a": float("inf")}},
        {**BODY, "filled_at": "yesterday"},
    ):
        with pytest.raises(InvalidInput):
            parse(SubmissionIn, bad)


@settings(max_examples=300, deadline=None)
@given(
    body=st.dictionaries(
        st.sampled_from(sorted(SubmissionIn.model_fields) + ["x"]),
        st.from_type(object) | st.none() | st.text() | st.integers(),
        max_size=6,
    )
)
def test_any_body_is_a_model_or_a_refusal(body: dict) -> None:
    from i18n import CATALOG

    try:
        out = parse(SubmissionIn, body)
    except InvalidInput as err:
        assert err.key in CATALOG  # a translated refusal
        return
    assert isinstance(out.client_id, str) and isinstance(out.template_version_id, int)
