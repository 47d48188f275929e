"""Component ids of the briefings screen, defined once (prefix ``brief-``).

The request guard lets a callback through only if every output id starts with a feature
prefix the principal may use (``brief-``: BRIEFING_EXPORT).
"""

from __future__ import annotations

from typing import Final


class BriefIds:
    """Component ids of the briefings screen (prefix ``brief-``: BRIEFING_EXPORT)."""

    PREFIX: Final = "brief"

    ACCOUNT: Final = "brief-account"
    LOGOUT: Final = "brief-logout"
    LANG_BUTTON: Final = "brief-lang"
    LANG_SINK: Final = "brief-lang-sink"
    PERIOD: Final = "brief-period"
    DATE: Final = "brief-date"
    AREA: Final = "brief-area"
    FORMAT: Final = "brief-format"
    SUBMIT: Final = "brief-submit"
    STATUS: Final = "brief-status"
    DOWNLOAD: Final = "brief-download"
