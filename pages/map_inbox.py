"""A department's inbox in the map's control card: its open cases, most urgent first.

Each case is a button that selects the incident (its panel opens with the actions the
department may take) and flies the map to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html

from i18n import t
from pages.map_ids import MapIds
from pages.map_workflow import sla_chip


def inbox_list(queue: Mapping[str, Any], lang: str) -> list[Any]:
    items = queue.get("items") or []
    if not items:
        return [html.Div(t("inbox.empty", lang), className="mq-empty")]
    rows = [
        html.Button(
            [
                html.Span(
                    className="mq-title-dot", style={"background": item.get("color") or "#888"}
                ),
                html.Span(item.get("category") or "", className="mq-inbox-category"),
                html.Span(item.get("grid") or "—", className="mq-inbox-grid"),
                html.Span(item.get("status_label") or "", className="mq-inbox-status"),
                sla_chip(item.get("sla"), lang),
            ],
            id={"type": MapIds.INBOX_ITEM_TYPE, "incident": int(item["id"])},
            n_clicks=0,
            className="mq-inbox-item",
            title=f"#{item['id']}",
        )
        for item in items
    ]
    total = int(queue.get("total") or len(items))
    head = html.Div(t("inbox.count", lang, n=total), className="mq-inbox-count")
    return [head, *rows]
