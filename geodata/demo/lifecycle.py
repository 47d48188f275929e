"""Each demo case's whole path through the closed loop, drawn in arrays.

A path is the time of every step the case will take (``NEVER`` for a step it does not
take), drawn from the handling model of :mod:`geodata.demo.backlog` and the loop's own
rules (:mod:`geodata.demo.workcal`: deadlines on the working calendar, suspensions that
move them by the working time suspended). Paths run past the moment of seeding;
:mod:`geodata.demo.timeline` cuts them there. Drawing the path first and cutting it
second is what keeps every step the app would have taken, in order, and none after now.

Every step is at least a minute after the one before it, so a case's steps are ordered
by time alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from geodata.demo import backlog as m
from geodata.demo.catalog import LEAF_CODES
from geodata.demo.workcal import DAY_S, LOCAL_OFFSET_S, Rules, WorkCalendar

NEVER = np.int64(2**60)  # a step not on the case's path
MAX_MOVES = 2
_MIN_STEP_S = 60
RATINGS = tuple(m.SATISFACTION)  # a rating is an index into these
REOPEN_S = (int(m.REOPEN_RESOLVE_HOURS * 3600), int(m.REOPEN_CLOSE_HOURS * 3600))


@dataclass
class Paths:
    """Column arrays of the paths of ``len(ids)`` cases (times in UTC seconds)."""

    ids: np.ndarray
    rejected: np.ndarray  # bool: rejected at triage
    merged_into: np.ndarray  # incident id the case was merged into at triage, or -1
    t_triage: np.ndarray  # reject / merge
    verify_onsite: np.ndarray  # bool: verified on the spot by the grid worker
    t_verify: np.ndarray
    t_escalate: np.ndarray
    moves: np.ndarray  # number of wrong departments before the right one (0..2)
    move_transfer: np.ndarray  # (n, MAX_MOVES) bool: the command centre transferred it
    t_move: np.ndarray  # (n, MAX_MOVES) the return or transfer
    t_leg: np.ndarray  # (n, MAX_MOVES + 1) each dispatch (a transfer is its own leg's)
    lead_leg: np.ndarray  # (n, MAX_MOVES + 1) lead department id of each leg
    route: np.ndarray  # the routing suggestion (index into rules.routing.routes)
    acc_due_leg: np.ndarray  # (n, MAX_MOVES + 1) deadlines each dispatch set
    res_due_leg: np.ndarray
    t_accept: np.ndarray
    t_start: np.ndarray
    t_suspend: np.ndarray
    suspend_until: np.ndarray  # the expected end given when suspending
    t_review: np.ndarray  # the SLA sweep's review of a suspension past the limit
    max_suspend_days: np.ndarray
    t_resume: np.ndarray
    res_due_resumed: np.ndarray  # resolve-by as the resume moved it (the case was
    # accepted before it was suspended: its accept-by is history and does not move)
    paused_s: np.ndarray  # working seconds suspended
    t_ask: np.ndarray  # extension asked for
    ask_until: np.ndarray
    t_decide: np.ndarray
    approved: np.ndarray  # bool
    t_resolve: np.ndarray
    t_close: np.ndarray
    t_rate: np.ndarray
    rating: np.ndarray  # index into RATINGS
    t_resolve_again: np.ndarray  # after a dissatisfied rating reopened it
    t_close_again: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def _lognormal(rng: np.random.Generator, spec: tuple[float, float], n: int) -> np.ndarray:
    median, sigma = spec
    return median * np.exp(sigma * rng.standard_normal(n))


def _seconds(x: np.ndarray) -> np.ndarray:
    return np.maximum(np.rint(x), _MIN_STEP_S).astype(np.int64)


def _uniform_days(rng: np.random.Generator, span: tuple[float, float], n: int) -> np.ndarray:
    return rng.uniform(span[0], span[1], n) * DAY_S


def _merge_targets(
    rng: np.random.Generator, ids: np.ndarray, reported: np.ndarray, leaves: np.ndarray,
    grids: np.ndarray, rejected: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Row index each merged case is merged into (-1: not merged): the case reported
    just before it in the same grid and category within MERGE_WITHIN_DAYS; chains end at
    the first case, which is never itself merged or rejected."""
    n = len(ids)
    order = np.lexsort((ids, reported, leaves, grids))
    prev = np.full(n, -1, dtype=np.int64)
    same = (
        (grids[order][1:] == grids[order][:-1])
        & (leaves[order][1:] == leaves[order][:-1])
        & (reported[order][1:] - reported[order][:-1] <= m.MERGE_WITHIN_DAYS * DAY_S)
    )
    prev[order[1:][same]] = order[:-1][same]
    eligible = (prev >= 0) & ~rejected & ~rejected[np.maximum(prev, 0)]
    chance = min(1.0, m.MERGE_SHARE * n / max(int(eligible.sum()), 1))
    merged = eligible & (rng.random(n) < chance)
    target = np.where(merged, prev, -1)
    while True:  # a target that is merged itself: follow it to the first case
        hop = merged & (target >= 0) & merged[np.maximum(target, 0)]
        if not hop.any():
            return target
        target[hop] = target[target[hop]]


def _wrong_departments(rng: np.random.Generator, pool: np.ndarray, right: np.ndarray) -> np.ndarray:
    """(n, MAX_MOVES) departments dispatched to by mistake: each unlike the right one
    and the one before it."""
    n = len(right)
    out = np.empty((n, MAX_MOVES), dtype=np.int64)
    avoid = [right]
    for k in range(MAX_MOVES):
        pick = rng.integers(0, len(pool), n)
        for _ in range(len(avoid)):  # step past departments to avoid (pool has > 2)
            clash = np.zeros(n, dtype=bool)
            for a in avoid:
                clash |= pool[pick] == a
            pick = np.where(clash, (pick + 1) % len(pool), pick)
        out[:, k] = pool[pick]
        avoid.append(out[:, k])
    return out


def simulate(
    rng: np.random.Generator,
    *,
    ids: np.ndarray,
    reported: np.ndarray,
    sources: list[str],
    leaves: np.ndarray,
    priority: np.ndarray,
    grid_ids: np.ndarray,
    rules: Rules,
    cal: WorkCalendar,
    now: int,
    leaf_codes: Sequence[str] | None = None,
    long_suspensions: int = m.LONG_SUSPENSIONS_LEFT,
) -> Paths:
    """The paths of the cases ``ids`` reported at ``reported`` (UTC seconds);
    ``leaves`` index ``leaf_codes`` (default :data:`LEAF_CODES`; the patrol history's
    findings add the care categories, and ``rules`` must be loaded for the same list);
    ``long_suspensions``: how many suspensions are left running past the policy's limit."""
    n = len(ids)
    routes = rules.routing.routes
    grid_codes = np.array([rules.grid_codes[int(g)] for g in grid_ids], dtype=object)
    route = rules.routing.route(list(leaf_codes or LEAF_CODES), leaves, grid_codes)
    right = np.array([r[0] for r in routes], dtype=np.int64)[route]
    codes = rules.department_ids
    by_id = {i: c for c, i in codes.items()}
    p_on_time = np.array([m.ON_TIME.get(by_id[int(d)], 0.85) for d in right])
    acc_h = rules.accept_hours[leaves, priority] * 3600
    res_wd = rules.resolve_workdays[leaves, priority]
    limit_s = rules.max_suspend_days[leaves, priority] * DAY_S

    # triage: rejected, merged into an earlier report, or verified
    rejected = rng.random(n) < m.REJECT_SHARE
    target = _merge_targets(rng, ids, reported, leaves, grid_ids, rejected)
    merged = target >= 0
    handled = ~rejected & ~merged
    onsite = rng.random(n) < m.ONSITE_CHECK_SHARE
    wait = np.where(
        onsite,
        _uniform_days(rng, m.ONSITE_CHECK_DAYS, n),
        _lognormal(rng, m.VERIFY_MINUTES, n) * 60,
    )
    t_check = reported + _seconds(wait)
    # waiting for the departments to agree (a few escalated meanwhile), then dispatch
    coord = rng.random(n) < m.COORDINATION_SHARE
    dwait = np.where(
        coord,
        _uniform_days(rng, m.COORDINATION_DAYS, n),
        _lognormal(rng, m.DISPATCH_MINUTES, n) * 60,
    )
    escalated = coord & (rng.random(n) < m.ESCALATED_SHARE)
    t_escalate = t_check + _seconds(dwait * rng.uniform(0.1, 0.5, n))

    # dispatch legs: wrong departments first for a few, returned or transferred
    u = rng.random(n)
    moves = (u < m.MOVE_SHARES[0]).astype(np.int64) + (u < m.MOVE_SHARES[1])
    pool = np.unique(right)
    wrong = _wrong_departments(rng, pool, right) if len(pool) > MAX_MOVES else None
    if wrong is None:
        moves[:] = 0
        wrong = np.zeros((n, MAX_MOVES), dtype=np.int64)
    t_leg = np.full((n, MAX_MOVES + 1), NEVER, dtype=np.int64)
    t_move = np.full((n, MAX_MOVES), NEVER, dtype=np.int64)
    transfer = rng.random((n, MAX_MOVES)) < m.TRANSFER_SHARE
    t_leg[:, 0] = t_check + _seconds(dwait)
    for k in range(MAX_MOVES):
        has = moves > k
        moved = t_leg[:, k] + _seconds(_lognormal(rng, m.MOVE_HOURS, n) * 3600)
        redispatch = moved + _seconds(_lognormal(rng, m.REDISPATCH_MINUTES, n) * 60)
        t_move[has, k] = moved[has]
        t_leg[has, k + 1] = np.where(transfer[has, k], moved[has], redispatch[has])
    lead_leg = np.concatenate([wrong, right[:, None]], axis=1)
    lead_leg[np.arange(n), moves] = right
    acc_due_leg = np.full_like(t_leg, NEVER)
    res_due_leg = np.full_like(t_leg, NEVER)
    for k in range(MAX_MOVES + 1):
        has = t_leg[:, k] < NEVER
        acc_due_leg[has, k] = t_leg[has, k] + acc_h[has]
        res_due_leg[has, k] = cal.add_workdays(t_leg[has, k], res_wd[has])
    last = np.arange(n), moves
    t_dispatch, res_due = t_leg[last], res_due_leg[last]

    # the lead department accepts (late a third as often as it resolves late), starts
    late_accept = rng.random(n) < (1 - p_on_time) / 3
    on_time_accept = np.minimum(_lognormal(rng, m.ACCEPT_MINUTES, n) * 60, 0.95 * acc_h)
    late_by = _lognormal(rng, m.ACCEPT_LATE_HOURS, n) * 3600
    t_accept = t_dispatch + _seconds(np.where(late_accept, acc_h + late_by, on_time_accept))
    started = rng.random(n) < m.START_SHARE
    t_start = np.where(
        started, t_accept + _seconds(_lognormal(rng, m.START_MINUTES, n) * 60), NEVER
    )
    t_work = np.where(started, t_start, t_accept)

    # suspension: within the policy's limit, but for a few left running past it
    suspended = rng.random(n) < m.SUSPEND_SHARE
    window = np.maximum(res_due - t_work, 3600)
    t_suspend = t_work + _seconds(np.maximum(window * rng.uniform(0.05, 0.6, n), 1800))
    span = np.clip(
        _lognormal(rng, m.SUSPEND_DAYS, n) * DAY_S, m.SUSPEND_MIN_HOURS * 3600, limit_s - DAY_S
    )
    t_resume = t_suspend + _seconds(span)
    long_ = np.zeros(n, dtype=bool)
    late_start = handled & suspended & (t_suspend + limit_s <= now)
    late_start &= t_suspend + limit_s + 25 * DAY_S > now
    pick = np.flatnonzero(late_start)
    if len(pick):
        chosen = rng.choice(pick, size=min(long_suspensions, len(pick)), replace=False)
        long_[chosen] = True
    t_resume[long_] = NEVER
    t_review = np.where(long_, t_suspend + limit_s, NEVER)
    until = np.minimum(
        np.where(long_, t_suspend + limit_s, _next_midnight(t_resume)), t_suspend + limit_s
    )
    sel = np.flatnonzero(suspended & ~long_ & handled)
    paused = np.zeros(n, dtype=np.int64)
    paused[sel] = cal.working_seconds(t_suspend[sel], t_resume[sel])
    res_due_r = res_due.copy()
    res_due_r[sel] = cal.add_working_seconds(res_due[sel], paused[sel])
    t_free = np.where(suspended, t_resume, t_work)

    # extension: asked for shortly before the deadline, decided within hours
    ask = rng.random(n) < m.EXTENSION_ASK_SHARE
    t_ask = res_due_r - _seconds(_lognormal(rng, m.EXTENSION_ASK_HOURS_BEFORE, n) * 3600)
    ask &= ~long_ & (t_ask > t_free + 600)
    lo, hi = m.EXTENSION_WORKDAYS
    extra = rng.integers(lo, hi + 1, n)
    ask_until = np.full(n, NEVER, dtype=np.int64)
    sel = np.flatnonzero(ask & handled)
    ask_until[sel] = cal.add_workdays(res_due_r[sel] - 1, extra[sel])
    t_decide = t_ask + _seconds(_lognormal(rng, m.EXTENSION_DECIDE_HOURS, n) * 3600)
    approved = ask & (rng.random(n) < m.EXTENSION_APPROVE_SHARE)
    due = np.where(approved, ask_until, res_due_r)
    t_last = np.where(ask, t_decide, t_free)

    # resolution: on time with the department's probability, else some hours late
    on_time = rng.random(n) < p_on_time
    room = due - t_last
    share = rng.beta(*m.RESOLVE_SHARE_OF_WINDOW, n)
    early = t_last + np.clip(np.rint(share * room), _MIN_STEP_S, None).astype(np.int64)
    late_by = np.minimum(_lognormal(rng, m.LATE_HOURS, n) * 3600, m.LATE_MAX_DAYS * DAY_S)
    overdue = np.maximum(due, t_last) + _seconds(late_by)
    t_resolve = np.where(on_time & (room > 600), early, overdue)
    lo_h, hi_h = m.CLOSE_HOURS_RANGE
    t_close = t_resolve + _seconds(np.clip(_lognormal(rng, m.CLOSE_HOURS, n), lo_h, hi_h) * 3600)

    # residents' ratings of closed hotline and public reports
    rated = np.isin(np.asarray(sources), m.RATED_SOURCES) & (rng.random(n) < m.RATED_SHARE)
    t_rate = t_close + _seconds(rng.uniform(*m.RATED_AFTER_HOURS, n) * 3600)
    rating = rng.choice(len(RATINGS), size=n, p=list(m.SATISFACTION.values()))
    reopened = rated & (rating == RATINGS.index("dissatisfied"))

    def on(path: np.ndarray, when: np.ndarray) -> np.ndarray:
        return np.where(when & handled, path, NEVER)

    after = handled & ~long_  # steps after a suspension left running do not happen
    return Paths(
        ids=ids,
        rejected=rejected,
        merged_into=np.where(merged, ids[np.maximum(target, 0)], -1),
        t_triage=np.where(handled, NEVER, t_check),
        verify_onsite=onsite,
        t_verify=on(t_check, handled),
        t_escalate=on(t_escalate, escalated),
        moves=moves,
        move_transfer=transfer,
        t_move=np.where(handled[:, None], t_move, NEVER),
        t_leg=np.where(handled[:, None], t_leg, NEVER),
        lead_leg=lead_leg,
        route=route,
        acc_due_leg=acc_due_leg,
        res_due_leg=res_due_leg,
        t_accept=on(t_accept, handled),
        t_start=on(t_start, handled),
        t_suspend=on(t_suspend, suspended),
        suspend_until=until,
        t_review=on(t_review, long_),
        max_suspend_days=rules.max_suspend_days[leaves, priority],
        t_resume=on(t_resume, suspended & after),
        res_due_resumed=res_due_r,
        paused_s=paused,
        t_ask=on(t_ask, ask & after),
        ask_until=ask_until,
        t_decide=on(t_decide, ask & after),
        approved=approved,
        t_resolve=on(t_resolve, after),
        t_close=on(t_close, after),
        t_rate=on(t_rate, rated & after),
        rating=rating,
        t_resolve_again=on(t_rate + REOPEN_S[0], reopened & after),
        t_close_again=on(t_rate + REOPEN_S[1], reopened & after),
    )


def _next_midnight(t: np.ndarray) -> np.ndarray:
    """Local midnight after ``t`` (``t`` itself when it is one)."""
    return -(-(t + LOCAL_OFFSET_S) // DAY_S) * DAY_S - LOCAL_OFFSET_S
