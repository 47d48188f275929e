"""Component ids of the weekly consultation screen, defined once (prefix ``consult-``).

The request guard (``web.security.CALLBACK_PERMISSIONS``) lets only ``ANALYTICS_VIEW``
holders call a callback whose outputs carry this prefix.
"""

from __future__ import annotations

from typing import Final


class ConsultIds:
    """Ids of the weekly consultation screen."""

    PREFIX: Final = "consult"

    ROOT: Final = "consult-root"
    # --- header ---
    ACCOUNT: Final = "consult-account"
    LOGOUT: Final = "consult-logout"
    LANG_BUTTON: Final = "consult-lang-button"
    LANG_SINK: Final = "consult-lang-sink"
    # --- controls ---
    WEEK: Final = "consult-week"
    # --- results ---
    SUMMARY: Final = "consult-summary"
    STUCK: Final = "consult-stuck"
    HOTSPOTS: Final = "consult-hotspots"
    REPEATS: Final = "consult-repeats"
    BLIND: Final = "consult-blind"  # 逆向倒查: grids with blind spots
    MESSAGE: Final = "consult-message"
