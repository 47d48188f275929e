"""The area import page's result views: the upload's summary, the preview (what the
coordinates are taken as, the plan, every finding, the first features, a map) and the
import's counts. No page registration: callbacks import this module before the Dash app
exists in unit tests."""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
from dash import html

from governance.area_import import Analysis, Result, preview_geojson
from governance.area_uploads import Upload
from i18n import t
from layers.common import coords_hook
from pages.area_import_ids import LAYER_STYLES, layer_class
from pages.area_import_ids import AreaImportIds as Ids
from settings import get_settings

SEVERITY_ORDER = {"error": 0, "repair": 1, "warning": 2}
MAX_PROBLEMS = 200  # rows of the findings table; the counts are always complete
ROW_COLUMNS = ("feature", "code", "name", "level", "parent", "plan")
SHIFT_NAMES = {"wgs84": "WGS84", "gcj02": "GCJ-02", "bd09": "BD-09"}


def message(text: str, kind: str = "error") -> html.Div:
    return html.Div(text, className=f"mq-import-message mq-import-{kind}")


def upload_view(up: Upload, lang: str) -> list[Any]:
    """What the file holds, and what reading it did (an encoding detected ...)."""
    info = t(
        "area_page.file",
        lang,
        name=up.filename,
        format=up.format,
        count=up.count,
        columns="、".join(up.headers) if lang == "zh-CN" else ", ".join(up.headers),
    )
    out: list[Any] = [message(info, "info")]
    out += [message(t(note, lang), "info") for note in up.notes]
    return out


def _shares(a: Analysis, lang: str) -> str:
    parts = [
        t("area_page.share", lang, system=SHIFT_NAMES.get(k, k), share=f"{v:.0%}")
        for k, v in sorted(a.verdict.shares.items(), key=lambda kv: -kv[1])
    ]
    return ("，" if lang == "zh-CN" else ", ").join(parts)


def _detection(a: Analysis, lang: str) -> str:
    """What comparing with the loaded boundaries found, in plain words."""
    if not a.may_be_shifted:
        return t("area_page.detect.fixed", lang)
    if not a.verdict.sampled or not a.verdict.shares:
        return t("area_page.detect.none", lang)
    if a.verdict.system is None:
        return t(
            "area_page.detect.unclear", lang, sampled=a.verdict.sampled, shares=_shares(a, lang)
        )
    return t(
        "area_page.detect.found",
        lang,
        sampled=a.verdict.sampled,
        system=SHIFT_NAMES.get(a.verdict.system, a.verdict.system),
        shares=_shares(a, lang),
    )


def summary(a: Analysis, lang: str) -> list[Any]:
    """Coordinates, the offset undone, the counts, the plan, whether it may be imported."""
    crs = a.declared or t("area_page.crs_none", lang)
    lines = [
        html.Li(t("area_page.crs", lang, crs=crs)),
        html.Li(_detection(a, lang)),
        html.Li(t("area_page.shift_undone", lang, shift=t(f"area_import.shift.{a.shift}", lang))),
        html.Li(t("area_page.counts", lang, **{k: a.counts[k] for k in SEVERITY_ORDER})),
        html.Li(t("area_page.plan", lang, **a.plan)),
    ]
    if a.counts["error"]:
        verdict = message(t("area_import.error.has_errors", lang, n=a.counts["error"]))
    elif a.counts["repair"]:
        verdict = message(t("area_page.ready_repairs", lang), "warn")
    else:
        verdict = message(t("area_page.ready", lang), "ok")
    return [verdict, html.Ul(lines, className="mq-areaimport-summary")]


def problems_table(a: Analysis, lang: str) -> list[Any]:
    """Every finding (up to :data:`MAX_PROBLEMS`): errors, then repairs, then warnings."""
    title = html.H3(t("area_page.problems", lang), className="mq-import-h")
    if not a.problems:
        return [title, message(t("area_page.no_problems", lang), "ok")]
    ordered = sorted(a.problems, key=lambda p: (SEVERITY_ORDER.get(p.severity, 3), p.feature or 0))
    cols = ("feature", "code", "field", "severity", "message")
    head = html.Tr([html.Th(t(f"area_page.col.{c}", lang)) for c in cols])
    body = [
        html.Tr(
            [
                html.Td(p.feature if p.feature is not None else "—"),
                html.Td(p.code or "—"),
                html.Td(t(f"area_import.field.{p.field}", lang)),
                html.Td(t(f"area_import.severity.{p.severity}", lang)),
                html.Td(p.message),
            ],
            className=f"mq-areaimport-row-{p.severity}",
        )
        for p in ordered[:MAX_PROBLEMS]
    ]
    out: list[Any] = [
        title,
        html.Div(
            html.Table(
                [html.Thead(head), html.Tbody(body)],
                className="mq-import-table mq-areaimport-problems",
            ),
            className="mq-import-scroll",
        ),
    ]
    if len(ordered) > MAX_PROBLEMS:
        out.append(
            message(t("area_page.more_problems", lang, n=len(ordered) - MAX_PROBLEMS), "info")
        )
    return out


def rows_table(a: Analysis, lang: str) -> list[Any]:
    """The first features as the import will store them."""
    head = html.Tr([html.Th(t(f"area_page.col.{c}", lang)) for c in ROW_COLUMNS])
    body = [html.Tr([html.Td(str(r.get(c, ""))) for c in ROW_COLUMNS]) for r in a.rows]
    return [
        html.H3(t("area_page.first_rows", lang, n=len(a.rows)), className="mq-import-h"),
        html.Div(
            html.Table([html.Thead(head), html.Tbody(body)], className="mq-import-table"),
            className="mq-import-scroll",
        ),
    ]


def _bounds(fc: dict[str, Any]) -> list[list[float]] | None:
    """[[south, west], [north, east]] of every coordinate of ``fc`` (None: nothing)."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(c: Any) -> None:
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            xs.append(float(c[0]))
            ys.append(float(c[1]))
        elif isinstance(c, (list, tuple)):
            for x in c:
                walk(x)

    for f in fc["features"]:
        walk(f["geometry"].get("coordinates", []))
        for g in f["geometry"].get("geometries", []):
            walk(g.get("coordinates", []))
    if not xs:
        return None
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


def preview_map(a: Analysis, lang: str) -> list[Any]:
    """The file's areas and every finding that has a place, one layer per kind, on the
    app's base tiles (none: a blank base, as offline installations have), fitted."""
    fc = preview_geojson(a)
    bounds = _bounds(fc)
    if bounds is None:
        return []
    s = get_settings()
    crs = s.tile_crs if s.tile_url else None
    base: list[Any] = []
    if s.tile_url:
        base.append(dl.TileLayer(url=s.tile_url, attribution=s.tile_attribution or None))
    layers = [
        dl.GeoJSON(
            data={
                "type": "FeatureCollection",
                "features": [f for f in fc["features"] if f["properties"]["kind"] == kind],
            },
            style={**style, "className": layer_class(kind)},
            **coords_hook(crs),
        )
        for kind, style in LAYER_STYLES.items()
        if any(f["properties"]["kind"] == kind for f in fc["features"])
    ]
    return [
        html.H3(t("area_page.map", lang), className="mq-import-h"),
        dl.Map(
            [*base, *layers, dl.ScaleControl(position="bottomright", imperial=False)],
            id=Ids.PREVIEW_MAP,
            # center without zoom: the map fits ``bounds`` (Leaflet needs a centre to start)
            center=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
            bounds=bounds,
            boundsOptions={"padding": [16, 16]},
            zoomSnap=0.25,  # a community's grids fill the frame, not a quarter of it
            attributionControl=bool(s.tile_url),
            maxZoom=19,
            className="mq-areaimport-map " + ("mq-map-tiles" if s.tile_url else "mq-map-offline"),
            style={"height": "420px", "width": "100%"},
        ),
    ]


def preview_view(a: Analysis, lang: str) -> list[Any]:
    """The whole preview."""
    return [
        *summary(a, lang),
        *preview_map(a, lang),
        *problems_table(a, lang),
        *rows_table(a, lang),
    ]


def done_view(r: Result, lang: str) -> html.Div:
    """What the import did: the counts, and how many points changed grid (never which)."""
    moved = {k: r.reassigned.get(k, 0) for k in ("incident", "key_site", "key_person")}
    return message(t("area_page.done", lang, **r.plan, **moved), "ok")
