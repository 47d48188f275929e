"""The key-site import page (场所导入, /import/sites): a county's register of key sites
in CSV or XLSX, with the look of the hotline import (/import).

Upload -> the columns mapped to site fields (guessed, editable) -> preview (counts of
new, updated and unchanged sites, every row's errors and corrections) -> import (enabled
only after a preview without errors). The layout holds no data;
callbacks/import_sites.py fills it, and ``governance.registry_import`` checks the
capability and every value itself. Key persons are imported on the command line only
(``python app.py import persons``): their identities never pass through a browser.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from geodata import crs as crs_mod
from governance.access import Principal
from governance.file_tables import MAX_FILE_BYTES, MAX_ROWS
from governance.registry_fields import FIELDS, REQUIRED, SITES
from governance.registry_import import DEFAULT_CRS
from i18n import current_lang, t
from pages.header import HeaderIds, page_header, tab_title
from pages.import_sites_ids import SitesImportIds as Ids
from pages.import_sites_ids import map_id
from pages.map_controls import dropdown_labels
from web.security import current_principal

dash.register_page(
    __name__, path="/import/sites", title=tab_title("nav.import.sites"), name="import-sites"
)

CRS_LABELS = {"wgs84": "WGS84", "cgcs2000": "CGCS2000", "gcj02": "GCJ-02", "bd09": "BD-09"}


def header(lang: str, principal: Principal | None) -> html.Header:
    return page_header(
        lang,
        principal,
        HeaderIds(Ids.ACCOUNT, Ids.LOGOUT, Ids.LANG_BUTTON, Ids.LANG_SINK),
        screen=t("registry.page.title", lang),
        subtitle=t("registry.page.subtitle", lang),
        before_account=[html.A(t("import.back", lang), href="/", className="mq-lang-button")],
    )


def _select(cid: str, options: list[dict[str, str]], value: Any, lang: str, **kw: Any) -> Any:
    return dcc.Dropdown(
        id=cid,
        options=options,
        value=value,
        labels=dropdown_labels(lang),
        className="mq-dropdown",
        **kw,
    )


def _labelled(label: str, control: Any) -> html.Label:
    return html.Label(
        [html.Span(label, className="mq-audit-field-label"), control],
        className="mq-audit-field mq-import-field",
    )


def mapping_card(lang: str) -> html.Section:
    fields = []
    for f in FIELDS[SITES]:
        label = t(f"registry.field.{f}", lang)
        if f in REQUIRED[SITES]:
            label += f" *{t('import.required', lang)}"
        control = _select(
            map_id(f), [], None, lang, clearable=True, placeholder=t("import.mapping_none", lang)
        )
        fields.append(_labelled(label, control))
    return html.Section(
        [
            html.H2(t("import.mapping", lang), className="mq-card-title"),
            html.Div(fields, className="mq-import-mapping"),
        ],
        className="mq-audit-card",
    )


def upload_card(lang: str) -> html.Section:
    systems = [{"label": CRS_LABELS.get(c, c), "value": c} for c in crs_mod.SUPPORTED]
    hint = t("import.upload_hint", lang, max_mb=MAX_FILE_BYTES // 2**20, rows=MAX_ROWS)
    limit: dict[str, Any] = {  # assets/js/upload-limit.js: oversized files get a message
        "data-max-bytes": str(MAX_FILE_BYTES),
        "data-too-large": t(
            "import.error.too_large", lang, mb="{mb}", max_mb=MAX_FILE_BYTES // 2**20
        ),
        "data-message-target": Ids.FILE,
    }
    return html.Section(
        [
            html.Div(
                dcc.Upload(
                    html.Div(t("import.upload", lang)),
                    id=Ids.UPLOAD,
                    accept=".csv,.txt,.xlsx",
                    max_size=MAX_FILE_BYTES,
                    multiple=False,
                    className="mq-import-drop",
                ),
                **limit,
            ),
            html.P(hint, className="mq-import-hint"),
            html.Div(id=Ids.FILE, className="mq-import-file"),
            _labelled(
                t("registry.page.crs", lang),
                _select(Ids.CRS, systems, DEFAULT_CRS, lang, clearable=False),
            ),
        ],
        className="mq-audit-card",
    )


def layout(**_query: str) -> html.Div:
    """The page in the request's language (no data: callbacks fill it)."""
    lang = current_lang()
    buttons = html.Div(
        [
            html.Button(
                t("import.preview", lang), id=Ids.PREVIEW, n_clicks=0, className="mq-audit-button"
            ),
            html.Button(
                t("import.import", lang),
                id=Ids.IMPORT,
                n_clicks=0,
                disabled=True,
                className="mq-audit-button mq-audit-primary",
            ),
        ],
        className="mq-import-buttons",
    )
    accept = html.Div(
        dcc.Checklist(
            id=Ids.ACCEPT,
            options=[{"label": t("import.accept", lang), "value": "yes"}],
            value=[],
            className="mq-import-accept",
        ),
        id=Ids.ACCEPT_BOX,
        hidden=True,
    )
    return html.Div(
        [
            header(lang, current_principal()),
            html.Main(
                [
                    html.Div(
                        [upload_card(lang), mapping_card(lang), accept, buttons],
                        className="mq-import-col",
                    ),
                    html.Div(
                        [
                            html.Div(id=Ids.RESULT),
                            dcc.Loading(html.Div(id=Ids.PREVIEW_OUT), delay_show=300),
                        ],
                        className="mq-import-col mq-import-side",
                    ),
                    dcc.Store(id=Ids.CHECKED),
                    dcc.Store(id=Ids.UPLOAD_ID),
                ],
                className="mq-audit-main mq-import-main",
            ),
        ],
        className=f"mq-app mq-audit mq-import mq-lang-{lang}",
        lang=lang,
    )
