"""Possible duplicates (疑似重复) of an incident: the block of the map's incident panel,
and the list the front-desk form shows before a report is registered.

A candidate shows only its id, status, distance and time (no description, address or
reporter). In the map panel each id is a button selecting that incident (wired in
callbacks/map_duplicates.py); a dispatcher then merges with the handling block's
``merge`` action.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dash import html

from governance.filters import LOCAL_TZ
from i18n import t
from settings import get_settings

ITEM_TYPE = "map-dup-item"  # {"type": ITEM_TYPE, "incident": <id>}: selects that incident


def item_id(incident_id: int) -> dict[str, object]:
    return {"type": ITEM_TYPE, "incident": int(incident_id)}


def _when(value: Any) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M") if isinstance(value, datetime) else ""


def _limits() -> dict[str, object]:
    cfg = get_settings()
    return {"m": f"{cfg.duplicate_meters:g}", "h": f"{cfg.duplicate_hours:g}"}


def _parts(c: Mapping[str, Any], lang: str) -> list[Any]:
    return [
        html.Span(t(f"status.{c['status']}", lang), className="mq-dup-status"),
        html.Span(
            t("desk.dup.distance", lang, d=f"{float(c['distance_m']):.0f}"),
            className="mq-dup-distance",
        ),
        html.Span(_when(c.get("occurred_at")), className="mq-dup-time"),
    ]


def candidate_list(
    found: Mapping[str, Any], lang: str, *, buttons: bool, show_none: bool, min_same: int = 2
) -> list[Any]:
    """The candidates and the same-address count (``found``: a duplicates service
    result), the count when it reaches ``min_same``. ``buttons``: ids select the
    incident (map panel); else plain text."""
    items = list(found.get("candidates") or [])
    out: list[Any] = []
    same = int(found.get("same_address") or 0)
    if items:
        out.append(
            html.Div(t("desk.dup.found", lang, n=len(items), **_limits()), className="mq-note")
        )
        rows = []
        for c in items:
            label = f"#{c['id']}"
            head: Any = (
                html.Button(
                    label,
                    id=item_id(c["id"]),
                    n_clicks=0,
                    title=t("desk.dup.open", lang, id=c["id"]),
                    className="mq-dup-open",
                )
                if buttons
                else html.Span(label, className="mq-dup-id")
            )
            rows.append(html.Li([head, *_parts(c, lang)], className="mq-dup-item"))
        out.append(html.Ul(rows, className="mq-dup-list"))
    elif show_none:
        out.append(html.Div(t("desk.dup.none", lang, **_limits()), className="mq-note mq-dup-none"))
    if same >= min_same:
        out.append(
            html.Div(t("desk.dup.same_address", lang, n=same), className="mq-chip mq-dup-address")
        )
    return out


def duplicates_panel(found: Mapping[str, Any] | None, lang: str) -> list[Any]:
    """The block appended to an incident panel from ``governance.duplicates.for_incident``'s
    answer (None: refused); nothing when there is nothing to show (no open candidate and
    no repeated address)."""
    if found is None:
        return []
    body = candidate_list(found, lang, buttons=True, show_none=False)
    if not body:
        return []
    if found.get("candidates"):
        body.append(html.Div(t("desk.dup.merge_hint", lang), className="mq-note"))
    return [
        html.Section(
            [html.H3(t("desk.dup.title", lang), className="mq-block-title"), *body],
            className="mq-block mq-block-duplicates",
        )
    ]
