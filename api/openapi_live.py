"""The OpenAPI description of the live stream (``web/live.py``)."""

from __future__ import annotations

from typing import Any

from api.openapi_common import errors, session_only
from governance.live import ITEM_FIELDS, SPIKE_FIELDS


def live_paths() -> dict[str, Any]:
    """``/api/v1/stream``: incident changes as server-sent events."""
    return {
        "/api/v1/stream": {
            "get": {
                "operationId": "stream",
                "summary": "Incident changes in the caller's area scope, as they happen (SSE)",
                "description": (
                    "A `text/event-stream` for signed-in users with the map or the wall "
                    "(no bearer tokens: 403). Events: `change` {action, items: [{"
                    + ", ".join(ITEM_FIELDS)
                    + "}], more, resync} for incidents registered or moved along in the "
                    "caller's scope (never a description, address or name); `spike` "
                    "{action: spike, items: [{" + ", ".join(SPIKE_FIELDS) + "}], more, "
                    "resync} for new spike warnings of streets in the caller's scope; `resync` "
                    "(changes may have been missed: refetch); `status` {live: false} while "
                    "the server's listener is disconnected; `end` {reason: rotate | "
                    "signed_out | slow | busy | shutdown | unavailable} before the server "
                    "closes the stream. A comment line every 15 s; a `retry:` hint first. "
                    "Streams end every ~5 minutes and when the session ends (checked every "
                    "minute); the client reconnects and refetches its layers. Layer URLs "
                    "accept a `v` parameter (ignored by the server) that clients bump to "
                    "bypass their cache after a change. Where a stream server runs (the "
                    "default under `app.py serve`), this path answers 307 to the same path "
                    "on the stream server's port of the same host, which makes the same "
                    "checks (same session cookie) and sends the same events; pages open it "
                    "directly, with credentials (it answers CORS for the app's own pages)."
                ),
                **session_only(),
                "responses": {
                    "200": {
                        "description": "The event stream",
                        "content": {"text/event-stream": {"schema": {"type": "string"}}},
                    },
                    "307": {"description": "Open the stream on the stream server (Location)"},
                    **errors(),
                },
            }
        }
    }
