"""Component ids of the alerts screen, defined once (prefix ``alerts-``).

The request guard (``web.security.CALLBACK_PERMISSIONS``) lets only ``ALERTS_SUBSCRIBE``
holders call a callback whose outputs carry this prefix. ``VERSION`` and ``UNREAD`` are
also known to assets/js/alerts.js (it bumps the one and reads the other).
"""

from __future__ import annotations

from typing import Final


class AlertsIds:
    """Ids of the alerts screen."""

    PREFIX: Final = "alerts"

    ROOT: Final = "alerts-root"
    # --- header ---
    ACCOUNT: Final = "alerts-account"
    LOGOUT: Final = "alerts-logout"
    LANG_BUTTON: Final = "alerts-lang-button"
    LANG_SINK: Final = "alerts-lang-sink"
    # --- subscribing ---
    KIND: Final = "alerts-kind"
    AREA: Final = "alerts-area"
    CATEGORY: Final = "alerts-category"
    ADD: Final = "alerts-add"
    MESSAGE: Final = "alerts-message"
    SUBSCRIPTIONS: Final = "alerts-subscriptions"
    UNSUBSCRIBE: Final = "alerts-unsubscribe"  # pattern-matching: {"type": UNSUBSCRIBE, "id"}
    # --- inbox ---
    INBOX: Final = "alerts-inbox"
    READ: Final = "alerts-read"  # pattern-matching: {"type": READ, "id": alert id}
    ALL_READ: Final = "alerts-all-read"
    UNREAD: Final = "alerts-unread"
    VERSION: Final = "alerts-version"  # bumped by every change (and by a live alert)
