"""The audit log screen (审计日志): search the audit trail, verify its hash chain, export it.

Only the auditor's role holds ``AUDIT_VIEW`` (三员分立). The layout holds no records: the
search callback (callbacks/audit.py) fetches them page by page once the page loads, with
the default filters set here (the last 7 local days).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import dash
from dash import dcc, html

from geodata.models_audit import AuditAction, AuditOutcome
from governance.access import Principal
from governance.audit_view import EXPORT_CAP, MAX_TEXT, AuditFilters
from governance.filters import LOCAL_TZ
from i18n import current_lang, t
from pages.audit_ids import AuditIds
from pages.audit_table import export_href
from pages.header import HeaderIds, page_header, tab_title
from pages.map_controls import dropdown_labels
from web.security import current_principal

dash.register_page(__name__, path="/audit", title=tab_title("nav.audit"), name="audit")

DEFAULT_DAYS = 7


def default_filters() -> dict[str, Any]:
    """The form's starting filters: the last 7 local days, today included."""
    end = datetime.now(LOCAL_TZ).date()
    start = end - timedelta(days=DEFAULT_DAYS - 1)
    return {"start": start.isoformat(), "end": end.isoformat()}


def header(lang: str, principal: Principal | None) -> html.Header:
    """Top bar: product name, screen name, the signed-in user and the language switch."""
    ids = HeaderIds(AuditIds.ACCOUNT, AuditIds.LOGOUT, AuditIds.LANG_BUTTON, AuditIds.LANG_SINK)
    return page_header(
        lang,
        principal,
        ids,
        screen=t("audit.page.title", lang),
        subtitle=t("audit.page.subtitle", lang),
    )


def _field(label: str, control: Any, key: str) -> html.Label:
    return html.Label(
        [html.Span(label, className="mq-audit-field-label"), control],
        className=f"mq-audit-field mq-audit-field-{key}",
    )


def _text_input(cid: str, lang: str, placeholder_key: str | None = None) -> dcc.Input:
    return dcc.Input(
        id=cid,
        type="text",
        value="",
        maxLength=MAX_TEXT,
        placeholder=t(placeholder_key, lang) if placeholder_key else "",
        autoComplete="off",
        className="mq-audit-input",
    )


def filter_form(lang: str, filters: dict[str, Any]) -> html.Section:
    """The filter card: time range, user, action, outcome, object; search button."""
    actions = [{"label": t(f"audit.action.{a}", lang), "value": a.value} for a in AuditAction]
    outcomes = [{"label": t(f"audit.outcome.{o}", lang), "value": o.value} for o in AuditOutcome]
    return html.Section(
        [
            _field(
                t("audit.filter.dates", lang),
                dcc.DatePickerRange(
                    id=AuditIds.DATES,
                    display_format="YYYY-MM-DD",
                    month_format="YYYY-MM",
                    start_date=filters["start"],
                    end_date=filters["end"],
                    max_date_allowed=filters["end"],
                    first_day_of_week=1,
                    clearable=True,
                    start_date_placeholder_text=t("audit.filter.start", lang),
                    end_date_placeholder_text=t("audit.filter.end", lang),
                    className="mq-dates",
                ),
                "dates",
            ),
            _field(
                t("audit.filter.username", lang),
                _text_input(AuditIds.USERNAME, lang, "audit.filter.exact"),
                "username",
            ),
            _field(
                t("audit.filter.action", lang),
                dcc.Dropdown(
                    id=AuditIds.ACTION,
                    options=actions,
                    value=None,
                    placeholder=t("audit.filter.action_all", lang),
                    clearable=True,
                    labels=dropdown_labels(lang),
                    className="mq-dropdown",
                ),
                "action",
            ),
            _field(
                t("audit.filter.outcome", lang),
                dcc.Dropdown(
                    id=AuditIds.OUTCOME,
                    options=outcomes,
                    value=None,
                    placeholder=t("audit.filter.outcome_all", lang),
                    clearable=True,
                    labels=dropdown_labels(lang),
                    className="mq-dropdown",
                ),
                "outcome",
            ),
            _field(
                t("audit.filter.object_type", lang),
                _text_input(AuditIds.OBJECT_TYPE, lang),
                "object-type",
            ),
            _field(
                t("audit.filter.object_id", lang),
                _text_input(AuditIds.OBJECT_ID, lang),
                "object-id",
            ),
            html.Button(
                t("audit.search", lang),
                id=AuditIds.SEARCH,
                n_clicks=0,
                className="mq-audit-button mq-audit-primary",
            ),
        ],
        className="mq-audit-card mq-audit-filters",
        **{"aria-label": t("audit.filter.title", lang)},  # type: ignore[arg-type]
    )


def toolbar(lang: str, filters: dict[str, Any]) -> html.Div:
    """Chain check and CSV export; the export link follows the search (callbacks)."""
    return html.Div(
        [
            html.Button(
                t("audit.verify", lang),
                id=AuditIds.VERIFY,
                n_clicks=0,
                title=t("audit.verify.title", lang),
                className="mq-audit-button",
            ),
            html.A(
                t("audit.export", lang),
                id=AuditIds.EXPORT,
                href=export_href(AuditFilters.parse(filters), lang),
                title=t("audit.export.title", lang, cap=f"{EXPORT_CAP:,}"),
                className="mq-audit-button mq-audit-export",
            ),
            dcc.Loading(
                html.Span(id=AuditIds.VERIFY_RESULT, className="mq-audit-verify-result"),
                type="dot",
                delay_show=300,
            ),
        ],
        className="mq-audit-tools",
    )


def results(lang: str, filters: dict[str, Any]) -> html.Section:
    """The results card: status line, table, pager."""
    return html.Section(
        [
            html.Div(
                [
                    html.H2(t("audit.results.title", lang), className="mq-card-title"),
                    toolbar(lang, filters),
                ],
                className="mq-audit-results-head",
            ),
            html.Div(id=AuditIds.STATUS),
            dcc.Loading(html.Div(id=AuditIds.RESULTS), type="circle", delay_show=300),
            html.Div(
                [
                    html.Button(
                        t("audit.prev", lang),
                        id=AuditIds.PREV,
                        n_clicks=0,
                        disabled=True,
                        className="mq-audit-button",
                    ),
                    html.Span(id=AuditIds.PAGE_LABEL, className="mq-audit-page-label"),
                    html.Button(
                        t("audit.next", lang),
                        id=AuditIds.NEXT,
                        n_clicks=0,
                        disabled=True,
                        className="mq-audit-button",
                    ),
                ],
                className="mq-audit-pager",
            ),
        ],
        className="mq-audit-card mq-audit-results",
    )


def layout(**_query: str) -> html.Div:
    """The audit log screen in the request's language (no records: callbacks load them)."""
    lang = current_lang()
    filters = default_filters()
    return html.Div(
        [
            header(lang, current_principal()),
            html.Main(
                [
                    filter_form(lang, filters),
                    results(lang, filters),
                    dcc.Store(id=AuditIds.QUERY, data={"filters": filters, "page": 0}),
                    dcc.Store(id=AuditIds.HEAD),
                ],
                className="mq-audit-main",
            ),
        ],
        className=f"mq-app mq-audit mq-lang-{lang}",
        lang=lang,
    )
