"""What the analytics screens (the weekly consultation, the monthly evaluation) share:
one service call turned into the screen's parts and a message line.

The services check ``ANALYTICS_VIEW`` and the period themselves, because a callback can be
called by a hand-made request with any value; here a refusal becomes its message (and is
audited by :func:`web.security.refused`), a lost database a 503 the client retries, and
anything else a logged "failed" message with the screen's parts left empty.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from governance.errors import MinqingError
from i18n import current_lang, t
from web import outage
from web.security import refused

log = logging.getLogger(__name__)

R = TypeVar("R")
P = TypeVar("P")


def shown(
    what: str, load: Callable[[], R], render: Callable[[R, str], P], empty: P
) -> tuple[P, str]:
    """``(render(load(), lang), "")``, or ``(empty, message)`` when ``load`` fails;
    ``what`` names the screen in the audit record of a refusal and in the log."""
    lang = current_lang()
    try:
        result = load()
    except MinqingError as err:
        return empty, refused(err, what)
    except Exception as exc:
        outage.propagate(exc)  # the database is down: a 503 the client retries
        log.error("%s failed", what, exc_info=True)
        return empty, t("analytics.failed", lang)
    return render(result, lang), ""
