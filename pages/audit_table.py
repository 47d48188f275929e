"""What the audit log screen shows for a search: the results table, the pager, the chain
check, an error. Plain text components only: Dash escapes every value (a user name or
detail written by an attacker is shown as text, never run as HTML)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from dash import html

from governance.audit import VerifyResult
from governance.audit_view import AuditFilters, AuditPage
from governance.filters import LOCAL_TZ
from i18n import CATALOG, t

EXPORT_PATH = "/audit/export.csv"
DETAIL_CHARS = 600  # a longer detail is cut in the table (the export has it whole)
COLUMNS = ("id", "time", "user", "role", "action", "object", "outcome", "client", "detail")


def _label(prefix: str, code: str | None, lang: str) -> str:
    """The translated name of a code, or the code itself when the catalog has none."""
    if not code:
        return "—"
    key = f"{prefix}.{code}"
    return t(key, lang) if key in CATALOG else code


def export_href(filters: AuditFilters, lang: str) -> str:
    """The CSV export URL for ``filters`` (the same filters the table shows)."""
    return f"{EXPORT_PATH}?{urlencode({**filters.params(), 'lang': lang})}"


def _detail(row: Mapping[str, Any], lang: str) -> list[Any]:
    out: list[Any] = []
    if row.get("reason"):
        out.append(
            html.Div(t("audit.reason", lang, reason=row["reason"]), className="mq-audit-reason")
        )
    if row.get("detail"):
        text = json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)
        short = text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS] + "…"
        out.append(html.Code(short, className="mq-audit-json"))
    return out or ["—"]


def _row(r: Mapping[str, Any], lang: str) -> html.Tr:
    obj = ":".join(str(v) for v in (r.get("object_type"), r.get("object_id")) if v) or "—"
    at = r["at"].astimezone(LOCAL_TZ)
    cells: list[Any] = [
        html.Td(str(r["id"]), className="mq-audit-id"),
        html.Td(at.strftime("%Y-%m-%d %H:%M:%S"), title=at.isoformat(), className="mq-audit-time"),
        html.Td(r.get("username") or "—", className="mq-audit-user"),
        html.Td(_label("role", r.get("role"), lang)),
        html.Td(_label("audit.action", r["action"], lang), title=r["action"]),
        html.Td(obj, className="mq-audit-object"),
        html.Td(
            html.Span(
                _label("audit.outcome", r["outcome"], lang),
                className=f"mq-audit-outcome mq-audit-outcome-{r['outcome']}",
            )
        ),
        html.Td(r.get("client_addr") or "—", className="mq-audit-client"),
        html.Td(_detail(r, lang), className="mq-audit-detail"),
    ]
    return html.Tr(cells, className="mq-audit-row", **{"data-action": r["action"]})  # type: ignore[arg-type]


def results_table(page: AuditPage, lang: str) -> Any:
    """The page of records as a table (or the "nothing found" note)."""
    if not page.rows:
        return html.P(t("audit.search.none", lang), className="mq-empty mq-audit-none")
    head = html.Thead(html.Tr([html.Th(t(f"audit.col.{c}", lang)) for c in COLUMNS]))
    body = html.Tbody([_row(r, lang) for r in page.rows])
    return html.Table([head, body], className="mq-audit-table")


def page_label(page: AuditPage, lang: str) -> str:
    if not page.rows:
        return t("audit.page_empty", lang, page=page.page + 1)
    last = page.first + len(page.rows) - 1
    return t("audit.page_label", lang, page=page.page + 1, first=page.first, last=last)


def result_props(page: AuditPage, lang: str) -> tuple[Any, ...]:
    """Outputs of the search callback: table, status, head, prev/next disabled, page
    label, export link."""
    return (
        results_table(page, lang),
        "",
        page.head,
        page.page == 0,
        not page.has_more,
        page_label(page, lang),
        export_href(page.filters, lang),
    )


def error_props(message: str) -> tuple[Any, ...]:
    """Outputs of the search callback when the query was refused or malformed (the
    export link loses its href: there is no valid query to export)."""
    status = html.Div(message, className="mq-error mq-audit-error", role="alert")
    return [], status, None, True, True, "", None


def verify_badge(result: VerifyResult, lang: str) -> tuple[str, str]:
    """Text and class of the chain check's result."""
    state = "ok" if result.ok else "bad"
    return result.message(lang), f"mq-audit-verify-result mq-audit-verify-{state}"
