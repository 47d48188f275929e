"""The reverse cross-check screen (逆向倒查): where residents keep reporting a kind of
problem that the grid's own reports of that place rarely do, and the grids whose own
reports of a kind are mostly rejected (possible padding).

Commanders see the whole city, supervisors their street (``ANALYTICS_VIEW``). The layout
holds no figures: the callback (callbacks/crosscheck.py) runs the analysis for the chosen
area, period, channels and category, and draws the map of blind-spot cells with its
legend, the grids ranked with their counts and trend, each finding in words with its p
and q values, and the external reports behind a finding on request.
"""

from __future__ import annotations

import logging
from typing import Any

import dash
from dash import dcc, html

from governance import catalog, crosscheck
from governance.access import Principal
from governance.errors import MinqingError
from governance.uow import unit_of_work
from i18n import current_lang, t
from pages.crosscheck_ids import CrosscheckIds as Ids
from pages.header import HeaderIds, page_header, tab_title
from pages.map_controls import dropdown_labels
from web import outage
from web.security import current_principal

log = logging.getLogger(__name__)

dash.register_page(
    __name__, path="/crosscheck", title=tab_title("nav.crosscheck"), name="crosscheck"
)

WINDOWS = ("30d", "90d", "365d")


def header(lang: str, principal: Principal | None) -> html.Header:
    """Top bar: product, screen name, screens menu, user, language."""
    ids = HeaderIds(Ids.ACCOUNT, Ids.LOGOUT, Ids.LANG_BUTTON, Ids.LANG_SINK)
    return page_header(
        lang,
        principal,
        ids,
        screen=t("crosscheck.page.title", lang),
        subtitle=t("crosscheck.page.subtitle", lang),
    )


def _field(label: str, control: Any) -> html.Label:
    return html.Label(
        [html.Span(label, className="mq-eval-label"), control], className="mq-eval-field"
    )


def _choices(
    lang: str, principal: Principal | None
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The areas this user may pick and the categories; empty when signed out (Dash's
    layout validation) or refused; the page still renders if the database is down."""
    if principal is None:
        return [], []
    try:
        with unit_of_work(principal) as s:  # a layout function is a caller: it opens the unit
            areas = crosscheck.area_choices(s, principal, lang)
        cats = [{"label": t("crosscheck.all_categories", lang), "value": ""}] + [
            {"label": c.name(lang), "value": c.code}
            for c in catalog.all_categories()
            if c.parent_code is not None
        ]
    except MinqingError:  # the guard refuses the page first; a stale session lands here
        return [], []
    except Exception as exc:
        outage.propagate(exc)  # rendering for a person: a 503 the client retries
        log.warning("cross-check page: choices unavailable", exc_info=True)
        return [], []
    return areas, cats


def _nearest(area: str | None, values: list[str]) -> str | None:
    """The picker's area nearest to ``area`` (an alert links to a grid, which the picker
    does not list: its community, or the street): the longest shared code prefix."""
    if not values:
        return None
    if not area:
        return values[0]

    def shared(v: str) -> int:
        return next(
            (k for k, (a, b) in enumerate(zip(area, v, strict=False)) if a != b),
            min(len(area), len(v)),
        )

    return max(values, key=shared)


def controls(
    lang: str, principal: Principal | None, area: str | None, category: str | None = None
) -> html.Section:
    """Area, period, external channels and category; the message line."""
    areas, cats = _choices(lang, principal)
    values = [a["value"] for a in areas]
    chosen = area if area in values else _nearest(area, values)
    dd = {"clearable": False, "labels": dropdown_labels(lang)}
    return html.Section(
        [
            html.Div(
                [
                    _field(
                        t("crosscheck.area", lang),
                        dcc.Dropdown(
                            id=Ids.AREA, options=areas, value=chosen, className="mq-dropdown", **dd
                        ),
                    ),
                    _field(
                        t("crosscheck.window", lang),
                        dcc.Dropdown(
                            id=Ids.WINDOW,
                            options=[
                                {"label": t(f"crosscheck.window.{w}", lang), "value": w}
                                for w in WINDOWS
                            ],
                            value="90d",
                            searchable=False,
                            className="mq-dropdown",
                            **dd,
                        ),
                    ),
                    _field(
                        t("crosscheck.channels", lang),
                        dcc.RadioItems(
                            id=Ids.CHANNELS,
                            options=[
                                {"label": t(f"crosscheck.channels.{c}", lang), "value": c}
                                for c in crosscheck.CHANNELS
                            ],
                            value="residents",
                            inline=True,
                            className="mq-crosscheck-channels",
                        ),
                    ),
                    _field(
                        t("crosscheck.category", lang),
                        dcc.Dropdown(
                            id=Ids.CATEGORY,
                            options=cats,
                            value=category if category in {c["value"] for c in cats} else "",
                            className="mq-dropdown",
                            **dd,
                        ),
                    ),
                ],
                className="mq-crosscheck-fields",
            ),
            html.Div(id=Ids.MESSAGE, className="mq-eval-message", role="status"),
        ],
        className="mq-eval-card mq-eval-controls",
    )


def layout(area: str | None = None, category: str | None = None, **_query: str) -> html.Div:
    """The cross-check screen in the request's language (``?area=CODE&category=CODE``, as
    an alert links to it, picks the area and the category)."""
    lang = current_lang()
    principal = current_principal()
    return html.Div(
        [
            header(lang, principal),
            html.Main(
                [
                    controls(lang, principal, area, category),
                    dcc.Loading(
                        html.Div(
                            [
                                html.Section(id=Ids.METHOD, className="mq-eval-card"),
                                html.Section(
                                    id=Ids.MAP_BOX, className="mq-eval-card mq-crosscheck-map"
                                ),
                                html.Section(id=Ids.GRIDS, className="mq-eval-card"),
                                html.Section(id=Ids.PADDING, className="mq-eval-card"),
                            ],
                            className="mq-crosscheck-body",
                        )
                    ),
                    html.Section(
                        id=Ids.CASES,
                        className="mq-eval-card",
                        **{"aria-live": "polite"},  # type: ignore[arg-type]
                    ),
                ],
                className="mq-eval-main",
            ),
        ],
        id=Ids.ROOT,
        className=f"mq-app mq-eval mq-crosscheck mq-lang-{lang}",
        lang=lang,
    )
