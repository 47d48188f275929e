"""The periods of the leaders' briefings and the validation of a briefing request.

- daily (日调度): the local calendar day of the date; compared with the day before;
- weekly (周会商): the ISO week (Monday to Sunday) containing the date; vs the week before;
- monthly (月评估): the calendar month containing the date; vs the month before.

Periods are half-open ``[start, end)`` in local time (Asia/Shanghai). A date after today
is refused; a period that contains today covers the data up to the moment it is produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from governance.area_codes import normalise
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ
from i18n import t

PERIODS = ("daily", "weekly", "monthly")
FORMATS = ("pdf", "png", "html")
LANGS = ("zh-CN", "en")


@dataclass(frozen=True)
class Period:
    """One briefing period and the one it is compared with (all local, tz-aware)."""

    kind: str
    day: date  # the date asked for
    start: datetime
    end: datetime
    prev_start: datetime
    prev_end: datetime

    @property
    def last_day(self) -> date:
        """The period's last calendar day (inclusive)."""
        return (self.end - timedelta(days=1)).date()

    def label(self, lang: str) -> str:
        """ "2026-11-28", "2026-11-23 至 2026-11-29 (第48周)" or "2026年11月"."""
        if self.kind == "daily":
            return self.start.date().isoformat()
        if self.kind == "weekly":
            week = self.start.isocalendar().week
            return t(
                "brief.period.week_range",
                lang,
                start=self.start.date().isoformat(),
                end=self.last_day.isoformat(),
                week=week,
            )
        return t("brief.period.month", lang, year=self.start.year, month=self.start.month)

    def previous_label(self, lang: str) -> str:
        """The label of the period compared with."""
        prev = period_for(self.kind, self.prev_start.date())
        return prev.label(lang)


def _midnight(d: date) -> datetime:
    return datetime.combine(d, time(), LOCAL_TZ)


def period_for(kind: str, day: date) -> Period:
    """The period of ``kind`` containing ``day`` and the one before it."""
    if kind == "daily":
        first, after = day, day + timedelta(days=1)
        prev_first = day - timedelta(days=1)
    elif kind == "weekly":
        first = day - timedelta(days=day.weekday())
        after = first + timedelta(days=7)
        prev_first = first - timedelta(days=7)
    elif kind == "monthly":
        first = day.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        prev_first = (first - timedelta(days=1)).replace(day=1)
    else:
        raise InvalidInput("brief.error.period", value=kind, choices=", ".join(PERIODS))
    return Period(
        kind=kind,
        day=day,
        start=_midnight(first),
        end=_midnight(after),
        prev_start=_midnight(prev_first),
        prev_end=_midnight(first),
    )


@dataclass(frozen=True)
class BriefingRequest:
    """A validated request: what to produce, for where, in which language."""

    period: Period
    area_code: str | None  # as typed, in ASCII digits (the city's code too); None: not given
    fmt: str
    lang: str


def parse_request(
    *,
    period: str | None,
    day: str | date | None,
    area: str | None,
    fmt: str | None,
    lang: str | None,
    today: date | None = None,
) -> BriefingRequest:
    """Check every field of a briefing request; :class:`InvalidInput` (translated) on the
    first bad one. ``area`` None or empty: the whole city, or a scoped principal's own area;
    any code :mod:`governance.area_codes` accepts, the city's own code included (its
    existence is checked when the briefing is built, after the principal's scope)."""
    kind = (period or "").strip().lower()
    if kind not in PERIODS:
        raise InvalidInput("brief.error.period", value=period or "", choices=", ".join(PERIODS))
    fmt_ = (fmt or "").strip().lower()
    if fmt_ not in FORMATS:
        raise InvalidInput("brief.error.format", value=fmt or "", choices=", ".join(FORMATS))
    lang_ = lang or "zh-CN"
    if lang_ not in LANGS:
        raise InvalidInput("brief.error.lang", value=lang_, choices=", ".join(LANGS))
    if isinstance(day, date):
        d = day
    else:
        try:
            d = date.fromisoformat((day or "").strip())
        except ValueError:
            raise InvalidInput("brief.error.date", value=day or "") from None
    today = today or datetime.now(LOCAL_TZ).date()
    if d > today:
        raise InvalidInput("brief.error.future", value=d.isoformat(), today=today.isoformat())
    code = normalise(area)  # ASCII digits of a standard length, or None
    return BriefingRequest(period_for(kind, d), code, fmt_, lang_)
