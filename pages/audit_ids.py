"""Component ids of the audit log screen, defined once (prefix ``audit-``).

The request guard (``web.security.CALLBACK_PERMISSIONS``) lets only ``AUDIT_VIEW``
holders call a callback whose outputs carry this prefix.
"""

from __future__ import annotations

from typing import Final


class AuditIds:
    """Ids of the audit log screen."""

    PREFIX: Final = "audit"

    # --- header ---
    ACCOUNT: Final = "audit-account"
    LOGOUT: Final = "audit-logout"
    LANG_BUTTON: Final = "audit-lang-button"
    LANG_SINK: Final = "audit-lang-sink"

    # --- filters ---
    DATES: Final = "audit-filter-dates"
    USERNAME: Final = "audit-filter-username"
    ACTION: Final = "audit-filter-action"
    OUTCOME: Final = "audit-filter-outcome"
    OBJECT_TYPE: Final = "audit-filter-object-type"
    OBJECT_ID: Final = "audit-filter-object-id"
    SEARCH: Final = "audit-search"

    # --- tools ---
    VERIFY: Final = "audit-verify"
    VERIFY_RESULT: Final = "audit-verify-result"
    EXPORT: Final = "audit-export"

    # --- results ---
    QUERY: Final = "audit-query"  # {"filters": {...}, "page": n, "head": id}: what is shown
    HEAD: Final = "audit-head"  # newest record id of the current search (pins its pages)
    STATUS: Final = "audit-status"
    RESULTS: Final = "audit-results"
    PREV: Final = "audit-prev"
    NEXT: Final = "audit-next"
    PAGE_LABEL: Final = "audit-page-label"
