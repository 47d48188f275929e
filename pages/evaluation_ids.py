"""Component ids of the monthly evaluation screen, defined once (prefix ``eval-``).

The request guard (``web.security.CALLBACK_PERMISSIONS``) lets only ``ANALYTICS_VIEW``
holders call a callback whose outputs carry this prefix.
"""

from __future__ import annotations

from typing import Final


class EvalIds:
    """Ids of the monthly evaluation screen."""

    PREFIX: Final = "eval"

    ROOT: Final = "eval-root"
    # --- header ---
    ACCOUNT: Final = "eval-account"
    LOGOUT: Final = "eval-logout"
    LANG_BUTTON: Final = "eval-lang-button"
    LANG_SINK: Final = "eval-lang-sink"
    # --- controls ---
    MONTH: Final = "eval-month"
    TABS: Final = "eval-tabs"
    # --- results ---
    BODY: Final = "eval-body"  # the chosen tab's scorecard table
    MESSAGE: Final = "eval-message"  # why there is nothing (bad month, failure)
