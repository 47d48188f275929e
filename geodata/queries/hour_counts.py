"""Cases received and resolved in a window, from the counters per street x hour the writers
keep (migration ``0033_hour_counts``); their check, compaction and rebuild.

``incident_hour_count`` holds per kind, hour since 1970 (UTC) and street code prefix how
many cases were received (``reported_at``; counted ones: ``case_state.counted``), resolved
(``resolved_at``, with a deadline) and resolved on time (``case_state.resolved_on_time``);
per-statement deltas wait in ``incident_hour_delta`` until ``incident_hour_compact()``
folds them in, and readers add the pending deltas of their hours. A window's whole hours
are read from them, its partial hours at either end from the cases. The migration's
trigger holds the same definitions; :func:`check` would show a difference.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries import case_state as cs
from geodata.queries import counters
from geodata.queries.coarse import STREET_DIGITS
from geodata.queries.layers import scope_filter
from geodata.queries.open_counts import serves
from geodata.queries.rollup import Drift

KINDS: Final = ("received", "resolved", "on_time")
KEY: Final = "kind, hour, street"
COMPACT_LOCK: Final = 1_700_033  # migration 0033's advisory lock of the compaction
HOUR_SECONDS: Final = 3600

__all__ = ["KINDS", "check", "compact", "counts", "rebuild", "serves"]


def _hour(col: str) -> str:
    return f"floor(extract(epoch FROM {col}) / {HOUR_SECONDS})::integer"


def _at(hour: int) -> datetime:
    return datetime.fromtimestamp(hour * HOUR_SECONDS, UTC)


def _raw(label: int, tag: str, where: str) -> str:
    """Rows ``(label, kind, n)`` of the cases in ``[:x{tag}, :y{tag})``, every kind."""
    on_time = cs.resolved_on_time()
    return f"""
        SELECT '{label}', 'received', count(*) FROM incident i
        WHERE i.reported_at >= :x{tag} AND i.reported_at < :y{tag} AND {cs.counted()} {where}
        UNION ALL
        SELECT '{label}', k.kind, k.n
        FROM (SELECT count(*) AS resolved, count(*) FILTER (WHERE {on_time}) AS on_time
              FROM incident i
              WHERE i.resolved_at >= :x{tag} AND i.resolved_at < :y{tag}
                AND i.resolve_due_at IS NOT NULL {where}) r
        CROSS JOIN LATERAL (VALUES ('resolved', r.resolved), ('on_time', r.on_time)) k(kind, n)"""


def counts(
    session: Session,
    windows: Mapping[str, tuple[datetime, datetime]],
    scope: str | None,
    kept: bool = True,
) -> dict[str, dict[str, int]]:
    """``{window: {kind: n}}`` for each half-open window ``[a, b)`` (timezone-aware) in
    the area scope: the whole hours from the counters where they serve the scope, the rest
    from the cases (``kept=False``: all from the cases, for a check). One statement."""
    where, scoped = scope_filter(scope)
    params: dict[str, object] = dict(scoped)
    street = "AND street LIKE :scope" if scope else ""  # scope_filter's parameter
    use = kept and serves(scope)
    parts: list[str] = []
    for w, (a, b) in enumerate(windows.values()):
        ha = math.ceil(a.timestamp() / HOUR_SECONDS)
        hb = math.floor(b.timestamp() / HOUR_SECONDS)
        raw = [(a, b)]
        if use and ha < hb:
            raw = [(a, _at(ha)), (_at(hb), b)]
            params[f"ha{w}"], params[f"hb{w}"] = ha, hb
            for table in ("incident_hour_count", "incident_hour_delta"):
                parts.append(f"""
                    SELECT '{w}', kind, n FROM {table}
                    WHERE kind IN {KINDS!r} AND hour >= :ha{w} AND hour < :hb{w} {street}""")
        for k, (x, y) in enumerate(raw):
            if x < y:
                tag = f"{w}_{k}"
                params[f"x{tag}"], params[f"y{tag}"] = x, y
                parts.append(_raw(w, tag, where))
    out = {name: dict.fromkeys(KINDS, 0) for name in windows}
    if not parts:
        return out
    names = list(windows)
    sql = f"SELECT w, kind, sum(n) FROM ({' UNION ALL '.join(parts)}) u(w, kind, n) GROUP BY 1, 2"
    for w, kind, n in session.execute(text(sql), params):
        out[names[int(w)]][str(kind)] = int(n)
    return out


def _truth() -> str:
    resolved = "i.resolved_at IS NOT NULL AND i.resolve_due_at IS NOT NULL"
    return f"""
        SELECT k.kind, k.hour, coalesce(left(g.code, {STREET_DIGITS}), '') AS street
        FROM incident i LEFT JOIN area g ON g.id = i.grid_id
        CROSS JOIN LATERAL (VALUES
            ('received', CASE WHEN {cs.counted()} THEN {_hour("i.reported_at")} END),
            ('resolved', CASE WHEN {resolved} THEN {_hour("i.resolved_at")} END),
            ('on_time', CASE WHEN {cs.resolved_on_time()} THEN {_hour("i.resolved_at")} END)
        ) k(kind, hour)
        WHERE k.hour IS NOT NULL"""


def compact(session: Session, wait: bool = True) -> int | None:
    """Fold the committed deltas into the counters; returns the rows written, or None
    when another compaction holds the lock and ``wait`` is false (the sweep then skips)."""
    return counters.compact(session, COMPACT_LOCK, "incident_hour_compact", wait)


def rebuild(session: Session) -> int:
    """Recompute the counters from ``incident`` in the caller's transaction (writers of
    incidents wait); returns their row count."""
    return counters.rebuild(
        session, COMPACT_LOCK, "incident_hour_count", "incident_hour_delta", KEY, _truth()
    )


def check(session: Session) -> Drift:
    """Compare the counters plus pending deltas with a direct ``GROUP BY`` of the cases:
    keys whose counts differ."""
    return counters.check(session, "incident_hour_count", "incident_hour_delta", KEY, _truth())
