"""Deadline chips of the map (the inbox's rows and the incident panel's handling block).

A running clock (``governance/sla.py`` ``clock``) is a red / amber / green chip naming
the deadline (accept by / resolve by), when it falls and how it stands: the time left,
or how long it has been overdue. A suspended case runs no clock: its chip is grey and
says so, with how long the case has been suspended.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from dash import html

from governance.filters import LOCAL_TZ
from i18n import t

TIME: Final = "%m-%d %H:%M"
STATES: Final = frozenset({"red", "amber", "green"})
STAGES: Final = frozenset({"accept", "resolve"})


def local(value: Any, fmt: str = TIME) -> str:
    """A time (a datetime or an ISO string) in local time, or "—"."""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).strftime(fmt)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).astimezone(LOCAL_TZ).strftime(fmt)
        except ValueError:
            return value[:40]
    return "—"


def span(seconds: float, lang: str) -> str:
    """A duration to the minute: "2 天 3 小时", "3 小时 20 分", "12 分钟"."""
    total = abs(int(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    if days:
        return t("duration.days", lang, d=days, h=hours)
    if hours:
        return t("duration.hours", lang, h=hours, m=rest // 60)
    return t("duration.minutes", lang, m=max(1, rest // 60))


def sla_chip(clock: Mapping[str, Any] | None, lang: str) -> html.Span | None:
    """Red / amber / green: which deadline, when, and the time left or overdue by."""
    if not isinstance(clock, Mapping):
        return None
    state = clock.get("state")
    stage = clock.get("stage")
    if state not in STATES or stage not in STAGES:
        return None
    left = clock.get("seconds_left")
    left = left if isinstance(left, int | float) and not isinstance(left, bool) else 0
    standing = t("sla.over" if state == "red" else "sla.left", lang, span=span(left, lang))
    return html.Span(
        [
            html.Span(t(f"sla.{stage}", lang), className="mq-sla-stage"),
            html.Span(local(clock.get("due_at")), className="mq-sla-due"),
            html.Span(standing, className="mq-sla-state", title=t(f"sla.{state}", lang)),
        ],
        className=f"mq-chip mq-sla mq-sla-{state}",
    )


def paused_chip(since: Any, now: datetime, lang: str) -> html.Span:
    """The grey chip of a suspended case: no clock runs; suspended for how long."""
    parts = [html.Span(t("sla.paused", lang), className="mq-sla-stage")]
    if isinstance(since, datetime):
        held = span((now - since).total_seconds(), lang)
        parts.append(html.Span(t("inbox.suspended_for", lang, span=held), className="mq-sla-state"))
    return html.Span(parts, className="mq-chip mq-sla mq-sla-paused")
