"""Screen texts (map page and later screens)."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {}
