"""Component ids of the dispatch board, defined once (prefix ``dispatch-``).

The request guard lets only ``INCIDENT_DISPATCH`` holders call a callback whose outputs
carry this prefix (``web.security.CALLBACK_PERMISSIONS``). Pattern-matching ids are dicts
whose ``type`` is one of the ``*_TYPE`` constants.
"""

from __future__ import annotations

from typing import Final


class DispatchIds:
    """Ids of the dispatch board."""

    PREFIX: Final = "dispatch"

    ROOT: Final = "dispatch-root"
    # --- header ---
    ACCOUNT: Final = "dispatch-account"
    LOGOUT: Final = "dispatch-logout"
    LANG_BUTTON: Final = "dispatch-lang-button"
    LANG_SINK: Final = "dispatch-lang-sink"
    LIVE: Final = "dispatch-live"  # live indicator: a pushed change bumps INTERVAL

    # --- refreshing ---
    INTERVAL: Final = "dispatch-interval"
    REFRESH: Final = "dispatch-refresh"  # the refresh button
    DONE: Final = "dispatch-done"  # {"id", "version"} of the last dispatch: refreshes lists
    AS_OF: Final = "dispatch-as-of"
    MESSAGE: Final = "dispatch-message"  # the outcome of the last dispatch click

    # --- contents ---
    INTAKE: Final = "dispatch-intake"  # today's counts by source and category
    LISTS: Final = "dispatch-lists"  # the list cards, each in its slot
    SHOWN: Final = "dispatch-shown"  # {kind: fingerprint} of the cards on screen
    SPIKES: Final = "dispatch-spikes"  # spike warnings of the area (governance/spikes.py)
    SPIKES_CARD: Final = "dispatch-spikes-card"
    # a row's "dispatch" button: {"type": GO_TYPE, "incident": id, "version": v}
    GO_TYPE: Final = "dispatch-go"
    # a queue row's department override picker: {"type": DEPT_TYPE, "incident": id}
    DEPT_TYPE: Final = "dispatch-dept"

    @classmethod
    def go(cls, incident_id: int, version: int) -> dict[str, object]:
        """Id of the dispatch button of one queue row, carrying the version shown."""
        return {"type": cls.GO_TYPE, "incident": int(incident_id), "version": int(version)}

    @classmethod
    def dept(cls, incident_id: int) -> dict[str, object]:
        """Id of the department override picker of one queue row."""
        return {"type": cls.DEPT_TYPE, "incident": int(incident_id)}

    @staticmethod
    def slot(kind: str) -> str:
        """Id of the container the card of list ``kind`` is drawn into."""
        return f"dispatch-slot-{kind}"

    @staticmethod
    def list_id(kind: str) -> str:
        """Id of the table of list ``kind`` (intake, queue, overdue, escalated)."""
        return f"dispatch-list-{kind}"
