"""Spike warnings (突增预警) as the wall and the dispatch board show them: each one in words
(observed against expected, ``governance/spikes.recent``) with a small bar chart of its
street's daily count of that category over the last 8 weeks, the last day in red.

Rendered from what ``recent`` returns (names, counts, the evidence): no data is read here
and no person appears. The chart is a static plotly figure (no mode bar, no hover), with
its meaning in words as the label of its image role for screen readers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Final, Literal

import plotly.graph_objects as go
from dash import dcc, html

from i18n import t

Theme = Literal["wall", "board"]
COLORS: Final = {
    "wall": {"bar": "#4ea3ff", "last": "#ff6b6b", "axis": "#9fb2c9"},
    "board": {"bar": "#8aa4c8", "last": "#c92a2a", "axis": "#6b7785"},
}
HIDDEN_CLASS: Final = "mq-spikes-none"  # the card hides itself when there is no warning
WALL_CARD_CLASS: Final = "mq-wall-card mq-wall-spikes-card"


def sparkline(evidence: Mapping[str, Any], theme: Theme) -> go.Figure:
    """The daily counts of the evidence as bars, the window's days in the warning colour."""
    daily = [int(v) for v in evidence.get("daily", [])]
    first = date.fromisoformat(str(evidence.get("first_day", "2000-01-01")))
    days = [(first + timedelta(days=k)).isoformat() for k in range(len(daily))]
    c = COLORS[theme]
    colors = [c["last"] if k >= len(daily) - 2 else c["bar"] for k in range(len(daily))]
    fig = go.Figure(go.Bar(x=days, y=daily, marker={"color": colors}, hoverinfo="skip"))
    fig.update_layout(
        margin={"l": 2, "r": 2, "t": 2, "b": 2},
        showlegend=False,
        bargap=0.15,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis={"visible": False, "fixedrange": True},
        yaxis={"visible": False, "fixedrange": True, "rangemode": "tozero"},
    )
    return fig


def _chart(w: Mapping[str, Any], theme: Theme, lang: str) -> html.Div:
    daily = w["evidence"].get("daily", [])
    label = t(
        "spikes.chart_label", lang, area=w["area_name"], category=w["category_name"],
        peak=max(daily, default=0),
    )  # fmt: skip
    return html.Div(
        dcc.Graph(
            figure=sparkline(w["evidence"], theme),
            config={"staticPlot": True, "displayModeBar": False},
            className="mq-spike-graph",
            responsive=True,
        ),
        className="mq-spike-chart",
        role="img",
        title=t("spikes.chart", lang),
        **{"aria-label": label},  # type: ignore[arg-type]
    )


def spike_rows(
    warnings: Sequence[Mapping[str, Any]] | None, lang: str, theme: Theme, limit: int
) -> list[Any]:
    """At most ``limit`` warnings, each its words, time and chart; the rest counted."""
    if not warnings:
        return [html.Div(t("spikes.none", lang), className="mq-spike-empty")]
    rows: list[Any] = [
        html.Div(
            [
                html.Div(
                    [
                        html.Span(w["at"], className="mq-spike-time"),
                        html.Span(w["words"], className="mq-spike-words"),
                    ],
                    className="mq-spike-text",
                ),
                _chart(w, theme, lang),
            ],
            className=f"mq-spike mq-spike-{theme}",
            **{"data-spike": str(w["id"]), "data-category": w["category"]},  # type: ignore[arg-type]
        )
        for w in warnings[:limit]
    ]
    if len(warnings) > limit:
        rows.append(
            html.Div(t("spikes.more", lang, n=len(warnings) - limit), className="mq-spike-more")
        )
    return rows


def card_class(base: str, warnings: Sequence[Any] | None) -> str:
    """The card's classes: hidden while there is no warning (``hide_empty`` screens)."""
    return base if warnings else f"{base} {HIDDEN_CLASS}"
