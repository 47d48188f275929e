"""The map legend: one section per visible layer, numbers of the density classes included."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dash import html

from i18n import t
from layers import areas, coverage, density, incidents, persons, sites
from layers.urls import DEFAULT_DUE_HOURS


def _swatch(style: Mapping[str, Any], class_name: str = "mq-swatch") -> html.Span:
    return html.Span(className=class_name, style=dict(style))


def _row(swatch: Any, text: str, class_name: str = "mq-legend-row") -> html.Div:
    return html.Div([swatch, html.Span(text, className="mq-legend-text")], className=class_name)


def _section(title: str, rows: list[Any], key: str) -> html.Div:
    return html.Div(
        [html.Div(title, className="mq-legend-title"), *rows],
        className=f"mq-legend-section mq-legend-{key}",
    )


def areas_section(lang: str) -> html.Div:
    rows = [
        _row(
            _swatch(
                {
                    "borderTopWidth": f"{max(1.0, s['weight'] * 1.2):.1f}px",
                    "borderTopColor": s["color"],
                },
                "mq-swatch-line",
            ),
            t(f"level.{level}", lang),
        )
        for level, s in areas.LEVEL_STYLES.items()
    ]
    return _section(t("layer.areas", lang), rows, "areas")


def coverage_section(lang: str) -> html.Div:
    rows = [
        _row(_swatch({"background": colour, "opacity": coverage.OPACITY + 0.25}), label)
        for colour, label in coverage.class_labels(lang)
    ]
    rows.append(html.Div(t("legend.coverage.note", lang), className="mq-legend-note"))
    return _section(t("layer.coverage", lang), rows, "coverage")


def sites_section(lang: str) -> html.Div:
    rows = [
        _row(_swatch({"background": sites.RISK_COLORS[g]}, "mq-swatch-dot"), t(f"risk.{g}", lang))
        for g in reversed(sites.RISK_GRADES)
    ]
    rows.append(html.Div(t("legend.patrol", lang), className="mq-legend-subhead"))
    rows += [
        _row(
            _swatch({}, f"mq-swatch-dot mq-swatch-patrol mq-patrol-{st}"),
            t(f"legend.patrol.{st}", lang),
        )
        for st in sites.PATROL_STATES
    ]
    rows.append(html.Div(t("legend.sites_note", lang), className="mq-legend-note"))
    return _section(t("layer.sites", lang), rows, "sites")


@dataclass(frozen=True)
class IncidentKey:
    """What the incidents' legend explains: the colour mode, the hours of "due soon" and
    the category groups ``(code, name, colour)`` (the category key)."""

    colour_by: str = "category"
    due_hours: int = DEFAULT_DUE_HOURS
    groups: Sequence[tuple[str, str, str]] = field(default_factory=tuple)


def _category_rows(key: IncidentKey, ring: bool) -> list[Any]:
    style = "mq-swatch-incident-ring" if ring else "mq-swatch-incident"
    return [
        _row(
            _swatch({"borderColor" if ring else "background": colour}, style),
            name,
            f"mq-legend-row mq-legend-category mq-legend-category-{code}",
        )
        for code, name, colour in key.groups
    ]


def incidents_section(lang: str, key: IncidentKey | None = None) -> html.Div:
    """The incidents' colour key: by category (a fill per category group), or by urgency
    (the fill says how urgent, the ring which category), then the marker sizes and the
    cluster bubble."""
    key = key or IncidentKey()
    rows: list[Any] = []
    if key.colour_by == "urgency":
        rows.append(html.Div(t("legend.urgency", lang), className="mq-legend-subhead"))
        rows += [
            _row(
                _swatch({"background": incidents.URGENCY_COLORS[u]}, "mq-swatch-incident"),
                t(f"legend.urgency.{u}", lang, n=key.due_hours),
                f"mq-legend-row mq-legend-urgency mq-legend-urgency-{u}",
            )
            for u in incidents.URGENCY_STATES
        ]
        if key.groups:
            rows.append(html.Div(t("legend.category.ring", lang), className="mq-legend-subhead"))
            rows += _category_rows(key, ring=True)
    else:
        if key.groups:
            rows.append(html.Div(t("legend.category.fill", lang), className="mq-legend-subhead"))
            rows += _category_rows(key, ring=False)
            rows.append(html.Div(t("legend.category.note", lang), className="mq-legend-note"))
    rows.append(html.Div(t("legend.priority", lang), className="mq-legend-note"))
    rows.append(
        _row(html.Span("12", className="mq-swatch-cluster"), t("legend.incident_cluster", lang))
    )
    return _section(t("layer.incidents", lang), rows, "incidents")


def persons_section(lang: str, mode: str | None) -> html.Div:
    """Points: one colour per category, size by care level. Counts: the number badge."""
    if mode == persons.COUNTS:
        rows = [
            _row(
                html.Span("8", className="mq-swatch-person-count"), t("legend.persons_count", lang)
            ),
            html.Div(t("legend.persons_counts_note", lang), className="mq-legend-note"),
        ]
    else:
        rows = [
            _row(
                _swatch({"borderColor": persons.CATEGORY_COLORS[c]}, "mq-swatch-person"),
                t(f"person.{c}", lang),
                f"mq-legend-row mq-legend-person-{c}",
            )
            for c in persons.CATEGORIES
        ]
        rows.append(html.Div(t("legend.persons_care", lang), className="mq-legend-note"))
        rows.append(html.Div(t("legend.persons_private", lang), className="mq-legend-note"))
    return _section(t("layer.persons", lang), rows, "persons")


def density_section(lang: str, stats: Mapping[str, Any] | None) -> html.Div:
    """Six colour classes with their count ranges, and the H3 resolution in use."""
    if not stats or not stats.get("breaks"):
        return _section(
            t("layer.density", lang),
            [html.Div(t("legend.density_empty", lang), className="mq-legend-note")],
            "density",
        )
    ranges = density.class_ranges(stats["breaks"], stats.get("max"))
    rows = []
    for k, (low, high) in enumerate(ranges):
        if high is None:
            label = t("legend.range_open", lang, low=low)
        elif high == low:
            label = str(low)
        else:
            label = t("legend.range", lang, low=low, high=high)
        rows.append(
            _row(
                _swatch({"background": density.COLORS[k]}, "mq-swatch-hex"),
                label,
                f"mq-legend-row mq-legend-class-{k}",
            )
        )
    note = t("legend.density_res", lang, res=stats.get("res", "?"), total=stats.get("total", 0))
    rows.append(html.Div(note, className="mq-legend-note mq-legend-res"))
    if stats.get("truncated"):
        rows.append(html.Div(t("legend.truncated", lang), className="mq-legend-note"))
    return _section(t("layer.density", lang), rows, "density")


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and abs(v) < 2**53


def _stats(raw: Any) -> Mapping[str, Any] | None:
    """The density layer's stats as the layer sends them (the browser passes them back
    through a store, so a hand-made request may send anything): else None."""
    if not isinstance(raw, Mapping):
        return None
    breaks = raw.get("breaks")
    if not isinstance(breaks, list) or len(breaks) > 10 or not all(map(_int, breaks)):
        return None
    if any(k in raw and raw[k] is not None and not _int(raw[k]) for k in ("max", "res", "total")):
        return None
    return raw


def legend(
    lang: str,
    visible: Iterable[str],
    density_stats: Mapping[str, Any] | None,
    persons_mode: str | None = persons.POINTS,
    coverage_allowed: bool = False,
    incident_key: IncidentKey | None = None,
) -> list[Any]:
    """Legend sections for the visible layers, in drawing order (top layer first).

    The key-persons section follows ``persons_mode`` (None: the user has no such layer).
    """
    on = {v for v in visible if isinstance(v, str)} if isinstance(visible, list | tuple) else set()
    density_stats = _stats(density_stats)
    out: list[Any] = []
    if "persons" in on and persons_mode:
        out.append(persons_section(lang, persons_mode))
    if "incidents" in on:
        out.append(incidents_section(lang, incident_key))
    if "sites" in on:
        out.append(sites_section(lang))
    if "coverage" in on and coverage_allowed:
        out.append(coverage_section(lang))
    if "density" in on:
        out.append(density_section(lang, density_stats))
    if "areas" in on:
        out.append(areas_section(lang))
    return out
