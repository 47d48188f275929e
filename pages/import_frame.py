"""The frame the three file-import pages share (hotline exports /import, key sites
/import/sites, areas /import/areas): header, the left column of cards with the accept box
and the preview / import buttons, the right column where the preview and the result go,
and the two stores (the kept upload's id, the settings of the last clean preview).

Each page brings its cards and its ids; the ids class must name ACCOUNT, LOGOUT,
LANG_BUTTON, LANG_SINK, ACCEPT, ACCEPT_BOX, PREVIEW, IMPORT, RESULT, PREVIEW_OUT,
CHECKED and UPLOAD_ID (pages/import_ids.py and its siblings).
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from governance.access import Principal
from i18n import t
from pages.header import HeaderIds, page_header
from pages.map_controls import dropdown_labels


def header(
    lang: str,
    principal: Principal | None,
    ids: Any,
    title: str,
    subtitle: str,
    back: tuple[str, str] = ("import.back", "/"),
) -> html.Header:
    """The page header with a way back (``title``, ``subtitle`` and ``back``'s label are
    message keys; ``back`` defaults to the map)."""
    label, href = back
    return page_header(
        lang,
        principal,
        HeaderIds(ids.ACCOUNT, ids.LOGOUT, ids.LANG_BUTTON, ids.LANG_SINK),
        screen=t(title, lang),
        subtitle=t(subtitle, lang),
        before_account=[html.A(t(label, lang), href=href, className="mq-lang-button")],
    )


def select(cid: Any, options: list[dict[str, str]], value: Any, lang: str, **kw: Any) -> Any:
    """A dropdown in the import pages' style, its labels in ``lang``."""
    return dcc.Dropdown(
        id=cid,
        options=options,
        value=value,
        labels=dropdown_labels(lang),
        className="mq-dropdown",
        **kw,
    )


def labelled(label: str, control: Any) -> html.Label:
    """``control`` with its visible label (the label names it for screen readers too)."""
    return html.Label(
        [html.Span(label, className="mq-audit-field-label"), control],
        className="mq-audit-field mq-import-field",
    )


def frame(
    lang: str,
    principal: Principal | None,
    ids: Any,
    *,
    head: html.Header,
    cards: list[Any],
    accept_label: str,
    preview_label: str = "import.preview",
    extra_class: str = "",
) -> html.Div:
    """The whole page: ``cards`` on the left, then the accept box (hidden until a preview
    lists corrections or repairs) and the buttons; the preview and the result on the right."""
    buttons = html.Div(
        [
            html.Button(
                t(preview_label, lang), id=ids.PREVIEW, n_clicks=0, className="mq-audit-button"
            ),
            html.Button(
                t("import.import", lang),
                id=ids.IMPORT,
                n_clicks=0,
                disabled=True,
                className="mq-audit-button mq-audit-primary",
            ),
        ],
        className="mq-import-buttons",
    )
    accept = html.Div(
        dcc.Checklist(
            id=ids.ACCEPT,
            options=[{"label": accept_label, "value": "yes"}],
            value=[],
            className="mq-import-accept",
        ),
        id=ids.ACCEPT_BOX,
        hidden=True,
    )
    return html.Div(
        [
            head,
            html.Main(
                [
                    html.Div([*cards, accept, buttons], className="mq-import-col"),
                    html.Div(
                        [
                            html.Div(id=ids.RESULT),
                            dcc.Loading(html.Div(id=ids.PREVIEW_OUT), delay_show=300),
                        ],
                        className="mq-import-col mq-import-side",
                    ),
                    dcc.Store(id=ids.CHECKED),
                    dcc.Store(id=ids.UPLOAD_ID),
                ],
                className="mq-audit-main mq-import-main",
            ),
        ],
        className=f"mq-app mq-audit mq-import {extra_class} mq-lang-{lang}".replace("  ", " "),
        lang=lang,
    )
