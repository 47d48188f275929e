"""Contents of the map screen's right side panel: an area, an incident or a key site.

Pure functions from service dicts (see governance.areas / governance.incidents) to Dash
components; every text comes from the data or the message catalog. Dash escapes all
strings, so data is never interpreted as HTML.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from dash import dcc, html

from i18n import t
from layers.sites import RISK_COLORS
from layers.urls import CUSTOM_WINDOW, LayerFilters
from pages.map_ids import MapIds
from pages.map_site_patrol import site_patrol
from pages.map_workflow import status_badge

MAX_CATEGORY_BARS = 10
FONT = "Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, sans-serif"


def period_label(filters: LayerFilters, lang: str) -> str:
    if filters.window == CUSTOM_WINDOW and (filters.start or filters.end):
        return t("panel.period.custom", lang, start=filters.start or "…", end=filters.end or "…")
    return t(f"filter.window.{filters.window}", lang)


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else ("—" if value is None else str(value))


def breadcrumb(crumbs: Sequence[Mapping[str, Any]], *, current_last: bool = True) -> html.Nav:
    """County > street > community > grid, each a button that selects that area."""
    items: list[Any] = []
    for i, c in enumerate(crumbs):
        if i:
            items.append(html.Span("›", className="mq-crumb-sep"))
        current = current_last and i == len(crumbs) - 1
        if not c.get("in_scope", True):  # an ancestor outside the user's area: name only
            items.append(
                html.Span(
                    c["name"],
                    title=c.get("level_label", ""),
                    className=f"mq-crumb mq-crumb-{c['level']} mq-crumb-outside",
                )
            )
            continue
        items.append(
            html.Button(
                c["name"],
                id=MapIds.crumb(c["id"]),
                title=c.get("level_label", ""),
                className=f"mq-crumb mq-crumb-{c['level']}"
                + (" mq-crumb-current" if current else ""),
            )
        )
    return html.Nav(items, className="mq-breadcrumb")


def _stat(label: str, value: Any, key: str) -> html.Div:
    return html.Div(
        [
            html.Div(_number(value), className="mq-stat-value"),
            html.Div(label, className="mq-stat-label"),
        ],
        className=f"mq-stat mq-stat-{key}",
    )


def _block(title: str, body: Any, key: str) -> html.Section:
    return html.Section(
        [html.H3(title, className="mq-block-title"), body], className=f"mq-block mq-block-{key}"
    )


def category_bars(rows: Sequence[Mapping[str, Any]], lang: str) -> Any:
    if not rows:
        return html.Div(t("panel.none", lang), className="mq-empty")
    top = sorted(rows, key=lambda r: -int(r["count"]))[:MAX_CATEGORY_BARS]
    peak = max(int(r["count"]) for r in top) or 1
    return html.Div(
        [
            html.Div(
                [
                    html.Div(r["name"], className="mq-bar-label", title=r["name"]),
                    html.Div(
                        html.Div(
                            className="mq-bar-fill",
                            style={
                                "width": f"{100 * int(r['count']) / peak:.1f}%",
                                "background": r.get("color") or "#8193a8",
                            },
                        ),
                        className="mq-bar-track",
                    ),
                    html.Div(_number(int(r["count"])), className="mq-bar-value"),
                ],
                className="mq-bar",
            )
            for r in top
        ],
        className="mq-bars",
    )


def status_chips(rows: Sequence[Mapping[str, Any]], lang: str) -> Any:
    if not rows:
        return html.Div(t("panel.none", lang), className="mq-empty")
    return html.Div(
        [
            html.Span(
                [
                    html.Span(r["label"], className="mq-chip-label"),
                    html.Span(_number(int(r["count"])), className="mq-chip-count"),
                ],
                className=f"mq-chip mq-status-{r['status']}",
            )
            for r in sorted(rows, key=lambda r: -int(r["count"]))
        ],
        className="mq-chips",
    )


def trend_figure(trend: Mapping[str, Sequence[Any]], lang: str) -> go.Figure:
    """A small filled line of daily counts (no axes titles, no mode bar)."""
    fig = go.Figure(
        go.Scatter(
            x=list(trend.get("dates", [])),
            y=list(trend.get("counts", [])),
            mode="lines",
            line={"color": "#1a5fd0", "width": 1.6, "shape": "spline", "smoothing": 0.6},
            fill="tozeroy",
            fillcolor="rgba(26, 95, 208, 0.12)",
            hovertemplate=t("panel.trend_hover", lang),
        )
    )
    peak = max((int(c) for c in trend.get("counts", [])), default=0)
    fig.update_layout(
        height=96,
        margin={"l": 28, "r": 6, "t": 4, "b": 20},
        showlegend=False,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": FONT, "size": 10, "color": "#6b7785"},
        xaxis={"showgrid": False, "tickformat": "%m-%d", "nticks": 4, "fixedrange": True},
        yaxis={
            "showgrid": True,
            "gridcolor": "#eef1f5",
            "tick0": 0,
            "dtick": max(1, math.ceil(peak / 3)),  # whole incidents only
            "rangemode": "tozero",
            "fixedrange": True,
        },
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


def site_list(sites: Sequence[Mapping[str, Any]], total: int, lang: str) -> Any:
    if not sites:
        return html.Div(t("panel.none", lang), className="mq-empty")
    items = [
        html.Li(
            [
                html.Span(
                    className="mq-risk-dot",
                    style={"background": RISK_COLORS.get(int(s["risk_grade"]), "#888")},
                    title=s.get("risk_label", ""),
                ),
                html.Span(s["name"], className="mq-site-name"),
                html.Span(s.get("type_label", ""), className="mq-site-type"),
            ],
            className=f"mq-site-item mq-risk-{s['risk_grade']}",
        )
        for s in sites
    ]
    note = (
        html.Div(t("panel.sites_more", lang, total=total, shown=len(sites)), className="mq-note")
        if total > len(sites)
        else None
    )
    return html.Div([html.Ul(items, className="mq-site-list"), note])


def area_panel(summary: Mapping[str, Any], filters: LayerFilters, lang: str) -> list[Any]:
    """Summary of one area (any level): where it is, what happened in it, what is in it."""
    area = summary["area"]
    stats = [
        _stat(t("panel.area.total", lang), summary.get("total", 0), "total"),
        _stat(t("panel.area.sites", lang), summary.get("sites_total", 0), "sites"),
        _stat(t("panel.area.population", lang), area.get("population"), "population"),
    ]
    if area.get("level") != "grid":
        stats.append(_stat(t("panel.area.children", lang), summary.get("children", 0), "children"))
    worker = None
    if area.get("worker_name"):
        worker = html.Div(
            [
                html.Span(t("panel.area.worker", lang), className="mq-field-label"),
                html.Span(
                    f"{area['worker_name']}  {area.get('worker_phone') or ''}",
                    className="mq-field-value",
                ),
            ],
            className="mq-field mq-worker",
        )
    return [
        html.Div(area.get("level_label", ""), className=f"mq-kicker mq-level-{area.get('level')}"),
        html.H2(area["name"], className="mq-panel-title"),
        html.Div(f"{t('panel.area.code', lang)} {area.get('code', '')}", className="mq-note"),
        breadcrumb(summary.get("breadcrumb", [])),
        worker,
        html.Div(stats, className="mq-stats"),
        html.Div(
            t("panel.period", lang, period=period_label(filters, lang)),
            className="mq-note mq-period",
        ),
        _block(
            t("panel.by_category", lang),
            category_bars(summary.get("by_category", []), lang),
            "categories",
        ),
        _block(
            t("panel.by_status", lang), status_chips(summary.get("by_status", []), lang), "status"
        ),
        _block(
            t("panel.trend", lang),
            dcc.Graph(
                figure=trend_figure(summary.get("trend", {}), lang),
                config={"displayModeBar": False},
                className="mq-trend",
                style={"height": "96px"},
            ),
            "trend",
        ),
        _block(
            t("panel.sites_list", lang),
            site_list(summary.get("sites", []), int(summary.get("sites_total", 0)), lang),
            "sites",
        ),
        _area_patrol(summary.get("patrol"), lang),
    ]


def _area_patrol(patrol: Mapping[str, Any] | None, lang: str) -> html.Section | None:
    """The area's patrol in the period: visits due, done, on time, off site."""
    if not patrol:
        return None

    def pct(share: float | None) -> str:
        return "—" if share is None else f"{100 * share:.0f}%"

    stats = [
        _stat(t("panel.patrol.due", lang), patrol["due"], "patrol-due"),
        _stat(t("panel.patrol.on_time", lang), pct(patrol["on_time_share"]), "patrol-on-time"),
        _stat(t("panel.patrol.done", lang), pct(patrol["done_share"]), "patrol-done"),
        _stat(t("panel.patrol.off_site", lang), pct(patrol["off_site_share"]), "patrol-off-site"),
    ]
    return _block(t("panel.patrol", lang), html.Div(stats, className="mq-stats"), "patrol")


def _field(label: str, value: Any, key: str) -> html.Div | None:
    if value in (None, ""):
        return None
    return html.Div(
        [
            html.Span(label, className="mq-field-label"),
            html.Span(str(value), className="mq-field-value"),
        ],
        className=f"mq-field mq-field-{key}",
    )


def incident_panel(detail: Mapping[str, Any], lang: str) -> list[Any]:
    """One incident: category, state, times, place, and its grid's breadcrumb."""
    return [
        html.Div(t("panel.incident.title", lang), className="mq-kicker"),
        html.H2(
            [
                html.Span(
                    className="mq-title-dot", style={"background": detail.get("color") or "#888"}
                ),
                detail.get("category_name") or detail.get("category_code", ""),
            ],
            className="mq-panel-title",
        ),
        html.Div(
            [
                # the workflow's status: read with the actions and timeline below it
                status_badge(
                    int(detail["id"]),
                    (detail.get("workflow") or {}).get("status", detail.get("status")),
                    lang,
                ),
                html.Span(
                    detail.get("priority_label", ""),
                    className=f"mq-chip mq-priority-{detail.get('priority')}",
                ),
                html.Span(detail.get("source_label", ""), className="mq-chip"),
            ],
            className="mq-chips",
        ),
        breadcrumb(detail.get("breadcrumb", []), current_last=False),
        html.Div(
            [
                _field(t("panel.incident.occurred", lang), detail.get("occurred_at"), "occurred"),
                _field(t("panel.incident.reported", lang), detail.get("reported_at"), "reported"),
                _field(t("panel.incident.address", lang), detail.get("address"), "address"),
                _field(
                    t("panel.incident.external_id", lang), detail.get("external_id"), "external"
                ),
            ],
            className="mq-fields",
        ),
        _block(
            t("panel.incident.description", lang),
            html.P(detail.get("description") or t("panel.none", lang), className="mq-description"),
            "description",
        ),
    ]


def site_panel(site: Mapping[str, Any], lang: str) -> list[Any]:
    """One key site: name, type, risk grade and (when known) its grid's breadcrumb."""
    grade = int(site.get("risk_grade") or 0)
    return [
        html.Div(t("panel.site.title", lang), className="mq-kicker"),
        html.H2(site.get("name", ""), className="mq-panel-title"),
        html.Div(
            [
                html.Span(
                    site.get("type_label") or t(f"site.{site.get('site_type')}", lang),
                    className="mq-chip",
                ),
                html.Span(
                    site.get("risk_label") or t(f"risk.{grade}", lang),
                    className=f"mq-chip mq-risk-chip mq-risk-{grade}",
                    style={"background": RISK_COLORS.get(grade, "#888")},
                ),
            ],
            className="mq-chips",
        ),
        breadcrumb(site.get("breadcrumb", []), current_last=False)
        if site.get("breadcrumb")
        else None,
        html.Div(
            [_field(t("panel.site.address", lang), site.get("address"), "address")],
            className="mq-fields",
        ),
        *site_patrol(site, lang),
    ]


def hint_panel(lang: str) -> list[Any]:
    return [html.Div(t("map.hint", lang), className="mq-empty mq-hint")]


def error_panel(message: str) -> list[Any]:
    return [html.Div(message, className="mq-error", role="alert")]
