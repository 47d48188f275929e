"""Component ids of the cross-check screen (逆向倒查), defined once (prefix ``crosscheck-``).

The request guard (``web.security.CALLBACK_PERMISSIONS``) lets only ``ANALYTICS_VIEW``
holders call a callback whose outputs carry this prefix.
"""

from __future__ import annotations

from typing import Final


class CrosscheckIds:
    """Ids of the cross-check screen."""

    PREFIX: Final = "crosscheck"

    ROOT: Final = "crosscheck-root"
    # --- header ---
    ACCOUNT: Final = "crosscheck-account"
    LOGOUT: Final = "crosscheck-logout"
    LANG_BUTTON: Final = "crosscheck-lang-button"
    LANG_SINK: Final = "crosscheck-lang-sink"
    # --- controls ---
    AREA: Final = "crosscheck-area"
    WINDOW: Final = "crosscheck-window"
    CHANNELS: Final = "crosscheck-channels"
    CATEGORY: Final = "crosscheck-category"
    MESSAGE: Final = "crosscheck-message"  # why there is nothing (refusal, bad input)
    # --- results ---
    METHOD: Final = "crosscheck-method"  # period, inputs, method in words
    MAP: Final = "crosscheck-map"  # the blind-spot cells
    MAP_BOX: Final = "crosscheck-map-box"
    GRIDS: Final = "crosscheck-grids"  # ranked by grid, and every finding
    PADDING: Final = "crosscheck-padding"
    CASES_BUTTON: Final = "crosscheck-cases-button"  # pattern-matching: {type, index}
    CASES: Final = "crosscheck-cases"  # the external reports of one finding
