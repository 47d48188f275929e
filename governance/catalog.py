"""Reference lists: incident categories, sources, site types (cached per process)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Final

from geodata.db import session_scope
from geodata.models import IncidentSource, PersonCategory, SiteType
from geodata.queries import catalog as q
from governance.errors import InvalidInput
from i18n import t

_lock = threading.Lock()
_cache: dict[str, list[Category]] = {}
_loaded_at: dict[str, float] = {}
#: How long a process keeps its list: a reference-data import in another process (the
#: command line, governance/config_io.py) reaches the web server's workers this late.
CACHE_SECONDS: Final = 60.0


@dataclass(frozen=True)
class Category:
    code: str
    parent_code: str | None
    name_zh: str
    name_en: str
    color: str
    default_priority: int

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh


def _load() -> list[Category]:
    """The categories, read once per process into a cache shared by every request.

    Kept :data:`CACHE_SECONDS`, then read again (an import elsewhere changes the list).
    The first read opens a short transaction of its own on purpose: the cache outlives
    any one caller's unit of work, and it is filled from places that hold none (a page's
    labels, a layer's legend), so it must not depend on a caller's transaction or scope
    (the category table is not under row-level security)."""
    with _lock:
        if "all" in _cache and time.monotonic() - _loaded_at["all"] > CACHE_SECONDS:
            del _cache["all"]
        if "all" not in _cache:
            with session_scope() as s:
                rows = q.category_rows(s)
            cats = [Category(*r) for r in rows]
            if not cats:  # empty database: do not cache, the demo may be loading
                return cats
            _cache["all"] = cats
            _loaded_at["all"] = time.monotonic()
        return _cache["all"]


def clear_cache() -> None:
    """Forget the cached categories (after an import or in tests)."""
    with _lock:
        _cache.clear()


def all_categories() -> list[Category]:
    return _load()


def categories(lang: str) -> list[dict[str, object]]:
    """Groups (``parent_code`` None) and leaves, in display order."""
    return [
        {"code": c.code, "name": c.name(lang), "color": c.color, "parent_code": c.parent_code}
        for c in _load()
    ]


def category_groups(lang: str) -> list[tuple[str, str, str]]:
    """``(code, name, colour)`` of the first-level categories (the map's colour key: each
    leaf is drawn in a shade of its group's colour)."""
    return [(c.code, c.name(lang), c.color) for c in _load() if c.parent_code is None]


def expand_categories(codes: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Group or leaf codes -> the sorted leaf codes they cover. Unknown codes raise."""
    if not codes:
        return None
    cats = _load()
    known = {c.code for c in cats}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput("error.unknown_category", codes=", ".join(unknown))
    wanted = set(codes)
    parents = {c.parent_code for c in cats if c.parent_code}
    leaves = {
        c.code
        for c in cats
        if c.code not in parents and (c.code in wanted or c.parent_code in wanted)
    }
    return tuple(sorted(leaves))


def category(code: str) -> Category | None:
    return next((c for c in _load() if c.code == code), None)


def sources(lang: str) -> list[dict[str, str]]:
    return [{"value": s.value, "label": t(f"source.{s.value}", lang)} for s in IncidentSource]


def site_types(lang: str) -> list[dict[str, str]]:
    return [{"value": s.value, "label": t(f"site.{s.value}", lang)} for s in SiteType]


def person_categories(lang: str) -> list[dict[str, str]]:
    return [{"value": p.value, "label": t(f"person.{p.value}", lang)} for p in PersonCategory]
