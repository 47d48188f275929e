"""Aggregates for the wall screen's KPI tiles and top lists: counts only, never a row.

Each query takes the area scope as a code prefix (None: the whole city) and the time
bounds from the caller, so the service (``governance/wall.py``) decides what "today" and
"the same time yesterday" mean. What counts as received, open, awaiting, handled and
overdue is the one definition of ``geodata/queries/case_state.py``. Open counts at an
instant in the past are reconstructed from the closed loop's timeline
(``incident_event``), see :func:`open_counts_at`.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries import case_state as cs
from geodata.queries import hour_counts as hc
from geodata.queries import kept
from geodata.queries import open_counts as oc
from geodata.queries.layers import scope_filter

HOUR: Final = timedelta(hours=1)
MARK: Final = timedelta(minutes=10)  # the instants whose past open counts are kept


@dataclass(frozen=True)
class Bounds:
    """The instants the KPIs compare (all timezone-aware)."""

    now: datetime
    midnight: datetime  # start of today (local)
    day_ago: datetime  # now - 24 h: "the same time yesterday"
    yesterday_midnight: datetime


def window_counts(
    session: Session, b: Bounds, scope: str | None, kept: bool = True
) -> dict[str, float | None]:
    """Today so far against yesterday up to the same time.

    * ``today`` / ``today_prev``: cases received (``reported_at``) in ``[midnight, now)``
      and, like for like, in ``[yesterday midnight, now - 24 h)`` (a report that arrived
      later than that moment is not "the same time yesterday"); merged duplicates and
      rejected reports are not cases;
    * ``resolved`` / ``on_time`` (and ``*_prev``): incidents whose ``resolved_at`` lies in
      the window, and how many of them by their ``resolve_due_at``;
    * ``ratings`` / ``score_sum`` (and ``*_prev``): residents' ratings given in the window
      and the sum of their scores (satisfied 100, basic 60, dissatisfied 0).

    The received and resolved counts come from the counters per street x hour the writers
    keep (``geodata/queries/hour_counts.py``, migration 0033) for the windows' whole
    hours, the rest from the cases (``kept=False``: all from the cases, for a check): at
    10M incidents the four windows' cases (~70,000) took 17-27 ms to count."""
    windows = {
        "": (b.midnight, b.now),
        "_prev": (b.yesterday_midnight, b.day_ago),
    }
    got = hc.counts(session, windows, scope, kept=kept)
    where, params = scope_filter(scope)
    # the rated case is read only for the area scope (at 10M, 11,000 probes: 15 ms)
    rated = "JOIN incident i ON i.id = f.incident_id" if where else ""
    sql = f"""
        SELECT count(*) FILTER (WHERE f.at >= :a) AS ratings,
               sum(s.score) FILTER (WHERE f.at >= :a) AS score_sum,
               count(*) FILTER (WHERE f.at < :pb) AS ratings_prev,
               sum(s.score) FILTER (WHERE f.at < :pb) AS score_sum_prev
        FROM incident_feedback f {rated}
        JOIN (VALUES ('satisfied', 100), ('basic', 60), ('dissatisfied', 0))
             AS s(rating, score) ON s.rating = f.rating
        WHERE ((f.at >= :a AND f.at < :b) OR (f.at >= :pa AND f.at < :pb)) {where}
    """
    row = (
        session.execute(
            text(sql),
            {"a": b.midnight, "b": b.now, "pa": b.yesterday_midnight, "pb": b.day_ago, **params},
        )
        .mappings()
        .one()
    )
    out: dict[str, float | None] = {k: None if v is None else float(v) for k, v in row.items()}
    for suffix, counted in got.items():
        out[f"today{suffix}"] = float(counted["received"])
        out[f"resolved{suffix}"] = float(counted["resolved"])
        out[f"on_time{suffix}"] = float(counted["on_time"])
    return out


def _open_counts(st: str, acc: str, res: str, at: str = ":at") -> str:
    """awaiting, handling (clock running), suspended and overdue at ``at``, by the one
    definition."""
    return f"""
        SELECT count(*) FILTER (WHERE {cs.waiting(st)}) AS awaiting,
               count(*) FILTER (WHERE {cs.handling(st)}) AS handling,
               count(*) FILTER (WHERE {st} = 'suspended') AS suspended,
               count(*) FILTER (WHERE {cs.overdue(st, acc, res, at)}) AS overdue
    """


@dataclass(frozen=True)
class OpenGroup:
    """The open cases of one status and lead department (names None: none), overdue at
    the instant asked or not."""

    status: str
    department_id: int | None
    name_zh: str | None
    name_en: str | None
    overdue: bool
    n: int


def open_cases(
    session: Session, at: datetime, scope: str | None, counters: bool = True
) -> list[OpenGroup]:
    """The open cases at ``at`` (now) by status, lead department and overdue, for the
    KPIs' counts (:func:`open_counts`) and the handoff's statuses and departments.

    For the city, a county or a street: the counters the writers keep
    (``geodata/queries/open_counts.py``, migration 0032), and the overdue ones (a clock
    run out at ``at``: a few thousand at 10M) from ``ix_incident_open``. Reading every
    open case instead took 7 ms at 1M and 40 ms at 10M (~107k cases). A community or a
    grid reads its few open cases (``counters=False``: every scope does, for a check)."""
    where, params = scope_filter(scope)
    overdue = cs.overdue("i.status", "i.accept_due_at", "i.resolve_due_at", ":at")
    if counters and oc.serves(scope):
        late_accept = cs.overdue_accept("i.status", "i.accept_due_at", ":at")
        late_resolve = cs.overdue_resolve("i.status", "i.resolve_due_at", ":at")
        sql = f"""
            WITH c AS ({oc.counts_sql(bool(scope))}),
            od AS (  -- each clock apart (dispatched / resolving: disjoint statuses), so
                     -- that each is an index range, not a filter over every open case
                SELECT o.status, o.dept, count(*) AS n
                FROM (SELECT i.status, coalesce(i.lead_department_id, 0) AS dept
                      FROM incident i WHERE {late_accept} {where}
                      UNION ALL
                      SELECT i.status, coalesce(i.lead_department_id, 0)
                      FROM incident i WHERE {late_resolve} {where}) o
                GROUP BY 1, 2
            ),
            g AS (
                SELECT c.status, c.dept, false AS overdue, c.n - coalesce(od.n, 0) AS n
                FROM c LEFT JOIN od ON (od.status, od.dept) = (c.status, c.dept)
                UNION ALL
                SELECT od.status, od.dept, true, od.n FROM od
            )
            SELECT g.status, nullif(g.dept, 0) AS dept, d.name_zh, d.name_en, g.overdue, g.n
            FROM g LEFT JOIN department d ON d.id = g.dept
            WHERE g.n <> 0
            ORDER BY g.status, 2, g.overdue
        """
    else:
        sql = f"""
            WITH g AS (
                SELECT i.status, i.lead_department_id AS dept,
                       coalesce({overdue}, false) AS overdue, count(*) AS n
                FROM incident i
                WHERE {cs.is_open()} {where}
                GROUP BY 1, 2, 3
            )
            SELECT g.status, g.dept, d.name_zh, d.name_en, g.overdue, g.n
            FROM g LEFT JOIN department d ON d.id = g.dept
            ORDER BY g.status, g.dept, g.overdue
        """
    rows = session.execute(text(sql), {"at": at, **params})
    return [
        OpenGroup(str(st), None if d is None else int(d), zh, en, bool(od), int(n))
        for st, d, zh, en, od, n in rows
    ]


def open_counts(groups: list[OpenGroup]) -> dict[str, int]:
    """``awaiting``, ``handling``, ``suspended`` and ``overdue`` of :func:`open_cases`."""
    return {
        "awaiting": sum(g.n for g in groups if g.status in cs.WAITING),
        "handling": sum(g.n for g in groups if g.status in cs.HANDLING),
        "suspended": sum(g.n for g in groups if g.status == "suspended"),
        "overdue": sum(g.n for g in groups if g.overdue),
    }


def open_counts_now(session: Session, at: datetime, scope: str | None) -> dict[str, int]:
    """``awaiting``, ``handling``, ``suspended`` and ``overdue`` cases now."""
    return open_counts(open_cases(session, at, scope))


# The open counts at a past instant T are those of the mark H nearest to it, kept once
# computed, moved to T (see open_counts_at).
CHECKPOINT_KIND: Final = "open_counts_hour"
CHECKPOINT_KEEP_DAYS: Final = 2  # the wall looks one day back
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_US: Final = timedelta(microseconds=1)
_KEYS: Final = ("awaiting", "handling", "suspended", "overdue")


@dataclass(frozen=True)
class Checkpoint:
    """The open counts at the start of an hour, and the running deadlines of the cases
    whose clock ran then and ends within an hour of it, before or after (microseconds
    since 1970, sorted): each of them is overdue from its deadline on unless it changed
    in between."""

    counts: dict[str, int]
    dues: tuple[int, ...]

    def dump(self) -> dict[str, Any]:
        return {"counts": self.counts, "dues": list(self.dues)}

    @classmethod
    def load(cls, raw: Any) -> Checkpoint:
        counts = {k: int(raw["counts"][k]) for k in _KEYS}
        dues = tuple(int(d) for d in raw["dues"])
        if list(dues) != sorted(dues):
            raise ValueError("deadlines out of order")
        return cls(counts, dues)


def _micros(t: datetime) -> int:
    return (t - _EPOCH) // _US


def checkpoint(session: Session, hour: datetime, scope: str | None) -> Checkpoint:
    """The open counts at ``hour`` rebuilt from the timeline (``case_state.states_at``),
    with the deadlines within an hour of it of the cases whose clock ran."""
    where, params = scope_filter(scope)
    due = cs.running_due("s.status", "s.accept_due", "s.resolve_due")
    sql = f"""
        WITH s AS ({cs.states_at(":h", where, open_only=True)})
        {_open_counts("s.status", "s.accept_due", "s.resolve_due", ":h")},
        array_agg((extract(epoch FROM {due}) * 1000000)::bigint ORDER BY {due})
            FILTER (WHERE {due} >= :h_start AND {due} < :h_end) AS dues
        FROM s
        WHERE {cs.is_open("s.status")}
    """
    row = (
        session.execute(
            text(sql), {"h": hour, "h_start": hour - HOUR, "h_end": hour + HOUR, **params}
        )
        .mappings()
        .one()
    )
    return Checkpoint({k: int(row[k]) for k in _KEYS}, tuple(int(d) for d in row["dues"] or ()))


def _kept_checkpoint(session: Session, hour: datetime, scope: str | None) -> Checkpoint:
    """The checkpoint of mark ``hour`` for ``scope``: kept, or rebuilt and kept."""
    return kept.through(
        session,
        CHECKPOINT_KIND,
        scope or "",
        (kept.ALL_BEFORE, hour),
        "v2",
        lambda: checkpoint(session, hour, scope),
        Checkpoint.dump,
        Checkpoint.load,
        keep_days=CHECKPOINT_KEEP_DAYS,
    )


def keep_marks_ahead(session: Session, now: datetime, ahead: int = 2) -> int:
    """Rebuild and keep, before a wall asks, the marks its "yesterday at this time" will
    want next: for every scope a wall read a mark of within the last day, the marks from
    the one nearest to ``now - 24 h`` to ``ahead`` marks after it (all long past, so they
    can be kept now). Without this the first refresh after each mark paid its rebuild
    (0.5 s for the city at 10M) every ten minutes. Returns the marks rebuilt."""
    day_ago = now.astimezone(UTC) - timedelta(days=1)
    floor = day_ago - (day_ago - _EPOCH) % MARK
    marks = [floor + k * MARK for k in range(ahead + 1)]
    scopes = session.execute(
        text("""SELECT DISTINCT scope FROM kept_figure
                 WHERE kind = :kind AND period_end >= :since ORDER BY 1"""),
        {"kind": CHECKPOINT_KIND, "since": floor - timedelta(days=1)},
    ).scalars()
    built = 0
    for scope in list(scopes):
        for hour in marks:
            had = kept.get_json(
                session, CHECKPOINT_KIND, scope, kept.ALL_BEFORE, hour, "v2", Checkpoint.load
            )
            if had is None:
                _kept_checkpoint(session, hour, scope or None)
                built += 1
    return built


def open_counts_at(session: Session, at: datetime, scope: str | None) -> dict[str, int]:
    """The same counts as they stood at ``at`` (past), exactly as a rebuild from the
    timeline (``case_state.states_at``) gives them, read in a time that does not grow
    with the day's changes, from the mark ``H`` nearest to ``at`` (marks every
    :data:`MARK` minutes; the next one only when it is over):

    * the counts at ``H`` (:func:`checkpoint`, rebuilt once and kept:
      ``geodata/queries/kept.py``, period ``[1900, H)``, so history loaded later for any
      time before ``H`` drops it);
    * moved to ``at``'s clock: the clocks that ran out between ``H`` and ``at`` are
      overdue at ``at`` (``H`` before ``at``) or not yet (``H`` after), from the
      checkpoint's deadlines;
    * for the cases received or changed between ``H`` and ``at`` only (at most half a
      mark of the timeline, five minutes), where each stood at ``at`` less where it
      stood at ``H``, both counted against ``at``'s clock.

    A mark's rebuild (0.5 s for the city at 10M) is paid once per mark and scope, by the
    sweep ahead of the walls (:func:`keep_marks_ahead`) or else by the first refresh that
    needs it; hourly marks left up to half an hour to replay, at 10M about 2,900 cases and
    55 ms on every refresh.
    """
    floor = at.astimezone(UTC) - (at - _EPOCH) % MARK
    hour = floor + MARK if at - floor > MARK / 2 and floor + MARK <= datetime.now(UTC) else floor
    cp = _kept_checkpoint(session, hour, scope)
    out = dict(cp.counts)
    ran_out = bisect_left(cp.dues, _micros(at)) - bisect_left(cp.dues, _micros(hour))
    out["overdue"] += ran_out  # negative when the hour is after ``at``
    if at == hour:
        return out
    where, params = scope_filter(scope)
    span = {"a": min(at, hour), "b": max(at, hour), **params}
    ids = [
        int(i)
        for (i,) in session.execute(
            text(f"""
                SELECT e.incident_id FROM incident_event e JOIN incident i ON i.id = e.incident_id
                WHERE e.at > :a AND e.at <= :b {where}
                UNION
                SELECT i.id FROM incident i
                WHERE i.reported_at > :a AND i.reported_at <= :b {where}"""),
            span,
        )
    ]
    if not ids:
        return out
    for instant, sign in ((":at", 1), (":h", -1)):
        sql = f"""
            WITH s AS ({cs.states_at(instant, where, open_only=True, ids=":ids")})
            {_open_counts("s.status", "s.accept_due", "s.resolve_due", ":at")}
            FROM s
            WHERE {cs.is_open("s.status")}
        """
        row = (
            session.execute(text(sql), {"h": hour, "at": at, "ids": ids, **params}).mappings().one()
        )
        for k in _KEYS:
            out[k] += sign * int(row[k])
    return out


def top_received(
    session: Session, start: datetime, end: datetime, scope: str | None, limit: int
) -> tuple[list[tuple[str, int]], list[tuple[str, str, int]]]:
    """The cases received in ``[start, end)`` by category ``[(category_code, count)]``
    and by grid ``[(grid code, grid name, count)]``, each largest first, at most
    ``limit``: one read of the received time's covering index for both (it includes the
    category and the grid), grids counted first and then named. Two reads of the same
    rows took 8 + 9 ms at 10M."""
    where, params = scope_filter(scope)
    sql = f"""
        WITH c AS (
            SELECT i.category_code, i.grid_id, GROUPING(i.category_code) AS by_grid,
                   count(*) AS n
            FROM incident i
            WHERE {cs.received()} AND {cs.counted()} {where}
            GROUP BY GROUPING SETS ((i.category_code), (i.grid_id))
        )
        (SELECT 'category' AS kind, c.category_code AS code, NULL AS name, c.n FROM c
         WHERE c.by_grid = 0 ORDER BY c.n DESC, c.category_code LIMIT :limit)
        UNION ALL
        (SELECT 'grid', g.code, g.name, c.n FROM c JOIN area g ON g.id = c.grid_id
         WHERE c.by_grid = 1
           -- only the grids that can rank are named (ties at the last place included)
           AND c.n >= coalesce((SELECT k.n FROM c k WHERE k.by_grid = 1 AND k.grid_id IS NOT NULL
                                ORDER BY k.n DESC LIMIT 1 OFFSET :limit - 1), 0)
         ORDER BY c.n DESC, g.code LIMIT :limit)
    """
    rows = session.execute(text(sql), {"start": start, "end": end, "limit": limit, **params})
    cats: list[tuple[str, int]] = []
    grids: list[tuple[str, str, int]] = []
    for kind, code, name, n in rows:
        if kind == "category":
            cats.append((str(code), int(n)))
        else:
            grids.append((str(code), str(name), int(n)))
    return cats, grids


def patrol_counts(session: Session, b: Bounds, scope: str | None) -> dict[str, int]:
    """Visits due by the end of today (``last_day`` today, not cancelled) and how many of
    them are done so far; likewise those due by the end of yesterday and how many were
    done by the same time yesterday (``now - 24 h``)."""
    where, params = scope_filter(scope, "k")
    row = (
        session.execute(
            text(f"""
            SELECT count(*) FILTER (WHERE k.last_day = CAST(:today AS date)) AS due,
                   count(*) FILTER (WHERE k.last_day = CAST(:today AS date)
                                      AND k.done_at < :now) AS done,
                   count(*) FILTER (WHERE k.last_day = CAST(:yesterday AS date)) AS due_prev,
                   count(*) FILTER (WHERE k.last_day = CAST(:yesterday AS date)
                                      AND k.done_at < :day_ago) AS done_prev
            FROM patrol_task k
            WHERE k.last_day IN (CAST(:today AS date), CAST(:yesterday AS date))
              AND k.status <> 'cancelled' {where}"""),
            {
                "today": b.midnight.date(),
                "yesterday": b.yesterday_midnight.date(),
                "now": b.now,
                "day_ago": b.day_ago,
                **params,
            },
        )
        .mappings()
        .one()
    )
    return {k: int(v or 0) for k, v in row.items()}
