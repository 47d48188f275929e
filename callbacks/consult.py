"""The weekly consultation packet: week -> the three sections; the language switch.

Thin: ``governance.consult.weekly`` checks ``ANALYTICS_VIEW`` and the week itself,
because this callback can be called by a hand-made request with any value.
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, callback

from callbacks import lang
from callbacks.analytics import shown
from governance import consult
from governance.uow import unit_of_work
from pages import consult_parts as parts
from pages.consult_ids import ConsultIds
from web.security import current_principal

lang.switch(ConsultIds.LANG_BUTTON, ConsultIds.LANG_SINK)


def _sections(packet: Any, lang: str) -> tuple[Any, ...]:
    return (
        parts.summary(packet, lang),
        parts.stuck_section(packet, lang),
        parts.hotspot_section(packet, lang),
        parts.repeat_section(packet, lang),
        parts.blind_section(packet, lang),
    )


def _weekly(week: Any) -> consult.Packet:
    who = current_principal()
    with unit_of_work(who) as s:
        return consult.weekly(s, who, week)


@callback(
    Output(ConsultIds.SUMMARY, "children"),
    Output(ConsultIds.STUCK, "children"),
    Output(ConsultIds.HOTSPOTS, "children"),
    Output(ConsultIds.REPEATS, "children"),
    Output(ConsultIds.BLIND, "children"),
    Output(ConsultIds.MESSAGE, "children"),
    Input(ConsultIds.WEEK, "value"),
)
def show(week: Any) -> tuple[Any, ...]:
    """The chosen week's packet, or why there is none."""
    empty: tuple[Any, ...] = ("", [], [], [], [])
    sections, message = shown("consult", lambda: _weekly(week), _sections, empty)
    return (*sections, message)
