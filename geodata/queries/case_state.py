"""One definition of what a case is at an instant, for every figure of the app.

Before this module, "overdue" was written out in five places with different rules (the
wall left suspended cases out, the weekly packet and the briefing kept them in), "new
today" counted by occurrence on one screen and by receipt on another, and merged
duplicates were counted on the map but not in the briefing. Every screen, list, KPI,
score, export and briefing now builds its SQL from these fragments, so the same instant
and scope give the same number everywhere; ``tests/integration/test_case_state.py``
checks it on random timelines.

The definitions (``st``, ``acc``, ``res`` are the SQL of a status, an accept-by and a
resolve-by: the incident's columns, or a state rebuilt from the timeline):

* **counted**: every status but ``merged`` (a duplicate counts once, as the case it was
  merged into) and ``rejected`` (not a problem in the city; shown only where rejection
  itself is the subject);
* **open**: not yet closed: registered, verified (waiting to be dispatched),
  dispatched, accepted, in progress, suspended, and resolved (waiting for the grid's
  verification, 核查结案);
* **clock running**: dispatched (to accept), accepted and in progress (to resolve);
  a suspended case's clocks stand still, so it is never overdue (``governance/sla.py``);
* **overdue to accept**: dispatched and past accept-by; **overdue to resolve**: accepted
  or in progress and past resolve-by; **overdue**: either;
* **received** in a period: by ``reported_at`` (when the case reached the centre), the
  period ending at now when it includes now; "the same time yesterday" is the same
  span a day earlier, counted the same way;
* **accepted / resolved on time**: at or before the deadline (deadlines moved by a
  suspension or an approved extension count as moved); a rate's base by an instant is
  the cases accepted (resolved) by then plus those overdue to accept (resolve) then.
"""

from __future__ import annotations

from typing import Final

OPEN: Final = (
    "registered",
    "verified",
    "dispatched",
    "accepted",
    "in_progress",
    "suspended",
    "resolved",
)
WAITING: Final = ("registered", "verified")  # no department yet: the dispatcher's queue
HANDLING: Final = ("dispatched", "accepted", "in_progress")  # a department's clock runs
RESOLVING: Final = ("accepted", "in_progress")  # the resolve clock runs
DONE: Final = ("closed", "evaluated")
NOT_COUNTED: Final = ("merged", "rejected")


def _in(st: str, values: tuple[str, ...]) -> str:
    return f"{st} IN ({', '.join(repr(v) for v in values)})"


def counted(st: str = "i.status") -> str:
    """A case that describes a problem in the city (not a merged duplicate, not rejected)."""
    return f"{st} NOT IN ({', '.join(repr(v) for v in NOT_COUNTED)})"


def is_open(st: str = "i.status") -> str:
    return _in(st, OPEN)


def waiting(st: str = "i.status") -> str:
    return _in(st, WAITING)


def handling(st: str = "i.status") -> str:
    return _in(st, HANDLING)


def overdue_accept(st: str = "i.status", acc: str = "i.accept_due_at", now: str = ":now") -> str:
    return f"({st} = 'dispatched' AND {acc} < {now})"


def overdue_resolve(st: str = "i.status", res: str = "i.resolve_due_at", now: str = ":now") -> str:
    return f"({_in(st, RESOLVING)} AND {res} < {now})"


def overdue(
    st: str = "i.status",
    acc: str = "i.accept_due_at",
    res: str = "i.resolve_due_at",
    now: str = ":now",
) -> str:
    """Past the deadline whose clock runs now (never a suspended case)."""
    return f"({overdue_accept(st, acc, now)} OR {overdue_resolve(st, res, now)})"


def clocks(
    acc: str = "i.accept_due_at", res: str = "i.resolve_due_at"
) -> tuple[tuple[str, str], ...]:
    """``(status, deadline column)`` of every status in which an SLA clock runs: the
    cases of :func:`running_due` one status at a time, so that a read of the most
    urgent clocks can walk an index in deadline order per status (``ix_incident_open``
    is ``(status, resolve_due_at)``) instead of sorting every running case."""
    return (("dispatched", acc),) + tuple((st, res) for st in RESOLVING)


def by_deadline(
    columns: str, from_: str, where: str, limit: str = ":limit", before: str | None = None
) -> str:
    """SQL: up to ``limit`` rows of ``SELECT columns from_ WHERE where`` whose SLA clock
    runs, with that clock's deadline as ``due``, earliest first (then by ``i.id``);
    ``before``: only the clocks past that instant (the overdue cases, :func:`overdue`).
    Read one status at a time in deadline order (:func:`clocks`), so the read takes the
    first rows of an index instead of sorting every running case. ``columns`` must
    include ``i.id`` as ``id``; ``where`` should not repeat a status condition (the
    planner cannot narrow it per status and sorts every row it selects)."""
    parts = " UNION ALL ".join(
        f"""(SELECT {columns}, {col} AS due {from_}
            WHERE i.status = '{status}' AND {col} {f"< {before}" if before else "IS NOT NULL"}
              AND {where}
            ORDER BY {col}, i.id LIMIT {limit})"""
        for status, col in clocks()
    )
    return f"SELECT * FROM ({parts}) x ORDER BY x.due, x.id LIMIT {limit}"


def running_due(
    st: str = "i.status", acc: str = "i.accept_due_at", res: str = "i.resolve_due_at"
) -> str:
    """The deadline whose clock runs now (NULL when none runs)."""
    whens = " ".join(f"WHEN {st} = '{status}' THEN {col}" for status, col in clocks(acc, res))
    return f"CASE {whens} END"


def accept_due_by(
    as_of: str = ":as_of",
    st: str = "i.status",
    acc: str = "i.accept_due_at",
    accepted: str = "i.accepted_at",
) -> str:
    """A case an on-time acceptance share counts by ``as_of``: accepted (on time or
    late), or still waiting to be accepted past its deadline (overdue to accept)."""
    return f"({acc} IS NOT NULL AND ({accepted} IS NOT NULL OR {overdue_accept(st, acc, as_of)}))"


def resolve_due_by(
    as_of: str = ":as_of",
    st: str = "i.status",
    res: str = "i.resolve_due_at",
    resolved: str = "i.resolved_at",
) -> str:
    """A case an on-time resolution share counts by ``as_of``: resolved, or still being
    handled past its deadline (overdue to resolve; never a suspended case)."""
    return f"({res} IS NOT NULL AND ({resolved} IS NOT NULL OR {overdue_resolve(st, res, as_of)}))"


def accepted_on_time(accepted: str = "i.accepted_at", acc: str = "i.accept_due_at") -> str:
    return f"({accepted} IS NOT NULL AND {acc} IS NOT NULL AND {accepted} <= {acc})"


def received(col: str = "i.reported_at", start: str = ":start", end: str = ":end") -> str:
    """Received in [start, end): the caller passes an end no later than now."""
    return f"({col} >= {start} AND {col} < {end})"


def resolved_on_time(resolved: str = "i.resolved_at", res: str = "i.resolve_due_at") -> str:
    return f"({resolved} IS NOT NULL AND {res} IS NOT NULL AND {resolved} <= {res})"


# What set each deadline at an event (the timeline's detail, per action).
_ACCEPT_SET: Final = """CASE e.action WHEN 'resume' THEN e.detail->'accept_due_at'->>'to'
    WHEN 'approve_extension' THEN NULL ELSE e.detail->>'accept_due_at' END"""
_RESOLVE_SET: Final = """CASE e.action WHEN 'resume' THEN e.detail->'resolve_due_at'->>'to'
    WHEN 'approve_extension' THEN e.detail->>'until' ELSE e.detail->>'resolve_due_at' END"""


def states_at(
    at: str = ":at", where: str = "", open_only: bool = False, ids: str | None = None
) -> str:
    """A subquery of ``(id, status, accept_due, resolve_due)`` of every incident as it
    stood at ``at`` (``where``: more conditions on ``i``, e.g. the scope), from the
    timeline, which records every transition with its time:

    * an incident with no event after ``at``: its columns as they are now (nothing has
      happened to it since), provided it was received by ``at``;
    * otherwise: the ``to_status`` of its last event at or before ``at`` (no such event:
      it did not exist yet), with each deadline as the last event at or before ``at``
      that set it left it (``dispatch``/``transfer``: both, ``approve_extension``:
      resolve-by, ``resume``: both, moved by the suspension); where no event carries one
      (history imported without it) the current deadline stands in.

    ``open_only``: only the incidents open at ``at`` (what every screen asks: open or
    overdue counts, overdue lists), read in a way that stays flat as the city grows
    (:func:`_open_at`); ``ids`` (with ``open_only``): only the incidents of that id
    array (SQL, e.g. ``:ids``), each read by its own history.
    """
    if open_only:
        return _open_at(at, where, ids)
    if ids is not None:
        raise ValueError("ids is a filter of the open-only read")
    return f"""
        SELECT i.id, i.status, i.accept_due_at AS accept_due, i.resolve_due_at AS resolve_due
        FROM incident i
        WHERE i.reported_at <= {at} {where}
          AND NOT EXISTS (SELECT 1 FROM incident_event e
                          WHERE e.incident_id = i.id AND e.at > {at})
        UNION ALL
        SELECT i.id, st.to_status, coalesce(a.due, i.accept_due_at),
               coalesce(r.due, i.resolve_due_at)
        FROM incident i
        CROSS JOIN LATERAL (
            SELECT e.to_status FROM incident_event e
            WHERE e.incident_id = i.id AND e.at <= {at} AND e.to_status IS NOT NULL
            ORDER BY e.at DESC, e.id DESC LIMIT 1) st
        LEFT JOIN LATERAL (
            SELECT ({_ACCEPT_SET})::timestamptz AS due FROM incident_event e
            WHERE e.incident_id = i.id AND e.at <= {at}
              AND e.action IN ('dispatch', 'transfer', 'resume') AND ({_ACCEPT_SET}) IS NOT NULL
            ORDER BY e.at DESC, e.id DESC LIMIT 1) a ON true
        LEFT JOIN LATERAL (
            SELECT ({_RESOLVE_SET})::timestamptz AS due FROM incident_event e
            WHERE e.incident_id = i.id AND e.at <= {at}
              AND e.action IN ('dispatch', 'transfer', 'resume', 'approve_extension')
              AND ({_RESOLVE_SET}) IS NOT NULL
            ORDER BY e.at DESC, e.id DESC LIMIT 1) r ON true
        WHERE i.id IN (SELECT e.incident_id FROM incident_event e WHERE e.at > {at}) {where}
    """


_SETS_DEADLINE: Final = "('dispatch', 'transfer', 'resume', 'approve_extension')"


def _open_at(at: str, where: str, ids: str | None = None) -> str:
    """:func:`states_at` of the incidents open at ``at`` only, without reading the
    history of every incident that changed since (at 10M incidents a day's changes are
    ~70,000 incidents, each a probe of every monthly partition of the timeline):

    * no event after ``at``: open at ``at`` only if open now (the open cases' partial
      index, not every incident ever received), as it is now;
    * events after ``at`` (the timeline's recent partitions only): the status at ``at``
      is the ``from_status`` of the first transition after it (the workflow writes each
      transition from the status it found; a first transition from nothing is the
      registration: the incident did not exist yet); no transition after ``at``: its
      status now; none for an incident not received by ``at``. The deadlines are those
      of now unless an event after ``at`` set one; only those incidents read their
      history up to ``at``, as :func:`states_at` does.

    The changed incidents are read once (``x``); the untouched open ones are those not
    among them.

    Equal to :func:`states_at` on a timeline the workflow wrote (every transition from
    the status it found, every deadline moved by the event that carries it);
    tests/integration/test_open_at.py checks it against a replay of random histories.
    """
    only_e = f"AND e.incident_id = ANY({ids})" if ids else ""
    # against a few ids, their incidents are read first by their key (``mine``); joined to
    # ``incident`` instead, the planner scanned every open case of the scope (its estimate
    # of the scope's open cases was 150 times too small) and kept the few it was given
    rows = "mine" if ids else "incident"
    mine = f"mine AS MATERIALIZED (SELECT * FROM incident WHERE id = ANY({ids}))," if ids else ""
    # not changed since: against a few ids, ``x`` is hashed once (as an anti join the
    # planner rescanned it per case); for every case, an anti join (merge or hash, which
    # spills to disk where a hashed ``NOT IN`` too large for memory would rescan ``x``)
    untouched = (
        "i.id NOT IN (SELECT x.incident_id FROM x)"
        if ids
        else "NOT EXISTS (SELECT 1 FROM x WHERE x.incident_id = i.id)"
    )
    return f"""
        WITH {mine} x AS MATERIALIZED (
            SELECT e.incident_id,
                   bool_or(e.to_status IS NOT NULL) AS moved,
                   (array_agg(e.from_status ORDER BY e.at, e.id)
                      FILTER (WHERE e.to_status IS NOT NULL))[1] AS moved_from,
                   bool_or(e.action IN {_SETS_DEADLINE}) AS reset
            FROM incident_event e WHERE e.at > {at} {only_e}
            GROUP BY e.incident_id
        ), changed AS (
            SELECT i.id, x.reset, i.accept_due_at, i.resolve_due_at,
                   CASE WHEN i.reported_at > {at} THEN NULL
                        WHEN x.moved THEN x.moved_from
                        ELSE i.status END AS status
            FROM x JOIN {rows} i ON i.id = x.incident_id
            WHERE true {where}
        )
        SELECT i.id, i.status, i.accept_due_at AS accept_due, i.resolve_due_at AS resolve_due
        FROM {rows} i
        WHERE i.reported_at <= {at} AND {is_open()} {where}
          AND {untouched}
        UNION ALL
        SELECT m.id, m.status, m.accept_due_at, m.resolve_due_at
        FROM changed m WHERE NOT m.reset AND {is_open("m.status")}
        UNION ALL
        SELECT m.id, m.status, coalesce(h.accept_due, m.accept_due_at),
               coalesce(h.resolve_due, m.resolve_due_at)
        FROM changed m
        CROSS JOIN LATERAL (
            SELECT (array_agg(({_ACCEPT_SET})::timestamptz ORDER BY e.at DESC, e.id DESC)
                      FILTER (WHERE e.action IN ('dispatch', 'transfer', 'resume')
                                AND ({_ACCEPT_SET}) IS NOT NULL))[1] AS accept_due,
                   (array_agg(({_RESOLVE_SET})::timestamptz ORDER BY e.at DESC, e.id DESC)
                      FILTER (WHERE e.action IN {_SETS_DEADLINE}
                                AND ({_RESOLVE_SET}) IS NOT NULL))[1] AS resolve_due
            FROM incident_event e
            WHERE e.incident_id = m.id AND e.at <= {at}) h
        WHERE m.reset AND {is_open("m.status")}
    """


# The map's urgency of a case now (the "what needs me now" view and its filter):
# overdue and due-soon are the running clock's (``overdue``, ``running_due``), "due soon"
# meaning within ``:soon`` of ``:now``; the rest say where the case stands.
URGENCY: Final = ("overdue", "due_soon", "running", "waiting", "paused", "closed")
# What the map's urgency filter offers: the first three select open cases at any date,
# "closed" the cases closed within the time window.
URGENCY_FILTERS: Final = ("overdue", "due_soon", "waiting", "handling", "closed")


def urgency(
    st: str = "i.status",
    acc: str = "i.accept_due_at",
    res: str = "i.resolve_due_at",
    now: str = ":now",
    soon: str = ":soon",
) -> str:
    """One of :data:`URGENCY` for a counted case: overdue; due soon (the running clock
    ends before ``soon``); running (a clock runs, with time left); waiting (no
    department yet); paused (suspended, or resolved and waiting for the grid's
    verification: no clock runs); closed."""
    due = running_due(st, acc, res)
    return f"""CASE WHEN {overdue(st, acc, res, now)} THEN 'overdue'
        WHEN {due} < {soon} THEN 'due_soon'
        WHEN {handling(st)} THEN 'running'
        WHEN {waiting(st)} THEN 'waiting'
        WHEN {is_open(st)} THEN 'paused'
        ELSE 'closed' END"""


def urgency_filter(
    chosen: tuple[str, ...],
    st: str = "i.status",
    acc: str = "i.accept_due_at",
    res: str = "i.resolve_due_at",
    now: str = ":now",
    soon: str = ":soon",
    in_window: str = "TRUE",
) -> str:
    """Cases in any of the ``chosen`` :data:`URGENCY_FILTERS` (an open case whatever its
    date; a closed one only ``in_window``). Empty: every counted case ``in_window``."""
    if not chosen:
        return in_window
    due = running_due(st, acc, res)
    parts = {
        "overdue": overdue(st, acc, res, now),
        "due_soon": f"({due} >= {now} AND {due} < {soon})",
        "waiting": waiting(st),
        "handling": f"({is_open(st)} AND NOT {waiting(st)})",
        "closed": f"({_in(st, DONE)} AND {in_window})",
    }
    unknown = set(chosen) - set(parts)
    if unknown:
        raise ValueError(f"unknown urgency filter {sorted(unknown)}")
    return "(" + " OR ".join(parts[c] for c in URGENCY_FILTERS if c in chosen) + ")"
