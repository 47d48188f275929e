"""The weekly consultation packet (周会商): what the weekly meeting of the command centre
and the departments goes through, for one local week Monday 00:00 to the next Monday.

Sections, each in the user's area (``ANALYTICS_VIEW``: commanders city-wide,
supervisors their street):

* **Stuck cases (跨部门流转不畅).** Cases that changed hands between departments
  (``transfer`` or ``return`` events in the timeline) more than once up to the end of the
  week, with at least one such move in the week; and cases past their resolution
  deadline and still unresolved at the end of the week. Most moves first, then longest
  overdue; at most :data:`MAX_ROWS` listed, with the total.
* **Recurrent hotspots.** :func:`governance.hotspots.hotspots` of the week (compared with
  the week before): ``persistent`` and ``new`` cells.
* **Blind spots (逆向倒查).** The grids of the area ranked by their blind spots over the
  :data:`CROSSCHECK_DAYS` days up to the end of the week (a week alone holds too few
  reports to tell a blind spot from chance), with their trend against the
  :data:`CROSSCHECK_DAYS` days before: :func:`governance.crosscheck.analyse`, residents'
  channels; at most :data:`MAX_BLIND` grids.
* **Repeated addresses (同址重复).** Addresses (normalised as in
  ``governance/duplicates.py``, within one grid) with a report in the week and at least
  :data:`REPEAT_MIN` reports in the :data:`REPEAT_DAYS` days up to its end.
* **Emerging hot spots (新兴热点).** The stored emerging hot-spot analysis that covers the
  area (``governance/emerging.py``, recomputed daily over its own period of weeks, which
  the section states): how many cells of each category, and the first few cells.

Only masked text leaves this module: no reporter data at all; descriptions through
:mod:`governance.pii` with the names of each case's reporter and of the key persons of its
community (``governance/known_names.py``, read only to be masked), then shortened; the
repeated addresses through the same detector (house numbers starred, the road kept).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from geodata.db import ALL_AREAS, scope_within
from geodata.queries import consult as q
from geodata.queries import kept
from governance import area_codes, crosscheck, known_names, pii
from governance import hotspots as hotspot_service
from governance.access import ANALYTICS_VIEW, Principal, require
from governance.emerging import stored_summary
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ, TimeRange
from governance.hotspots import Hotspot

MIN_MOVES = 2  # "transferred or returned more than once"
MAX_ROWS = 50
REPEAT_MIN = 3
REPEAT_DAYS = 90
HOTSPOT_RES = 8
HOTSPOT_LIMIT = 20
CROSSCHECK_DAYS = 90
MAX_BLIND = 10
DESCRIPTION_CHARS = 80
WEEKS_OFFERED = 12
FIRST_YEAR = 2000
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class StuckCase:
    """A case the meeting should unblock (masked text only)."""

    id: int
    category_code: str
    status: str
    grid_name: str | None
    lead_department_id: int | None
    department_zh: str | None
    department_en: str | None
    moves: int
    overdue_days: float | None
    description: str


@dataclass(frozen=True)
class RepeatedAddress:
    """An address reported again and again (its incidents newest first)."""

    grid_name: str
    address: str
    count: int
    week_count: int
    incident_ids: tuple[int, ...]
    top_category: str | None


@dataclass(frozen=True)
class Packet:
    """The week's packet."""

    week: date  # its Monday
    start: datetime
    end: datetime
    stuck: tuple[StuckCase, ...]
    stuck_total: int
    hotspots: tuple[Hotspot, ...]
    repeats: tuple[RepeatedAddress, ...]
    repeats_total: int
    blind: tuple[dict[str, Any], ...] = ()  # governance.crosscheck "by_grid" lines
    blind_total: int = 0
    blind_as_of: str | None = None  # kept counts: when counted (local, to the minute)
    emerging: dict[str, Any] | None = None  # governance.emerging.stored_summary


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def default_week(now: datetime | None = None) -> date:
    """The Monday of the last full week (Mon-Sun) before ``now`` (local)."""
    today = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ).date()
    return _monday(today) - timedelta(days=7)


def week_options(now: datetime | None = None) -> list[date]:
    """Mondays the picker offers, newest first: this (partial) week and the
    :data:`WEEKS_OFFERED` full weeks before it."""
    this = _monday((now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ).date())
    return [this - timedelta(days=7 * i) for i in range(WEEKS_OFFERED + 1)]


def parse_week(raw: object, now: datetime | None = None) -> tuple[datetime, datetime]:
    """``[Monday 00:00, next Monday 00:00)`` local of a week given by its Monday
    ("YYYY-MM-DD", from 2000 up to this week; this week ends at now); else
    :class:`InvalidInput`."""
    if not isinstance(raw, str) or not _DAY.match(raw):
        raise InvalidInput("consult.error.week", value=str(raw)[:20])
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("consult.error.week", value=raw[:20]) from None
    today = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ).date()
    if day.weekday() != 0 or day.year < FIRST_YEAR or day > today:
        raise InvalidInput("consult.error.week", value=raw[:20])
    start = datetime.combine(day, time(), LOCAL_TZ)
    end = datetime.combine(day + timedelta(days=7), time(), LOCAL_TZ)
    return start, min(end, (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ))


def _short(description: str | None, incident_id: int, names: known_names.IncidentNames) -> str:
    masked = names.redact(incident_id, description) or ""
    return masked if len(masked) <= DESCRIPTION_CHARS else masked[:DESCRIPTION_CHARS] + "…"


def _stuck(row: dict[str, Any], names: known_names.IncidentNames) -> StuckCase:
    return StuckCase(
        id=int(row["id"]),
        category_code=str(row["category_code"]),
        status=str(row["status"]),
        grid_name=row["grid_name"],
        lead_department_id=row["lead_department_id"],
        department_zh=row["department_zh"],
        department_en=row["department_en"],
        moves=row["moves"],
        overdue_days=row["overdue_days"],
        description=_short(row["description"], int(row["id"]), names),
    )


REPEATS_KIND = "repeated_addresses"


STUCK_KIND = "stuck_cases"


def _repeated(
    session: Session, scope: str | None, start: datetime, end: datetime
) -> tuple[tuple[RepeatedAddress, ...], int]:
    """The week's repeated addresses, redacted, and how many in all; a closed week's are
    kept (``geodata/queries/kept.py``): they read a season of reports, ~16 s at 10M
    incidents, and stand for the week as known when first listed. Only the redacted
    addresses are kept."""

    def compute() -> tuple[tuple[RepeatedAddress, ...], int]:
        found, total = q.repeated_addresses(
            session,
            scope=scope,
            start=start,
            end=end,
            since=end - timedelta(days=REPEAT_DAYS),
            min_count=REPEAT_MIN,
            limit=MAX_ROWS,
        )
        rows = tuple(
            RepeatedAddress(
                grid_name=r["grid_name"],
                address=pii.redact(r["address"] or ""),
                count=r["count"],
                week_count=r["week_count"],
                incident_ids=tuple(r["ids"]),
                top_category=r["top_category"],
            )
            for r in found
        )
        return rows, total

    def load(body: dict[str, Any]) -> tuple[tuple[RepeatedAddress, ...], int]:
        rows = [RepeatedAddress(**{**r, "incident_ids": tuple(r["incident_ids"])})
                for r in body["rows"]]  # fmt: skip
        return tuple(rows), int(body["total"])

    params = f"days={REPEAT_DAYS};min={REPEAT_MIN};limit={MAX_ROWS}"
    return kept.through(
        session, REPEATS_KIND, scope or "", (start, end), params, compute, _dump, load
    )


def _stuck_cases(
    session: Session, scope: str | None, start: datetime, end: datetime
) -> tuple[tuple[StuckCase, ...], int]:
    """The week's stuck cases (masked) and how many in all. As of the week's end, rebuilt
    from the timeline: a closed week's do not change, so they are kept (~1.4 s at 10M)."""

    def compute() -> tuple[tuple[StuckCase, ...], int]:
        rows, total = q.stuck_cases(
            session, scope=scope, start=start, end=end, min_moves=MIN_MOVES, limit=MAX_ROWS
        )
        names = known_names.load(session, [r["id"] for r in rows])
        return tuple(_stuck(r, names) for r in rows), total

    def load(body: dict[str, Any]) -> tuple[tuple[StuckCase, ...], int]:
        return tuple(StuckCase(**r) for r in body["rows"]), int(body["total"])

    params = f"moves={MIN_MOVES};limit={MAX_ROWS}"
    return kept.through(
        session, STUCK_KIND, scope or "", (start, end), params, compute, _dump, load
    )


HOTSPOTS_KIND = "hotspots"


def _hotspots(session: Session, scope: str | None, start: datetime, end: datetime) -> list[Hotspot]:
    """The week's hot cells against the week before; a closed week's are kept (they count
    the week's reports: ~0.15 s at 10M incidents, a tenth of the packet)."""

    def compute() -> list[Hotspot]:
        return hotspot_service.hotspots(
            session, scope=scope, start=start, end=end, res=HOTSPOT_RES, limit=HOTSPOT_LIMIT
        )

    params = f"res={HOTSPOT_RES};limit={HOTSPOT_LIMIT}"
    return kept.through(
        session,
        HOTSPOTS_KIND,
        scope or "",
        (start, end),
        params,
        compute,
        lambda hs: [dataclasses.asdict(h) for h in hs],
        lambda raw: [Hotspot(**h) for h in raw],
    )


def _dump(value: tuple[tuple[Any, ...], int]) -> dict[str, Any]:
    rows, total = value
    return {"rows": [dataclasses.asdict(r) for r in rows], "total": total}


def build(session: Session, scope: str | None, week: str, *, now: datetime | None = None) -> Packet:
    """The packet of the week starting on Monday ``week`` inside ``scope``, in the
    caller's transaction (no access check: :func:`weekly` is the checked entry point)."""
    start, end = parse_week(week, now)
    stuck, stuck_total = _stuck_cases(session, scope, start, end)
    hot = _hotspots(session, scope, start, end)
    repeats, repeats_total = _repeated(session, scope, start, end)
    checked = crosscheck.blind_grids(
        session, scope or "", TimeRange(end - timedelta(days=CROSSCHECK_DAYS), end)
    )
    return Packet(
        week=start.date(),
        start=start,
        end=end,
        emerging=stored_summary(session, scope or ""),
        stuck=stuck,
        stuck_total=stuck_total,
        hotspots=tuple(h for h in hot if h.label in ("persistent", "new")),
        repeats=repeats,
        repeats_total=repeats_total,
        blind=tuple(checked["by_grid"][:MAX_BLIND]),
        blind_total=len(checked["by_grid"]),
        blind_as_of=crosscheck.as_of_words(checked),
    )


def weekly(s: Session, principal: Principal | None, week: object = None) -> Packet:
    """The consultation packet for the principal's area (default: the last full week),
    read in the caller's unit of work ``s``."""
    who = require(principal, ANALYTICS_VIEW)
    chosen = default_week().isoformat() if week in (None, "") else week
    parse_week(chosen)  # bad input: a clear message before any query
    return build(s, who.scope, str(chosen))


def keep_ahead(s: Session, area: str | None, week: date) -> Packet:
    """The morning run's step (the server's operator, no principal): the packet of the
    closed week from Monday ``week`` for ``area`` (a code; None: the city), computed now
    and kept, so its first reader does not wait for it (at 10M incidents a week's first
    packet took 22 s). The names to mask are read in the area's row-level-security
    scope, as a reader of that area reads them."""
    scope = area_codes.scope_prefix(s, area)
    with scope_within(s, scope or ALL_AREAS):
        return build(s, scope, week.isoformat())
