"""What the cross-check screen draws from one :func:`governance.crosscheck.crosscheck`
answer: the period and method in words, the map of blind-spot cells with its legend,
the grids ranked with their trend, every finding in words, the padding list, and the
external reports behind a finding. No page registration (callbacks import this)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import dash_leaflet as dl
from dash import html

from geodata.hexagons import cell_boundary_lonlat
from governance.filters import LOCAL_TZ
from i18n import t
from layers.common import coords_hook
from pages.crosscheck_ids import CrosscheckIds as Ids
from pages.map_ids import incident_link
from settings import get_settings

# the legend's two kinds of blind-spot cell: found only now, or found in both periods
CELL_STYLES: Final = {
    "new": {"color": "#c2410c", "fillColor": "#fb923c", "weight": 2, "fillOpacity": 0.55},
    "still": {"color": "#7f1d1d", "fillColor": "#dc2626", "weight": 2, "fillOpacity": 0.6},
}


GRID_STYLE: Final = {
    "color": "#1e3a5f",
    "weight": 1.5,
    "dashArray": "4 3",
    "fillOpacity": 0.04,
    "className": "mq-blind-grid",
}


def _when(iso: str) -> str:
    """A period bound in local time (a window ends at the moment it was read)."""
    return datetime.fromisoformat(iso).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def method(out: dict[str, Any], lang: str) -> list[Any]:
    """What was compared, over which period and area, and how, in words."""
    p, b = out["period"], out["previous"]
    return [
        html.H2(t("crosscheck.method.title", lang), className="mq-eval-h"),
        html.P(
            t(
                "crosscheck.period",
                lang,
                start=_when(p["start"]),
                end=_when(p["end"]),
                before_start=_when(b["start"]),
                before_end=_when(b["end"]),
                cells=out["tested"]["cells"],
                grids=out["tested"]["grids"],
            ),
            className="mq-crosscheck-period",
        ),
        html.P(out["method"], className="mq-crosscheck-method"),
        *(
            [
                html.P(
                    t("crosscheck.as_of", lang, at=_when(out["as_of"])),
                    className="mq-crosscheck-as-of",
                )
            ]
            if out.get("as_of")
            else []
        ),
    ]


def _cells_geojson(out: dict[str, Any], lang: str) -> dict[str, list[dict[str, Any]]]:
    """Blind-spot cells by kind (a cell blind for several categories is one hexagon,
    "still" if any of them was blind before too)."""
    by_cell: dict[str, list[dict[str, Any]]] = {}
    for f in out["cells"]:
        by_cell.setdefault(f["place"], []).append(f)
    kinds: dict[str, list[dict[str, Any]]] = {k: [] for k in CELL_STYLES}
    for cell, fs in by_cell.items():
        kind = "still" if any(f["before"] == "still" for f in fs) else "new"
        tip = "; ".join(
            t("crosscheck.cell_tip", lang, category=f["category_name"], external=f["external"],
              own=f["own"], q=f"{f['q']:.2g}")
            for f in fs
        )  # fmt: skip
        kinds[kind].append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [cell_boundary_lonlat(int(cell, 16))],
                },
                "properties": {"cell": cell, "kind": kind, "tooltip": tip},
            }
        )
    return kinds


def _points(geometry: dict[str, Any]) -> list[list[float]]:
    """Every vertex of a Polygon or MultiPolygon."""
    multi = geometry["type"] == "MultiPolygon"
    polys = geometry["coordinates"] if multi else [geometry["coordinates"]]
    return [p for poly in polys for ring in poly for p in ring]


def _bounds(
    kinds: dict[str, list[dict[str, Any]]], frame: list[dict[str, Any]]
) -> list[list[float]] | None:
    if not any(kinds.values()):
        return None
    pts = [p for fs in kinds.values() for f in fs for p in _points(f["geometry"])]
    pts += [p for f in frame for p in _points(f["geometry"])]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


def legend(lang: str) -> html.Ul:
    return html.Ul(
        [
            html.Li(
                [
                    html.Span(
                        className="mq-crosscheck-swatch",
                        style={"background": st["fillColor"], "borderColor": st["color"]},
                    ),
                    t(f"crosscheck.legend.{kind}", lang),
                ]
            )
            for kind, st in CELL_STYLES.items()
        ]
        + [
            html.Li(
                [
                    html.Span(
                        className="mq-crosscheck-swatch mq-crosscheck-swatch-grid",
                        style={"borderColor": GRID_STYLE["color"]},
                    ),
                    t("crosscheck.legend.grid", lang),
                ]
            )
        ],
        className="mq-crosscheck-legend",
        **{"aria-label": t("crosscheck.legend", lang)},  # type: ignore[arg-type]
    )


def cell_map(out: dict[str, Any], lang: str) -> list[Any]:
    """The blind-spot cells on the app's base tiles, fitted, with the legend; or a line
    saying there are none."""
    kinds = _cells_geojson(out, lang)
    frame = out.get("outlines", [])
    bounds = _bounds(kinds, frame)
    title = html.H2(
        t("crosscheck.map.title", lang, count=sum(len(v) for v in kinds.values())),
        className="mq-eval-h",
    )
    if bounds is None:
        return [title, html.P(t("crosscheck.map.none", lang), className="mq-crosscheck-none")]
    s = get_settings()
    base: list[Any] = []
    if s.tile_url:
        base.append(dl.TileLayer(url=s.tile_url, attribution=s.tile_attribution or None))
    layers: list[Any] = []
    if frame:  # the grids with blind spots, named on hover: where the cells lie
        layers.append(
            dl.GeoJSON(
                data={"type": "FeatureCollection", "features": frame},
                style=GRID_STYLE,
                **coords_hook(s.tile_crs if s.tile_url else None),
            )
        )
    layers += [
        dl.GeoJSON(
            data={"type": "FeatureCollection", "features": fs},
            style={**CELL_STYLES[kind], "className": f"mq-blind-cell mq-blind-{kind}"},
            **coords_hook(s.tile_crs if s.tile_url else None),
        )
        for kind, fs in kinds.items()
        if fs
    ]
    return [
        title,
        html.Div(
            [
                dl.Map(
                    [*base, *layers, dl.ScaleControl(position="bottomright", imperial=False)],
                    id=Ids.MAP,
                    center=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
                    bounds=bounds,
                    boundsOptions={"padding": [24, 24], "maxZoom": 15},
                    zoomSnap=0.25,
                    attributionControl=bool(s.tile_url),
                    maxZoom=19,
                    className="mq-crosscheck-leaflet "
                    + ("mq-map-tiles" if s.tile_url else "mq-map-offline"),
                    style={"height": "380px", "width": "100%"},
                ),
                legend(lang),
            ],
            className="mq-crosscheck-mapwrap",
        ),
    ]


def _trend(g: dict[str, Any], lang: str) -> html.Span:
    trend = g["trend"]
    arrow = {"worse": "▲", "better": "▼", "same": "＝"}[trend]
    return html.Span(
        f"{arrow} " + t("crosscheck.trend." + trend, lang, before=g["before"]),
        className=f"mq-crosscheck-trend mq-trend-{g['trend']}",
    )


def _table(head: list[str], rows: list[list[Any]], cls: str) -> html.Div:
    return html.Div(
        html.Table(
            [
                html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
                html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows]),
            ],
            className=f"mq-eval-table {cls}",
        ),
        className="mq-eval-scroll",
    )


def grids(out: dict[str, Any], lang: str) -> list[Any]:
    """The grids ranked by blind spots, then every blind spot in words with its cases."""
    ranked = out["by_grid"]
    parts: list[Any] = [
        html.H2(t("crosscheck.grids.title", lang, count=len(ranked)), className="mq-eval-h")
    ]
    if not ranked:
        return [*parts, html.P(t("crosscheck.grids.none", lang), className="mq-crosscheck-none")]
    parts.append(
        _table(
            [t(f"crosscheck.col.{c}", lang) for c in ("grid", "blind", "external", "own", "trend")],
            [
                [f"{g['name']} ({g['grid']})", g["blind"], g["external"], g["own"], _trend(g, lang)]
                for g in ranked
            ],
            "mq-crosscheck-ranked",
        )
    )
    parts.append(html.H3(t("crosscheck.findings.title", lang), className="mq-eval-h"))
    parts.append(
        _table(
            [
                t(f"crosscheck.col.{c}", lang)
                for c in ("grid", "category", "evidence", "since", "cases")
            ],
            [
                [
                    f"{f['name']} ({f['place']})",
                    f["category_name"],
                    f["words"],
                    t(f"crosscheck.before.{f['before']}", lang),
                    html.Button(
                        t("crosscheck.cases.show", lang, count=f["external"]),
                        id={"type": Ids.CASES_BUTTON, "index": f"{f['place']}|{f['category']}"},
                        className="mq-btn mq-btn-small",
                        n_clicks=0,
                    ),
                ]
                for f in out["grids"]
            ],
            "mq-crosscheck-findings",
        )
    )
    return parts


def padding(out: dict[str, Any], lang: str) -> list[Any]:
    """Grids whose own reports of a kind are rejected far more often than elsewhere."""
    rows = out["padding"]
    head = html.H2(t("crosscheck.padding.title", lang, count=len(rows)), className="mq-eval-h")
    if not rows:
        return [head, html.P(t("crosscheck.padding.none", lang), className="mq-crosscheck-none")]
    return [
        head,
        _table(
            [t(f"crosscheck.col.{c}", lang) for c in ("grid", "category", "evidence")],
            [[f"{f['name']} ({f['place']})", f["category_name"], f["words"]] for f in rows],
            "mq-crosscheck-padding",
        ),
    ]


def cases(rows: list[dict[str, Any]], place: str, lang: str) -> list[Any]:
    """The external reports behind one finding, each opening its case on the map."""
    head = html.H2(
        t("crosscheck.cases.title", lang, place=place, count=len(rows)), className="mq-eval-h"
    )
    return [
        head,
        html.Ul(
            [
                html.Li(
                    html.A(
                        t(
                            "crosscheck.cases.row",
                            lang,
                            id=r["id"],
                            source=t(f"source.{r['source']}", lang),
                            at=datetime.fromisoformat(r["occurred_at"])
                            .astimezone(LOCAL_TZ)
                            .strftime("%Y-%m-%d %H:%M"),
                            status=t(f"status.{r['status']}", lang),
                        ),
                        href=incident_link(r["id"]),
                    )
                )
                for r in rows
            ],
            className="mq-crosscheck-cases",
        ),
    ]
