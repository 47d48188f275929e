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
from pages import import_frame as frame
from pages.header import tab_title
from pages.import_frame import labelled, select
from pages.import_sites_ids import SitesImportIds as Ids
from pages.import_sites_ids import map_id
from web.security import current_principal

dash.register_page(
    __name__, path="/import/sites", title=tab_title("nav.import.sites"), name="import-sites"
)

CRS_LABELS = {"wgs84": "WGS84", "cgcs2000": "CGCS2000", "gcj02": "GCJ-02", "bd09": "BD-09"}


def mapping_card(lang: str) -> html.Section:
    fields = []
    for f in FIELDS[SITES]:
        label = t(f"registry.field.{f}", lang)
        if f in REQUIRED[SITES]:
            label += f" *{t('import.required', lang)}"
        control = select(
            map_id(f), [], None, lang, clearable=True, placeholder=t("import.mapping_none", lang)
        )
        fields.append(labelled(label, control))
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
            labelled(
                t("registry.page.crs", lang),
                select(Ids.CRS, systems, DEFAULT_CRS, lang, clearable=False),
            ),
        ],
        className="mq-audit-card",
    )


def header(lang: str, principal: Principal | None) -> html.Header:
    return frame.header(lang, principal, Ids, "registry.page.title", "registry.page.subtitle")


def layout(**_query: str) -> html.Div:
    """The page in the request's language (no data: callbacks fill it)."""
    lang = current_lang()
    principal = current_principal()
    return frame.frame(
        lang,
        principal,
        Ids,
        head=header(lang, principal),
        cards=[upload_card(lang), mapping_card(lang)],
        accept_label=t("import.accept", lang),
    )
