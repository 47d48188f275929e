"""The cross-check screen: (area, period, channels, category) -> method, map, grids and
padding; a finding's "cases" button -> its external reports; the language switch.

Thin: ``governance.crosscheck`` checks ``ANALYTICS_VIEW``, the area scope, the period,
the channels and the category itself, because these callbacks can be called by a
hand-made request with any values.
"""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, State, callback, ctx, no_update

from callbacks import lang
from callbacks.analytics import shown
from governance import crosscheck
from governance.uow import unit_of_work
from i18n import current_lang
from pages import crosscheck_parts as parts
from pages.crosscheck_ids import CrosscheckIds as Ids
from web.security import current_principal

lang.switch(Ids.LANG_BUTTON, Ids.LANG_SINK)


def _str(value: Any) -> str | None:
    """A control's value as the service takes it (anything else is the service's to refuse)."""
    return value if isinstance(value, str) else None if value is None else str(value)[:64]


@callback(
    Output(Ids.METHOD, "children"),
    Output(Ids.MAP_BOX, "children"),
    Output(Ids.GRIDS, "children"),
    Output(Ids.PADDING, "children"),
    Output(Ids.MESSAGE, "children"),
    Output(Ids.CASES, "children", allow_duplicate=True),
    Input(Ids.AREA, "value"),
    Input(Ids.WINDOW, "value"),
    Input(Ids.CHANNELS, "value"),
    Input(Ids.CATEGORY, "value"),
    prevent_initial_call="initial_duplicate",
)
def show(area: Any, window: Any, channels: Any, category: Any) -> tuple[Any, ...]:
    """The cross-check of the chosen area and period, or why there is none."""

    def load() -> dict[str, Any]:
        who = current_principal()
        with unit_of_work(who) as s:
            return crosscheck.crosscheck(
                s, who, area=_str(area), window=_str(window), channels=_str(channels),
                category=_str(category) or None, lang=current_lang(), outlines=True,
            )  # fmt: skip

    body: tuple[Any, ...]
    body, message = shown(
        "crosscheck",
        load,
        lambda out, lg: (
            parts.method(out, lg),
            parts.cell_map(out, lg),
            parts.grids(out, lg),
            parts.padding(out, lg),
        ),
        ([], [], [], []),
    )
    return (*body, message, [])


@callback(
    Output(Ids.CASES, "children"),
    Input({"type": Ids.CASES_BUTTON, "index": ALL}, "n_clicks"),
    State(Ids.AREA, "value"),
    State(Ids.WINDOW, "value"),
    State(Ids.CHANNELS, "value"),
    prevent_initial_call=True,
)
def cases(clicks: Any, area: Any, window: Any, channels: Any) -> Any:
    """The external reports behind the finding whose button was pressed."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(isinstance(c, int) and c > 0 for c in clicks or []):
        return no_update
    place, _, category = str(trigger.get("index", ""))[:80].partition("|")

    def load() -> list[dict[str, Any]]:
        who = current_principal()
        with unit_of_work(who) as s:
            return crosscheck.external_cases(
                s, who, place=place, category=category, area=_str(area), window=_str(window),
                channels=_str(channels),
            )  # fmt: skip

    body: list[Any]
    body, message = shown("crosscheck", load, lambda rows, lg: parts.cases(rows, place, lg), [])
    return body or message
