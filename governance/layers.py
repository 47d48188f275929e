"""The layer use case: validate a layer request and produce its payload.

One entry point, :func:`render_layer`, used by the HTTP API. Every response is bounded
by the viewport and capped at ``settings.max_features`` features.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np
from sqlalchemy.orm import Session

from geodata.hexagons import cell_boundary_lonlat, covering_cells, resolution_for_zoom
from geodata.models import AreaLevel
from geodata.queries import coarse as coarse_rollup
from geodata.queries import layers as q
from geodata.queries import patrol_coverage
from governance import coarse, emerging, layer_query
from governance.access import (
    ANALYTICS_VIEW,
    LAYER_INCIDENTS,
    LAYER_SITES,
    MAP_VIEW,
    PATROL_SUPERVISE,
    PERSONS_COUNTS,
    PERSONS_POINTS,
    WALL_VIEW,
    Principal,
    require,
)
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ, parse_time
from governance.layer_query import LayerQuery
from settings import get_settings

log = logging.getLogger(__name__)

LAYERS = ("areas", "labels", "sites", "incidents", "density", "persons", "coverage", "emerging")
N_CLASSES = 6
# A viewport covered by at most this many res-8 cells (~0.7 km² each: zoom 13 and
# closer on a wall-sized screen) finds its incidents through them (IncidentWhere.cells8).
MAX_COVER_CELLS = 400


@dataclass(frozen=True)
class LayerPayload:
    """What the API sends: body, mimetype and how many features it holds."""

    body: bytes
    mimetype: str
    features: int
    truncated: bool = False


def level_for_zoom(zoom: float) -> str:
    """The area level drawn at ``zoom``."""
    z = int(zoom)
    if z <= 9:
        return AreaLevel.COUNTY
    if z == 10:
        return AreaLevel.STREET
    if z <= 12:
        return AreaLevel.COMMUNITY
    return AreaLevel.GRID


def label_levels_for_zoom(zoom: float) -> list[str]:
    """Labels: the drawn level, plus the level above it from zoom 11 (context)."""
    level = level_for_zoom(zoom)
    order = [lv.value for lv in AreaLevel]
    i = order.index(level)
    return order[max(0, i - 1) : i + 1] if zoom >= 11 else order[: i + 1]


def incident_where(query: LayerQuery, scope: str | None) -> q.IncidentWhere:
    """The incident filter of a layer query, in the area ``scope``."""
    tr = parse_time(query.window, query.start, query.end)
    now = datetime.now(UTC)
    hours = query.due or layer_query.DEFAULT_DUE_HOURS
    return q.IncidentWhere(
        tr.start,
        tr.end,
        query.categories,
        query.sources,
        scope,
        urgency=query.urgency or (),
        now=now,
        soon=now + timedelta(hours=hours),
    )


def class_breaks(counts: list[int], n_classes: int = N_CLASSES) -> list[int]:
    """Quantile class breaks (strictly increasing ints, ``n_classes - 1`` of them)."""
    if not counts:
        return [1, 2, 3, 4, 5][: n_classes - 1]
    arr = np.asarray(counts, dtype=float)
    qs = np.quantile(arr, [0.35, 0.6, 0.8, 0.93, 0.985][: n_classes - 1])
    breaks: list[int] = []
    floor = 1
    for v in qs:
        b = max(int(np.ceil(v)), floor + 1 if breaks else 2)
        breaks.append(b)
        floor = b
    return breaks


def class_of(count: int, breaks: list[int]) -> int:
    return int(sum(count >= b for b in breaks))


@lru_cache(maxsize=200_000)
def _ring(cell: int) -> str:
    return json.dumps(
        [[round(x, 6), round(y, 6)] for x, y in cell_boundary_lonlat(cell)], separators=(",", ":")
    )


def density_geojson(rows: list[tuple], res: int, truncated: bool) -> tuple[str, int]:
    """H3 cell counts -> GeoJSON hexagons with colour classes and legend stats."""
    counts = [int(r[1]) for r in rows]
    breaks = class_breaks(counts)
    feats = [
        '{"type":"Feature","geometry":{"type":"Polygon","coordinates":['
        + _ring(cell)
        + ']},"properties":{"cell":"'
        + format(cell, "x")
        + '","count":'
        + str(n)
        + ',"cls":'
        + str(class_of(n, breaks))
        + "}}"
        for cell, n, *_ in rows
    ]
    stats = {
        "res": res,
        "max": max(counts, default=0),
        "total": sum(counts),
        "breaks": breaks,
        "cells": len(rows),
    }
    body = (
        '{"type":"FeatureCollection","stats":'
        + json.dumps(stats)
        + ',"truncated":'
        + json.dumps(truncated)
        + ',"features":['
        + ",".join(feats)
        + "]}"
    )
    return body, len(rows)


def cluster_resolution(zoom: float) -> int:
    """The H3 resolution of the server's clusters at ``zoom``: the density layer's.

    The browser merges whatever comes within 60 px into one bubble
    (``layers.incidents.SUPERCLUSTER``), and at every zoom these cells lie closer than
    that (12 px apart at zoom 11, 24 at 12, 18 at 13, 36 at 14), so finer cells would
    not be seen. Until 2026-12-07 the clusters were one resolution finer: 3 to 5 px apart
    at zoom 11, they were read from the raw rows (the coarse rollup holds resolutions 6-8)
    and overflowed the cap: 19,500 cells for a city-wide month at 1M, 45,000 at 10M,
    against 5,000 sent, where resolution 8 has 6,100 and 7,400."""
    return resolution_for_zoom(zoom)


def clusters_geojson(rows: list[tuple]) -> str:
    feats = [
        '{"type":"Feature","geometry":{"type":"Point","coordinates":['
        + f"{lon:.6f},{lat:.6f}"
        + ']},"properties":{"cluster":true,"count":'
        + str(n)
        + ',"cell":"'
        + format(cell, "x")
        + '"}}'
        for cell, n, lon, lat in rows
    ]
    return '{"type":"FeatureCollection","clustered":true,"features":[' + ",".join(feats) + "]}"


LAYER_PERMISSIONS = {
    "areas": MAP_VIEW,
    "labels": MAP_VIEW,
    "sites": LAYER_SITES,
    "incidents": LAYER_INCIDENTS,
    "density": LAYER_INCIDENTS,
    "persons": PERSONS_COUNTS,
    "coverage": PATROL_SUPERVISE,  # patrol coverage per area (supervisors, commanders)
    "emerging": ANALYTICS_VIEW,  # the stored emerging hot-spot analysis (governance/emerging)
}
# The wall screen draws its area's boundaries, names and incident density: no layer
# with a single incident, site or person.
WALL_LAYERS = frozenset({"areas", "labels", "density"})


def layer_permission(layer: str, principal: Principal | None) -> str:
    """The capability ``principal`` needs for ``layer`` (WALL_VIEW suffices on WALL_LAYERS)."""
    if layer in WALL_LAYERS and principal is not None and principal.can(WALL_VIEW):
        return WALL_VIEW
    return LAYER_PERMISSIONS[layer]


def checked_query(
    layer: str, args: Mapping[str, str], principal: Principal | None
) -> tuple[Principal, LayerQuery]:
    """The principal allowed ``layer`` and the validated query: what every request passes
    first, answered from the cache (governance/layer_cache.py) or not."""
    if layer not in LAYERS:
        raise InvalidInput("error.unknown_layer", layer=layer, choices=", ".join(LAYERS))
    who = require(principal, layer_permission(layer, principal))
    return who, layer_query.parse(args)


def render_layer(
    s: Session, layer: str, args: Mapping[str, str], principal: Principal | None
) -> LayerPayload:
    """Check access, validate ``args`` for ``layer`` (:class:`LayerQuery`: every parameter,
    whichever layer uses it) and run its viewport query in the caller's unit of work ``s``
    (opened in the principal's row-level-security scope), confined to the principal's
    area scope in SQL."""
    who, query = checked_query(layer, args, principal)
    scope = who.scope
    bbox, zoom = query.bbox.as_tuple(), query.z
    fmt = query.format or "geojson"
    if fmt == "geobuf" and layer != "areas":
        raise InvalidInput("error.format", format=fmt, choices="geojson")
    cap = get_settings().max_features
    if layer == "areas":
        level = query.level or level_for_zoom(zoom)
        if fmt == "geobuf":
            buf, n = q.areas_geobuf(s, bbox, zoom, [level], cap, scope)
            return LayerPayload(buf, "application/x-protobuf", n, n >= cap)
        body, n = q.areas_geojson(s, bbox, zoom, [level], cap, scope)
    elif layer == "labels":
        body, n = q.labels_geojson(s, bbox, label_levels_for_zoom(zoom), cap, scope)
    elif layer == "sites":
        body, n = q.sites_geojson(s, bbox, query.types, cap, scope)
    elif layer == "incidents":
        where = incident_where(query, scope)
        cover = covering_cells(bbox, 8, MAX_COVER_CELLS) if zoom >= 13 else None
        if cover:
            where = replace(where, cells8=cover)
        if q.count_incidents(s, bbox, where, cap + 1) <= cap:
            body, n = q.incident_points_geojson(s, bbox, where, cap)
        else:
            rows = coarse_rollup.clusters(s, bbox, where, cluster_resolution(zoom), cap + 1)
            truncated = len(rows) > cap
            rows = rows[:cap]
            return LayerPayload(
                clusters_geojson(rows).encode(), "application/geo+json", len(rows), truncated
            )
    elif layer == "persons":
        # points only for roles that visit key persons; everyone else sees counts
        assert principal is not None
        if principal.can(PERSONS_POINTS) and query.mode != "counts":
            body, n = q.person_points_geojson(s, bbox, cap, scope)
        else:
            body, n = q.person_counts_geojson(s, bbox, cap, scope)
    elif layer == "coverage":
        # visits whose period ended in the window (up to yesterday), per area of the zoom
        tr = parse_time(query.window, query.start, query.end)
        body, n = patrol_coverage.coverage_geojson(
            s,
            bbox,
            zoom,
            query.level or level_for_zoom(zoom),
            tr.start.astimezone(LOCAL_TZ).date(),
            tr.end.astimezone(LOCAL_TZ).date(),
            cap,
            scope,
        )
    elif layer == "emerging":
        body, n = emerging.layer_geojson(s, scope, bbox, cap)
    else:  # density
        res = query.res or resolution_for_zoom(zoom)
        where = incident_where(query, scope)
        if coarse.aggregate_only(who):  # the wall: never one incident (coarse.py)
            res, where = coarse.density_resolution(res), coarse.widened(where)
        rows = coarse_rollup.h3_counts(s, bbox, where, res, cap + 1)  # exact, from a rollup
        truncated = len(rows) > cap
        body, n = density_geojson(rows[:cap], res, truncated)
        return LayerPayload(body.encode(), "application/geo+json", n, truncated)
    return LayerPayload(body.encode(), "application/geo+json", n, n >= cap)
