"""Component ids of the patrol report screen, defined once (prefix ``preport-``).

The request guard (``web.routes_table.CALLBACK_PERMISSIONS``) lets only ``PATROL_SUPERVISE``
holders call a callback whose outputs carry this prefix.
"""

from __future__ import annotations

from typing import Final


class ReportIds:
    """Ids of the patrol report screen."""

    PREFIX: Final = "preport"

    ROOT: Final = "preport-root"
    # --- header ---
    ACCOUNT: Final = "preport-account"
    LOGOUT: Final = "preport-logout"
    LANG_BUTTON: Final = "preport-lang-button"
    LANG_SINK: Final = "preport-lang-sink"
    # --- controls ---
    PERIOD: Final = "preport-period"
    DATES: Final = "preport-dates"  # the custom range (used when PERIOD is "custom")
    AREA: Final = "preport-area"  # drill down: an area inside the user's scope
    GROUP: Final = "preport-group"  # county, street, community, grid, worker
    EXPORTS: Final = "preport-exports"  # download links under the current filters
    MESSAGE: Final = "preport-message"  # why there is nothing (bad range, refusal)
    # --- results ---
    BODY: Final = "preport-body"  # the rates table
    LISTS: Final = "preport-lists"  # the missed high-risk visits and off-site check-ins
    REFRESH: Final = "preport-refresh"  # a store bumped after a reassignment
    # --- the reassign dialog ---
    REASSIGN_TYPE: Final = "preport-reassign"  # {"type": REASSIGN_TYPE, "task": id} buttons
    DIALOG: Final = "preport-dialog"
    DIALOG_TITLE: Final = "preport-dialog-title"
    TASK: Final = "preport-task"  # the task being reassigned (a store)
    WORKER: Final = "preport-worker"
    OK: Final = "preport-ok"
    CANCEL: Final = "preport-cancel"
    DIALOG_MESSAGE: Final = "preport-dialog-message"
