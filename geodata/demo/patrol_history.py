"""A year of the demo city's patrol and care visits: who went, when, where they stood,
what they wrote, and which visits never happened.

Every task whose period has begun by the moment of seeding gets an outcome, drawn with a
seeded generator (the same ``seed``, ``now`` and tasks give the same rows):

* **on time** (~87 %): done on a day of its period (weekdays preferred), a bit less often
  in rural grids and for monthly visits, more often for major-risk sites (visited daily);
  each worker is a little more or less diligent than the next;
* **late** (~6 %): done one to five days after the deadline;
* **missed** (~7 %): never done (``patrol_plan.mark_missed`` marks it afterwards).

A visit of the period under way that falls after ``now`` has not happened yet (the task
stays open); so has a late one, and a checklist still in the phone's outbox. A worker's
visits of one day follow each other 10 to 80 minutes apart (45 on average), from between
08:30 and an hour that leaves room for them before 17:30. The submission is sent about a
minute after it is filled, or (6 %) half an hour to 16 hours later from the phone's
outbox. Weekends are avoided for visits of longer periods; public holidays are not
looked at.

Check-in: within 5-60 m of the target with 5-40 m accuracy; ~4 % off site (200-1,500 m
away, more in rural grids) and ~1 % with no position, each with a typed reason. The
verdict (``on_site``, ``distance_m``, ``flags``) is what ``governance/patrol_checkin.judge``
gives for the stored position, the rule's radius and the worker's previous check-in,
computed here by the same formula over arrays (the data layer may not import the
domain; ``tests/integration/test_patrol_demo.py`` checks that the two agree). The rows
are written by :mod:`geodata.demo.patrol_writes` with answers from
:mod:`geodata.demo.patrol_answers` (no photos in the history); findings and their cases
by :mod:`geodata.demo.patrol_cases`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Final

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.demo.workcal import DAY_S, LOCAL_OFFSET_S

EARTH_RADIUS_M: Final = 6_371_008.8  # as governance/patrol_checkin.py
MAX_SPEED_KMH: Final = 120.0
# outcome shares: missed and late, and how they move
MISSED: Final = 0.07
MISSED_RURAL: Final = 0.03
MISSED_MONTHLY: Final = 0.025
MISSED_MAJOR: Final = -0.04  # risk grade 4: visited daily, and seldom skipped
LATE: Final = 0.05
LATE_RURAL: Final = 0.01
WORKER_SIGMA: Final = 0.35  # lognormal spread of workers' diligence
# check-in
NO_POSITION: Final = 0.01
OFF_SITE: Final = 0.035
OFF_SITE_RURAL: Final = 0.05
ON_SITE_M: Final = (18.0, 0.6, 5.0, 60.0)  # lognormal median, sigma; clipped
OFF_SITE_M: Final = (200.0, 1500.0)  # uniform
ACCURACY_M: Final = (11.0, 0.5, 5.0, 40.0)
# sending: seconds after filling (lognormal median, sigma), or hours from the outbox
SEND_S: Final = (45.0, 0.8)
OUTBOX: Final = 0.06
OUTBOX_HOURS: Final = (0.5, 16.0)
# failed items: share of submissions with one; more at high-risk sites and persons
FAIL: Final = 0.022
FAIL_HIGH_RISK: Final = 0.02
FAIL_DAILY: Final = 0.6  # a site seen every day has less to find each time
SECOND_FAIL: Final = 0.12


@dataclass
class Tasks:
    """Column arrays of the tasks begun by ``now`` (times UTC seconds, days local)."""

    id: np.ndarray
    key: np.ndarray  # "<subject>:<target id>:<period key>": what the draws are ordered by
    site: np.ndarray  # bool: a site visit (else a care visit)
    grid_id: np.ndarray
    template_id: np.ndarray
    worker: np.ndarray
    due_day: np.ndarray
    last_day: np.ndarray
    deadline: np.ndarray
    high_risk: np.ndarray
    major: np.ndarray  # risk grade 4
    monthly: np.ndarray
    daily: np.ndarray  # a one-day period
    rural: np.ndarray
    radius: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    grid_lon: np.ndarray
    grid_lat: np.ndarray
    address: list[str | None]

    def __len__(self) -> int:
        return len(self.id)

    def take(self, sel: np.ndarray) -> Tasks:
        out = {
            k: (np.asarray(v, dtype=object)[sel].tolist() if k == "address" else v[sel])
            for k, v in vars(self).items()
        }
        return Tasks(**out)


@dataclass
class Drawn:
    """The submissions drawn for some tasks (rows of :class:`Tasks`, by ``row``)."""

    row: np.ndarray
    filled: np.ndarray
    submitted: np.ndarray
    lon: np.ndarray  # NaN: no position
    lat: np.ndarray
    accuracy: np.ndarray
    distance: np.ndarray  # unrounded
    off_site: np.ndarray
    low_accuracy: np.ndarray
    too_fast: np.ndarray
    fails: np.ndarray  # number of items to fail (0-2)
    item_u: np.ndarray  # (n, 64) uniform draws for the answers
    reason_k: np.ndarray
    outcome_counts: dict[str, int]

    def __len__(self) -> int:
        return len(self.row)


def load_tasks(session: Session, now: datetime) -> Tasks:
    """Open and missed tasks due by ``now``'s local day without a submission, with their
    assignee, target, grid and rule radius, by target and period (not by id: ids depend
    on the order the plan's generator inserted them in)."""
    rows = session.execute(
        text("""
        WITH target AS MATERIALIZED (
            SELECT 'site' AS subject, id, site_type AS kind, risk_grade AS grade FROM key_site
            UNION ALL
            SELECT 'person', id, category, care_level FROM key_person
        ), radius AS MATERIALIZED (  -- each target's rule (the most specific one)
            SELECT x.subject, x.id, r.radius_m FROM target x
            CROSS JOIN LATERAL (
                SELECT r.radius_m FROM patrol_rule r
                WHERE r.subject = x.subject AND r.kind IN (x.kind, '*')
                  AND (r.grade = x.grade OR r.grade IS NULL)
                ORDER BY (r.kind <> '*') DESC, (r.grade IS NOT NULL) DESC
                LIMIT 1) r
        )
        SELECT k.id, k.subject || ':' || coalesce(k.site_id, k.person_id) || ':' || k.period_key,
               k.subject = 'site', k.grid_id, k.template_id, k.assignee_id,
               k.due_on - DATE '1970-01-01', k.last_day - DATE '1970-01-01',
               extract(epoch FROM k.deadline)::bigint, k.high_risk,
               coalesce(s.risk_grade = 4, false), starts_with(k.period_key, 'month'),
               k.due_on = k.last_day, NOT coalesce(g.is_urban, false),
               coalesce(r.radius_m, 100),
               ST_X(coalesce(s.geom, p.geom)), ST_Y(coalesce(s.geom, p.geom)),
               ST_X(g.label_point), ST_Y(g.label_point), s.address
        FROM patrol_task k
        JOIN area g ON g.id = k.grid_id
        LEFT JOIN key_site s ON s.id = k.site_id
        LEFT JOIN key_person p ON p.id = k.person_id
        LEFT JOIN radius r ON r.subject = k.subject AND r.id = coalesce(k.site_id, k.person_id)
        WHERE k.status IN ('open', 'missed') AND k.assignee_id IS NOT NULL
          AND k.due_on <= (CAST(:now AS timestamptz) AT TIME ZONE 'Asia/Shanghai')::date
          AND NOT EXISTS (SELECT 1 FROM patrol_submission x WHERE x.task_id = k.id)
        ORDER BY k.subject, coalesce(k.site_id, k.person_id), k.due_on"""),
        {"now": now},
    ).all()
    cols = list(zip(*rows, strict=True)) if rows else [()] * 20
    i64, f64 = np.int64, np.float64

    def arr(k: int, dtype: Any) -> np.ndarray:
        return np.asarray(cols[k], dtype=dtype)

    names = [f.name for f in fields(Tasks)]
    kinds: dict[str, Any] = {"key": object, "address": None}
    for name in ("site", "high_risk", "major", "monthly", "daily", "rural"):
        kinds[name] = bool
    for name in ("lon", "lat", "grid_lon", "grid_lat"):
        kinds[name] = f64
    columns: dict[str, Any] = {
        name: list(col) if kinds.get(name, i64) is None else arr(k, kinds.get(name, i64))
        for k, (name, col) in enumerate(zip(names, cols, strict=True))
    }
    return Tasks(**columns)


def haversine(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """``governance.patrol_checkin.distance_m`` over arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def _lognormal(rng: np.random.Generator, spec: tuple[float, ...], n: int) -> np.ndarray:
    median, sigma, *clip = spec
    x = median * np.exp(sigma * rng.standard_normal(n))
    return np.clip(x, clip[0], clip[1]) if clip else x


def _weekend(day: np.ndarray) -> np.ndarray:
    return (day + 3) % 7 >= 5  # local day 0 (1970-01-01) was a Thursday


def _days(rng: np.random.Generator, t: Tasks, late: np.ndarray) -> np.ndarray:
    """The local day of each visit: a day of the period (a weekday if one of three draws
    gives one), or one to five days after it when late."""
    n = len(t)
    span = t.last_day - t.due_day + 1
    day = t.due_day + (rng.random(n) * span).astype(np.int64)
    for _ in range(2):
        again = _weekend(day) & ~t.daily
        day = np.where(again, t.due_day + (rng.random(n) * span).astype(np.int64), day)
    after = np.minimum(rng.geometric(0.45, n), 5)
    return np.where(late, t.last_day + after, day)


def _times_of_day(rng: np.random.Generator, worker: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Seconds after local midnight: a worker's visits of one day in a random order, 45
    minutes apart (plus up to 35), the first between 08:30 and whenever leaves room for
    the others before 17:30."""
    n = len(day)
    order = np.lexsort((rng.random(n), day, worker))
    w, d = worker[order], day[order]
    first = np.ones(n, dtype=bool)
    first[1:] = (w[1:] != w[:-1]) | (d[1:] != d[:-1])
    group = np.cumsum(first) - 1
    start = np.flatnonzero(first)
    size = np.diff(np.append(start, n))
    room = np.maximum(9 * 3600 - (size - 1) * 2700, 0)
    begin = 8.5 * 3600 + rng.random(len(start)) * room
    tod = np.empty(n, dtype=np.int64)
    tod[order] = begin[group] + (np.arange(n) - start[group]) * 2700 + rng.integers(0, 2100, n)
    return np.minimum(tod, 23 * 3600 + 59 * 60)


def _offsets(
    rng: np.random.Generator, lon: np.ndarray, lat: np.ndarray, metres: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Points ``metres`` from (lon, lat) in random directions, to 6 decimals (~0.1 m)."""
    bearing = rng.uniform(0, 2 * np.pi, len(lon))
    dlat = np.degrees(metres * np.cos(bearing) / EARTH_RADIUS_M)
    dlon = np.degrees(metres * np.sin(bearing) / (EARTH_RADIUS_M * np.cos(np.radians(lat))))
    return np.round(lon + dlon, 6), np.round(lat + dlat, 6)


def too_fast(
    worker: np.ndarray, filled: np.ndarray, ids: np.ndarray, lon: np.ndarray, lat: np.ndarray
) -> np.ndarray:
    """``too_fast`` of each check-in against the worker's previous one with a position
    (by ``filled``, then ``ids``), as ``governance.patrol_checkin.judge`` decides it."""
    n = len(worker)
    out = np.zeros(n, dtype=bool)
    has = np.flatnonzero(~np.isnan(lon))
    order = has[np.lexsort((ids[has], filled[has], worker[has]))]
    if len(order) < 2:
        return out
    cur, prev = order[1:], order[:-1]
    same = worker[cur] == worker[prev]
    hours = np.abs(filled[cur] - filled[prev]) / 3600
    moved_km = haversine(lon[cur], lat[cur], lon[prev], lat[prev]) / 1000
    with np.errstate(divide="ignore", invalid="ignore"):
        fast = (moved_km > 1) & ((hours == 0) | (moved_km / hours > MAX_SPEED_KMH))
    out[cur[same & fast]] = True
    return out


def draw(rng: np.random.Generator, t: Tasks, now_s: int) -> Drawn:
    """The outcome of every task of ``t`` and the submissions of those done by ``now_s``."""
    n = len(t)
    diligence = np.exp(WORKER_SIGMA * rng.standard_normal(int(t.worker.max(initial=0)) + 1))
    diligence /= np.exp(WORKER_SIGMA**2 / 2)  # mean one
    p_miss = MISSED + MISSED_RURAL * t.rural + MISSED_MONTHLY * t.monthly + MISSED_MAJOR * t.major
    p_miss = np.clip(p_miss * diligence[t.worker], 0.005, 0.4)
    p_late = LATE + LATE_RURAL * t.rural
    u = rng.random(n)
    missed, late = u < p_miss, (u >= p_miss) & (u < p_miss + p_late)
    day = _days(rng, t, late)
    filled = day * DAY_S - LOCAL_OFFSET_S + _times_of_day(rng, t.worker, day)
    send = np.clip(_lognormal(rng, SEND_S, n), 5, 900)
    outbox = rng.random(n) < OUTBOX
    sent = filled + np.rint(np.where(outbox, rng.uniform(*OUTBOX_HOURS, n) * 3600, send))
    done = ~missed & (sent.astype(np.int64) <= now_s)  # still on the phone: not done yet
    ended = t.deadline <= now_s
    counts = {
        "on_time": int((done & ~late).sum()),
        "late": int((done & late).sum()),
        "missed": int((ended & ~done).sum()),
        "open": int((~ended & ~done).sum()),
    }
    row = np.flatnonzero(done)
    k = len(row)
    filled, submitted = filled[row], sent[row].astype(np.int64)
    # where the worker stood
    v = rng.random(k)
    rural = t.rural[row]
    nopos = v < NO_POSITION
    off = ~nopos & (v < NO_POSITION + np.where(rural, OFF_SITE_RURAL, OFF_SITE))
    metres = np.where(off, rng.uniform(*OFF_SITE_M, k), _lognormal(rng, ON_SITE_M, k))
    lon, lat = _offsets(rng, t.lon[row], t.lat[row], metres)
    accuracy = np.round(_lognormal(rng, ACCURACY_M, k), 1)
    lon[nopos], lat[nopos], accuracy[nopos] = np.nan, np.nan, np.nan
    distance = haversine(lon, lat, t.lon[row], t.lat[row])
    radius = t.radius[row]
    with np.errstate(invalid="ignore"):
        off_site = ~nopos & (distance > radius)
        low_accuracy = ~nopos & (accuracy > radius)
    # what was found
    p_fail = (FAIL + FAIL_HIGH_RISK * t.high_risk[row]) * np.where(t.daily[row], FAIL_DAILY, 1.0)
    fails = (rng.random(k) < p_fail).astype(np.int64)
    fails += fails * (rng.random(k) < SECOND_FAIL)
    return Drawn(
        row=row,
        filled=filled,
        submitted=submitted,
        lon=lon,
        lat=lat,
        accuracy=accuracy,
        distance=distance,
        off_site=off_site,
        low_accuracy=low_accuracy,
        too_fast=np.zeros(k, dtype=bool),  # set once ids are known (write_submissions)
        fails=fails,
        item_u=rng.random((k, 64)),
        reason_k=rng.integers(0, 1 << 30, k),
        outcome_counts=counts,
    )
