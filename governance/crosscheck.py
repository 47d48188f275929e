"""逆向倒查, the reverse cross-check (issue 16, first part): which places and which grids
receive a kind of problem through 12345, 110, public reports and sensors far more often
than their own grid reports it.

:func:`crosscheck` reads the counts of a period and an area in the caller's unit of work,
tests every H3 cell (resolution 8) x category and every grid x category
(:mod:`governance.crosscheck_stats`: exact one-sided binomial test against the area's grid
share of that category, Benjamini-Hochberg across all tested), and says each blind spot in
plain words, with the same test on the previous period of equal length as its trend.
The period, its inputs and the method are part of the answer, so a page or a briefing can
state them. Access: ``ANALYTICS_VIEW``, inside the user's area scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

import numpy as np
from sqlalchemy.orm import Session

from geodata.queries import crosscheck as q
from governance import area_codes, catalog
from governance.access import ANALYTICS_VIEW, LEVEL_DIGITS, Principal, require, require_area
from governance.crosscheck_stats import ALPHA, MIN_EXTERNAL, Tested, blind_spots
from governance.errors import Forbidden, InvalidInput
from governance.filters import TimeRange, parse_time
from i18n import t

MAX_DAYS: Final = 366
MAX_LISTED: Final = 200  # blind spots listed per kind; the counts are whole


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
    lang: str | None = None,
) -> dict:
    """Blind spots by cell and by grid in the area (default: the user's own) and period."""
    who = require(principal, ANALYTICS_VIEW)
    ref = area_codes.resolve(s, area) if area else None
    prefix = _prefix(ref, who)
    tr = parse_time(window, start, end)
    if tr.end - tr.start > timedelta(days=MAX_DAYS):
        raise InvalidInput("crosscheck.error.too_long", days=MAX_DAYS)
    previous = TimeRange(tr.start - (tr.end - tr.start), tr.start)
    cells = _test(q.cell_counts(s, prefix, tr.start, tr.end))
    cells_before = _test(q.cell_counts(s, prefix, previous.start, previous.end))
    grids = _test(q.grid_counts(s, prefix, tr.start, tr.end))
    grids_before = _test(q.grid_counts(s, prefix, previous.start, previous.end))
    return {
        "period": {"start": tr.start.isoformat(), "end": tr.end.isoformat()},
        "area": prefix or None,
        "method": t("crosscheck.method", lang, alpha=f"{ALPHA:.0%}", min=MIN_EXTERNAL),
        "tested": {"cells": int(cells[1].tested.sum()), "grids": int(grids[1].tested.sum())},
        "cells": _findings(cells, cells_before, lambda r: (format(int(r[0]), "x"), None), lang),
        "grids": _findings(grids, grids_before, lambda r: (r[1], r[2]), lang),
    }


def _prefix(ref: area_codes.AreaRef | None, who: Principal) -> str:
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


def _test(rows: list[tuple]) -> tuple[list[tuple], Tested]:
    """The rows (each ending in category, own, external) and their test."""
    own = np.array([r[-2] for r in rows], dtype=np.int64)
    ext = np.array([r[-1] for r in rows], dtype=np.int64)
    cats = np.array([r[-3] for r in rows], dtype=object)
    return rows, blind_spots(own, ext, cats)


def _findings(now, before, place, lang: str | None) -> list[dict]:  # type: ignore[no-untyped-def]
    rows, tested = now
    flagged_before = {
        (place(r)[0], r[-3]) for r, b in zip(before[0], before[1].blind, strict=True) if b
    }
    out: list[Finding] = []
    order = np.argsort(tested.q, kind="stable")
    for k in order:
        if not tested.blind[k]:
            break
        r = rows[k]
        code, name = place(r)
        cat = r[-3]
        c = catalog.category(cat)
        trend = "still" if (code, cat) in flagged_before else "new"
        out.append(
            Finding(
                code, name, cat, c.name(lang or "zh-CN") if c else cat, int(r[-2]), int(r[-1]),
                float(tested.expected[k]), float(tested.p[k]), float(tested.q[k]), trend,
                t("crosscheck.words", lang, external=int(r[-1]), own=int(r[-2]),
                  share=f"{tested.share[k]:.0%}", expected=f"{tested.expected[k]:.1f}",
                  p=f"{tested.p[k]:.2g}", q=f"{tested.q[k]:.2g}"),
            )
        )  # fmt: skip
    return [f.__dict__ for f in out[:MAX_LISTED]]
