"""Component ids of the account page, defined once (prefix ``users-``).

The request guard (``web.security.CALLBACK_PERMISSIONS``) lets only ``USERS_VIEW``
holders call a callback whose outputs carry this prefix; each change then checks its own
capability in ``governance.users_admin`` (accounts: ``USERS_MANAGE``, permissions:
``PERMISSIONS_MANAGE``).
"""

from __future__ import annotations

from typing import Final


class UsersIds:
    """Ids of the account page (账号管理)."""

    PREFIX: Final = "users"

    # --- header ---
    ACCOUNT: Final = "users-account"
    LOGOUT: Final = "users-logout"
    LANG_BUTTON: Final = "users-lang-button"
    LANG_SINK: Final = "users-lang-sink"

    # --- filters and list ---
    TEXT: Final = "users-filter-text"
    ROLE: Final = "users-filter-role"
    SEARCH: Final = "users-search"
    STATUS: Final = "users-status"
    TABLE: Final = "users-table"
    ROW: Final = "users-row"  # pattern-matching type: {"type": ROW, "user": id} ("manage")

    # --- new account (system administrator) ---
    CREATE_CARD: Final = "users-create-card"
    NEW_USERNAME: Final = "users-new-username"
    NEW_NAME: Final = "users-new-name"
    NEW_PASSWORD: Final = "users-new-password"
    CREATE: Final = "users-create"

    # --- the chosen account ---
    PICK: Final = "users-pick"  # {"id": user id, "n": nonce}: which account the card shows
    SEEN: Final = "users-seen"  # {"id": user id, "stamp": {...}}: the state the form shows
    DETAIL_CARD: Final = "users-detail-card"
    DETAIL: Final = "users-detail"
    ACCOUNT_TOOLS: Final = "users-account-tools"  # system administrator
    DISABLE: Final = "users-disable"
    ENABLE: Final = "users-enable"
    UNLOCK: Final = "users-unlock"
    RESET_PASSWORD: Final = "users-reset-password"
    RESET: Final = "users-reset"
    PERMISSION_TOOLS: Final = "users-permission-tools"  # security administrator
    EDIT_ROLE: Final = "users-edit-role"
    EDIT_AREA: Final = "users-edit-area"
    EDIT_DEPARTMENT: Final = "users-edit-department"
    SAVE: Final = "users-save-permissions"

    # --- results ---
    MESSAGE: Final = "users-message"
    SECRET: Final = "users-secret"  # a generated password, shown once
    OUTCOME: Final = "users-outcome"  # {"user": id, "n": nonce} after a change: reload
