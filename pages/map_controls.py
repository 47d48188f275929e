"""The map screen's header and left control panel (layers, time window, categories)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from dash import dcc, html

from governance.access import (
    ANALYTICS_VIEW,
    PATROL_SUPERVISE,
    PERSONS_COUNTS,
    PERSONS_POINTS,
    Principal,
)
from i18n import t
from layers import DEFAULT_ON, TOGGLES, coverage, density, emerging, persons, sites
from layers.urls import (
    CUSTOM_WINDOW,
    DEFAULT_DUE_HOURS,
    DEFAULT_WINDOW,
    DUE_HOURS,
    URGENCY,
    WINDOWS,
)
from pages.export_menu import export_menu
from pages.header import HeaderIds, page_header
from pages.map_ids import MapIds
from pages.map_playback import playback_controls

# A little colour sample next to each layer switch.
_LAYER_SWATCH: dict[str, dict[str, str]] = {
    "areas": {"borderColor": "#44546a", "background": "#fbfaf6"},
    "sites": {"background": sites.RISK_COLORS[4], "borderRadius": "2px"},
    "incidents": {"background": "#4263eb", "borderRadius": "50%"},
    "density": {"background": f"linear-gradient(135deg, {density.COLORS[1]}, {density.COLORS[5]})"},
    "persons": {"borderColor": persons.COUNT_COLOR, "background": "#fff", "borderRadius": "50%"},
    "coverage": {
        "background": f"linear-gradient(135deg, {coverage.COLORS[0]}, {coverage.COLORS[-1]})"
    },
    "emerging": {
        "background": f"linear-gradient(135deg, {emerging.HOT_COLORS[0]}, "
        f"{emerging.COLD_COLORS[0]})"
    },
}


def persons_mode(principal: Principal | None) -> persons.PersonsMode | None:
    """How the key-persons layer is drawn for ``principal``: "points", "counts" or None
    (no such layer: no switch, no URL; the API refuses it as well)."""
    if principal is None:
        return None
    return persons.mode_for(principal.can(PERSONS_POINTS), principal.can(PERSONS_COUNTS))


def header(lang: str, principal: Principal | None = None, live: Any = None) -> html.Header:
    """Top bar: product name, the live indicator, the signed-in user and the language
    switch."""
    ids = HeaderIds(MapIds.ACCOUNT, MapIds.LOGOUT, MapIds.LANG_BUTTON, MapIds.LANG_SINK)
    return page_header(
        lang,
        principal,
        ids,
        subtitle=t("map.subtitle", lang),
        before_account=[live] if live is not None else [],
    )


def _section(title: str, body: Any, key: str) -> html.Section:
    return html.Section(
        [html.H3(title, className="mq-section-title"), body],
        className=f"mq-section mq-section-{key}",
    )


def coverage_allowed(principal: Principal | None) -> bool:
    """May ``principal`` see the patrol-coverage layer?"""
    return principal is not None and principal.can(PATROL_SUPERVISE)


def emerging_allowed(principal: Principal | None) -> bool:
    """May ``principal`` see the emerging hot-spot layer?"""
    return principal is not None and principal.can(ANALYTICS_VIEW)


def layer_switches(
    lang: str, persons_mode: str | None = None, coverage: bool = False, emerging: bool = False
) -> dcc.Checklist:
    """One switch per layer; the key-persons switch only for users who may see them, the
    patrol-coverage one only for those who supervise patrols, the emerging hot spots only
    for those with analytics."""
    options = [
        {
            "label": html.Span(
                [
                    html.Span(className="mq-layer-swatch", style=_LAYER_SWATCH[key]),
                    html.Span(t(f"layer.{key}", lang)),
                ],
                className="mq-layer-label",
            ),
            "value": key,
        }
        for key in TOGGLES
        if (key != "persons" or persons_mode)
        and (key != "coverage" or coverage)
        and (key != "emerging" or emerging)
    ]
    return dcc.Checklist(
        id=MapIds.LAYERS,
        options=options,
        value=list(DEFAULT_ON),
        className="mq-layer-list",
        labelClassName="mq-layer-item",
    )


def window_picker(lang: str) -> html.Div:
    """Segmented time-window buttons plus a date range shown only for "custom"."""
    today = date.today()
    return html.Div(
        [
            dcc.RadioItems(
                id=MapIds.WINDOW,
                options=[
                    {"label": t(f"filter.window.{w}", lang), "value": w}
                    for w in (*WINDOWS, CUSTOM_WINDOW)
                ],
                value=DEFAULT_WINDOW,
                inline=True,
                className="mq-segmented",
                labelClassName="mq-segment",
            ),
            html.Div(
                dcc.DatePickerRange(
                    id=MapIds.DATES,
                    display_format="YYYY-MM-DD",
                    month_format="YYYY-MM",
                    start_date=(today - timedelta(days=29)).isoformat(),
                    end_date=today.isoformat(),
                    min_date_allowed=(today - timedelta(days=3 * 365)).isoformat(),
                    max_date_allowed=today.isoformat(),
                    first_day_of_week=1,
                    start_date_placeholder_text=t("filter.dates.start", lang),
                    end_date_placeholder_text=t("filter.dates.end", lang),
                    className="mq-dates",
                ),
                id=MapIds.DATES_BOX,
                style={"display": "none"},
                className="mq-dates-box",
            ),
        ]
    )


def urgency_controls(lang: str) -> html.Div:
    """ "What needs me now" (overdue and due-soon cases, coloured by urgency), the
    urgency filter itself, the hours of "due soon" and what the incident colour means."""
    return html.Div(
        [
            dcc.Checklist(
                id=MapIds.NOW,
                options=[
                    {
                        "label": html.Span(
                            [
                                html.Span(t("urgency.now", lang), className="mq-now-text"),
                                html.Span(t("urgency.now_hint", lang), className="mq-now-hint"),
                            ]
                        ),
                        "value": "now",
                    }
                ],
                value=[],
                className="mq-now",
                labelClassName="mq-now-label",
            ),
            dcc.Checklist(
                id=MapIds.URGENCY,
                options=[
                    {
                        "label": html.Span(
                            [
                                html.Span(className=f"mq-urgency-dot mq-urgency-{u}"),
                                html.Span(t(f"urgency.filter.{u}", lang)),
                            ],
                            className="mq-urgency-label",
                        ),
                        "value": u,
                    }
                    for u in URGENCY
                ],
                value=[],
                className="mq-urgency-list",
                labelClassName="mq-urgency-item",
            ),
            html.Div(
                [
                    html.Label(t("urgency.due", lang), htmlFor=MapIds.DUE),
                    dcc.Dropdown(
                        id=MapIds.DUE,
                        options=[
                            {"label": t("urgency.hours", lang, n=h), "value": h} for h in DUE_HOURS
                        ],
                        value=DEFAULT_DUE_HOURS,
                        clearable=False,
                        searchable=False,
                        className="mq-dropdown mq-due",
                    ),
                ],
                className="mq-due-row",
            ),
            html.Div(t("urgency.note", lang), className="mq-legend-note"),
            html.Div(
                [
                    html.Span(t("urgency.colour", lang), className="mq-colour-title"),
                    dcc.RadioItems(
                        id=MapIds.COLOUR,
                        options=[
                            {"label": t(f"urgency.colour.{c}", lang), "value": c}
                            for c in ("category", "urgency")
                        ],
                        value="category",
                        inline=True,
                        className="mq-segmented",
                        labelClassName="mq-segment",
                    ),
                ],
                className="mq-colour-row",
            ),
        ]
    )


def view_list(lang: str) -> html.Div:
    """What is in the view as a list of buttons (incidents by urgency, key sites, areas):
    the keyboard's and the screen reader's way to every object of the map. Filled only
    while open (callbacks/map_view_list.py)."""
    return html.Div(
        [
            html.Button(
                t("viewlist.title", lang),
                id=MapIds.VIEW_LIST,
                n_clicks=0,
                className="mq-view-toggle",
                **{"aria-expanded": "false", "aria-controls": MapIds.VIEW_LIST_BODY},  # type: ignore[arg-type]
            ),
            html.Div(
                id=MapIds.VIEW_LIST_BODY,
                className="mq-view-list",
                hidden=True,
                **{"aria-live": "polite"},  # type: ignore[arg-type]
            ),
        ],
        className="mq-view-box",
    )


def dropdown_labels(lang: str) -> Any:
    """The dropdown's own texts (select all, search ...) in ``lang`` (a ``Dropdown.Labels``)."""
    keys = (
        "select_all",
        "deselect_all",
        "selected_count",
        "search",
        "clear_search",
        "clear_selection",
        "no_options_found",
    )
    return {k: t(f"filter.dropdown.{k}", lang) for k in keys}


def category_options(categories: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Groups first-level, their leaves indented below them (search by name)."""
    out: list[dict[str, Any]] = []
    for c in categories:
        leaf = c.get("parent_code") is not None
        out.append(
            {
                "label": html.Span(
                    [
                        html.Span(className="mq-opt-dot", style={"background": c["color"]}),
                        html.Span(c["name"]),
                    ],
                    className="mq-opt-leaf" if leaf else "mq-opt-group",
                ),
                "value": c["code"],
                "search": c["name"],
            }
        )
    return out


def control_panel(
    lang: str,
    categories: Sequence[Mapping[str, Any]],
    sources: Sequence[Mapping[str, str]],
    persons_mode: str | None = None,
    inbox: bool = False,
    coverage: bool = False,
    emerging: bool = False,
) -> html.Aside:
    """Left card: a department's inbox (for department staff), layer switches and incident
    filters; collapsible. On a phone it starts collapsed (``mq-collapsed-phone``, which
    only the phone stylesheet reads) and opens as a bottom sheet."""
    labels = dropdown_labels(lang)
    return html.Aside(
        [
            html.Div(
                [
                    html.H2(t("panel.controls", lang), className="mq-card-title"),
                    html.Button(
                        "‹",
                        id=MapIds.CONTROLS_TOGGLE,
                        n_clicks=0,
                        title=t("panel.collapse", lang),
                        className="mq-icon-button mq-collapse",
                    ),
                ],
                className="mq-card-head",
            ),
            html.Div(
                [
                    html.Section(
                        [
                            html.H3(t("inbox.title", lang), className="mq-section-title"),
                            html.Div(id=MapIds.INBOX, className="mq-inbox"),
                            # only department staff poll it (the server checks anyway);
                            # a pushed change adds one to it (assets/js/minqing-live.js)
                            dcc.Interval(
                                id=MapIds.INBOX_TICK,
                                interval=30_000,
                                n_intervals=0,
                                disabled=not inbox,
                            ),
                            dcc.Store(id=MapIds.INBOX_SHOWN),
                        ],
                        className="mq-section mq-section-inbox" + ("" if inbox else " mq-hidden"),
                    ),
                    _section(t("urgency.title", lang), urgency_controls(lang), "urgency"),
                    _section(t("viewlist.section", lang), view_list(lang), "viewlist"),
                    _section(
                        t("filter.layers", lang),
                        layer_switches(lang, persons_mode, coverage, emerging),
                        "layers",
                    ),
                    _section(t("filter.window", lang), window_picker(lang), "window"),
                    _section(t("playback.title", lang), playback_controls(lang), "playback"),
                    _section(
                        t("filter.categories", lang),
                        dcc.Dropdown(
                            id=MapIds.CATEGORIES,
                            options=category_options(categories),
                            value=[],
                            multi=True,
                            placeholder=t("filter.categories.placeholder", lang),
                            labels=labels,
                            maxHeight=320,
                            className="mq-dropdown",
                        ),
                        "categories",
                    ),
                    _section(
                        t("filter.sources", lang),
                        dcc.Dropdown(
                            id=MapIds.SOURCES,
                            options=[dict(s) for s in sources],
                            value=[],
                            multi=True,
                            placeholder=t("filter.sources.placeholder", lang),
                            labels=labels,
                            searchable=False,
                            className="mq-dropdown",
                        ),
                        "sources",
                    ),
                    _section(
                        t("legend.title", lang),
                        html.Div(
                            [
                                html.Div(id=MapIds.LEGEND, className="mq-legend"),
                                html.Div(id=MapIds.LEGEND_EMERGING, className="mq-legend"),
                            ]
                        ),
                        "legend",
                    ),
                    _section(t("export.menu", lang), export_menu(lang), "export"),
                ],
                className="mq-card-body",
            ),
        ],
        id=MapIds.CONTROLS,
        className="mq-card mq-controls mq-collapsed-phone",
        tabIndex="-1",  # the skip link's target
        **{"aria-label": t("panel.controls", lang)},  # type: ignore[arg-type]
    )
