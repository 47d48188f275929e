"""Time playback of the map: one frame of incident density (and points) at a time.

A frame is ``[period start + n * step, + step)`` of a period of local days (Asia/Shanghai,
end inclusive, at most :data:`MAX_DAYS`), stepped by the hour or the day. The browser asks
for frame ``n`` while ``n - 1`` is shown (assets/js/playback.js), so the map never holds
more than a frame and a few prefetched ones: never the period's points at once.

Who may see it and where are the density layer's rules, applied by the same code:
:func:`governance.layers.layer_permission` for ``density``, the principal's area scope in
SQL (:class:`geodata.queries.layers.IncidentWhere`) and, for aggregate-only viewers (the
wall), the coarse resolution and the widened window of :mod:`governance.coarse`. Points
are added only when zoomed in, only for roles that see the incidents layer, at most
:data:`MAX_POINTS`, with only the fields that layer shows.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Final

from sqlalchemy.orm import Session

from geodata.hexagons import resolution_for_zoom
from geodata.queries import playback as q
from geodata.queries.layers import IncidentWhere
from governance import coarse, inputs
from governance.access import LAYER_INCIDENTS, Principal, require
from governance.errors import Forbidden, InvalidInput
from governance.filters import LOCAL_TZ, MAX_ZOOM, BBox, parse_bbox
from governance.layer_query import BBOX_DOC, ZOOM_KEYS
from governance.layers import density_geojson, layer_permission
from governance.request_model import Query
from governance.shapes import Choice, Custom, Integer, Number
from settings import get_settings

STEPS: Final = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
MAX_DAYS: Final = 366
MAX_FRAMES: Final = MAX_DAYS * 24
MAX_POINTS: Final = 300
POINTS_MIN_ZOOM: Final = 13  # the zoom from which the incidents layer is mostly points
DAY_PATTERN: Final = r"20[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
AREA_PATTERN: Final = r"[0-9]{1,24}"
# A frame ending this long before now is final: past frames do not change (a late report
# of an old incident, or a rejection, is the rare exception the max-age bounds).
SETTLED: Final = timedelta(minutes=5)


def _day(raw: object, name: str) -> date:
    if not isinstance(raw, str) or not re.fullmatch(DAY_PATTERN, raw):
        raise InvalidInput("playback.error.day", field=name)
    return inputs.day(raw, name)


def _area(raw: object, name: str) -> str:
    if not isinstance(raw, str) or not re.fullmatch(AREA_PATTERN, raw):
        raise InvalidInput("playback.error.area", field=name)
    return raw


def _bbox(raw: object, _name: str) -> BBox:
    return parse_bbox(raw)


_DAY_DOC: Final = {"type": "string", "pattern": f"^{DAY_PATTERN}$"}


class PlaybackQuery(Query):
    """The parameters of ``GET /api/v1/playback/frame`` (all strings on the wire)."""

    bbox: Annotated[
        BBox,
        Custom(required=True, parse=_bbox, doc=BBOX_DOC, description="minlon,minlat,maxlon,maxlat"),
    ] = None  # type: ignore[assignment]  # the shape reports it missing
    z: Annotated[
        float,
        Number(required=True, lo=0, hi=MAX_ZOOM, strings=True, keys=ZOOM_KEYS),
    ] = None  # type: ignore[assignment]
    start: Annotated[
        date,
        Custom(required=True, parse=_day, doc=_DAY_DOC, description="First local day."),
    ] = None  # type: ignore[assignment]
    end: Annotated[
        date,
        Custom(
            required=True,
            parse=_day,
            doc=_DAY_DOC,
            description=f"Last local day, inclusive; at most {MAX_DAYS} days from start.",
        ),
    ] = None  # type: ignore[assignment]
    step: Annotated[
        str,
        Choice(required=True, values=tuple(STEPS), key="playback.error.step", value_param="step"),
    ] = None  # type: ignore[assignment]
    frame: Annotated[
        int,
        Integer(
            required=True,
            lo=0,
            hi=MAX_FRAMES - 1,
            strings=True,
            description="Frame index from 0, inside the period.",
        ),
    ] = None  # type: ignore[assignment]
    area: Annotated[
        str | None,
        Custom(
            parse=_area,
            doc={"type": "string", "pattern": f"^{AREA_PATTERN}$"},
            description="An area code inside the caller's scope (default: the whole scope).",
        ),
    ] = None


@dataclass(frozen=True)
class Period:
    """Local days ``first..last`` stepped by ``step``: ``frames`` frames."""

    first: date
    last: date
    step: str

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), LOCAL_TZ)

    @property
    def frames(self) -> int:
        days = (self.last - self.first).days + 1
        return days if self.step == "day" else days * 24

    def bounds(self, frame: int) -> tuple[datetime, datetime]:
        """``[start, end)`` of ``frame`` (Asia/Shanghai has no daylight saving time)."""
        if not 0 <= frame < self.frames:
            raise InvalidInput("playback.error.frame", frame=frame, frames=self.frames)
        begin = self.start + frame * STEPS[self.step]
        return begin, begin + STEPS[self.step]

    def label(self, frame: int) -> str:
        begin = self.bounds(frame)[0]
        return begin.strftime("%Y-%m-%d" if self.step == "day" else "%Y-%m-%d %H:00")


def period(first: date, last: date, step: str) -> Period:
    """A checked period: ``first`` not after ``last``, at most :data:`MAX_DAYS` days."""
    if step not in STEPS:
        raise InvalidInput("playback.error.step", step=str(step)[:20], choices=", ".join(STEPS))
    if last < first:
        raise InvalidInput("playback.error.inverted")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput("playback.error.too_long", days=MAX_DAYS)
    return Period(first, last, step)


def plan(start: object, end: object, step: object, principal: Principal | None) -> Period:
    """The period the map's controls ask for (day strings as the date pickers send them),
    for a user who may see the density layer: the number of frames of its slider."""
    require(principal, layer_permission("density", principal))
    first = _day(start[:10] if isinstance(start, str) else start, "start")
    last = _day(end[:10] if isinstance(end, str) else end, "end")
    return period(first, last, str(step) if isinstance(step, str) else "")


def frame_scope(scope: str | None, area: str | None) -> str | None:
    """The area-code prefix a frame is confined to: the principal's ``scope`` narrowed to
    ``area`` when it lies inside; ``area`` around the scope keeps the scope; an area
    beside it is refused."""
    if area is None:
        return scope
    if scope is None or area.startswith(scope):
        return area
    if scope.startswith(area):
        return scope
    raise Forbidden("error.out_of_scope")


@dataclass(frozen=True)
class Frame:
    """A frame's JSON body and whether it can no longer change (cacheable for long)."""

    body: bytes
    settled: bool
    cells: int
    points: int

    def etag(self, scope: str | None) -> str:
        """Per scope and content: two users of different areas never share a tag."""
        return hashlib.sha256((scope or "*").encode() + b"\0" + self.body).hexdigest()[:32]


def render_frame(
    s: Session, args: Mapping[str, str], principal: Principal | None, now: datetime | None = None
) -> Frame:
    """Check access, validate ``args`` (:class:`PlaybackQuery`) and compute one frame in
    the caller's unit of work ``s``: the density layer's counts per H3 cell of the frame's
    interval in the viewport and scope, and (zoomed in, for roles that see incidents) up
    to :data:`MAX_POINTS` of its incidents."""
    who = require(principal, layer_permission("density", principal))
    data = args.to_dict() if hasattr(args, "to_dict") else dict(args)
    query = PlaybackQuery.model_validate(data)
    per = period(query.start, query.end, query.step)
    begin, end = per.bounds(query.frame)
    scope = frame_scope(who.scope, query.area)
    bbox = query.bbox.as_tuple()
    res = resolution_for_zoom(query.z)
    where = IncidentWhere(begin, end, scope=scope)
    aggregate_only = coarse.aggregate_only(who)
    if aggregate_only:  # the wall: never one incident (coarse.py), as on its density layer
        res, where = coarse.density_resolution(res), coarse.widened(where)
    cap = get_settings().max_features
    rows = q.frame_counts(s, bbox, where, res, cap + 1)
    truncated = len(rows) > cap
    density, cells = density_geojson(rows[:cap], res, truncated)
    points, n_points = "null", 0
    if not aggregate_only and query.z >= POINTS_MIN_ZOOM and who.can(LAYER_INCIDENTS):
        points, n_points = q.frame_points_geojson(s, bbox, where, MAX_POINTS)
    head: dict[str, Any] = {
        "frame": query.frame,
        "frames": per.frames,
        "step": per.step,
        "start": begin.isoformat(),
        "end": end.isoformat(),
        "label": per.label(query.frame),
        "res": res,
        "total": sum(n for _, n in rows[:cap]),
        "truncated": truncated,
    }
    body = json.dumps(head, ensure_ascii=False)[:-1]
    body += ',"density":' + density + ',"points":' + points + "}"
    settled = end <= (now or datetime.now(UTC)) - SETTLED
    return Frame(body.encode(), settled, cells, n_points)
