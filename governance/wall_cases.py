"""The wall's case lists: the feed of the latest incidents, the SLA countdowns of the most
urgent open cases, the handoff status and the hotspots, as display-ready values.

What a feed line may show follows the classification registry
(``governance/classification.py``): the address is personal (``mask_address``: down to
the community), so where a description repeats the incident's address it is first replaced
by the masked address; then the description goes through its masking rule
(``redact_pii``, ``governance/pii.py``: phone, ID and card numbers, house numbers left in
the text such as ``12号``, ``3栋``, ``501室``, and the names of the incident's reporter and
of the key persons of its community, which are read only for that), then it is truncated.
No reporter is shown, no address is shown, no person is named by the wall.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from geodata.queries import wall_cases as q
from geodata.queries.case_state import HANDLING
from geodata.queries.wall import OpenGroup
from governance import catalog, classification, known_names, pii, sla
from governance.filters import LOCAL_TZ
from governance.hotspots import hotspots
from i18n import t

FEED_N: Final = 5  # lines of the feed sent (the screen shows those that fit whole: four)
FEED_CHARS: Final = 34  # characters of masked text per feed line
FRESH: Final = timedelta(minutes=5)  # a feed line this new is highlighted
COUNTDOWN_N: Final = 4  # rows of the countdowns, most urgent first
DEPARTMENTS_N: Final = 8
HOTSPOT_N: Final = 8
HOTSPOT_PERIOD: Final = timedelta(days=7)  # hotspots of the last 7 days vs the 7 before
HOTSPOT_RES: Final = 8
# workflow statuses of the handoff view, in the order of the closed loop
HANDOFF_STATUSES: Final = (
    "registered",
    "verified",
    "dispatched",
    "accepted",
    "in_progress",
    "suspended",
    "resolved",
)
_MIN_ADDRESS_PART = 4  # shortest address tail looked for in a description


@dataclass(frozen=True)
class FeedItem:
    """One line of the feed: no person, no address, masked and truncated text."""

    id: int
    time: str  # hh:mm (local) of arrival
    category: str
    color: str | None
    grid: str | None
    status: str
    text: str
    fresh: bool


@dataclass(frozen=True)
class Countdown:
    """One running SLA clock: ``seconds_left`` at the snapshot (negative: overdue);
    ``overdue`` by the one definition (``case_state.overdue``) at the snapshot."""

    id: int
    category: str
    color: str | None
    grid: str | None
    department: str | None
    stage: str  # accept / resolve
    due: str  # hh:mm or MM-DD hh:mm (local)
    seconds_left: int
    state: str  # red / amber / green
    overdue: bool


@dataclass(frozen=True)
class Handoff:
    """Open cases by workflow status and cases with a department by lead department."""

    statuses: tuple[tuple[str, str, int], ...]  # (status, label, count)
    departments: tuple[tuple[str, int, int], ...]  # (name, open, overdue)


@dataclass(frozen=True)
class HotspotRow:
    """A hotspot as the wall lists it."""

    label: str  # new / persistent / cooling
    place: str
    category: str | None
    count: int
    previous: int


def mask_text(
    description: str | None,
    address: str | None,
    community: str | None,
    names: pii.KnownNames | Iterable[str | None] = (),
) -> str:
    """A description as a feed line may show it (module docstring), not yet truncated;
    ``names``: the names known for the incident."""
    text = description or ""
    if classification.is_personal("incident", "address") and address:
        shown = classification.masked("incident", "address", address, context=community)
        for n in range(len(address), _MIN_ADDRESS_PART - 1, -1):
            tail = address[-n:]
            if tail in text:
                masked = shown if community and tail.startswith(community) else "***"
                text = text.replace(tail, str(masked))
                break
    return pii.redact(text, names)


def truncate(text: str, limit: int = FEED_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _category(code: str, lang: str) -> tuple[str, str | None]:
    cat = catalog.category(code)
    return (cat.name(lang), cat.color) if cat else (code, None)


def _local(dt: datetime, now: datetime) -> str:
    loc = dt.astimezone(LOCAL_TZ)
    return loc.strftime("%H:%M") if loc.date() == now.date() else loc.strftime("%m-%d %H:%M")


def feed(session: Session, now: datetime, scope: str | None, lang: str) -> tuple[FeedItem, ...]:
    """The latest incidents of the area, newest first. ``session`` carries the wall's
    row-level security scope, so that the names to mask can be read."""
    out = []
    rows = q.latest(session, now, scope, FEED_N)
    names = known_names.load(session, [r["id"] for r in rows])
    for r in rows:
        label, color = _category(r["category_code"], lang)
        out.append(
            FeedItem(
                id=int(r["id"]),
                time=_local(r["reported_at"], now),
                category=label,
                color=color,
                grid=r["grid_name"],
                status=t(f"status.{r['status']}", lang),
                text=truncate(
                    mask_text(
                        r["description"], r["address"], r["community"], names.matcher(r["id"])
                    )
                ),
                fresh=now - r["reported_at"] <= FRESH,
            )
        )
    return tuple(out)


def countdowns(
    session: Session, now: datetime, scope: str | None, lang: str
) -> tuple[Countdown, ...]:
    """The most urgent running SLA clocks: overdue first (longest overdue at the top),
    then the nearest deadlines (``q.urgent``)."""
    out = []
    for r in q.urgent(session, now, scope, COUNTDOWN_N):
        c: dict[str, Any] | None = sla.clock(
            r["status"],
            now=now,
            dispatched_at=r["dispatched_at"],
            accepted_at=r["accepted_at"],
            accept_due_at=r["accept_due_at"],
            resolve_due_at=r["resolve_due_at"],
        )
        if c is None:
            continue
        label, color = _category(r["category_code"], lang)
        out.append(
            Countdown(
                id=int(r["id"]),
                category=label,
                color=color,
                grid=r["grid_name"],
                department=r["dept_en"] if lang == "en" else r["dept_zh"],
                stage=str(c["stage"]),
                due=_local(c["due_at"], now),
                seconds_left=int(c["seconds_left"]),
                state=str(c["state"]),
                overdue=bool(r["overdue"]),
            )
        )
    return tuple(out)


def handoff(groups: list[OpenGroup], lang: str) -> Handoff:
    """Open cases by status (closed-loop order) and, of those a department's clock runs
    for, by lead department with how many are overdue, largest first; from the open
    cases read once for the wall (``geodata.queries.wall.open_cases``)."""
    counts: dict[str, int] = {}
    depts: dict[int, list[Any]] = {}  # id -> [name, open, overdue]
    for g in groups:
        counts[g.status] = counts.get(g.status, 0) + g.n
        if g.status in HANDLING and g.department_id is not None:
            name = g.name_en if lang == "en" else g.name_zh
            row = depts.setdefault(g.department_id, [str(name), 0, 0])
            row[1] += g.n
            row[2] += g.n if g.overdue else 0
    statuses = tuple((s, t(f"status.{s}", lang), counts.get(s, 0)) for s in HANDOFF_STATUSES)
    ranked = sorted(depts.items(), key=lambda kv: (-kv[1][1], kv[0]))[:DEPARTMENTS_N]
    return Handoff(statuses, tuple((n, int(o), int(od)) for _, (n, o, od) in ranked))


def hot(session: Session, now: datetime, scope: str | None, lang: str) -> tuple[HotspotRow, ...]:
    """Hotspots of the last :data:`HOTSPOT_PERIOD` (``governance.hotspots``)."""
    rows = hotspots(
        session,
        scope=scope,
        start=now - HOTSPOT_PERIOD,
        end=now,
        res=HOTSPOT_RES,
        limit=HOTSPOT_N,
    )
    return tuple(
        HotspotRow(
            label=h.label,
            place=h.grid_name or t("wall.hot_unnamed", lang),
            category=_category(h.top_category, lang)[0] if h.top_category else None,
            count=h.count,
            previous=h.previous,
        )
        for h in rows
    )
