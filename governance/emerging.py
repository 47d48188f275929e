"""新兴热点, the emerging hot-spot analysis (issue 16, second part): which H3 cells
(resolution 8) are new, consecutive, intensifying, persistent, diminishing, sporadic,
oscillating or historical hot (or cold) spots over the last weeks.

The statistics are :mod:`governance.emerging_stats` (Gi* per cell and local week with
conditional permutations, Mann-Kendall trends, ESRI's categories). They take seconds
on a city's year, too slow for a page: :func:`compute` stores the result of a scope
(the whole city, a county ...) in ``emerging_run`` / ``emerging_cell``, replacing the
previous one, in the caller's unit of work. The scheduled job (:func:`daily`, from the
server's background thread) recomputes the city and each county at most once a day;
``python app.py analytics emerging`` does it by hand (:func:`run` as a user,
:func:`run_system` as the operator). The map layer (:func:`layer_geojson`) and the
briefings (:func:`summary`) read the stored result only, and state its period and
method in words.

Access: ``ANALYTICS_VIEW`` inside the user's area scope (as ``governance/crosscheck.py``).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, Final

import numpy as np
from sqlalchemy.orm import Session

from geodata.db import ALL_AREAS, scope_within
from geodata.hexagons import cell_boundary_lonlat, cell_center_lonlat, ring1_neighbours
from geodata.queries import emerging as q
from geodata.queries.sla import try_sweep_lock
from governance import area_codes, crosscheck, emerging_stats
from governance.access import ANALYTICS_VIEW, LEVEL_DIGITS, Principal, require
from governance.filters import LOCAL_TZ
from governance.inputs import integer
from i18n import t

log = logging.getLogger(__name__)

DEFAULT_WEEKS: Final = 52
MIN_WEEKS: Final = 10  # ESRI's minimum number of time steps for the trend test
MAX_WEEKS: Final = 104
MAX_PERMUTATIONS: Final = 999
DAILY_LOCK: Final = 7_302_018  # pg_try_advisory_xact_lock key of the daily job
EVERY: Final = timedelta(days=1)
TOP: Final = 5  # cells listed per briefing
# the order in which categories are listed: what needs attention first
ORDER: Final = (
    *(f"{k}_hot" for k in ("new", "intensifying", "consecutive", "persistent", "sporadic")),
    *(f"{k}_hot" for k in ("oscillating", "diminishing", "historical")),
    *emerging_stats.COLD,
)


def parse_params(weeks: object, permutations: object) -> tuple[int, int]:
    """Weeks and permutations as anyone may send them: integers in range, else a
    translated :class:`InvalidInput`."""
    return (
        integer(weeks, "weeks", lo=MIN_WEEKS, hi=MAX_WEEKS),
        integer(permutations, "permutations", lo=0, hi=MAX_PERMUTATIONS),
    )


def period(weeks: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The last ``weeks`` whole local weeks before ``now``'s week: Monday 00:00 to the
    Monday 00:00 of this week (the running week is not a whole bin yet)."""
    today = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ).date()
    monday = today - timedelta(days=today.weekday())
    end = datetime.combine(monday, time(), LOCAL_TZ)
    return end - timedelta(weeks=weeks), end


def analyse(
    s: Session, prefix: str, weeks: int, permutations: int, now: datetime | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The analysis of the area under ``prefix`` ("" the city) without storing it:
    ``(run, cells)`` as :func:`geodata.queries.emerging.replace_run` takes them."""
    start, end = period(weeks, now)
    rows = q.weekly_counts(s, prefix, start, end)
    cells = np.array(sorted({r[0] for r in rows}), dtype=np.int64)
    counts = np.zeros((len(cells), weeks), dtype=np.int64)
    by_grid: Counter[tuple[int, str]] = Counter()
    if rows:
        at = np.searchsorted(cells, np.array([r[0] for r in rows], dtype=np.int64))
        np.add.at(counts, (at, np.array([r[1] for r in rows])), [r[3] for r in rows])
        for r in rows:
            by_grid[(r[0], r[2])] += r[3]
    grids: dict[int, str] = {}
    for (cell, code), _n in sorted(by_grid.items(), key=lambda kv: (-kv[1], kv[0][1])):
        grids.setdefault(cell, code)  # the busiest grid (ties: the lowest code)
    seed = int(start.strftime("%Y%m%d"))
    run = {
        "scope": prefix,
        "weeks": weeks,
        "permutations": permutations,
        "alpha": emerging_stats.ALPHA,
        "seed": seed,
        "period_start": start.date(),
        "period_end": end.date(),
        "cells": len(cells),
        "incidents": int(counts.sum()),
        "method": "gi_star_ring1_binary+mann_kendall",
    }
    if len(cells) == 0:
        return run, []
    res = emerging_stats.emerging(
        counts, ring1_neighbours(cells), permutations, emerging_stats.ALPHA, seed
    )
    out = [
        {
            "h3_8": int(c),
            "category": str(res.category[k]),
            "grid_code": grids.get(int(c)),
            "total": int(counts[k].sum()),
            "hot_bins": int(res.gi.hot[k].sum()),
            "cold_bins": int(res.gi.cold[k].sum()),
            "last_z": float(res.gi.z[k, -1]),
            "trend_tau": float(res.trend.tau[k]),
            "trend_z": float(res.trend.z[k]),
            "trend_p": float(res.trend.p[k]),
            "count_tau": float(res.count_trend.tau[k]),
            "count_p": float(res.count_trend.p[k]),
        }
        for k, c in enumerate(cells)
    ]
    return run, out


def compute(
    s: Session,
    prefix: str,
    weeks: int = DEFAULT_WEEKS,
    permutations: int = emerging_stats.PERMUTATIONS,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Analyse and store the scope ``prefix`` in the caller's unit of work (which must
    see the scope's incidents); returns the run with the count of each category."""
    run, cells = analyse(s, prefix, weeks, permutations, now)
    run_id = q.replace_run(s, run, cells)
    found = Counter(c["category"] for c in cells)
    log.info("emerging hot spots of %r: %s", prefix or "city", dict(found))
    return {**run, "id": run_id, "found": {k: found[k] for k in emerging_stats.CATEGORIES}}


def run(
    s: Session,
    principal: Principal | None,
    *,
    weeks: object = DEFAULT_WEEKS,
    permutations: object = emerging_stats.PERMUTATIONS,
    area: str | None = None,
    now: datetime | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Compute and store the analysis of ``area`` (default: the user's own scope) as
    ``principal``; the answer states the period and method in words."""
    who = require(principal, ANALYTICS_VIEW)
    w, p = parse_params(weeks, permutations)
    ref = area_codes.resolve(s, area) if area else None
    prefix = crosscheck.scope_prefix(ref, who)
    return _described(compute(s, prefix, w, p, now), lang)


def run_system(
    s: Session,
    *,
    weeks: object = DEFAULT_WEEKS,
    permutations: object = emerging_stats.PERMUTATIONS,
    area: str | None = None,
    now: datetime | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """As :func:`run` for the operator on the command line (no user: every area)."""
    w, p = parse_params(weeks, permutations)
    with scope_within(s, ALL_AREAS):
        ref = area_codes.resolve(s, area) if area else None
        prefix = "" if ref is None or ref.is_city else ref.code[: LEVEL_DIGITS[ref.level]]
        return _described(compute(s, prefix, w, p, now), lang)


def daily(s: Session, now: datetime | None = None) -> list[str]:
    """The scheduled job, in the caller's unit of work: unless another process holds the
    lock or the city's result is less than a day old, recompute the city and each county
    (default parameters). Returns the scopes computed."""
    now = now or datetime.now(LOCAL_TZ)
    with scope_within(s, ALL_AREAS):
        if not try_sweep_lock(s, DAILY_LOCK) or q.computed_since(s, "", now - EVERY):
            return []
        scopes = ["", *q.county_codes(s)]
        for prefix in scopes:
            compute(s, prefix, now=now)
    return scopes


def _described(run: dict[str, Any], lang: str | None) -> dict[str, Any]:
    """The run with its period and method in words, and the names of what it found."""
    return {
        **run,
        "period_start": run["period_start"].isoformat(),
        "period_end": run["period_end"].isoformat(),
        "period": period_words(run, lang),
        "method_words": method_words(run, lang),
        "found_words": {k: category_name(k, lang) for k, n in run["found"].items() if n},
    }


def category_name(category: str, lang: str | None) -> str:
    return t(f"emerging.cat.{category}", lang)


def period_words(run: dict[str, Any], lang: str | None) -> str:
    last = _day(run["period_end"]) - timedelta(days=1)
    return t(
        "emerging.period",
        lang,
        start=_day(run["period_start"]).isoformat(),
        end=last.isoformat(),
        weeks=run["weeks"],
    )


def method_words(run: dict[str, Any], lang: str | None) -> str:
    sig = (
        t("emerging.sig.permutations", lang, n=run["permutations"])
        if run["permutations"]
        else t("emerging.sig.analytic", lang)
    )
    return t("emerging.method", lang, significance=sig, alpha=f"{run['alpha']:g}")


def trend_words(cell: dict[str, Any], lang: str | None, alpha: float) -> str:
    """The Mann-Kendall trend of a cell's Gi* z-scores, in words."""
    if cell["trend_p"] >= alpha:
        return t("emerging.trend.flat", lang, p=f"{cell['trend_p']:.2g}")
    key = "up" if cell["trend_tau"] > 0 else "down"
    return t(f"emerging.trend.{key}", lang, p=f"{cell['trend_p']:.2g}")


def _day(v: object) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v))


def _reading_scope(who: Principal, area: str | None, s: Session) -> str:
    ref = area_codes.resolve(s, area) if area else None
    return crosscheck.scope_prefix(ref, who)


def stored_summary(s: Session, prefix: str, top: int = TOP) -> dict[str, Any] | None:
    """The stored result that covers ``prefix`` ("" the city), cut to the cells whose
    grid lies under it: the run, the count of each category found and the ``top`` cells
    that need attention first (no access check: for use cases that made theirs, e.g. the
    weekly consultation). None: nothing stored yet."""
    stored = q.best_run(s, prefix)
    if stored is None:
        return None
    cells = q.cells_of(s, stored["id"], prefix)
    found = Counter(c["category"] for c in cells)
    rank = {c: k for k, c in enumerate(ORDER)}
    listed = sorted(cells, key=lambda c: (rank.get(c["category"], 99), -c["total"]))[:top]
    return {"run": stored, "found": {k: found[k] for k in ORDER if found[k]}, "top": listed}


def summary_words(raw: dict[str, Any], lang: str | None) -> dict[str, Any]:
    """A :func:`stored_summary` in words: period, method, categories and cells."""
    run = raw["run"]
    at = run["computed_at"].astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    return {
        "period": period_words(run, lang),
        "method": method_words(run, lang),
        "computed_at": at,
        "counts": [
            {"category": k, "name": category_name(k, lang), "cells": n}
            for k, n in raw["found"].items()
        ],
        "top": [
            {
                "cell": format(c["h3_8"], "x"),
                "category": c["category"],
                "name": category_name(c["category"], lang),
                "grid": c["grid_name"] or c["grid_code"] or "",
                "total": c["total"],
                "trend": trend_words(c, lang, run["alpha"]),
            }
            for c in raw["top"]
        ],
    }


def summary(
    s: Session,
    principal: Principal | None,
    *,
    area: str | None = None,
    lang: str | None = None,
    top: int = TOP,
) -> dict[str, Any] | None:
    """The stored result for ``area`` (default: the user's scope), for a briefing or a
    page: period and method in words, the count of each category found and the ``top``
    cells that need attention first with their grid's name. None: nothing stored yet."""
    who = require(principal, ANALYTICS_VIEW)
    raw = stored_summary(s, _reading_scope(who, area, s), top)
    return summary_words(raw, lang) if raw else None


def layer_geojson(
    s: Session, scope: str | None, bbox: Sequence[float], cap: int
) -> tuple[str, int]:
    """The stored cells with a pattern in ``bbox`` under the user's ``scope``, as a
    GeoJSON FeatureCollection (hexagons; ``stats`` says the run's period and parameters);
    the words are the map's to add (the payload is the same in every language)."""
    prefix = scope or ""
    stored = q.best_run(s, prefix)
    if stored is None:
        return json.dumps({"type": "FeatureCollection", "features": [], "stats": None}), 0
    minlon, minlat, maxlon, maxlat = bbox
    feats: list[dict[str, Any]] = []
    for c in q.cells_of(s, stored["id"], prefix):
        lon, lat = cell_center_lonlat(c["h3_8"])
        if not (minlon <= lon <= maxlon and minlat <= lat <= maxlat):
            continue
        if len(feats) >= cap:
            break
        trend = "flat" if c["trend_p"] >= stored["alpha"] else "up"
        if trend == "up" and c["trend_tau"] < 0:
            trend = "down"
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [cell_boundary_lonlat(c["h3_8"])]},
                "properties": {
                    "cell": format(c["h3_8"], "x"),
                    "cat": c["category"],
                    "trend": trend,
                    "hot": c["hot_bins"],
                    "cold": c["cold_bins"],
                    "total": c["total"],
                    "grid": c["grid_name"] or "",
                },
            }
        )
    stats = {
        "start": stored["period_start"].isoformat(),
        "end": (stored["period_end"] - timedelta(days=1)).isoformat(),
        "weeks": stored["weeks"],
        "permutations": stored["permutations"],
        "computed_at": stored["computed_at"].isoformat(),
    }
    body = {"type": "FeatureCollection", "features": feats, "stats": stats}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")), len(feats)


def stored_meta(s: Session, principal: Principal | None, lang: str | None) -> dict[str, str] | None:
    """Period, method and time of computation, in words, of the result the map shows
    ``principal`` (None: nothing stored yet)."""
    who = require(principal, ANALYTICS_VIEW)
    stored = q.best_run(s, who.scope or "")
    if stored is None:
        return None
    at = stored["computed_at"].astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    return {
        "period": period_words(stored, lang),
        "method": method_words(stored, lang),
        "computed": t("emerging.computed", lang, at=at),
    }
