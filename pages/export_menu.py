"""The map's export menu: the current view of a layer (filters and viewport) as a file.

Links only (``GET /export/<dataset>.<fmt>``, web/exports.py): the server checks access,
scope and masking and records the export. The links follow the map's filters and view
(callbacks/exports.py); datasets the user may not export are not offered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from dash import html

from governance.access import Principal
from governance.export_formats import FORMATS
from governance.exports import DATASETS
from i18n import t
from web.exports import export_url

MENU: Final = "map-export-menu"  # "map-": the map's feature (MAP_VIEW) in the guard
MAP_DATASETS = ("incidents", "sites", "grids")


def export_menu(lang: str) -> html.Div:
    """The menu's container; its links arrive with the map's first view."""
    return html.Div(
        html.Span(t("dispatch.loading", lang), className="mq-dispatch-muted"),
        id=MENU,
        className="mq-export-menu",
        title=t("export.menu_title", lang),
    )


def menu_links(principal: Principal, lang: str, params: Mapping[str, str]) -> list[Any]:
    """One line per dataset the principal may export: its name and a link per format."""
    return [
        html.Div(
            [
                html.Span(t(f"export.{dataset}", lang), className="mq-export-name"),
                *_links(dataset, lang, params),
            ],
            className="mq-export-line",
        )
        for dataset in MAP_DATASETS
        if principal.can(DATASETS[dataset])
    ] + (
        # a department's inbox: all its open cases, whatever the map shows
        [
            html.Div(
                [
                    html.Span(t("export.inbox", lang), className="mq-export-name"),
                    *_links("inbox", lang, {}),
                ],
                className="mq-export-line",
            )
        ]
        if principal.can(DATASETS["inbox"]) and principal.department_id is not None
        else []
    )


def _links(dataset: str, lang: str, params: Mapping[str, str]) -> list[Any]:
    return [
        html.A(
            t(f"export.format.{fmt}", lang),
            href=export_url(dataset, fmt, params),
            className="mq-export-link",
            **{"data-dataset": dataset, "data-format": fmt},  # type: ignore[arg-type]
        )
        for fmt in FORMATS
    ]
