"""Where a redirect may send a browser: paths of this site, nothing else.

``next`` (after sign-in, after a password change) comes from the request, so it is
hostile: ``//evil.example`` and ``/\\evil.example`` are other hosts to a browser, so is
``/\\t/evil.example`` (browsers drop tabs and newlines from URLs), and a newline in a
``Location`` header was an HTTP 500. Only printable ASCII paths pass; anything else
becomes the default.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import unquote, urlsplit

MAX_LENGTH: Final = 2000
_PRINTABLE: Final = re.compile(r"[\x21-\x7e]+")  # no space, no control, no non-ASCII


def safe_path(raw: object, default: str = "/") -> str:
    """``raw`` if it is a path on this site (``/...``, with an optional query), else
    ``default``."""
    if not isinstance(raw, str) or not 0 < len(raw) <= MAX_LENGTH:
        return default
    if not _PRINTABLE.fullmatch(raw) or not raw.startswith("/"):
        return default
    if raw.startswith("//") or "\\" in raw:
        return default
    decoded = unquote(raw)
    if decoded.startswith("//") or "\\" in decoded or not _PRINTABLE.fullmatch(decoded):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    return raw
