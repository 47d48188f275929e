"""The demo's vectorised working calendar gives what ``governance/sla.py`` gives, case by
case, on the demo's 2026 calendar (holidays and adjusted working weekends)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.demo.workcal import WorkCalendar
from geodata.demo.workflow import HOLIDAYS_2026, WORKING_WEEKENDS_2026
from governance import sla

OVERRIDES = {d: False for span, _ in HOLIDAYS_2026 for d in span} | {
    d: True for d, _ in WORKING_WEEKENDS_2026
}
CAL = WorkCalendar.from_overrides(OVERRIDES, date(2025, 10, 1), date(2027, 6, 30))
START = int(datetime(2025, 12, 1, tzinfo=UTC).timestamp())
SPAN = 400 * 86_400  # the instants drawn: December 2025 to early 2027
instants = st.integers(START, START + SPAN)


def _dt(t: int) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _s(t: np.ndarray) -> int:
    return int(t[0])


@settings(max_examples=400, deadline=None)
@given(instants, st.integers(1, 10))
def test_add_workdays(t: int, n: int) -> None:
    want = sla.add_workdays(_dt(t), n, OVERRIDES)
    assert _dt(_s(CAL.add_workdays(np.array([t]), np.array([n])))) == want


@settings(max_examples=400, deadline=None)
@given(instants, st.integers(0, 40 * 86_400))
def test_working_seconds(t: int, span: int) -> None:
    want = sla.working_seconds(_dt(t), _dt(t + span), OVERRIDES)
    assert _s(CAL.working_seconds(np.array([t]), np.array([t + span]))) == want


@settings(max_examples=400, deadline=None)
@given(instants, st.integers(0, 30 * 86_400))
def test_add_working_seconds(t: int, seconds: int) -> None:
    want = sla.add_working_seconds(_dt(t), seconds, OVERRIDES)
    assert _dt(_s(CAL.add_working_seconds(np.array([t]), np.array([seconds])))) == want


def test_a_deadline_at_the_end_of_a_working_day_moves_to_the_next_ones_end() -> None:
    # the end of Wednesday 30 September 2026 plus one working day: 1-7 October are the
    # National Day holidays, so the end of Thursday 8 October
    local = timedelta(hours=8)
    end_of_30th = int((datetime(2026, 10, 1, tzinfo=UTC) - local).timestamp())
    moved = CAL.add_working_seconds(np.array([end_of_30th]), np.array([86_400]))
    assert _dt(_s(moved)) + local == datetime(2026, 10, 9, tzinfo=UTC)
