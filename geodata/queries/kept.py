"""Kept period figures (migration ``0029_kept_figures``): a figure of a closed period,
computed once and read again by every screen and document that shows that period.

The figures of a period that has ended (the daily briefing's 90 days of cross-check up to
midnight, the weekly packet's week) are read over every report of their window, which
grows with the city's daily intake (at 10M incidents the cross-check's 180 days are 5M
reports, ~16-26 s). Once the period is over they are the period's figures as of when
they were computed (the 数据截至 a briefing prints), so the first screen or document to
need them computes and keeps them, and the rest read them (a few milliseconds).

What drops a kept figure (the triggers of the migration): history loaded later (an
incident of the period reported before its end but inserted afterwards), a deleted
incident of the period, a truncate. Rows computed more than :data:`KEEP_DAYS` ago are
removed when a new one is kept.

The body is the caller's (bytes, compressed; no personal data in it: the table is
classified as plain). The key's ``scope`` is an area-code prefix ("" the whole city) the
caller has already checked the user may see.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

KEEP_DAYS: Final = 62  # two months: a month's evaluation can look back at its weeks
# The start of a period that holds all history before its end: the key of a figure of an
# instant (the cases open at it), which history loaded later for any time before it drops.
ALL_BEFORE: Final = datetime(1900, 1, 1, tzinfo=UTC)
T = TypeVar("T")


@dataclass(frozen=True)
class Kept:
    """One kept figure: its body and when it was computed."""

    body: bytes
    computed_at: datetime


def closed(s: Session, end: datetime) -> bool:
    """Whether a period ending at ``end`` is over by the database's clock (the
    transaction's start: one answer for the whole unit of work)."""
    return bool(s.execute(text("SELECT CAST(:end AS timestamptz) <= now()"), {"end": end}).scalar())


def get(
    s: Session, kind: str, scope: str, start: datetime, end: datetime, params: str
) -> Kept | None:
    """The kept figure of that key, or None."""
    row = s.execute(
        text(
            "SELECT body, computed_at FROM kept_figure WHERE kind = :kind AND scope = :scope "
            "AND period_start = :start AND period_end = :end AND params = :params"
        ),
        {"kind": kind, "scope": scope, "start": start, "end": end, "params": params},
    ).first()
    return Kept(bytes(row[0]), row[1]) if row else None


def put(
    s: Session,
    kind: str,
    scope: str,
    start: datetime,
    end: datetime,
    params: str,
    body: bytes,
    *,
    keep_days: int = KEEP_DAYS,
) -> None:
    """Keep a figure of a closed period in the caller's unit of work (a concurrent
    request that kept the same key first wins: both computed the same), and remove
    those computed more than :data:`KEEP_DAYS` days ago (those of ``kind``: more than
    ``keep_days`` ago, for figures only needed for a short while)."""
    s.execute(
        text(
            "INSERT INTO kept_figure (kind, scope, period_start, period_end, params, body) "
            "VALUES (:kind, :scope, :start, :end, :params, :body) "
            "ON CONFLICT ON CONSTRAINT uq_kept_figure_key DO NOTHING"
        ),
        {"kind": kind, "scope": scope, "start": start, "end": end, "params": params, "body": body},
    )
    s.execute(
        text("DELETE FROM kept_figure WHERE computed_at < now() - make_interval(days => :d)"),
        {"d": KEEP_DAYS},
    )
    if keep_days < KEEP_DAYS:
        s.execute(
            text(
                "DELETE FROM kept_figure WHERE kind = :kind "
                "AND computed_at < now() - make_interval(days => :d)"
            ),
            {"kind": kind, "d": keep_days},
        )


def drop(s: Session, kind: str, scope: str, start: datetime, end: datetime, params: str) -> None:
    """Remove the kept figure of that key (one that could not be read)."""
    s.execute(
        text(
            "DELETE FROM kept_figure WHERE kind = :kind AND scope = :scope "
            "AND period_start = :start AND period_end = :end AND params = :params"
        ),
        {"kind": kind, "scope": scope, "start": start, "end": end, "params": params},
    )


def computed_at(
    s: Session, kind: str, scope: str, start: datetime, end: datetime
) -> datetime | None:
    """When the earliest kept figure of that kind, scope and period was computed (any
    parameters), or None."""
    return s.execute(
        text(
            "SELECT min(computed_at) FROM kept_figure WHERE kind = :kind AND scope = :scope "
            "AND period_start = :start AND period_end = :end"
        ),
        {"kind": kind, "scope": scope, "start": start, "end": end},
    ).scalar()


def get_json(
    s: Session,
    kind: str,
    scope: str,
    start: datetime,
    end: datetime,
    params: str,
    parse: Callable[[Any], T],
) -> T | None:
    """The kept figure of that key as ``parse`` makes it from its JSON (:func:`put_json`),
    or None: none kept, or one that cannot be read any more (damaged, or written by a
    version whose shape ``parse`` refuses), which is dropped so that the caller's
    :func:`put_json` replaces it."""
    got = get(s, kind, scope, start, end, params)
    if got is None:
        return None
    try:
        return parse(json.loads(zlib.decompress(got.body)))
    except (ValueError, TypeError, KeyError, AttributeError, zlib.error):
        drop(s, kind, scope, start, end, params)
        return None


def put_json(
    s: Session,
    kind: str,
    scope: str,
    start: datetime,
    end: datetime,
    params: str,
    body: Any,
    *,
    keep_days: int = KEEP_DAYS,
) -> None:
    """:func:`put` of ``body`` as compressed JSON."""
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    put(s, kind, scope, start, end, params, zlib.compress(raw), keep_days=keep_days)


def through(
    s: Session,
    kind: str,
    scope: str,
    period: tuple[datetime, datetime],
    params: str,
    compute: Callable[[], T],
    dump: Callable[[T], Any],
    load: Callable[[Any], T],
    *,
    keep_days: int = KEEP_DAYS,
) -> T:
    """``compute()`` for a period still running; for a closed one its kept value (``load``
    of the JSON that ``dump`` made), else ``compute()`` kept. ``dump`` must give what JSON
    holds, and ``load`` must raise on a shape it does not know (:func:`get_json`)."""
    start, end = period
    if not closed(s, end):
        return compute()
    got = get_json(s, kind, scope, start, end, params, load)
    if got is not None:
        return got
    value = compute()
    put_json(s, kind, scope, start, end, params, dump(value), keep_days=keep_days)
    return value
