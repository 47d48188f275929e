"""The wall's lists: incident feed, SLA countdowns, handoff status and hotspots.

Rendered from the display-ready values of ``governance/wall_cases.py`` (masked text,
names of grids and departments, counts): nothing here reads data or sees a person.
The countdowns tick in the browser (``assets/js/wall.js``): each row carries the seconds
left at the snapshot (``data-left``) and the script counts down from the moment the
snapshot arrived, so the server's and the screen's clocks need not agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from dash import html

from governance.wall import Ranked
from governance.wall_cases import Countdown, FeedItem, Handoff, HotspotRow
from i18n import t
from pages.wall_parts import mark_color, ranked_list

HIDDEN: Final = {"aria-hidden": "true"}


def _empty(key: str, lang: str) -> list[Any]:
    return [html.Div(t(key, lang), className="mq-wall-empty")]


def _chip(label: str, color: str | None) -> html.Span:
    """A category: light text on the dark chip (>= 4.5:1 whatever the category), its
    colour on a mark before it (a graphic, >= 3:1 against the card)."""
    mark = mark_color(color)
    return html.Span(
        [
            html.Span(
                className="mq-wall-chip-mark",
                style={"background": mark} if mark else {},
                **HIDDEN,  # type: ignore[arg-type]
            ),
            label,
        ],
        className="mq-wall-chip",
        title=label,
    )


def _name(text: str | None, cls: str) -> html.Span:
    """A name (grid, department, place): wraps to at most two lines, never cut; the
    whole name is its title as well."""
    return html.Span(text or "", className=cls, title=text or "")


def feed_rows(items: Sequence[FeedItem] | None, lang: str) -> list[Any]:
    """The latest incidents: time, category and status; grid and masked text (the text
    alone may end in an ellipsis: it is truncated already, never a name)."""
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
                        html.Span(i.status, className="mq-wall-feed-status"),
                    ],
                    className="mq-wall-feed-head",
                ),
                html.Div(
                    [
                        _name(i.grid, "mq-wall-feed-grid"),
                        html.Span(i.text, className="mq-wall-feed-text"),
                    ],
                    className="mq-wall-feed-body",
                ),
            ],
            className="mq-wall-feed-row" + (" mq-wall-feed-fresh" if i.fresh else ""),
            **{"data-incident": str(i.id)},  # type: ignore[arg-type]
        )
        for i in items
    ]


def countdown_rows(items: Sequence[Countdown] | None, lang: str) -> list[Any]:
    """The most urgent running SLA clocks, in the service's order (overdue first), counting
    down in the browser. An overdue row says so in words (超时 / Overdue) as well as in
    red; the word is on every row, shown by the row's class, so that the browser can
    show it the moment a clock runs out (``assets/js/wall.js``)."""
    if items is None:
        return _empty("wall.loading", lang)
    if not items:
        return _empty("wall.sla.none", lang)
    return [
        html.Div(
            [
                html.Div(
                    [
                        html.Span(t("wall.sla.overdue", lang), className="mq-wall-sla-badge"),
                        # filled and ticked by assets/js/wall.js
                        html.Span(
                            className="mq-wall-sla-left",
                            **{"data-left": str(c.seconds_left)},  # type: ignore[arg-type]
                        ),
                        html.Span(
                            f"{t(f'wall.sla.{c.stage}', lang)} {c.due}",
                            className="mq-wall-sla-stage",
                        ),
                    ],
                    className="mq-wall-sla-head",
                ),
                html.Div(
                    [
                        _chip(c.category, c.color),
                        # grid and department each wrap on their own (a long English
                        # department name takes a line of its own, never cut)
                        *(_name(p, "mq-wall-sla-meta") for p in (c.grid, c.department) if p),
                    ],
                    className="mq-wall-sla-body",
                ),
            ],
            className=f"mq-wall-sla-row mq-wall-sla-{c.state}"
            + (" mq-wall-sla-late" if c.overdue else ""),
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
                _name(name, "mq-wall-rank-label"),
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
                _name(h.place, "mq-wall-hot-place"),
                _name(h.category, "mq-wall-hot-cat"),
                html.Span(
                    t("wall.hot.count", lang, n=f"{h.count:,}", p=f"{h.previous:,}"),
                    className="mq-wall-hot-count",
                ),
            ],
            className="mq-wall-hot-row",
        )
        for h in items
    ]
