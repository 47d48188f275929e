"""Spike warnings (突增预警, issue 16 part 3): which street has had far more incidents of one
category in the last day than that place, weekday and hour lead us to expect.

:func:`evaluate` is a system job (no principal; it reads the whole city): it counts every
street x category (``geodata/queries/spikes.py``), tests them all at once
(:mod:`governance.spike_stats`: the model and its parameters are stated there), stores the
new warnings in ``spike_warning`` with their evidence (the series' daily counts of the last
8 weeks) and announces them with ``pg_notify`` on the incidents' channel (action
``spike``), so every open wall and dispatch board in scope shows them at once
(``governance/live.py``). One process evaluates at a time (a transaction-level advisory
lock); a second run in the same hour, or while a warning of the same series still covers
an overlapping window, stores nothing. The server runs it every ``MINQING_SPIKE_SECONDS``
(:func:`maybe_run`, called from the SLA sweep's thread); ``python app.py analytics spikes``
runs it by hand.

:func:`recent` lists the current warnings of the viewer's area scope, in words, for the
wall (``WALL_VIEW``) and the dispatch board (``INCIDENT_DISPATCH``). A warning carries
counts only: no incident, no description, no person.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import numpy as np
from sqlalchemy.orm import Session

from geodata.db import ALL_AREAS, scope_within
from geodata.queries import notify
from geodata.queries import spikes as q
from governance import alerts, catalog
from governance.access import INCIDENT_DISPATCH, WALL_VIEW, Principal
from governance.errors import Forbidden, InvalidInput
from governance.filters import LOCAL_TZ, parse_instant
from governance.spike_stats import (
    ALPHA,
    HISTORY_WEEKS,
    HOURS_OF_WEEK,
    MIN_COUNT,
    MIN_RATIO,
    WINDOW_HOURS,
    Baseline,
    Tested,
    baseline,
    profile_share,
    spikes,
)
from i18n import t

log = logging.getLogger(__name__)

SPIKE_LOCK: Final = 7_302_022  # pg_try_advisory_xact_lock key
EVIDENCE_DAYS: Final = 7 * HISTORY_WEEKS  # daily counts shown with a warning
NOTIFY_IDS: Final = 400  # ids named in one notification (it must stay under 8,000 bytes)
RECENT_HOURS: Final = 24  # a warning is current while its window ended this recently
MAX_LISTED: Final = 50


@dataclass(frozen=True)
class SpikeWarning:
    """One stored warning: a street x category, its window and its test."""

    id: int
    area_code: str
    area_name: str
    category: str
    window_start: datetime
    window_end: datetime
    observed: int
    expected: float
    p: float
    q: float
    evidence: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Analysis:
    """Every series of one evaluation, tested (arrays aligned with ``series``)."""

    at: datetime
    win_start: datetime
    series: list[tuple[int, str]]  # (street id, category)
    observed: np.ndarray
    weekly: np.ndarray  # series x HISTORY_WEEKS
    base: Baseline
    tested: Tested


def window_slots(win_start: datetime, hours: int = WINDOW_HOURS) -> list[int]:
    """The local hour of the week (0: Monday 0:00) of each hour of the window."""
    out = []
    for k in range(hours):
        local = (win_start + timedelta(hours=k)).astimezone(LOCAL_TZ)
        out.append(local.weekday() * 24 + local.hour)
    return out


def analyse(s: Session, at: datetime) -> Analysis:
    """Count and test every street x category for the window ending at ``at``."""
    win_start = at - timedelta(hours=WINDOW_HOURS)
    hist_start = win_start - timedelta(weeks=HISTORY_WEEKS)
    counts, profile_rows = q.counts(s, hist_start, win_start, at)
    cats = sorted({c for _, c, _, _ in counts} | {c for c, _, _ in profile_rows})
    streets = [a for a, _, _ in q.streets(s)]
    series = [(a, c) for a in streets for c in cats]
    index = {key: k for k, key in enumerate(series)}
    observed = np.zeros(len(series), dtype=np.int64)
    weekly = np.zeros((len(series), HISTORY_WEEKS), dtype=np.int64)
    for a, c, week, n in counts:
        k = index.get((a, c))
        if k is None:
            continue
        if week < 0:
            observed[k] += n
        elif week < HISTORY_WEEKS:
            weekly[k, week] += n
    cat_ix = {c: i for i, c in enumerate(cats)}
    buckets = np.zeros((len(cats), HOURS_OF_WEEK))
    for c, how, n in profile_rows:
        buckets[cat_ix[c], how % HOURS_OF_WEEK] += n
    share = profile_share(buckets, window_slots(win_start)) if cats else np.zeros(0)
    series_cat = np.array([cat_ix[c] for _, c in series], dtype=np.int64)
    base = baseline(weekly, share[series_cat], series_cat)
    return Analysis(at, win_start, series, observed, weekly, base, spikes(observed, base))


def evidence_of(s: Session, a: Analysis, flagged: list[int]) -> dict[int, dict[str, Any]]:
    """The daily counts of the last 8 weeks (local days, the window's last day last) of
    the series ``flagged`` (indexes into ``a.series``), with the figures of their test."""
    last_day = a.at.astimezone(LOCAL_TZ).date()
    first_day = last_day - timedelta(days=EVIDENCE_DAYS - 1)
    start = datetime.combine(first_day, datetime.min.time(), LOCAL_TZ)
    wanted = [a.series[k] for k in flagged]
    daily = {k: [0] * EVIDENCE_DAYS for k in flagged}
    where = {key: k for key, k in zip(wanted, flagged, strict=True)}
    for area, cat, day, n in q.daily_counts(s, wanted, first_day, start, a.at):
        if 0 <= day < EVIDENCE_DAYS:
            daily[where[(area, cat)]][day] = n
    return {
        k: {
            "first_day": first_day.isoformat(),
            "daily": daily[k],
            "window_hours": WINDOW_HOURS,
            "level_per_week": round(float(a.base.level[k]), 4),
            "dispersion": round(float(a.base.phi[k]), 4),
            "history_weeks": HISTORY_WEEKS,
        }
        for k in flagged
    }


def _aware(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None:
        raise InvalidInput("error.time_format", name="at")
    return at.astimezone(UTC)


def evaluate(s: Session, at: datetime | None = None) -> list[SpikeWarning]:
    """One city-wide evaluation in the caller's unit of work ``s`` (a system job: no
    principal); returns the warnings it stored (none if another process is evaluating).
    They are announced to live screens when the caller's unit commits."""
    at = _aware(at)
    with scope_within(s, ALL_AREAS):
        if not q.try_lock(s, SPIKE_LOCK):
            return []
        a = analyse(s, at)
        flagged = [int(k) for k in np.flatnonzero(a.tested.spike)]
        evidence = evidence_of(s, a, flagged)
        rows = [
            {
                "area_id": a.series[k][0],
                "category_code": a.series[k][1],
                "observed": int(a.observed[k]),
                "expected": round(float(a.base.expected[k]), 4),
                "p": float(a.tested.p[k]),
                "q": float(a.tested.q[k]),
                "evidence": evidence[k],
            }
            for k in flagged
        ]
        ids = q.insert_warnings(s, rows, a.win_start, at)
        if ids:
            payload = {"action": "spike", "spikes": ids[:NOTIFY_IDS], "count": len(ids)}
            notify.incident_changed(s, json.dumps(payload))
        stored = [_warning(r) for r in q.warnings_by_id(s, ids)]
        for w in stored:  # to the subscribers of the street's spikes (and their webhooks)
            alerts.publish(
                s,
                kind="spike",
                area_code=w.area_code,
                category=w.category,
                key=f"spike:{w.id}",
                evidence=alert_evidence(w),
            )
    log.info("spike evaluation at %s: %d series, %d flagged, %d new", at, len(a.series),
             len(flagged), len(stored))  # fmt: skip
    return stored


def alert_evidence(w: SpikeWarning) -> dict[str, Any]:
    """What an alert of ``w`` carries (``governance/alerts_evidence.py``: numbers and
    times only): the counts, the test, the window and the daily counts of 8 weeks."""
    return {
        "observed": w.observed,
        "expected": round(w.expected, 4),
        "window_hours": int(w.evidence.get("window_hours", WINDOW_HOURS)),
        "baseline_days": int(w.evidence.get("history_weeks", HISTORY_WEEKS)) * 7,
        "p": w.p,
        "start": w.window_start,
        "end": w.window_end,
        "series": list(w.evidence.get("daily", [])),
    }


def _warning(r: dict[str, Any]) -> SpikeWarning:
    return SpikeWarning(
        int(r["id"]), r["area_code"], r["area_name"], r["category_code"], r["window_start"],
        r["window_end"], int(r["observed"]), float(r["expected"]), float(r["p"]),
        float(r["q"]), dict(r["evidence"]),
    )  # fmt: skip


def parse_at(raw: str | None) -> datetime | None:
    """``--at`` from outside: an ISO time or day (local if it has no offset), or None."""
    return None if raw is None else parse_instant(raw, "at")


def _may_see(principal: Principal | None) -> Principal:
    if principal is None or not (principal.can(WALL_VIEW) or principal.can(INCIDENT_DISPATCH)):
        raise Forbidden("error.forbidden")
    return principal


def recent(
    s: Session,
    principal: Principal | None,
    *,
    lang: str | None = None,
    now: datetime | None = None,
    limit: int = MAX_LISTED,
) -> list[dict[str, Any]]:
    """The current warnings (window ended in the last day) of streets inside the viewer's
    scope, the newest first (then the most significant), each in words with its evidence. For the wall
    (``WALL_VIEW``) and the dispatch board (``INCIDENT_DISPATCH``)."""
    who = _may_see(principal)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LISTED:
        raise InvalidInput("spikes.error.limit", max=MAX_LISTED)
    until = _aware(now)
    since = until - timedelta(hours=RECENT_HOURS)
    rows = q.current_warnings(s, who.scope or "", since, until, limit)
    return [_described(_warning(r), lang) for r in rows]


def _described(w: SpikeWarning, lang: str | None) -> dict[str, Any]:
    c = catalog.category(w.category)
    name = c.name(lang or "zh-CN") if c else w.category
    ratio = w.observed / w.expected if w.expected > 0 else None
    words = t(
        "spikes.words",
        lang,
        area=w.area_name,
        category=name,
        observed=w.observed,
        hours=w.evidence.get("window_hours", WINDOW_HOURS),
        expected=f"{w.expected:.1f}" if w.expected >= 0.1 else t("spikes.under", lang),
        ratio=(
            t("spikes.ratio", lang, ratio=f"{ratio:.0f}")
            if ratio is not None and ratio < 100
            else t("spikes.ratio_big", lang)
        ),
    )
    return {
        "id": w.id,
        "area_code": w.area_code,
        "area_name": w.area_name,
        "category": w.category,
        "category_name": name,
        "color": c.color if c else "#888888",
        "observed": w.observed,
        "expected": w.expected,
        "p": w.p,
        "q": w.q,
        "window_start": w.window_start.isoformat(),
        "window_end": w.window_end.isoformat(),
        "at": w.window_end.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M"),
        "words": words,
        "evidence": w.evidence,
    }


def method(lang: str | None = None) -> str:
    """The method in one sentence, for a screen's footnote."""
    return t("spikes.method", lang, weeks=HISTORY_WEEKS, alpha=f"{ALPHA:.0%}", min=MIN_COUNT,
             ratio=f"{MIN_RATIO:g}")  # fmt: skip


_last_run = 0.0
_run_lock = threading.Lock()


def maybe_run(interval_seconds: int) -> int:
    """Evaluate if ``interval_seconds`` have passed since this process last did (0:
    never); returns how many warnings were stored (0 if it failed: logged, and tried again
    next time). Called by the server's background thread (``governance/sla_sweep.py``);
    opens its own unit of work, as a job does."""
    global _last_run
    from governance.uow import unit_of_work

    if interval_seconds <= 0:
        return 0
    with _run_lock:
        if time.monotonic() - _last_run < interval_seconds and _last_run:
            return 0
        _last_run = time.monotonic()
    try:
        with unit_of_work() as s:
            return len(evaluate(s))
    except Exception:  # the next round tries again; the SLA sweep's other jobs go on
        log.warning("spike evaluation failed", exc_info=True)
        return 0
