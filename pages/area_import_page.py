"""The area import page (区划与网格导入, /import/areas): the county's own boundaries.

Upload (a zipped Shapefile, GeoPackage, GeoJSON or KML) -> the columns mapped to code /
name / parent / population (remembered or guessed, editable), the level and the offset
-> preview (the coordinate system and the offset detected, the plan, every finding, the
first features, a map with the gaps, errors and repairs) -> import (enabled only after a
preview without errors, and once its repairs are accepted). The web equivalent of
``python app.py import areas FILE``. The layout holds no data; callbacks/area_import_page.py
fills it, and ``governance.area_import`` checks the capability and every value itself.
The file is sent once; the page then holds only the id of the upload, kept on the server.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from governance.access import Principal
from governance.area_import import FIELDS, LEVEL_CHOICES, REQUIRED, SHIFT_CHOICES
from governance.area_uploads import MAX_WEB_BYTES
from i18n import current_lang, t
from pages import import_frame as frame
from pages.area_import_ids import DETECTED, map_id
from pages.area_import_ids import AreaImportIds as Ids
from pages.header import tab_title
from pages.import_frame import labelled, select
from web.security import current_principal

dash.register_page(
    __name__, path="/import/areas", title=tab_title("nav.import.areas"), name="import-areas"
)

ACCEPT_TYPES = ".zip,.gpkg,.geojson,.json,.kml"


def level_options(lang: str) -> list[dict[str, str]]:
    return [
        {"label": t("area_import.level.auto" if v == "auto" else f"level.{v}", lang), "value": v}
        for v in LEVEL_CHOICES
    ]


def shift_options(lang: str) -> list[dict[str, str]]:
    return [{"label": t("area_page.shift.detected", lang), "value": DETECTED}] + [
        {"label": t(f"area_import.shift.{v}", lang), "value": v} for v in SHIFT_CHOICES
    ]


def upload_card(lang: str) -> html.Section:
    max_mb = MAX_WEB_BYTES // 2**20
    limit: dict[str, Any] = {  # assets/js/upload-limit.js: oversized files get a message
        "data-max-bytes": str(MAX_WEB_BYTES),
        "data-too-large": t("area_page.error.too_large", lang, mb="{mb}", max_mb=max_mb),
        "data-message-target": Ids.FILE,
    }
    return html.Section(
        [
            html.Div(
                dcc.Upload(
                    html.Div(t("area_page.upload", lang)),
                    id=Ids.UPLOAD,
                    accept=ACCEPT_TYPES,
                    max_size=MAX_WEB_BYTES,
                    multiple=False,
                    className="mq-import-drop",
                ),
                **limit,
            ),
            html.P(t("area_page.upload_hint", lang, max_mb=max_mb), className="mq-import-hint"),
            html.Div(id=Ids.FILE, className="mq-import-file"),
        ],
        className="mq-audit-card",
    )


def mapping_card(lang: str) -> html.Section:
    fields = []
    for f in FIELDS:
        label = t(f"area_import.field.{f}", lang)
        if f in REQUIRED:
            label += f" *{t('area_page.required', lang)}"
        control = select(
            map_id(f), [], None, lang, clearable=True, placeholder=t("area_page.mapping_none", lang)
        )
        fields.append(labelled(label, control))
    return html.Section(
        [
            html.H2(t("area_page.mapping", lang), className="mq-card-title"),
            html.P(id=Ids.MAPPING_FROM, className="mq-import-hint"),
            html.Div(fields, className="mq-import-mapping"),
        ],
        className="mq-audit-card",
    )


def options_card(lang: str) -> html.Section:
    return html.Section(
        [
            html.H2(t("area_page.options", lang), className="mq-card-title"),
            labelled(
                t("area_page.level", lang),
                select(Ids.LEVEL, level_options(lang), "auto", lang, clearable=False),
            ),
            labelled(
                t("area_page.shift", lang),
                select(Ids.SHIFT, shift_options(lang), DETECTED, lang, clearable=False),
            ),
        ],
        className="mq-audit-card",
    )


def header(lang: str, principal: Principal | None) -> html.Header:
    # the system administrator has no map: back to the accounts, their home page
    back = ("area_page.back", "/admin/users")
    return frame.header(lang, principal, Ids, "area_page.title", "area_page.subtitle", back)


def layout(**_query: str) -> html.Div:
    """The area import page in the request's language (no data: callbacks fill it)."""
    lang = current_lang()
    principal = current_principal()
    return frame.frame(
        lang,
        principal,
        Ids,
        head=header(lang, principal),
        cards=[upload_card(lang), mapping_card(lang), options_card(lang)],
        accept_label=t("area_page.accept", lang),
        preview_label="area_page.preview",
        extra_class="mq-areaimport",
    )
