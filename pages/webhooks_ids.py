"""Component ids of the webhook targets screen, defined once (prefix ``webhooks-``).

The request guard (``web.security.CALLBACK_PERMISSIONS``) lets only ``WEBHOOKS_MANAGE``
holders (the system administrator) call a callback whose outputs carry this prefix.
"""

from __future__ import annotations

from typing import Final


class WebhooksIds:
    """Ids of the webhook targets screen."""

    PREFIX: Final = "webhooks"

    ROOT: Final = "webhooks-root"
    ACCOUNT: Final = "webhooks-account"
    LOGOUT: Final = "webhooks-logout"
    LANG_BUTTON: Final = "webhooks-lang-button"
    LANG_SINK: Final = "webhooks-lang-sink"
    NAME: Final = "webhooks-name"
    URL: Final = "webhooks-url"
    KINDS: Final = "webhooks-kinds"
    AREA: Final = "webhooks-area"
    CATEGORY: Final = "webhooks-category"
    ADD: Final = "webhooks-add"
    MESSAGE: Final = "webhooks-message"
    TARGETS: Final = "webhooks-targets"
    DISABLE: Final = "webhooks-disable"  # pattern-matching: {"type": DISABLE, "id": target}
    DELIVERIES: Final = "webhooks-deliveries"
    VERSION: Final = "webhooks-version"
