"""The demo cases' paths cut at the moment of seeding: each case's timeline up to then,
and the incident columns that timeline leaves behind.

A step happens if it is on the case's path and not after ``now``. The steps are applied
in path order as ``governance/workflow_apply.py`` applies them: what each action sets and
clears, who takes it (the lead department's staff for its own steps), which ones carry a
note, what each event's ``detail`` holds, and that every step but the SLA sweep's adds one
to the version. So the incident row is the one the app would have left after the same
steps, and the figures rebuilt from the timeline (``case_state.states_at``) agree with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from geodata.demo import texts
from geodata.demo.catalog import LEAF_CODES
from geodata.demo.lifecycle import MAX_MOVES, NEVER, RATINGS, Paths
from geodata.demo.workcal import LOCAL_OFFSET_S

NULL_ID = -1
SWEEP = frozenset({"review"})  # the SLA sweep's: no state change, the version stays


def iso(t: np.ndarray) -> np.ndarray:
    """Local ISO 8601 strings (``2026-03-05T00:00:00+08:00``) of UTC seconds."""
    local = (t + LOCAL_OFFSET_S).astype("datetime64[s]")
    return np.char.add(np.datetime_as_string(local, unit="s"), "+08:00")


def _json(template: str, *columns: Iterable[object]) -> np.ndarray:
    """One JSON detail per row from a ``str.format`` template."""
    return np.array([template.format(*row) for row in zip(*columns, strict=True)], dtype=object)


def _by_id(notes: tuple[str, ...], ids: np.ndarray) -> np.ndarray:
    return np.asarray(notes, dtype=object)[ids % len(notes)]


@dataclass
class Cut:
    """Incident columns (times in UTC seconds, ``NEVER`` for NULL; ids ``NULL_ID``) and
    the timeline and rating rows of one batch at ``now``."""

    status: np.ndarray
    lead: np.ndarray
    assist: np.ndarray  # PostgreSQL array text
    escalation: np.ndarray
    dispatched: np.ndarray
    accepted: np.ndarray
    accept_due: np.ndarray
    resolve_due: np.ndarray
    resolved: np.ndarray
    closed: np.ndarray
    ext_until: np.ndarray
    suspended_from: np.ndarray
    suspended_at: np.ndarray
    merged_into: np.ndarray
    reopen_count: np.ndarray
    version: np.ndarray
    updated: np.ndarray
    events: dict[str, np.ndarray] = field(default_factory=dict)
    feedback: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def empty(cls, n: int) -> Cut:
        def never() -> np.ndarray:
            return np.full(n, NEVER, dtype=np.int64)

        return cls(
            status=np.full(n, None, dtype=object),
            lead=np.full(n, NULL_ID, dtype=np.int64),
            assist=np.full(n, "{}", dtype=object),
            escalation=np.zeros(n, dtype=np.int64),
            dispatched=never(),
            accepted=never(),
            accept_due=never(),
            resolve_due=never(),
            resolved=never(),
            closed=never(),
            ext_until=never(),
            suspended_from=np.full(n, None, dtype=object),
            suspended_at=never(),
            merged_into=np.full(n, NULL_ID, dtype=np.int64),
            reopen_count=np.zeros(n, dtype=np.int64),
            version=np.zeros(n, dtype=np.int64),
            updated=never(),
        )


class _Log:
    """Appends events and moves each case's status and version with them."""

    def __init__(self, cut: Cut, p: Paths, now: int) -> None:
        self.cut, self.p, self.now = cut, p, now
        self.parts: list[dict[str, np.ndarray]] = []

    def happened(self, t: np.ndarray, when: np.ndarray | None = None) -> np.ndarray:
        """Rows whose step at ``t`` is on their path (and ``when``) and not after now."""
        ok = (t < NEVER) & (t <= self.now)
        return np.flatnonzero(ok if when is None else ok & when)

    def add(
        self, action: str, sel: np.ndarray, t: np.ndarray, to: object, role: str, *,
        name: object = None, note: object = None, detail: np.ndarray | None = None,
    ) -> None:  # fmt: skip
        """The step ``action`` at ``t`` (full length) for rows ``sel``; ``to``: the
        status after it (one, or one per row); ``note``: one, or one per row; ``detail``:
        JSON per row. Department staff act for the case's lead department."""
        c, k = self.cut, len(sel)
        if not k:
            return
        src = c.status[sel].copy()
        dst = np.full(k, to, dtype=object) if isinstance(to, str) else np.asarray(to, object)
        if action not in SWEEP:
            c.version[sel] += 1
            c.updated[sel] = t[sel]
        c.status[sel] = dst
        dept = c.lead[sel].copy() if role == "dept_staff" else np.full(k, NULL_ID)

        def column(v: object) -> np.ndarray:
            return v if isinstance(v, np.ndarray) else np.full(k, v, dtype=object)

        self.parts.append(
            {
                "incident_id": self.p.ids[sel],
                "at": t[sel],
                "action": np.full(k, action, dtype=object),
                "from_status": src,
                "to_status": dst,
                "version": c.version[sel].copy(),
                "actor_name": column(name),
                "actor_role": np.full(k, role, dtype=object),
                "actor_department_id": dept,
                "note": column(note),
                "detail": column(None) if detail is None else detail,
            }
        )

    def rows(self) -> dict[str, np.ndarray]:
        """Every event, by incident and time (so ids are in time order per incident)."""
        cols = {key: np.concatenate([p[key] for p in self.parts]) for key in self.parts[0]}
        order = np.lexsort((np.arange(len(cols["at"])), cols["at"], cols["incident_id"]))
        return {key: v[order] for key, v in cols.items()}


def cut(
    p: Paths, *, reported: np.ndarray, sources: list[str], leaves: np.ndarray,
    routes: list[tuple[int, tuple[int, ...]]], now: int,
    leaf_codes: Sequence[str] | None = None,
    resolve_notes: Mapping[str, tuple[str, ...]] | None = None,
) -> Cut:  # fmt: skip
    """The timelines of the paths ``p`` up to ``now`` and the columns they leave;
    ``leaves`` index ``leaf_codes`` (default :data:`LEAF_CODES`), resolve notes come
    from ``resolve_notes`` by category group (default ``texts.RESOLVE_NOTES``)."""
    c = Cut.empty(len(p))
    log = _Log(c, p, now)
    log.add("register", np.arange(len(p)), reported, "registered", "system",
            name=np.asarray(sources, dtype=object))  # fmt: skip
    _triage(log)
    _dispatches(log, routes)
    sel = log.happened(p.t_accept)
    c.accepted[sel] = p.t_accept[sel]
    log.add("accept", sel, p.t_accept, "accepted", "dept_staff")
    log.add("start", log.happened(p.t_start), p.t_start, "in_progress", "dept_staff")
    _suspension(log)
    _extension(log)
    _resolution(log, leaves, leaf_codes or LEAF_CODES, resolve_notes or texts.RESOLVE_NOTES)
    c.events = log.rows()
    return c


def _triage(log: _Log) -> None:
    """Rejected or merged at verification, or verified (on the spot by the grid worker
    when it needed checking) and, for a few waiting for coordination, escalated."""
    c, p = log.cut, log.p
    sel = log.happened(p.t_triage, p.rejected)
    log.add("reject", sel, p.t_triage, "rejected", "commander",
            note=_by_id(texts.REJECT_NOTES, p.ids[sel]))  # fmt: skip
    sel = log.happened(p.t_triage, p.merged_into >= 0)
    c.merged_into[sel] = p.merged_into[sel]
    log.add("merge", sel, p.t_triage, "merged", "commander",
            detail=_json('{{"into": {}}}', p.merged_into[sel].tolist()))  # fmt: skip
    for onsite, role in ((True, "grid_worker"), (False, "commander")):
        sel = log.happened(p.t_verify, p.verify_onsite == onsite)
        log.add("verify", sel, p.t_verify, "verified", role)
    sel = log.happened(p.t_escalate)
    c.escalation[sel] = 1
    log.add("escalate", sel, p.t_escalate, "verified", "supervisor", note=texts.ESCALATE_NOTE,
            detail=np.full(len(sel), '{"level": 1}', dtype=object))  # fmt: skip


_DISPATCH = (
    '{{"lead_department_id": {}, "assist_department_ids": [{}], "suggested": {}, '
    '"overridden": {}, "accept_due_at": "{}", "resolve_due_at": "{}"}}'
)


def _dispatches(log: _Log, routes: list[tuple[int, tuple[int, ...]]]) -> None:
    """The first dispatch and, for a few, the wrong department's return (then the
    dispatch again) or the command centre's transfer. The routing suggestion's assisting
    departments go with its lead only, as in the app."""
    c, p = log.cut, log.p
    suggested = np.array([r[0] for r in routes], dtype=np.int64)[p.route]
    helpers = np.array([",".join(map(str, r[1])) for r in routes], dtype=object)[p.route]

    def dispatch(k: int, sel: np.ndarray, action: str) -> None:
        lead, acc, res = p.lead_leg[sel, k], p.acc_due_leg[sel, k], p.res_due_leg[sel, k]
        assist = np.where(lead == suggested[sel], helpers[sel], "")
        c.lead[sel], c.assist[sel] = lead, np.char.add(np.char.add("{", assist.astype(str)), "}")
        c.dispatched[sel], c.accepted[sel], c.ext_until[sel] = p.t_leg[sel, k], NEVER, NEVER
        c.accept_due[sel], c.resolve_due[sel] = acc, res
        overridden = np.where(lead != suggested[sel], "true", "false")
        detail = _json(_DISPATCH, lead.tolist(), assist, suggested[sel].tolist(), overridden,
                       iso(acc), iso(res))  # fmt: skip
        log.add(action, sel, p.t_leg[:, k], "dispatched", "commander", detail=detail,
                note=texts.TRANSFER_NOTE if action == "transfer" else None)  # fmt: skip

    dispatch(0, log.happened(p.t_leg[:, 0]), "dispatch")
    for k in range(MAX_MOVES):
        moved, transfer = p.moves > k, p.move_transfer[:, k]
        dispatch(k + 1, log.happened(p.t_move[:, k], moved & transfer), "transfer")
        sel = log.happened(p.t_move[:, k], moved & ~transfer)
        detail = _json('{{"returned_by": {}}}', c.lead[sel].tolist())
        log.add("return", sel, p.t_move[:, k], "verified", "dept_staff",
                note=texts.RETURN_NOTE, detail=detail)  # fmt: skip
        c.lead[sel], c.assist[sel], c.accepted[sel] = NULL_ID, "{}", NEVER
        dispatch(k + 1, log.happened(p.t_leg[:, k + 1], moved & ~transfer), "dispatch")


def _suspension(log: _Log) -> None:
    """Suspend (with the expected end), the sweep's review of the few left past the
    policy's limit, and resume, which moves resolve-by by the working time suspended (the
    case was accepted first, so its accept-by is history; the detail as
    ``governance/workflow_apply.py _moved`` writes it)."""
    c, p = log.cut, log.p
    sel = log.happened(p.t_suspend)
    c.suspended_from[sel], c.suspended_at[sel] = c.status[sel], p.t_suspend[sel]
    log.add("suspend", sel, p.t_suspend, "suspended", "commander",
            note=_by_id(texts.SUSPEND_NOTES, p.ids[sel]),
            detail=_json('{{"until": "{}"}}', iso(p.suspend_until[sel])))  # fmt: skip
    sel = log.happened(p.t_review)
    review = [
        json.dumps({"stage": "suspension", "suspended_at": str(s), "max_days": int(d)})
        for s, d in zip(iso(p.t_suspend[sel]), p.max_suspend_days[sel], strict=True)
    ]
    log.add("review", sel, p.t_review, c.status[sel], "system",
            detail=np.array(review, dtype=object))  # fmt: skip
    sel = log.happened(p.t_resume)
    moved = [
        json.dumps(
            {
                "paused_working_hours": round(s / 3600, 1),
                "resolve_due_at": {"from": str(rf), "to": str(rt)},
            }
        )
        for s, rf, rt in zip(
            p.paused_s[sel].tolist(),
            iso(c.resolve_due[sel]),
            iso(p.res_due_resumed[sel]),
            strict=True,
        )  # fmt: skip
    ]
    back = c.suspended_from[sel].copy()
    c.suspended_from[sel], c.suspended_at[sel] = None, NEVER
    c.resolve_due[sel] = p.res_due_resumed[sel]
    log.add("resume", sel, p.t_resume, back, "commander", detail=np.array(moved, dtype=object))


def _extension(log: _Log) -> None:
    """The lead department asks for more time; the command centre approves (resolve-by
    becomes the date asked for) or denies, with a reason."""
    c, p = log.cut, log.p
    sel = log.happened(p.t_ask)
    c.ext_until[sel] = p.ask_until[sel]
    log.add("request_extension", sel, p.t_ask, c.status[sel], "dept_staff",
            note=_by_id(texts.ASK_NOTES, p.ids[sel]),
            detail=_json('{{"until": "{}"}}', iso(p.ask_until[sel])))  # fmt: skip
    sel = log.happened(p.t_decide, p.approved)
    c.resolve_due[sel], c.ext_until[sel] = p.ask_until[sel], NEVER
    log.add("approve_extension", sel, p.t_decide, c.status[sel], "commander",
            detail=_json('{{"until": "{}"}}', iso(p.ask_until[sel])))  # fmt: skip
    sel = log.happened(p.t_decide, ~p.approved)
    c.ext_until[sel] = NEVER
    log.add("deny_extension", sel, p.t_decide, c.status[sel], "commander", note=texts.DENY_NOTE)


def _resolution(
    log: _Log,
    leaves: np.ndarray,
    leaf_codes: Sequence[str],
    resolve_notes: Mapping[str, tuple[str, ...]],
) -> None:
    """Resolve (with what was done), close, the resident's rating (``resident_feedback``:
    satisfied or basic evaluates the case, dissatisfied reopens it) and, after a
    reopening, resolve and close again."""
    c, p = log.cut, log.p
    group = np.array([code.split(".")[0] for code in leaf_codes], dtype=object)[leaves]
    sel = log.happened(p.t_resolve)
    notes = np.empty(len(sel), dtype=object)
    for g, options in resolve_notes.items():
        at = np.flatnonzero(group[sel] == g)
        notes[at] = _by_id(options, p.ids[sel][at])
    c.resolved[sel] = p.t_resolve[sel]
    log.add("resolve", sel, p.t_resolve, "resolved", "dept_staff", note=notes)
    sel = log.happened(p.t_close)
    c.closed[sel] = p.t_close[sel]
    log.add("close", sel, p.t_close, "closed", "commander")
    sel = log.happened(p.t_rate)
    rating = np.asarray(RATINGS, dtype=object)[p.rating[sel]]
    unhappy = rating == "dissatisfied"
    c.reopen_count[sel[unhappy]] += 1
    c.resolved[sel[unhappy]], c.closed[sel[unhappy]] = NEVER, NEVER
    log.add("feedback", sel, p.t_rate, np.where(unhappy, "in_progress", "evaluated"),
            "resident", name="resident",
            detail=_json('{{"rating": "{}", "channel": "link"}}', rating))  # fmt: skip
    c.feedback = {"incident_id": p.ids[sel], "rating": rating, "at": p.t_rate[sel]}
    sel = log.happened(p.t_resolve_again)
    c.resolved[sel] = p.t_resolve_again[sel]
    log.add("resolve", sel, p.t_resolve_again, "resolved", "dept_staff", note=texts.AGAIN_NOTE)
    sel = log.happened(p.t_close_again)
    c.closed[sel] = p.t_close_again[sel]
    log.add("close", sel, p.t_close_again, "closed", "commander")
