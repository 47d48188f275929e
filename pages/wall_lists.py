"""The wall's lists: incident feed, SLA countdowns, handoff status and hotspots.

Rendered from the display-ready values of ``governance/wall_cases.py`` (masked text,
names of grids and departments, counts): nothing here reads data or sees a person.
The countdowns tick in the browser (``assets/js/wall.js``): each row carries the seconds
left at the snapshot (``data-left``) and the script counts down from the moment the
snapshot arrived, so the server's and the screen's clocks need not agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import html

from governance.wall import Ranked
from governance.wall_cases import Countdown, FeedItem, Handoff, HotspotRow
from i18n import t
from pages.wall_parts import ranked_list


def _empty(key: str, lang: str) -> list[Any]:
    return [html.Div(t(key, lang), className="mq-wall-empty")]


def _chip(label: str, color: str | None) -> html.Span:
    return html.Span(
        label,
        className="mq-wall-chip",
        style={"borderColor": color, "color": color} if color else {},
    )


def feed_rows(items: Sequence[FeedItem] | None, lang: str) -> list[Any]:
    """The latest incidents: time, category, grid and masked text."""
    if items is None:
        return _empty("wall.loading", lang)
    if not items:
        return _empty("wall.none", lang)
    return [
        html.Div(
            [
                html.Div(
                    [
                        html.Span(i.time, className="mq-wall-feed-time"),
                        _chip(i.category, i.color),
                        html.Span(i.grid or "", className="mq-wall-feed-grid"),
                        html.Span(i.status, className="mq-wall-feed-status"),
                    ],
                    className="mq-wall-feed-head",
                ),
                html.Div(i.text, className="mq-wall-feed-text"),
            ],
            className="mq-wall-feed-row" + (" mq-wall-feed-fresh" if i.fresh else ""),
            **{"data-incident": str(i.id)},  # type: ignore[arg-type]
        )
        for i in items
    ]


def countdown_rows(items: Sequence[Countdown] | None, lang: str) -> list[Any]:
    """The most urgent running SLA clocks, counting down in the browser."""
    if items is None:
        return _empty("wall.loading", lang)
    if not items:
        return _empty("wall.sla.none", lang)
    return [
        html.Div(
            [
                html.Div(
                    [
                        html.Span(
                            f"{t(f'wall.sla.{c.stage}', lang)} {c.due}",
                            className="mq-wall-sla-stage",
                        ),
                        # filled and ticked by assets/js/wall.js
                        html.Span(
                            className="mq-wall-sla-left",
                            **{"data-left": str(c.seconds_left)},  # type: ignore[arg-type]
                        ),
                    ],
                    className="mq-wall-sla-head",
                ),
                html.Div(
                    [
                        _chip(c.category, c.color),
                        html.Span(
                            " · ".join(p for p in (c.grid, c.department) if p),
                            className="mq-wall-sla-meta",
                        ),
                    ],
                    className="mq-wall-sla-body",
                ),
            ],
            className=f"mq-wall-sla-row mq-wall-sla-{c.state}",
            **{"data-incident": str(c.id)},  # type: ignore[arg-type]
        )
        for c in items
    ]


def countdown_labels(lang: str) -> dict[str, str]:
    """The words the browser puts around a countdown (data attributes of the list)."""
    return {
        "data-left-label": t("wall.sla.left", lang),
        "data-over-label": t("wall.sla.over", lang),
        "data-days-label": t("wall.sla.days", lang),
    }


def handoff_statuses(handoff: Handoff | None, lang: str) -> list[Any]:
    """Open cases by workflow status, as bars."""
    if handoff is None:
        return ranked_list(None, lang)
    return ranked_list(
        [Ranked(s, label, n) for s, label, n in handoff.statuses], lang, numbered=False
    )


def handoff_departments(handoff: Handoff | None, lang: str) -> list[Any]:
    """Cases with a department by lead department, with their overdue count."""
    if handoff is None:
        return ranked_list(None, lang)
    if not handoff.departments:
        return _empty("wall.none", lang)
    top = max(n for _, n, _ in handoff.departments) or 1
    return [
        html.Div(
            [
                html.Span(name, className="mq-wall-rank-label"),
                html.Span(
                    t("wall.handoff.overdue", lang, n=f"{late:,}") if late else "",
                    className="mq-wall-dept-late",
                ),
                html.Span(f"{n:,}", className="mq-wall-rank-count"),
                html.Div(
                    [
                        html.Div(
                            className="mq-wall-bar-fill", style={"width": f"{100 * n / top:.1f}%"}
                        ),
                    ],
                    className="mq-wall-bar",
                ),
            ],
            className="mq-wall-dept-row",
        )
        for name, n, late in handoff.departments
    ]


def hotspot_rows(items: Sequence[HotspotRow] | None, lang: str) -> list[Any]:
    """Hotspots: new / persistent / cooling, place, top category, count (and before)."""
    if items is None:
        return _empty("wall.loading", lang)
    if not items:
        return _empty("wall.hot.none", lang)
    return [
        html.Div(
            [
                html.Span(
                    t(f"wall.hot.{h.label}", lang),
                    className=f"mq-wall-hot-badge mq-wall-hot-{h.label}",
                ),
                html.Span(h.place, className="mq-wall-hot-place"),
                html.Span(h.category or "", className="mq-wall-hot-cat"),
                html.Span(
                    t("wall.hot.count", lang, n=f"{h.count:,}", p=f"{h.previous:,}"),
                    className="mq-wall-hot-count",
                ),
            ],
            className="mq-wall-hot-row",
        )
        for h in items
    ]
