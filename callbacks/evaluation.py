"""The monthly evaluation: (month, tab) -> the scorecard table; the language switch.

Thin: ``governance.evaluation.monthly`` checks ``ANALYTICS_VIEW`` and the month itself,
because this callback can be called by a hand-made request with any values.
"""

from __future__ import annotations

import logging
from typing import Any

from dash import Input, Output, callback

from callbacks import lang
from governance import evaluation
from governance.errors import MinqingError
from i18n import current_lang, t
from pages import evaluation_parts as parts
from pages.evaluation_ids import EvalIds
from web import outage
from web.security import current_principal, refused

log = logging.getLogger(__name__)

lang.switch(EvalIds.LANG_BUTTON, EvalIds.LANG_SINK)


@callback(
    Output(EvalIds.BODY, "children"),
    Output(EvalIds.MESSAGE, "children"),
    Input(EvalIds.MONTH, "value"),
    Input(EvalIds.TABS, "value"),
)
def show(month: Any, tab: Any) -> tuple[Any, str]:
    """The chosen month's scorecard of the chosen kind, or why there is none."""
    lang = current_lang()
    try:
        ev = evaluation.monthly(current_principal(), month, tab)
    except MinqingError as err:
        return [], refused(err, "evaluation")
    except Exception as exc:
        outage.propagate(exc)  # the database is down: a 503 the client retries
        log.error("evaluation failed", exc_info=True)
        return [], t("analytics.failed", lang)
    return parts.scorecard_table(ev, next(iter(ev.cards)), lang), ""
