"""The file import page (文件导入, /import): hotline exports in CSV or XLSX.

Upload -> the columns mapped to incident fields (guessed, editable) -> preview (the first
rows as stored, every row's errors, the counts) -> import (enabled only after a preview
without errors). The layout holds no data; callbacks/import_page.py fills it, and
``governance.file_import`` checks the capability and every value itself. The file is
sent once; the page then holds only the id of its table, kept on the server.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from geodata import crs as crs_mod
from governance.access import Principal
from governance.file_import import (
    DEFAULT_CRS,
    DEFAULT_SOURCE,
    FIELDS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    REQUIRED,
    SOURCES,
)
from i18n import current_lang, t
from pages import import_frame as frame
from pages.header import tab_title
from pages.import_frame import labelled, select
from pages.import_ids import ImportIds as Ids
from pages.import_ids import map_id
from web.security import current_principal

dash.register_page(__name__, path="/import", title=tab_title("nav.import"), name="import")

CRS_LABELS = {"wgs84": "WGS84", "cgcs2000": "CGCS2000", "gcj02": "GCJ-02", "bd09": "BD-09"}


def mapping_card(lang: str) -> html.Section:
    fields = []
    for f in FIELDS:
        label = t(f"import.field.{f}", lang)
        if f in REQUIRED:
            label += f" *{t('import.required', lang)}"
        control = select(
            map_id(f),
            [],
            None,
            lang,
            clearable=True,
            placeholder=t("import.mapping_none", lang),
        )
        fields.append(labelled(label, control))
    return html.Section(
        [
            html.H2(t("import.mapping", lang), className="mq-card-title"),
            html.Div(fields, className="mq-import-mapping"),
        ],
        className="mq-audit-card",
    )


def options_card(lang: str) -> html.Section:
    sources = [{"label": t(f"source.{s}", lang), "value": s} for s in SOURCES]
    systems = [{"label": CRS_LABELS.get(c, c), "value": c} for c in crs_mod.SUPPORTED]
    return html.Section(
        [
            html.H2(t("import.options", lang), className="mq-card-title"),
            labelled(
                t("import.source", lang),
                select(Ids.SOURCE, sources, DEFAULT_SOURCE, lang, clearable=False),
            ),
            labelled(
                t("import.crs", lang),
                select(Ids.CRS, systems, DEFAULT_CRS, lang, clearable=False),
            ),
        ],
        className="mq-audit-card",
    )


def upload_card(lang: str) -> html.Section:
    hint = t("import.upload_hint", lang, max_mb=MAX_FILE_BYTES // 2**20, rows=MAX_ROWS)
    max_mb = MAX_FILE_BYTES // 2**20
    limit: dict[str, Any] = {  # assets/js/upload-limit.js: oversized files get a message
        "data-max-bytes": str(MAX_FILE_BYTES),
        "data-too-large": t("import.error.too_large", lang, mb="{mb}", max_mb=max_mb),
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
        ],
        className="mq-audit-card",
    )


def header(lang: str, principal: Principal | None) -> html.Header:
    return frame.header(lang, principal, Ids, "import.page.title", "import.page.subtitle")


def layout(**_query: str) -> html.Div:
    """The import page in the request's language (no data: callbacks fill it)."""
    lang = current_lang()
    principal = current_principal()
    return frame.frame(
        lang,
        principal,
        Ids,
        head=header(lang, principal),
        cards=[upload_card(lang), options_card(lang), mapping_card(lang)],
        accept_label=t("import.accept", lang),
    )
