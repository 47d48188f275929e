"""The one message catalog (zh-CN default, English switch).

Keys live in ``messages_core`` (errors, API, CLI, shared domain names) and
``messages_ui`` (screens) and ``messages_auth`` (sign-in, roles, access). ``t(key, lang)`` is the only way UI text is produced.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

from i18n.messages_a11y import A11Y
from i18n.messages_alerts import ALERTS
from i18n.messages_analytics import ANALYTICS
from i18n.messages_area_import import AREA_IMPORT
from i18n.messages_area_page import AREA_PAGE
from i18n.messages_areas import AREAS
from i18n.messages_audit import AUDIT
from i18n.messages_auth import AUTH
from i18n.messages_briefing import BRIEFING
from i18n.messages_config import CONFIG
from i18n.messages_core import CORE
from i18n.messages_crosscheck import CROSSCHECK
from i18n.messages_desk import DESK
from i18n.messages_dispatch import DISPATCH
from i18n.messages_emerging import EMERGING
from i18n.messages_export import EXPORT
from i18n.messages_import import IMPORT
from i18n.messages_input import INPUT
from i18n.messages_intake import INTAKE
from i18n.messages_live import LIVE
from i18n.messages_outage import OUTAGE
from i18n.messages_patrol import PATROL
from i18n.messages_patrol_report import PATROL_REPORT
from i18n.messages_pii import PII
from i18n.messages_playback import PLAYBACK
from i18n.messages_public import PUBLIC
from i18n.messages_registry_import import REGISTRY_IMPORT
from i18n.messages_spikes import SPIKES
from i18n.messages_ui import UI
from i18n.messages_urgency import URGENCY
from i18n.messages_users import USERS
from i18n.messages_wall import WALL
from i18n.messages_workflow import WORKFLOW

log = logging.getLogger(__name__)

Lang = Literal["zh-CN", "en"]
LANGS: tuple[Lang, ...] = ("zh-CN", "en")
COOKIE = "minqing_lang"
_PARTS: tuple[dict[str, dict[str, str]], ...] = (CORE, AUTH, UI, AUDIT, WALL, WORKFLOW, INTAKE)
_PARTS += (USERS, LIVE, PUBLIC, IMPORT, DESK)
_PARTS += (DISPATCH, EXPORT)
_PARTS += (ANALYTICS,)
_PARTS += (BRIEFING,)
_PARTS += (PII,)
_PARTS += (OUTAGE,)
_PARTS += (INPUT,)
_PARTS += (AREAS,)
_PARTS += (PATROL,)
_PARTS += (PATROL_REPORT,)
_PARTS += (URGENCY,)
_PARTS += (A11Y,)
_PARTS += (AREA_IMPORT,)
_PARTS += (CONFIG,)
_PARTS += (AREA_PAGE,)
_PARTS += (CROSSCHECK,)
_PARTS += (REGISTRY_IMPORT,)
_PARTS += (EMERGING,)
_PARTS += (SPIKES,)
_PARTS += (PLAYBACK,)
_PARTS += (ALERTS,)
CATALOG: dict[str, dict[str, str]] = {k: v for part in _PARTS for k, v in part.items()}
_dupes = {k for k in CATALOG if sum(k in part for part in _PARTS) > 1}
if _dupes:  # pragma: no cover - caught by tests/unit/test_i18n.py
    raise RuntimeError(f"message keys defined twice: {sorted(_dupes)}")


def normalize(lang: str | None) -> Lang:
    """Map any header/cookie value to a supported language (default zh-CN)."""
    if lang and lang.lower().startswith("en"):
        return "en"
    if lang and lang.lower().startswith("zh"):
        return "zh-CN"
    from settings import get_settings

    return get_settings().locale


_CHOSEN: ContextVar[Lang | None] = ContextVar("minqing_language", default=None)


@contextmanager
def language(lang: str | None) -> Iterator[None]:
    """Inside the block, messages are in ``lang`` (a command's ``--lang``), whatever the
    request or the configured default says."""
    token = _CHOSEN.set(normalize(lang))
    try:
        yield
    finally:
        _CHOSEN.reset(token)


def current_lang() -> Lang:
    """The language of the current request: a :func:`language` block, the cookie, then
    the configured default."""
    if (chosen := _CHOSEN.get()) is not None:
        return chosen
    try:
        from flask import has_request_context, request

        if has_request_context():
            return normalize(request.cookies.get(COOKIE) or request.args.get("lang"))
    except ImportError:  # pragma: no cover
        pass
    return normalize(None)


def t(key: str, lang: str | None = None, **kwargs: object) -> str:
    """Translate ``key`` into ``lang`` (default: the request's language)."""
    lang_ = normalize(lang) if lang else current_lang()
    entry = CATALOG.get(key)
    if entry is None:
        log.warning("missing message key %r", key)
        return key
    text = entry.get(lang_) or entry["zh-CN"]
    return text.format(**kwargs) if kwargs else text
