"""Pieces of the wall screen shared by its layout and its callbacks (no data access).

Everything rendered here is a count, a label or a URL: the wall never receives a
description, an address or a name of a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from dash import html

from governance.wall import KPI_KEYS, Kpi, Ranked
from i18n import t
from layers import areas, density
from layers.urls import CUSTOM_WINDOW, LayerFilters, bounds_to_bbox, int_zoom, padded_bbox
from pages.wall_ids import WallIds

LOCKED_HIDDEN: Final = "mq-wall-locked"
LOCKED_SHOWN: Final = "mq-wall-locked mq-wall-locked-on"
WINDOW: Final = timedelta(hours=24)  # the density map shows the last 24 hours
# The offline base map in the wall's dark theme: deep land, light boundaries.
DARK_LINES: Final = {
    "county": "#7f9cc4",
    "street": "#5b7aa3",
    "community": "#3f5b80",
    "grid": "#2f4866",
}
DARK_LAND: Final = "#0e1c30"
# Density on the dark land: YlOrRd as on the light map, but the two darkest reds (2.3:1
# and 1.6:1 on the land at the map's opacity: the densest cells the hardest to see) made
# brighter and the opacity raised, so every class is >= 3:1 on the land and the legend.
DENSITY_COLORS: Final = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#ff2a55")
DENSITY_OPACITY: Final = 0.9


def dark_density_hideout() -> dict[str, Any]:
    """The density layer's hideout in the wall's colours."""
    return {
        **density.density_hideout(),
        "colors": list(DENSITY_COLORS),
        "opacity": DENSITY_OPACITY,
        "stroke": DARK_LAND,
    }


def blend(color: str, opacity: float, under: str) -> str:
    """``color`` at ``opacity`` over ``under``, as the screen shows it."""
    top, bottom = _rgb(color), _rgb(under)
    if top is None or bottom is None:
        raise ValueError(f"not a #rrggbb colour: {color!r} / {under!r}")
    mixed = (round(opacity * a + (1 - opacity) * b) for a, b in zip(top, bottom, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*mixed)


# The lightest of the dark backgrounds a coloured mark of the wall sits on (cards, the
# bars' track) and the contrast a graphic needs against it (WCAG 2.1 1.4.11).
MARK_ON: Final = "#142840"
GRAPHIC_CONTRAST: Final = 3.0


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgb(color: str) -> tuple[int, int, int] | None:
    h = color.strip().lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    if len(h) != 6 or any(c not in "0123456789abcdefABCDEF" for c in h):
        return None
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    ra, rb = _rgb(a), _rgb(b)
    if ra is None or rb is None:
        raise ValueError(f"not a #rrggbb colour: {a!r} / {b!r}")
    la, lb = sorted((_luminance(ra), _luminance(rb)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mark_color(color: str | None, on: str = MARK_ON, ratio: float = GRAPHIC_CONTRAST) -> str | None:
    """A category's colour as a mark on the wall's dark cards: the colour itself when it
    stands out enough (``ratio`` against ``on``), else mixed with white, in steps of 5 %,
    until it does (a dark purple becomes a lighter purple, still told apart by hue).
    None or an unreadable colour: None (the mark takes the theme's accent)."""
    rgb = _rgb(color) if color else None
    if rgb is None:
        return None
    for step in range(21):
        w = step / 20
        mixed = tuple(round(c + (255 - c) * w) for c in rgb)
        out = "#{:02x}{:02x}{:02x}".format(*mixed)
        if contrast(out, on) >= ratio:
            return out
    return "#ffffff"


def dark_area_hideout(lang: str) -> dict[str, Any]:
    """The area layers' hideout with dark land and light lines."""
    hideout = areas.area_hideout(lang)
    hideout["styles"] = {
        level: {**style, "fillColor": DARK_LAND, "color": DARK_LINES.get(level, style["color"])}
        for level, style in hideout["styles"].items()
    }
    return hideout


def _number(value: float, kind: str) -> str:
    if kind == "count":
        return f"{value:,.0f}"
    return f"{value:.1f}" + ("%" if kind == "rate" else "")


def _delta(kpi: Kpi, lang: str) -> html.Div:
    delta = kpi.delta
    if delta is None:
        note = kpi.note if kpi.value is None else t("wall.no_previous", lang)
        return html.Div(note or "", className="mq-wall-kpi-delta mq-wall-flat")
    shown = round(delta) if kpi.kind == "count" else round(delta, 1)
    arrow, cls = ("▲", "mq-wall-up") if shown > 0 else ("▼", "mq-wall-down")
    if shown == 0:
        arrow, cls = ("＝", "mq-wall-flat")
    elif kpi.better:
        good = (shown > 0) == (kpi.better == "up")
        cls += " mq-wall-good" if good else " mq-wall-bad"
    if kpi.kind == "count":
        pct = kpi.delta_pct
        text = f"{arrow} {abs(shown):,.0f}" + (
            f" ({pct:+.0f}%)" if pct is not None and shown else ""
        )
    else:
        text = f"{arrow} {abs(shown):.1f}" + (
            f" {t('wall.points', lang)}" if kpi.kind == "rate" else ""
        )
    return html.Div(
        [html.Span(t("wall.vs_yesterday", lang), className="mq-wall-kpi-vs"), html.Span(text)],
        className=f"mq-wall-kpi-delta {cls}",
    )


def kpi_tiles(kpis: Iterable[Kpi] | None, lang: str, labels: Sequence[str] = ()) -> list[Any]:
    """The KPI tiles; without figures (loading, locked) the labels with dashes.

    Each value carries its key (``data-kpi``) and exact figure (``data-value``, empty
    when there is none) for tests and tooling."""
    if kpis is None:
        return [
            html.Div(
                [
                    html.Div(label, className="mq-wall-kpi-label"),
                    html.Div("—", className="mq-wall-kpi-value"),
                    html.Div("", className="mq-wall-kpi-delta"),
                ],
                className="mq-wall-kpi",
            )
            for label in labels
        ]
    return [
        html.Div(
            [
                html.Div(
                    k.label, className="mq-wall-kpi-label", title=t(f"wall.help.{k.key}", lang)
                ),
                html.Div(
                    "—" if k.value is None else _number(k.value, k.kind),
                    className="mq-wall-kpi-value",
                    **{  # type: ignore[arg-type]
                        "data-kpi": k.key,
                        "data-value": "" if k.value is None else repr(float(k.value)),
                    },
                ),
                _delta(k, lang),
            ],
            className=f"mq-wall-kpi mq-wall-kpi-{k.key}",
        )
        for k in kpis
    ]


def kpi_labels(lang: str) -> list[str]:
    """The tiles' labels, in order (the layout's placeholders)."""
    return [t(f"wall.kpi.{key}", lang) for key in KPI_KEYS]


def ranked_list(items: Sequence[Ranked] | None, lang: str, *, numbered: bool = True) -> list[Any]:
    """A top list with bars proportional to the largest count (``numbered``: with ranks)."""
    if items is None:
        return [html.Div(t("wall.loading", lang), className="mq-wall-empty")]
    if not items:
        return [html.Div(t("wall.none", lang), className="mq-wall-empty")]
    top = max(i.count for i in items) or 1
    return [
        html.Div(
            [
                html.Span(str(n) if numbered else "", className="mq-wall-rank"),
                html.Span(item.label, className="mq-wall-rank-label", title=item.label),
                html.Span(f"{item.count:,}", className="mq-wall-rank-count"),
                html.Div(
                    html.Div(
                        className="mq-wall-bar-fill",
                        style={
                            "width": f"{100 * item.count / top:.1f}%",
                            **({"background": mark_color(item.color)} if item.color else {}),
                        },
                    ),
                    className="mq-wall-bar",
                ),
            ],
            className="mq-wall-rank-row",
        )
        for n, item in enumerate(items, start=1)
    ]


def _minute(dt: datetime, up: bool) -> datetime:
    floor = dt.replace(second=0, microsecond=0)
    return floor + timedelta(minutes=1) if up and floor != dt else floor


def layer_urls(
    bounds: Sequence[Sequence[float]], zoom: float, now: datetime
) -> tuple[str | None, str | None, str | None, str]:
    """Areas, context, labels and density (last 24 h, by the minute) URLs of the viewport."""
    z = int_zoom(zoom)
    bbox = padded_bbox(bounds_to_bbox(bounds), z)
    end = _minute(now, up=True)
    fmt = "%Y-%m-%dT%H:%M"
    filters = LayerFilters(
        window=CUSTOM_WINDOW, start=(end - WINDOW).strftime(fmt), end=end.strftime(fmt)
    )
    return (
        areas.areas_url(bbox, z),
        areas.context_url(bbox, z),
        areas.labels_url(bbox, z),
        density.density_url(bbox, z, filters),
    )


def locked_overlay(lang: str, shown: bool = False) -> html.Div:
    """The full-screen 'locked' state (no figures behind it: the callbacks clear them)."""
    return html.Div(
        html.Div(
            [
                html.Div(className="mq-wall-lock-icon", **{"aria-hidden": "true"}),  # type: ignore[arg-type]
                html.H1(t("wall.locked_title", lang)),
                html.P(t("error.kiosk_locked", lang)),
                html.P(t("wall.locked_hint", lang), className="mq-wall-locked-hint"),
            ],
            className="mq-wall-locked-box",
        ),
        id=WallIds.LOCKED,
        className=LOCKED_SHOWN if shown else LOCKED_HIDDEN,
    )
