"""The briefing's map: H3 cell counts over the area's outlines, drawn by matplotlib (Agg)
with no tile server, with a colour legend, a scale bar, a north arrow and numbered
hotspot markers that the hotspot table refers to.

Coordinates are WGS84 degrees with the aspect set for the map's latitude (an
equirectangular view; over a county the distortion is far below what print shows).
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from briefings.fonts import cjk_font
from geodata.hexagons import cell_boundary_lonlat
from governance.briefing_model import Briefing
from i18n import t

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_IN = 7.0  # the A4 page's text width (180 mm), legend included
MAP_SHARE = 0.84  # of the width, for the map (the rest: the colour legend)
HEIGHT_RANGE = (3.4, 5.0)  # inches: the figure follows the area's shape within these
DPI = 200
CMAP = "YlOrRd"
HOTSPOT_COLORS = {"new": "#c62828", "persistent": "#6a1b9a", "cooling": "#1565c0"}
MAX_PART_LABELS = 40  # beyond this the children are outlined but not named
KM_PER_DEG = 111.32


def _rings(wkb: bytes) -> list[list[tuple[float, float]]]:
    from shapely import wkb as shapely_wkb

    geom = shapely_wkb.loads(bytes(wkb))
    polys = getattr(geom, "geoms", [geom])
    out = []
    for p in polys:
        out.append(list(p.exterior.coords))
        out.extend(list(r.coords) for r in p.interiors)
    return out


def _view(b: Briefing) -> tuple[float, float, float, float]:
    """The map's (minlon, minlat, maxlon, maxlat), padded; a small area is widened."""
    if b.extent is not None:
        x0, y0, x1, y1 = b.extent
    else:  # no outline at all (an empty database): fit the cells
        rings = [cell_boundary_lonlat(c) for c, _ in b.cells] or [[[115.0, 22.5], [116.3, 23.7]]]
        xs = [x for r in rings for x, _ in r]
        ys = [y for r in rings for _, y in r]
        x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    pad = max(x1 - x0, y1 - y0) * 0.04 + 0.002
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def _nice_km(width_km: float) -> float:
    """A round scale-bar length near a fifth of the map's width."""
    target = width_km / 5
    step = 10 ** math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * step <= target:
            return m * step
    return step


def _scale_bar(ax: Axes, view: tuple[float, float, float, float], lang: str) -> None:
    x0, y0, x1, y1 = view
    lat = (y0 + y1) / 2
    km_per_deg = KM_PER_DEG * math.cos(math.radians(lat))
    length_km = _nice_km((x1 - x0) * km_per_deg)
    length_deg = length_km / km_per_deg
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    tick = (y1 - y0) * 0.012
    ax.plot([bx, bx + length_deg], [by, by], color="#212121", lw=2.2, solid_capstyle="butt")
    for x in (bx, bx + length_deg / 2, bx + length_deg):
        ax.plot([x, x], [by, by + tick], color="#212121", lw=1)
    label = f"{length_km:g} km" if length_km >= 1 else f"{length_km * 1000:g} m"
    ax.text(bx + length_deg / 2, by + tick * 1.6, label, ha="center", va="bottom", fontsize=7)
    ax.text(bx, by - tick * 1.2, t("brief.map.scale", lang), ha="left", va="top", fontsize=6)


def _north_arrow(ax: Axes, lang: str) -> None:
    ax.annotate(
        "",
        xy=(0.95, 0.95),
        xytext=(0.95, 0.86),
        xycoords="axes fraction",
        arrowprops={"arrowstyle": "-|>", "color": "#212121", "lw": 1.6, "mutation_scale": 14},
    )
    ax.text(
        0.95,
        0.84,
        t("brief.map.north", lang),
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=9,
        fontweight="bold",
    )


def heatmap_png(b: Briefing) -> bytes:
    """The heatmap of briefing ``b`` as PNG bytes (A4 text width at 200 dpi)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import colors
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.figure import Figure

    font = cjk_font()
    with matplotlib.rc_context(
        {"font.family": [font.family, "DejaVu Sans"], "axes.unicode_minus": False}
    ):
        view = _view(b)
        cos_lat = math.cos(math.radians((view[1] + view[3]) / 2))
        ratio = (view[3] - view[1]) / ((view[2] - view[0]) * cos_lat)
        height = min(max(WIDTH_IN * MAP_SHARE * ratio, HEIGHT_RANGE[0]), HEIGHT_RANGE[1])
        fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
        ax = fig.add_axes((0.01, 0.01, MAP_SHARE, 0.98))
        cax = fig.add_axes((0.88, 0.2, 0.025, 0.6))
        ax.set_xlim(view[0], view[2])
        ax.set_ylim(view[1], view[3])
        ax.set_aspect(1 / cos_lat)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor("#fafafa")

        cells = [(c, n) for c, n in b.cells if n > 0]
        vmax = max((n for _, n in cells), default=1)
        norm = colors.Normalize(vmin=0, vmax=max(vmax, 1))
        if cells:
            polys = [cell_boundary_lonlat(c) for c, _ in cells]
            hexes = PolyCollection(
                polys, array=[n for _, n in cells], cmap=CMAP, norm=norm, lw=0.2, edgecolor="w"
            )
            hexes.set_alpha(0.9)
            ax.add_collection(hexes)
            cbar = fig.colorbar(hexes, cax=cax)
        else:
            sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=CMAP)
            cbar = fig.colorbar(sm, cax=cax)
            ax.text(
                0.5,
                0.5,
                t("brief.empty.map", lang=b.lang),
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=14,
                color="#616161",
            )
        cbar.set_label(t("brief.map.legend", b.lang, res=b.res), fontsize=8)
        cbar.ax.tick_params(labelsize=7)

        parts = [r for p in b.parts for r in _rings(p["wkb"])]
        ax.add_collection(LineCollection(parts, colors="#78909c", linewidths=0.5))
        frame = [r for p in b.frame for r in _rings(p["wkb"])]
        ax.add_collection(LineCollection(frame, colors="#263238", linewidths=1.4))
        if len(b.parts) <= MAX_PART_LABELS:
            for p in b.parts:
                if view[0] < p["lon"] < view[2] and view[1] < p["lat"] < view[3]:
                    ax.text(
                        p["lon"],
                        p["lat"],
                        p["name"],
                        ha="center",
                        va="center",
                        fontsize=6.5,
                        color="#37474f",
                        alpha=0.9,
                    )
        for i, h in enumerate(b.hotspots, start=1):
            ax.plot(h.lon, h.lat, "o", ms=11, mfc="white", mec=HOTSPOT_COLORS[h.label], mew=1.8)
            ax.text(
                h.lon,
                h.lat,
                str(i),
                ha="center",
                va="center",
                fontsize=7,
                color=HOTSPOT_COLORS[h.label],
                fontweight="bold",
            )
        _scale_bar(ax, view, b.lang)
        _north_arrow(ax, b.lang)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()
