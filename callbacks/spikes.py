"""Spike warnings on the wall and the dispatch board: each screen's refresh tick (bumped at
once by a pushed ``spike`` event, assets/js/minqing-live.js) -> the current warnings of
the viewer's area, in words with their charts.

Thin: ``governance.spikes.recent`` checks the permission (the wall's ``WALL_VIEW``, the
board's ``INCIDENT_DISPATCH``) and the area scope. A locked kiosk wall shows none.
"""

from __future__ import annotations

from typing import Any, Final

from dash import Input, Output, callback

from governance import spikes
from governance.access import INCIDENT_DISPATCH, WALL_VIEW, require
from governance.uow import unit_of_work
from i18n import current_lang
from pages.dispatch_ids import DispatchIds
from pages.spike_parts import WALL_CARD_CLASS, card_class, spike_rows
from pages.wall_ids import WallIds
from web.kiosk import wall_locked
from web.security import current_principal

WALL_SHOWN: Final = 2  # warnings on the wall (the most significant); the rest counted
BOARD_SHOWN: Final = 12


def _recent(permission: str, lang: str) -> list[dict[str, Any]]:
    who = require(current_principal(), permission)
    with unit_of_work(who) as s:
        return spikes.recent(s, who, lang=lang)


@callback(
    Output(WallIds.SPIKES, "children"),
    Output(WallIds.SPIKES_CARD, "className"),
    Input(WallIds.INTERVAL, "n_intervals"),
)
def wall_spikes(_tick: int | None) -> tuple[list[Any], str]:
    """The wall's warnings strip (hidden while there is none, or the kiosk is locked)."""
    if wall_locked():
        return [], card_class(WALL_CARD_CLASS, None)
    lang = current_lang()
    warnings = _recent(WALL_VIEW, lang)
    return spike_rows(warnings, lang, "wall", WALL_SHOWN), card_class(WALL_CARD_CLASS, warnings)


@callback(
    Output(DispatchIds.SPIKES, "children"),
    Input(DispatchIds.INTERVAL, "n_intervals"),
    Input(DispatchIds.REFRESH, "n_clicks"),
)
def board_spikes(_tick: int | None, _clicks: int | None) -> list[Any]:
    """The dispatch board's warnings panel."""
    lang = current_lang()
    return spike_rows(_recent(INCIDENT_DISPATCH, lang), lang, "board", BOARD_SHOWN)
