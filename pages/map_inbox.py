"""A department's inbox in the map's control card (``governance/inbox.py``).

Two sections: the cases to act on (overdue first, then by the nearest deadline) and,
below, suspended cases and cases awaiting an extension decision. Each section says how
many cases it holds (all of them, not only those listed). Each case is a button that
selects the incident (its panel opens with the actions the department may take) and
flies the map to it; it shows the category, the grid, the status, the deadline chip and,
when the department only assists, a 协办 mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dash import html

from governance.filters import LOCAL_TZ
from i18n import t
from pages.map_ids import MapIds
from pages.map_sla import local, paused_chip, sla_chip


def _tag(text: str, kind: str) -> html.Span:
    return html.Span(text, className=f"mq-inbox-tag mq-inbox-tag-{kind}")


def _chips(item: Mapping[str, Any], lang: str, now: datetime) -> list[Any]:
    """The deadline chip, and what else the row must say (assisting, extension, review)."""
    suspended = item.get("status") == "suspended"
    chip = (
        paused_chip(item.get("suspended_at"), now, lang)
        if suspended
        else sla_chip(item.get("sla"), lang)
    )
    chips: list[Any] = [chip or _tag(t("sla.none", lang), "none")]  # a case with no deadline
    if suspended and item.get("suspend_until"):
        until = local(item["suspend_until"])
        chips.append(_tag(t("inbox.suspend_until", lang, until=until), "until"))
    if item.get("under_review"):
        chips.append(_tag(t("inbox.review", lang), "review"))
    if item.get("extension_until") and not suspended:
        chips.append(_tag(t("inbox.extension", lang), "extension"))
    if not item.get("lead"):
        chips.append(_tag(t("inbox.assist", lang), "assist"))
    return chips


def _row(item: Mapping[str, Any], lang: str, now: datetime) -> html.Button:
    kind = " mq-inbox-overdue" if item.get("overdue") else ""
    kind += "" if item.get("lead") else " mq-inbox-assisting"
    return html.Button(
        [
            html.Span(className="mq-title-dot", style={"background": item.get("color") or "#888"}),
            html.Span(item.get("category") or "", className="mq-inbox-category"),
            html.Span(item.get("grid") or "—", className="mq-inbox-grid"),
            html.Span(item.get("status_label") or "", className="mq-inbox-status"),
            *_chips(item, lang, now),
        ],
        id={"type": MapIds.INBOX_ITEM_TYPE, "incident": int(item["id"])},
        n_clicks=0,
        className="mq-inbox-item" + kind,
        title=f"#{item['id']}",
    )


def _section(section: Mapping[str, Any], lang: str, now: datetime) -> html.Section | None:
    key = str(section.get("key"))
    items = section.get("items") or []
    total = int(section.get("total") or 0)
    if key != "act" and not total:
        return None  # nothing suspended or waiting: no empty heading
    count = t(
        "inbox.count" if key == "act" else "inbox.count_paused",
        lang,
        n=total,
        overdue=int(section.get("overdue") or 0),
        assisting=int(section.get("assisting") or 0),
    )
    head: list[Any] = [
        html.H4(
            t(f"inbox.section.{key}", lang),
            className="mq-inbox-section-title",
            title=t("inbox.help", lang),
        ),
        html.Div(count, className="mq-inbox-count"),
    ]
    if len(items) < total:
        head.append(html.Div(t("inbox.shown", lang, shown=len(items)), className="mq-inbox-more"))
    rows: list[Any] = [_row(item, lang, now) for item in items]
    if not rows:
        rows = [html.Div(t("inbox.empty", lang), className="mq-empty")]
    return html.Section([*head, *rows], className=f"mq-inbox-section mq-inbox-section-{key}")


def inbox_list(queue: Mapping[str, Any], lang: str, now: datetime | None = None) -> list[Any]:
    """The inbox's sections (``governance.inbox.department_queue``'s answer)."""
    now = now or datetime.now(LOCAL_TZ)
    sections = [_section(s, lang, now) for s in queue.get("sections") or []]
    return [s for s in sections if s is not None]
