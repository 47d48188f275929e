"""What the demo city's closed loop looks like at the moment it is seeded: the targets,
and the handling model built to meet them.

A county whose loop works holds a backlog of a few days of intake, a small share of it
overdue; suspensions are rare and short, extensions occasional, and departments differ
enough for a monthly scorecard to rank them. The generator does not draw a status per
case (that left thousands of cases suspended for months and resolved some in the
future); it draws each case's whole path through the loop from these parameters and cuts
it at the moment of seeding (:mod:`geodata.demo.lifecycle`, :mod:`geodata.demo.timeline`).
A case is in the state its last step before that moment left it in, so nothing is dated
after it, and the backlog is what the paths leave open: by Little's law, intake times
the time a case stays open.

The targets hold on an ordinary working day, and are checked on a test city seeded on
one by ``tests/integration/test_demo_backlog.py``; the shares are of all cases unless
stated. In the first days after a long public holiday (春节, 劳动节, 国庆节) the backlog is
larger (up to ~7 days of intake) and hardly any case is overdue: the deadlines moved past
the holiday, as the working calendar says. Durations are lognormal ``(median, sigma)``
unless stated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

# --- targets --------------------------------------------------------------------------
# Open cases (by geodata/queries/case_state.py: counted and open) in days of the mean
# daily intake of counted cases over the 28 days before seeding.
OPEN_DAYS_OF_INTAKE: Final = (2.0, 6.0)
OVERDUE_SHARE_OF_OPEN: Final = (0.03, 0.10)  # overdue (to accept or resolve) / open
EVER_SUSPENDED_SHARE: Final = (0.002, 0.01)  # cases suspended at least once
SUSPENDED_NOW_MAX: Final = 0.002  # cases suspended at the moment of seeding
RESUMED_WITHIN_DAYS: Final = 21
RESUMED_WITHIN_SHARE_MIN: Final = 0.80  # of resumed suspensions, resumed within 21 days
# Suspensions deliberately left running past the policy's limit (``max_suspend_days``),
# with the SLA sweep's ``review`` event, so the supervisor's review list is not empty;
# every other running suspension is younger than the limit.
LONG_SUSPENSIONS_LEFT: Final = 2
EXTENSION_SHARE: Final = (0.01, 0.05)  # of dispatched cases: an extension was asked for
ON_TIME_RANGE: Final = (0.70, 0.98)  # on-time resolution, worst and best department
MAX_DAYS_OVERDUE: Final = 14  # no open case is further past its running deadline

# --- the handling model -----------------------------------------------------------------
# Intake (the command centre): most cases are verified within the hour; some need an
# on-site check by the grid worker first, some wait for the departments to agree on who
# leads (a few of those are escalated to the level above).
REJECT_SHARE: Final = 0.035  # not a matter for the loop (rejected at verification)
MERGE_SHARE: Final = 0.02  # of cases with a same-grid, same-category case before them
MERGE_WITHIN_DAYS: Final = 3.0
VERIFY_MINUTES: Final = (25.0, 1.0)
ONSITE_CHECK_SHARE: Final = 0.07
ONSITE_CHECK_DAYS: Final = (0.3, 3.0)  # uniform
DISPATCH_MINUTES: Final = (12.0, 0.8)
COORDINATION_SHARE: Final = 0.12
COORDINATION_DAYS: Final = (0.3, 2.5)  # uniform
ESCALATED_SHARE: Final = 0.12  # of the cases waiting for coordination
# Wrong department first: returned by it (then dispatched again) or transferred by the
# command centre, a few hours after the dispatch; a few cases move twice.
MOVE_SHARES: Final = (0.03, 0.004)  # at least one move, a second move
MOVE_HOURS: Final = (3.0, 0.9)
TRANSFER_SHARE: Final = 0.4  # of moves; the others are returns
REDISPATCH_MINUTES: Final = (30.0, 0.8)
# Departments: accepting, starting, resolving. A department resolves a case on time with
# its probability below (against the deadline as moved by suspensions and extensions);
# it accepts late a third as often as it resolves late.
ACCEPT_MINUTES: Final = (25.0, 1.0)  # when accepted on time (below the accept limit)
ACCEPT_LATE_HOURS: Final = (1.5, 0.8)  # past the accept limit, when late
START_SHARE: Final = 0.75  # the others resolve straight from accepted
START_MINUTES: Final = (60.0, 1.0)
RESOLVE_SHARE_OF_WINDOW: Final = (1.4, 3.6)  # Beta(a, b) share of the time left, on time
LATE_HOURS: Final = (30.0, 1.0)
LATE_MAX_DAYS: Final = 10.0
ON_TIME: Final[Mapping[str, float]] = {
    "power": 0.98,
    "public_security": 0.95,
    "education": 0.94,
    "water": 0.93,
    "health": 0.92,
    "emergency": 0.91,
    "market_reg": 0.90,
    "transport": 0.88,
    "ecology": 0.85,
    "urban_mgmt": 0.84,
    "civil_affairs": 0.80,
    "petition": 0.78,
    "hr_social": 0.76,
    "housing": 0.70,
}
# Suspension (挂起) by the command centre while a department handles the case, for a
# reason outside it; resumed after (median 8 days), within the policy's limit.
SUSPEND_SHARE: Final = 0.005  # of dispatched cases
SUSPEND_DAYS: Final = (8.0, 0.75)
SUSPEND_MIN_HOURS: Final = 4.0
# Extension (延期): the department asks shortly before the deadline for 2 to 5 more
# working days; the command centre approves most.
EXTENSION_ASK_SHARE: Final = 0.03  # of dispatched cases
EXTENSION_ASK_HOURS_BEFORE: Final = (20.0, 0.8)
EXTENSION_WORKDAYS: Final = (2, 5)  # inclusive
EXTENSION_DECIDE_HOURS: Final = (3.0, 0.8)
EXTENSION_APPROVE_SHARE: Final = 0.75
# Closing (核查结案): the grid worker checks the result, the command centre closes.
CLOSE_HOURS: Final = (12.0, 0.8)
CLOSE_HOURS_RANGE: Final = (1.0, 120.0)
# Residents' ratings of closed hotline and public reports: about 60 % rated 2 to 48
# hours after closing. Satisfied or basic evaluates the case; dissatisfied reopens it to
# the lead department, which resolves it again a day later (its deadline stays the one
# it had, so that counts as late), and the command centre closes it the day after.
RATED_SOURCES: Final = ("hotline_12345", "public")
RATED_SHARE: Final = 0.6
RATED_AFTER_HOURS: Final = (2.0, 48.0)  # uniform
SATISFACTION: Final[Mapping[str, float]] = {
    "satisfied": 0.78,
    "basic": 0.17,
    "dissatisfied": 0.05,
}
REOPEN_RESOLVE_HOURS: Final = 24.0
REOPEN_CLOSE_HOURS: Final = 48.0
