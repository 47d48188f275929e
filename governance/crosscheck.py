"""逆向倒查, the reverse cross-check (issue 16): which places and which grids receive a kind
of problem through 12345, 110 and public reports (or, on request, sensors) far more often
than their own grid reports it; and, the opposite check, which grids' own reports of a
kind are rejected far more often than elsewhere (possible padding).

:func:`crosscheck` reads the counts of a period and an area in the caller's unit of work
(one scan for the period and the previous one, ``geodata/queries/crosscheck.py``), tests
every H3 cell (resolution 8) x category and every grid x category
(:mod:`governance.crosscheck_stats`: exact one-sided binomial tests against the area's
share of that category, Benjamini-Hochberg across all tested), and says each finding in
plain words, with the same test on the previous period of equal length as its trend.
The period, its inputs and the method are part of the answer, so a page or a briefing can
state them. Access: ``ANALYTICS_VIEW``, inside the user's area scope; :func:`analyse` is
the unchecked core for use cases that have checked (the weekly packet, the briefing, the
daily alerts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import numpy as np
from sqlalchemy.orm import Session

from geodata.queries import crosscheck as q
from governance import area_codes, catalog
from governance.access import ANALYTICS_VIEW, LEVEL_DIGITS, Principal, require, require_area
from governance.crosscheck_stats import (
    ALPHA,
    MIN_EXTERNAL,
    MIN_REJECTED,
    Tested,
    blind_spots,
    padding,
)
from governance.errors import Forbidden, InvalidInput
from governance.filters import LOCAL_TZ, TimeRange, parse_time
from i18n import t

MAX_DAYS: Final = 366
MAX_LISTED: Final = 200  # blind spots listed per kind; the counts are whole
# the external side: what residents tell others (default), the sensors, or both. Sensors
# report where they are mounted, many times for one condition: their counts measure
# where sensors are, not what the grid fails to see, and on their own they would make
# every sensor a "blind spot" (the demo city: 33 of 33 cells over 90 days).
CHANNELS: Final = {"residents": q.RESIDENTS, "sensors": q.SENSORS, "all": q.EXTERNAL}


@dataclass(frozen=True)
class Finding:
    """One blind spot: a place (cell or grid) x category."""

    place: str  # H3 cell (hex) or grid code
    name: str | None  # the grid's name (None for a cell)
    category: str
    category_name: str
    own: int
    external: int
    expected: float
    p: float
    q: float
    before: str  # trend: "new" (not a blind spot in the previous period) or "still"
    words: str


def crosscheck(
    s: Session,
    principal: Principal | None,
    *,
    area: str | None = None,
    window: str | None = "90d",
    start: str | None = None,
    end: str | None = None,
    channels: str | None = "residents",
    category: str | None = None,
    lang: str | None = None,
    outlines: bool = False,
) -> dict:
    """Blind spots by cell and by grid, and possible padding by grid, in the area (default:
    the user's own) and period; ``category`` narrows what is listed (the tests, and so
    the q values, are always over every category). ``outlines``: add the GeoJSON outlines
    of the grids with blind spots (``"outlines"``), the map's frame."""
    who = require(principal, ANALYTICS_VIEW)
    _channels(channels)
    if category not in (None, "") and catalog.category(str(category)) is None:
        raise InvalidInput("crosscheck.error.category", value=str(category)[:40])
    ref = area_codes.resolve(s, area) if area else None
    prefix = scope_prefix(ref, who)
    tr = _period(window, start, end)
    out = analyse(s, prefix, tr, channels=channels, category=category, lang=lang)
    if outlines:
        out["outlines"] = q.outlines(s, prefix, [g["grid"] for g in out["by_grid"]])
    return out


def analyse(
    s: Session,
    prefix: str,
    tr: TimeRange,
    *,
    channels: str | None = "residents",
    category: str | None = None,
    lang: str | None = None,
) -> dict:
    """:func:`crosscheck` of the area ``prefix`` ("" the whole city) over ``tr`` in the
    caller's transaction, with no access check (the weekly packet's entry point has
    made it); ``channels`` must be one of :data:`CHANNELS` (or None)."""
    external = _channels(channels)
    previous = TimeRange(tr.start - (tr.end - tr.start), tr.start)
    before, now = q.counts(
        s, prefix, [(previous.start, previous.end), (tr.start, tr.end)], external
    )
    cells, cells_before = _test(now.cells), _test(before.cells)
    grids, grids_before = _test(now.grids), _test(before.grids)
    pad, pad_before = _test_padding(now.own), _test_padding(before.own)
    only = category or None
    grid_findings = _findings(grids, grids_before, lambda r: (r[1], r[2]), lang, "words", only)
    return {
        "period": {"start": tr.start.isoformat(), "end": tr.end.isoformat()},
        "previous": {"start": previous.start.isoformat(), "end": previous.end.isoformat()},
        "area": prefix or None,
        # kept counts of a closed period: as known then (数据截至); None: counted now
        "as_of": now.as_of.isoformat() if now.as_of else None,
        "channels": channels or "residents",
        "category": only,
        "method": t(
            f"crosscheck.method.{channels or 'residents'}",
            lang,
            alpha=f"{ALPHA:.0%}",
            min=MIN_EXTERNAL,
            min_rejected=MIN_REJECTED,
        ),
        "tested": {
            "cells": int(cells[1].tested.sum()),
            "grids": int(grids[1].tested.sum()),
            "padding": int(pad[1].tested.sum()),
        },
        "cells": _findings(
            cells, cells_before, lambda r: (format(int(r[0]), "x"), None), lang, "words", only
        ),
        "grids": grid_findings,
        "by_grid": _by_grid(grids, grids_before, only),
        "padding": [
            {**{k: v for k, v in f.items() if k != "external"}, "rejected": f["external"]}
            for f in _findings(pad, pad_before, lambda r: (r[1], r[2]), lang, "padding_words", only)
        ],
    }


def blind_grids(s: Session, prefix: str, tr: TimeRange) -> dict:
    """The grids of the area ``prefix`` ranked by their blind spots over ``tr`` against
    the period before (residents' channels), as :func:`analyse` gives them in
    ``"by_grid"``, with its ``"as_of"``: what the weekly packet and the briefings show.
    Only the grids are tested (the same test, so the same grids), which at 10M incidents
    saves reading and testing a few hundred thousand cells."""
    previous = TimeRange(tr.start - (tr.end - tr.start), tr.start)
    before, now = q.counts(
        s, prefix, [(previous.start, previous.end), (tr.start, tr.end)], q.RESIDENTS, cells=False
    )
    return {
        "by_grid": _by_grid(_test(now.grids), _test(before.grids), None),
        "as_of": now.as_of.isoformat() if now.as_of else None,
    }


def as_of_words(analysed: dict) -> str | None:
    """When an :func:`analyse` result's counts were counted, if they were kept counts of
    a closed period (local time, to the minute: the 数据截至 of a briefing); else None."""
    at = analysed.get("as_of")
    if not at:
        return None
    return datetime.fromisoformat(at).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def external_cases(
    s: Session,
    principal: Principal | None,
    *,
    place: str,
    category: str,
    area: str | None = None,
    window: str | None = "90d",
    start: str | None = None,
    end: str | None = None,
    channels: str | None = "residents",
) -> list[dict]:
    """The external reports behind one blind spot (``place``: a grid code or an H3 cell of
    :func:`crosscheck`), newest first, at most 50: id, channel, time and status only (the
    map's case panel, opened from the id, applies its own masking)."""
    who = require(principal, ANALYTICS_VIEW)
    external = _channels(channels)
    if catalog.category(str(category)) is None:
        raise InvalidInput("crosscheck.error.category", value=str(category)[:40])
    tr = _period(window, start, end)
    prefix = scope_prefix(area_codes.resolve(s, area) if area else None, who)
    cell: int | None = None
    if _CELL.fullmatch(place or ""):
        cell = int(place, 16)
    else:
        ref = area_codes.resolve(s, place)
        if ref is None:
            raise InvalidInput("crosscheck.error.place")
        if ref.id is None or not ref.code.startswith(prefix):
            raise Forbidden("error.out_of_scope")
        require_area(who, ref.code)
        prefix = ref.code
    rows = q.external_cases(s, prefix, tr.start, tr.end, category, external, cell=cell)
    return [
        {"id": int(i), "source": src, "occurred_at": at.isoformat(), "status": st}
        for i, src, at, st in rows
    ]


def area_choices(s: Session, principal: Principal | None, lang: str | None) -> list[dict[str, str]]:
    """The areas a principal may cross-check, for a picker (``{label, value}``): the whole
    city (value "") first for city-wide roles, then counties and streets; within a scope,
    the principal's area and the two levels below it."""
    return area_codes.choices(s, require(principal, ANALYTICS_VIEW).scope, lang)


_CELL: Final = re.compile(r"8[0-9a-f]{14}")  # an H3 cell index in hex (resolution 8 ...)


def _channels(raw: str | None) -> tuple[str, ...]:
    if raw in (None, ""):
        return CHANNELS["residents"]
    if not isinstance(raw, str) or raw not in CHANNELS:
        raise InvalidInput("crosscheck.error.channels", value=str(raw)[:20])
    return CHANNELS[raw]


def _period(window: str | None, start: str | None, end: str | None) -> TimeRange:
    tr = parse_time(window, start, end)
    if tr.end - tr.start > timedelta(days=MAX_DAYS):
        raise InvalidInput("crosscheck.error.too_long", days=MAX_DAYS)
    return tr


def scope_prefix(ref: area_codes.AreaRef | None, who: Principal) -> str:
    """The code prefix to count in: the area asked for (inside the user's scope), else the
    user's scope; "" for the whole city."""
    if ref is None:
        return who.scope or ""
    if ref.id is None:  # the whole city: only for city-wide users
        if who.scope is not None:
            raise Forbidden("error.out_of_scope")
        return ""
    require_area(who, ref.code)
    return ref.code[: LEVEL_DIGITS[ref.level]]


def _test(rows: q.Table) -> tuple[q.Table, Tested]:
    """The rows (each ending in category, own, external) and their test."""
    return rows, blind_spots(rows["own"], rows["external"], rows["category"])


def _test_padding(rows: q.Table) -> tuple[q.Table, Tested]:
    """The rows (each ending in category, own, rejected) and the padding test. The place
    functions of :func:`_findings` read ``r[-2]``/``r[-1]`` as (own, rejected) here."""
    return rows, padding(rows["rejected"], rows["own"], rows["category"])


def _by_grid(now, before, only: str | None) -> list[dict]:  # type: ignore[no-untyped-def]
    """Grids ranked by their blind spots (then external reports): each grid's count of
    blind categories now and in the previous period, and the reports of each side."""
    rows, tested = now
    acc: dict[str, dict] = {}
    for k in np.flatnonzero(tested.blind):  # the flagged rows only: a few of 100,000
        r = rows.row(k)
        if only and r[-3] != only:
            continue
        g = acc.setdefault(r[1], {"grid": r[1], "name": r[2], "blind": 0, "own": 0,
                                  "external": 0, "categories": []})  # fmt: skip
        g["blind"] += 1
        g["own"] += int(r[-2])
        g["external"] += int(r[-1])
        g["categories"].append(r[-3])
    prev: dict[str, int] = {}
    for k in np.flatnonzero(before[1].blind):
        r = before[0].row(k)
        if not (only and r[-3] != only):
            prev[r[1]] = prev.get(r[1], 0) + 1
    for code, g in acc.items():
        g["before"] = prev.get(code, 0)
        g["trend"] = (
            "worse"
            if g["blind"] > g["before"]
            else "better"
            if g["blind"] < g["before"]
            else "same"
        )
    return sorted(acc.values(), key=lambda g: (-g["blind"], -g["external"], g["grid"]))[:MAX_LISTED]


def _findings(now, before, place, lang: str | None, words: str, only: str | None) -> list[dict]:  # type: ignore[no-untyped-def]
    rows, tested = now
    flagged_before = {
        (place(r)[0], r[-3]) for r in (before[0].row(k) for k in np.flatnonzero(before[1].blind))
    }
    out: list[Finding] = []
    order = np.argsort(tested.q, kind="stable")
    for k in order:
        if not tested.blind[k]:
            break
        r = rows.row(k)
        if only and r[-3] != only:
            continue
        code, name = place(r)
        cat = r[-3]
        c = catalog.category(cat)
        trend = "still" if (code, cat) in flagged_before else "new"
        out.append(
            Finding(
                code, name, cat, c.name(lang or "zh-CN") if c else cat, int(r[-2]), int(r[-1]),
                float(tested.expected[k]), float(tested.p[k]), float(tested.q[k]), trend,
                t(f"crosscheck.{words}", lang, external=int(r[-1]), own=int(r[-2]),
                  share=f"{tested.share[k]:.0%}", expected=f"{tested.expected[k]:.1f}",
                  p=f"{tested.p[k]:.2g}", q=f"{tested.q[k]:.2g}"),
            )
        )  # fmt: skip
    return [f.__dict__ for f in out[:MAX_LISTED]]
