"""The monthly evaluation: (month, tab) -> the scorecard table; the language switch.

Thin: ``governance.evaluation.monthly`` checks ``ANALYTICS_VIEW`` and the month itself,
because this callback can be called by a hand-made request with any values.
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, callback

from callbacks import lang
from callbacks.analytics import shown
from governance import evaluation
from governance.uow import unit_of_work
from pages import evaluation_parts as parts
from pages.evaluation_ids import EvalIds
from web.security import current_principal

lang.switch(EvalIds.LANG_BUTTON, EvalIds.LANG_SINK)


def _monthly(month: Any, tab: Any) -> evaluation.Evaluation:
    who = current_principal()
    with unit_of_work(who) as s:
        return evaluation.monthly(s, who, month, tab)


@callback(
    Output(EvalIds.BODY, "children"),
    Output(EvalIds.MESSAGE, "children"),
    Input(EvalIds.MONTH, "value"),
    Input(EvalIds.TABS, "value"),
)
def show(month: Any, tab: Any) -> tuple[Any, str]:
    """The chosen month's scorecard of the chosen kind, or why there is none."""
    return shown(
        "evaluation",
        lambda: _monthly(month, tab),
        lambda ev, lang: parts.scorecard_table(ev, next(iter(ev.cards)), lang),
        [],
    )
