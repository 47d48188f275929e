"""A finished leaders' briefing, as data: what ``governance.briefings`` builds from the
database and ``briefings/`` renders (HTML, PDF, PNG).

It lives apart from the service so that the renderer can read it without importing the
service: ``briefings/`` may import this module (and ``governance`` in general), while
``governance`` never imports ``briefings/``. The caller (a CLI command, a callback) passes
the renderer to :func:`governance.briefings.export`, which builds, calls it, and records the
export.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from governance.briefing_period import Period


@dataclass(frozen=True)
class KpiLine:
    """One KPI of the period and of the previous one (None: not defined, e.g. no ratings)."""

    key: str
    label: str
    value: float | int | None
    previous: float | int | None
    kind: str  # "count", "share" (0..1) or "score" (0..100)
    note: str | None = None


@dataclass(frozen=True)
class HotspotLine:
    """A hotspot as printed: its label (new / persistent / cooling) and where it is."""

    label: str  # "new", "persistent", "cooling"
    place: str
    count: int
    previous: int
    category: str | None
    lon: float
    lat: float


@dataclass(frozen=True)
class OverdueLine:
    """One of the most overdue cases, masked for print."""

    id: int
    category: str
    grid: str
    department: str
    due: datetime
    days_overdue: float
    description: str


@dataclass(frozen=True)
class Briefing:
    """Everything one briefing shows; built from the database, rendered elsewhere."""

    area_code: str | None
    area_name: str
    area_level: str | None
    period: Period
    lang: str
    generated_at: datetime
    kpis: tuple[KpiLine, ...]
    res: int
    cells: tuple[tuple[int, int], ...]
    frame: tuple[dict[str, Any], ...]  # the area's outline(s): {code, name, wkb, lon, lat}
    parts: tuple[dict[str, Any], ...]  # its children one level down, labelled on the map
    extent: tuple[float, float, float, float] | None
    hotspots: tuple[HotspotLine, ...]
    categories: tuple[tuple[str, int, str | None], ...]  # (label, count, colour)
    new_total: int  # every new case of the period: the whole the categories' shares divide
    departments: tuple[Any, ...]  # governance.scores.Score, best first
    overdue: tuple[OverdueLine, ...]
    min_base: int  # governance.scores.MIN_BASE: rates over fewer cases are not shown
    # 逆向倒查 over the CROSSCHECK_DAYS up to the period's end: governance.crosscheck
    # "by_grid" lines (grid, name, blind, external, own, trend, before), most first
    blind: tuple[dict[str, Any], ...] = ()
    blind_total: int = 0
    blind_days: int = 0
    blind_as_of: str | None = None  # kept counts: when counted (local, to the minute)
    figures_as_of: datetime | None = None  # a closed period's kept KPIs: when computed
    # the stored emerging hot-spot analysis covering the area, in words
    # (governance.emerging.summary_words: period, method, counts, top); None: none stored
    emerging: dict[str, Any] | None = None

    @property
    def empty(self) -> bool:
        """No activity at all in the period: the briefing says so instead of charts."""
        return all(
            k.value in (None, 0) for k in self.kpis if k.kind in ("count", "score")
        ) and not any(n for _, n in self.cells)

    def kpi(self, key: str) -> KpiLine:
        """The KPI line with ``key``."""
        return next(k for k in self.kpis if k.key == key)


@dataclass(frozen=True)
class Export:
    """A rendered briefing file."""

    filename: str
    mimetype: str
    data: bytes


MIMETYPES = {"pdf": "application/pdf", "png": "image/png", "html": "text/html; charset=utf-8"}


# The renderer a caller hands to ``governance.briefings.export``: (briefing, "html" | "pdf" |
# "png") -> the file's bytes (``briefings.render.render``).
Renderer = Callable[[Briefing, str], bytes]


def filename(b: Briefing, fmt: str) -> str:
    """``briefing-daily-441521000000-2026-11-28.pdf``: ASCII, sortable, one per area,
    period and first day."""
    area = b.area_code or "city"
    return f"briefing-{b.period.kind}-{area}-{b.period.start.date().isoformat()}.{fmt}"
