"""What views read of a request's security context: the one import for pages,
callbacks, the API and the live stream.

The work is done below (``web/session.py``: the principal, CSRF token and session
checks; ``web/refusals.py``: refusals in the audit trail; ``web/routes_table.py``: which
permission each page needs). The request guard itself is ``web/guard.py``; nothing in
``web/`` below the views imports this module.
"""

from __future__ import annotations

from web.refusals import audit_denied, refused
from web.routes_table import CALLBACK_PERMISSIONS, PAGE_PERMISSIONS
from web.session import csrf_token, current_principal, recheck_principal

__all__ = [
    "CALLBACK_PERMISSIONS",
    "PAGE_PERMISSIONS",
    "audit_denied",
    "csrf_token",
    "current_principal",
    "recheck_principal",
    "refused",
]
