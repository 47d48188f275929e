"""When an open live stream checks its session on the listener's setbacks (web/live.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from web.live import SETBACK_RECHECK_FIRST, SETBACK_RECHECK_SECONDS, SetbackGate


def _run(gate: SetbackGate, steps: list[tuple[float, int, bool]]) -> list[float]:
    """Drive the gate as a stream does, one tick per step (seconds, new setbacks, listening);
    the times of the checks made on setbacks."""
    now, setbacks, checks = 0.0, gate.seen, []
    for dt, more, listening in steps:
        now += dt
        setbacks += more
        if gate.due(now, setbacks, listening):
            gate.checked(now, setbacks, True)
            checks.append(now)
    return checks


def test_the_first_setback_is_checked_at_once_and_a_passed_check_is_soon_repeated() -> None:
    # the database goes: the listener's first setback is checked on that tick; the check
    # passed (made in the instant it went), the listener fails again 0.25 s and 0.75 s
    # later: the stream checks again within a second, not after the cap
    gate = SetbackGate(seen=3)
    checks = _run(gate, [(1.0, 1, False), (0.25, 1, False), (0.5, 1, False), (1.0, 1, False)])
    assert checks[0] == 1.0
    assert len(checks) >= 2 and checks[1] - checks[0] < SETBACK_RECHECK_SECONDS / 4


def test_no_setback_no_check() -> None:
    gate = SetbackGate(seen=7)
    assert _run(gate, [(1.0, 0, False)] * 30 + [(1.0, 0, True)] * 30) == []


def test_a_listener_that_keeps_failing_is_checked_at_doubling_gaps_up_to_the_cap() -> None:
    gate = SetbackGate(seen=0)
    checks = _run(gate, [(0.25, 1, False)] * 400)  # 100 s, a failed attempt every tick
    gaps = [round(b - a, 6) for a, b in zip(checks, checks[1:], strict=False)]
    want, expected = SETBACK_RECHECK_FIRST, []
    for _ in gaps:
        expected.append(want)
        want = min(want * 2, SETBACK_RECHECK_SECONDS)
    assert gaps == expected
    assert gaps[-1] == SETBACK_RECHECK_SECONDS


@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0.0, max_value=3.0, allow_nan=False),
            st.integers(min_value=0, max_value=3),
            st.booleans(),
        ),
        max_size=200,
    )
)
def test_checks_on_setbacks_are_spaced_and_only_on_new_setbacks(
    steps: list[tuple[float, int, bool]],
) -> None:
    gate = SetbackGate(seen=0)
    now, setbacks, last_checked, last_time = 0.0, 0, 0, None
    for dt, more, listening in steps:
        now += dt
        setbacks += more
        due = gate.due(now, setbacks, listening)
        if due:
            assert setbacks != last_checked  # something new happened since the last look
            if last_time is not None:
                assert now - last_time >= SETBACK_RECHECK_FIRST
            gate.checked(now, setbacks, True)
            last_checked, last_time = setbacks, now
        elif setbacks != last_checked and last_time is not None and listening:
            # once the listener is back, a new setback waits at most the first gap
            assert now - last_time < SETBACK_RECHECK_FIRST
        assert SETBACK_RECHECK_FIRST <= gate.gap <= SETBACK_RECHECK_SECONDS
