"""Pieces of the dispatch board drawn from a :class:`governance.dispatch_board.Board`:
the intake summary, the list cards with their SLA lights, dispatch buttons and export
links. No data access here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from governance.dispatch_board import Board, BoardRow
from governance.export_formats import FORMATS
from i18n import t
from pages.dispatch_ids import DispatchIds
from pages.map_ids import incident_link
from web.exports import export_url

LIST_KINDS = ("queue", "overdue", "review", "escalated", "intake")


def _chip(label: str, n: int, color: str | None = None) -> html.Span:
    dot = [html.Span(className="mq-opt-dot", style={"background": color})] if color else []
    return html.Span(
        [*dot, html.Span(label), html.B(f"{n:,}", className="mq-dispatch-chip-n")],
        className="mq-dispatch-chip",
    )


def _none(lang: str) -> html.Span:
    return html.Span(t("dispatch.empty", lang), className="mq-dispatch-muted")


def intake_summary(board: Board | None, lang: str) -> list[Any]:
    """Today's intake: the total, by source and by category."""
    if board is None:
        return [html.Span(t("dispatch.loading", lang), className="mq-dispatch-muted")]
    return [
        html.Div(
            [
                html.Span(t("dispatch.list.intake", lang), className="mq-dispatch-kpi-label"),
                html.B(f"{board.totals['intake']:,}", className="mq-dispatch-kpi-value"),
            ],
            className="mq-dispatch-kpi",
        ),
        html.Div(
            [html.Span(t("dispatch.by_source", lang), className="mq-dispatch-chip-title")]
            + ([_chip(label, n) for label, n in board.by_source] or [_none(lang)]),
            className="mq-dispatch-chips",
        ),
        html.Div(
            [html.Span(t("dispatch.by_category", lang), className="mq-dispatch-chip-title")]
            + ([_chip(label, n, color) for label, color, n in board.by_category] or [_none(lang)]),
            className="mq-dispatch-chips",
        ),
    ]


def sla_badge(row: BoardRow, lang: str) -> html.Span:
    """The row's SLA light with its deadline ("—" when no clock runs)."""
    if row.sla_state is None:
        return html.Span("—", className="mq-dispatch-sla")
    return html.Span(
        [html.Span(className="mq-dispatch-light"), html.Span(row.sla_label or "")],
        className=f"mq-dispatch-sla mq-sla-{row.sla_state}",
        title=t(f"sla.{row.sla_state}", lang),
        **{"data-sla": row.sla_state},  # type: ignore[arg-type]
    )


def _dispatch_cell(row: BoardRow, departments: Sequence[dict[str, Any]], lang: str) -> html.Td:
    hint = (
        t("dispatch.suggested", lang, name=row.suggested_name)
        if row.suggested_name
        else t("dispatch.no_suggestion", lang)
    )
    label = "dispatch.button_verify" if row.status == "registered" else "dispatch.button"
    return html.Td(
        [
            html.Div(hint, className="mq-dispatch-suggested"),
            html.Div(
                [
                    dcc.Dropdown(
                        id=DispatchIds.dept(row.id),
                        options=[{"label": d["name"], "value": d["id"]} for d in departments],
                        value=None,
                        placeholder=t("dispatch.override", lang),
                        clearable=True,
                        className="mq-dispatch-dept",
                    ),
                    html.Button(
                        t(label, lang),
                        id=DispatchIds.go(row.id, row.version),
                        n_clicks=0,
                        className="mq-dispatch-button mq-dispatch-go",
                    ),
                ],
                className="mq-dispatch-actions",
            ),
        ],
        className="mq-dispatch-action-cell",
    )


def _row(kind: str, row: BoardRow, departments: Sequence[dict[str, Any]], lang: str) -> html.Tr:
    cells: list[Any] = [
        html.Td(html.A(f"#{row.id}", href=incident_link(row.id)), className="mq-dispatch-id"),
        html.Td(row.reported_at.strftime("%m-%d %H:%M")),
        html.Td([html.Span(className="mq-opt-dot", style={"background": row.color}), row.category]),
        html.Td(row.grid or "—"),
        html.Td(row.description, className="mq-dispatch-desc"),
        html.Td(row.status_label),
    ]
    if kind == "escalated":
        cells.append(html.Td(t("dispatch.level", lang, n=row.escalation_level)))
    if kind != "queue":
        cells.append(html.Td(row.department or "—"))
    cells.append(html.Td(sla_badge(row, lang)))
    if kind == "queue":
        cells.append(_dispatch_cell(row, departments, lang))
    return html.Tr(
        cells,
        className=f"mq-dispatch-row mq-sla-row-{row.sla_state or 'none'}",
        **{"data-incident": str(row.id), "data-version": str(row.version)},  # type: ignore[arg-type]
    )


def _head(kind: str, lang: str) -> html.Thead:
    keys = ["id", "reported", "category", "grid", "description", "status"]
    if kind == "escalated":
        keys.append("level")
    if kind != "queue":
        keys.append("department")
    keys.append("sla")
    if kind == "queue":
        keys.append("action")
    return html.Thead(html.Tr([html.Th(t(f"dispatch.col.{k}", lang)) for k in keys]))


def export_links(dataset: str, lang: str, params: dict[str, str] | None = None) -> html.Span:
    """Links that download ``dataset`` in each export format."""
    links: list[Any] = [
        html.A(
            t(f"export.format.{fmt}", lang),
            href=export_url(dataset, fmt, params),
            className="mq-dispatch-export",
            **{"data-format": fmt},  # type: ignore[arg-type]
        )
        for fmt in FORMATS
    ]
    return html.Span(
        [html.Span(t("dispatch.export", lang), className="mq-dispatch-export-label"), *links],
        className="mq-dispatch-exports",
        title=t("export.menu_title", lang),
    )


def list_card(kind: str, board: Board, lang: str) -> html.Section:
    """One list: title, how many, export links and the table."""
    rows = board.lists.get(kind, [])
    total = board.totals.get(kind, 0)
    count = (
        t("dispatch.shown", lang, total=f"{total:,}", shown=len(rows))
        if total > len(rows)
        else t("dispatch.total", lang, total=f"{total:,}")
    )
    body: Any = (
        html.Table(
            [
                _head(kind, lang),
                html.Tbody([_row(kind, r, board.departments, lang) for r in rows]),
            ],
            className="mq-dispatch-table",
        )
        if rows
        else html.P(t("dispatch.empty", lang), className="mq-dispatch-muted")
    )
    return html.Section(
        [
            html.Div(
                [
                    html.H2(t(f"dispatch.list.{kind}", lang), className="mq-card-title"),
                    html.Span(count, className="mq-dispatch-count"),
                    html.Div(className="mq-spacer"),
                    export_links(f"dispatch-{kind}", lang),
                ],
                className="mq-dispatch-card-head",
            ),
            html.P(t(f"dispatch.help.{kind}", lang), className="mq-dispatch-help"),
            html.Div(body, className="mq-dispatch-card-body"),
        ],
        id=DispatchIds.list_id(kind),
        className=f"mq-card mq-dispatch-card mq-dispatch-card-{kind}",
    )


def list_cards(board: Board | None, lang: str) -> list[Any]:
    """The list cards (a loading note before the first refresh)."""
    if board is None:
        return [html.P(t("dispatch.loading", lang), className="mq-dispatch-muted")]
    return [list_card(kind, board, lang) for kind in LIST_KINDS]


def list_slots(lang: str) -> list[html.Div]:
    """A slot per list card, each refreshed on its own; the first says "loading" until
    the first refresh fills them in."""
    loading = list_cards(None, lang)
    return [
        html.Div(loading if k == 0 else [], id=DispatchIds.slot(kind))
        for k, kind in enumerate(LIST_KINDS)
    ]


def outcome(
    lang: str, incident: object, *, department: str | None = None, error: str | None = None
) -> tuple[str, str, dict[str, Any]]:
    """(message, its class, the DONE store) after a dispatch click: done or refused."""
    if error is not None:
        message = t("dispatch.refused", lang, id=incident, reason=error)
        return message, "mq-dispatch-message mq-dispatch-error", {"id": incident, "ok": False}
    message = t("dispatch.done", lang, id=incident, department=department)
    return message, "mq-dispatch-message mq-dispatch-ok", {"id": incident, "ok": True}
