"""Leaders' briefings (日调度 / 周会商 / 月评估): one area, one period, every figure from
the database; the data shapes are ``governance.briefing_model``. Rendering (PDF, PNG,
HTML) is ``briefings/``, which the caller passes in: this module never imports it.

:func:`build` gathers the figures in one read transaction: KPIs against the previous
period (``geodata.queries.briefing`` documents each definition), the period's H3 counts
over the area's outlines, hotspots labelled new / persistent / cooling
(``governance.hotspots``), the top categories, the department scorecard
(``governance.scores``) and the most overdue open cases, masked (no reporter, no address;
descriptions through ``governance/pii.py`` with the names of each case's reporter and of
the key persons of its community, read in the briefing's area scope only to be masked).
:func:`export` checks access and scope, renders with the caller's renderer, and leaves one ``export`` audit record
per file produced.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from geodata.db import ALL_AREAS, scope_within
from geodata.queries import briefing as q
from geodata.queries import kept
from governance import area_codes, audit, catalog, crosscheck, emerging, known_names
from governance.access import BRIEFING_EXPORT, LEVEL_DIGITS, Principal, require, require_area
from governance.briefing_model import (
    MIMETYPES,
    Briefing,
    Export,
    HotspotLine,
    KpiLine,
    OverdueLine,
    Renderer,
    filename,
)
from governance.briefing_period import BriefingRequest, Period
from governance.filters import LOCAL_TZ, TimeRange
from governance.hotspots import hotspots
from governance.scores import MIN_BASE, scorecard
from i18n import t

log = logging.getLogger(__name__)

TOP_CATEGORIES = 8
TOP_DEPARTMENTS = 10
TOP_HOTSPOTS = 8
TOP_OVERDUE = 8
TOP_EMERGING = 3  # emerging hot spots named in the briefing
TOP_BLIND = 5  # grids with blind spots named in the briefing (the screen has them all)
CROSSCHECK_DAYS = 90  # a day or a week alone holds too few reports to test
DESCRIPTION_CHARS = 60
# H3 resolution of the heatmap by the level of the area (a county is ~1,500 km²: res 7
# cells of ~5 km²; a street res 8 (~0.7 km²); smaller areas res 9).
HEAT_RES = {None: 7, "county": 7, "street": 8, "community": 9, "grid": 9}
SIMPLIFY_DEG = {None: 0.002, "county": 0.001, "street": 0.0003, "community": 0.0001}
KPI_KEYS = ("new", "dispatched", "resolved", "overdue", "on_time", "satisfaction")


def _kpi_lines(now: dict[str, Any], before: dict[str, Any], lang: str) -> tuple[KpiLine, ...]:
    kinds = {"on_time": "share", "satisfaction": "score"}
    out = []
    for key in KPI_KEYS:
        note = None
        if key == "satisfaction":
            note = t("brief.kpi.ratings", lang, n=now["ratings"])
        out.append(
            KpiLine(
                key,
                t(f"brief.kpi.{key}", lang),
                now[key],
                before[key],
                kinds.get(key, "count"),
                note,
            )
        )
    return tuple(out)


def _category_label(code: str | None, lang: str) -> str:
    if code is None:
        return ""
    cat = catalog.category(code)
    return cat.name(lang) if cat else code


def _overdue_lines(
    rows: list[dict], at: datetime, lang: str, names: known_names.IncidentNames
) -> tuple[OverdueLine, ...]:
    out = []
    for r in rows:
        text = names.redact(r["id"], r["description"]) or ""
        if len(text) > DESCRIPTION_CHARS:
            text = text[: DESCRIPTION_CHARS - 1] + "…"
        dept = r["department_en"] if lang == "en" else r["department_zh"]
        out.append(
            OverdueLine(
                id=int(r["id"]),
                category=_category_label(r["category_code"], lang),
                grid=r["grid"] or "-",
                department=dept or t("brief.overdue.no_department", lang),
                due=r["due"].astimezone(LOCAL_TZ),
                days_overdue=(at - r["due"]).total_seconds() / 86400,
                description=text,
            )
        )
    return tuple(out)


OVERDUE_KIND = "briefing_overdue"


def _overdue(s: Session, scope: str | None, at: datetime, keep: bool) -> list[dict]:
    """The most overdue cases at ``at`` (:func:`geodata.queries.briefing.most_overdue`).
    At a closed period's end, asked as of now (``keep``), their ranking is kept (ids and
    deadlines only: rebuilding it reads a day's changes, 0.4 s at 10M incidents); the
    cases' texts are read and masked afresh every time."""

    def rank() -> list[tuple[int, datetime]]:
        return q.overdue_ranked(s, scope, at, TOP_OVERDUE)

    def load(raw: Any) -> list[tuple[int, datetime]]:
        out = [(int(i), datetime.fromisoformat(due)) for i, due in raw]
        if any(due.tzinfo is None for _, due in out):
            raise ValueError("a deadline without its time zone")
        return out

    ranked = (
        kept.through(
            s,
            OVERDUE_KIND,
            scope or "",
            (kept.ALL_BEFORE, at),  # an old case's history loaded later drops it too
            str(TOP_OVERDUE),
            rank,
            lambda r: [[i, due.isoformat()] for i, due in r],
            load,
        )
        if keep
        else rank()
    )
    return q.overdue_cases(s, ranked)


KPIS_KIND = "briefing_kpis"
KEPT_KPIS = (*KPI_KEYS, "ratings")  # what geodata.queries.briefing.kpis gives


def _kpis(
    s: Session, scope: str | None, start: datetime, end: datetime, keep: bool
) -> dict[str, Any]:
    """:func:`geodata.queries.briefing.kpis`; a closed period's are kept when the
    briefing is asked as of now (``keep``): they count the period's cases by its
    timestamps and its overdue cases at its end, ~1 s each at 10M incidents."""

    def compute() -> dict[str, Any]:
        return q.kpis(s, scope, start, end)

    if not keep:
        return compute()
    return kept.through(
        s,
        KPIS_KIND,
        scope or "",
        (start, end),
        "v1",
        compute,
        dict,
        lambda b: {k: b[k] for k in KEPT_KPIS},
    )


def build(
    s: Session,
    area_code: str | None,
    period: Period,
    lang: str = "zh-CN",
    *,
    now: datetime | None = None,
) -> Briefing:
    """Gather a briefing's figures in the caller's unit of work ``s``; the figures are
    read in the briefing area's row-level-security scope (``scope_within``), whatever the
    caller's, and the caller's scope is given back afterwards.

    Raises
    ------
    InvalidInput
        If ``area_code`` names no area (:func:`governance.area_codes.resolve`).
    """
    keep = now is None  # as of now: a closed period's scorecard is kept (scores.scorecard)
    now = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ)
    # a period that includes now ends at now, and is compared like for like with the
    # same span of the period before (not with the whole of it)
    until = min(period.end, now)
    prev_until = min(period.prev_end, period.prev_start + (until - period.start))
    area = area_codes.area_row(s, area_code)  # None: the whole city
    scope = area["code"][: _digits(area["level"])] if area else None
    level = area["level"] if area else None
    res = HEAT_RES.get(level, 9)
    with scope_within(s, scope or ALL_AREAS):  # names to mask are read under row-level security
        current = _kpis(s, scope, period.start, until, keep)
        before = _kpis(s, scope, period.prev_start, prev_until, keep)
        cells = q.h3_counts(s, scope, period.start, until, res)
        frame, parts = q.outlines(s, area["id"] if area else None, SIMPLIFY_DEG.get(level, 0.0001))
        extent = q.extent(s, area["id"] if area else None)
        spots = hotspots(s, scope=scope, start=period.start, end=until, res=res, limit=TOP_HOTSPOTS)
        cats = q.top_categories(s, scope, period.start, until, TOP_CATEGORIES)
        depts = scorecard(
            s,
            kind="department",
            scope=scope,
            start=period.start,
            end=until,
            previous=(period.prev_start, prev_until),
            as_of=now,
            keep=keep,
        )
        overdue = _overdue(s, scope, until, keep)
        stored = emerging.stored_summary(s, scope or "", top=TOP_EMERGING)
        checked = crosscheck.blind_grids(
            s, scope or "", TimeRange(until - timedelta(days=CROSSCHECK_DAYS), until)
        )
        names = known_names.load(s, [r["id"] for r in overdue])
        as_of = kept.computed_at(s, KPIS_KIND, scope or "", period.start, until) if keep else None
    return Briefing(
        blind=tuple(checked["by_grid"][:TOP_BLIND]),
        blind_total=len(checked["by_grid"]),
        blind_days=CROSSCHECK_DAYS,
        blind_as_of=crosscheck.as_of_words(checked),
        figures_as_of=as_of.astimezone(LOCAL_TZ) if as_of else None,
        emerging=emerging.summary_words(stored, lang) if stored else None,
        area_code=area["code"] if area else None,
        area_name=area["name"] if area else t("brief.city", lang),
        area_level=level,
        period=period,
        lang=lang,
        generated_at=now,
        kpis=_kpi_lines(current, before, lang),
        res=res,
        cells=tuple(cells),
        frame=tuple(frame),
        parts=tuple(parts),
        extent=extent,
        hotspots=tuple(
            HotspotLine(
                label=h.label,
                place=h.grid_name or f"{h.lat:.4f}, {h.lon:.4f}",
                count=h.count,
                previous=h.previous,
                category=_category_label(h.top_category, lang) or None,
                lon=h.lon,
                lat=h.lat,
            )
            for h in spots
        ),
        categories=tuple(
            (_category_label(code, lang), n, _category_color(code)) for code, n in cats
        ),
        new_total=int(current["new"]),
        departments=tuple(depts[:TOP_DEPARTMENTS]),
        overdue=_overdue_lines(overdue, until, lang, names),
        min_base=MIN_BASE,
    )


def _category_color(code: str) -> str | None:
    cat = catalog.category(code)
    return cat.color if cat else None


def _digits(level: str) -> int:
    return LEVEL_DIGITS[level]


def export(
    s: Session,
    principal: Principal | None,
    req: BriefingRequest,
    render: Renderer,
    *,
    username: str | None = None,
    client_addr: str | None = None,
    now: datetime | None = None,
) -> Export:
    """Build a briefing, render it with ``render`` (the caller's renderer, e.g.
    ``briefings.render.render``) and record the export in the audit trail, all in the
    caller's unit of work ``s`` (the record is written last, after rendering, so the
    audit chain's lock is held only until the caller commits).

    ``principal`` None is the command line or the scheduler (the server's operator);
    otherwise it must hold ``BRIEFING_EXPORT`` and the area must lie in its scope (no
    area: the principal's own area).

    Raises
    ------
    Forbidden
        Without the capability, or for an area outside the principal's scope.
    InvalidInput
        For a code that names no area.
    Unavailable
        If the PDF / PNG renderer (Chromium) cannot run.
    """
    area = req.area_code
    if principal is not None:
        require(principal, BRIEFING_EXPORT)
        if area is None and principal.scope is not None:
            area = principal.area_code
        if area is not None:
            require_area(principal, area.ljust(12, "0") if len(area) in (6, 9) else area)
    b = build(s, area, req.period, req.lang, now=now)
    data = render(b, req.fmt)
    name = filename(b, req.fmt)
    who = principal.username if principal else (username or "cli")
    audit.record(
        s,
        action="export",
        user_id=(principal.user_id or None) if principal else None,
        username=who,
        role=principal.role if principal else None,
        object_type="briefing",
        object_id=f"{req.period.kind}:{b.area_code or 'city'}:{req.period.start.date()}",
        client_addr=client_addr,
        detail={"format": req.fmt, "lang": req.lang, "bytes": len(data), "file": name},
    )
    log.info("briefing %s (%d bytes) exported by %s", name, len(data), who)
    return Export(name, MIMETYPES[req.fmt], data)


def area_choices(s: Session, principal: Principal | None, lang: str) -> list[dict[str, str]]:
    """The areas a principal may brief on, for a picker: ``{label, value}``; the whole
    city (value "") first for city-wide roles. Counties and streets city-wide; within a
    scope, the principal's area and two levels below it (read in the caller's unit ``s``)."""
    who = require(principal, BRIEFING_EXPORT)
    return area_codes.choices(s, who.scope, lang)  # typing a code (441500 ...) finds its area
