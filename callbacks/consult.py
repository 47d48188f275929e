"""The weekly consultation packet: week -> the three sections; the language switch.

Thin: ``governance.consult.weekly`` checks ``ANALYTICS_VIEW`` and the week itself,
because this callback can be called by a hand-made request with any value.
"""

from __future__ import annotations

import logging
from typing import Any

from dash import Input, Output, callback

from callbacks import lang
from governance import consult
from governance.errors import MinqingError
from i18n import current_lang, t
from pages import consult_parts as parts
from pages.consult_ids import ConsultIds
from web import outage
from web.security import current_principal, refused

log = logging.getLogger(__name__)

lang.switch(ConsultIds.LANG_BUTTON, ConsultIds.LANG_SINK)


@callback(
    Output(ConsultIds.SUMMARY, "children"),
    Output(ConsultIds.STUCK, "children"),
    Output(ConsultIds.HOTSPOTS, "children"),
    Output(ConsultIds.REPEATS, "children"),
    Output(ConsultIds.MESSAGE, "children"),
    Input(ConsultIds.WEEK, "value"),
)
def show(week: Any) -> tuple[Any, ...]:
    """The chosen week's packet, or why there is none."""
    lang = current_lang()
    try:
        packet = consult.weekly(current_principal(), week)
    except MinqingError as err:
        return "", [], [], [], refused(err, "consult")
    except Exception as exc:
        outage.propagate(exc)  # the database is down: a 503 the client retries
        log.error("consultation packet failed", exc_info=True)
        return "", [], [], [], t("analytics.failed", lang)
    return (
        parts.summary(packet, lang),
        parts.stuck_section(packet, lang),
        parts.hotspot_section(packet, lang),
        parts.repeat_section(packet, lang),
        "",
    )
