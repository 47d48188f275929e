"""SQL of the shared rate limits (table ``rate_limit``, migration 0011).

A limit counts in windows of fixed length; a count is the current window's plus the
previous window's weighted by how much of it still overlaps the last ``seconds`` (the
sliding-window estimate: no burst of twice the limit across a window boundary). Each
statement is one round trip on the primary key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Counts:
    """One bucket: this window's and the previous window's counters, and how far into
    this window we are (0..1)."""

    hits: int
    refused: int
    audited: int
    prev_hits: int
    prev_refused: int
    prev_audited: int
    elapsed: float

    def estimate(self) -> float:
        """Hits in the last window length (sliding estimate)."""
        return self.hits + self.prev_hits * (1.0 - self.elapsed)


_WINDOW = """
    to_timestamp(floor(extract(epoch FROM now()) / :s) * :s) AS cur,
    to_timestamp(floor(extract(epoch FROM now()) / :s) * :s - :s) AS prev,
    (extract(epoch FROM now()) - floor(extract(epoch FROM now()) / :s) * :s) / :s AS elapsed
"""

_READ = f"""
WITH w AS (SELECT {_WINDOW})
SELECT coalesce(c.hits, 0), coalesce(c.refused, 0), coalesce(c.audited, 0),
       coalesce(p.hits, 0), coalesce(p.refused, 0), coalesce(p.audited, 0), w.elapsed
FROM w
LEFT JOIN rate_limit c ON c.bucket = :b AND c.window_start = w.cur
LEFT JOIN rate_limit p ON p.bucket = :b AND p.window_start = w.prev
"""

_ADD = f"""
WITH w AS (SELECT {_WINDOW}),
cur AS (
    INSERT INTO rate_limit (bucket, window_start, hits, refused, audited)
    SELECT :b, w.cur, :hits, :refused, :audited FROM w
    ON CONFLICT (bucket, window_start) DO UPDATE SET
        hits = rate_limit.hits + excluded.hits,
        refused = rate_limit.refused + excluded.refused,
        audited = rate_limit.audited + excluded.audited
    RETURNING hits, refused, audited
)
SELECT cur.hits, cur.refused, cur.audited,
       coalesce(p.hits, 0), coalesce(p.refused, 0), coalesce(p.audited, 0), w.elapsed
FROM cur CROSS JOIN w
LEFT JOIN rate_limit p ON p.bucket = :b AND p.window_start = w.prev
"""


def _counts(row: Any) -> Counts:
    h, r, a, ph, pr, pa, elapsed = row
    return Counts(int(h), int(r), int(a), int(ph), int(pr), int(pa), float(elapsed))


def read(session: Session, bucket: str, seconds: int) -> Counts:
    return _counts(session.execute(text(_READ), {"b": bucket, "s": seconds}).one())


def add(
    session: Session,
    bucket: str,
    seconds: int,
    *,
    hits: int = 0,
    refused: int = 0,
    audited: int = 0,
) -> Counts:
    """Add to this window's counters (creating the row); the counters after it."""
    row = session.execute(
        text(_ADD),
        {"b": bucket, "s": seconds, "hits": hits, "refused": refused, "audited": audited},
    ).one()
    return _counts(row)


def settle(session: Session, bucket: str) -> int:
    """Mark every refusal of ``bucket`` that no audit record reported as reported now
    (by the record the caller writes); how many there were."""
    rows = session.execute(
        text(
            "UPDATE rate_limit r SET audited = r.refused FROM ("
            "  SELECT window_start, refused - audited AS n FROM rate_limit"
            "  WHERE bucket = :b AND refused > audited FOR UPDATE"
            ") o WHERE r.bucket = :b AND r.window_start = o.window_start RETURNING o.n"
        ),
        {"b": bucket},
    ).all()
    return sum(int(n) for (n,) in rows)


def unreported(session: Session, before: datetime) -> list[tuple[str, datetime, int]]:
    """(bucket, window start, refusals without an audit record) of windows that ended
    before ``before``, locked until the transaction ends."""
    rows = session.execute(
        text(
            "SELECT bucket, window_start, refused - audited FROM rate_limit "
            "WHERE window_start < :t AND refused > audited ORDER BY window_start "
            "FOR UPDATE SKIP LOCKED"
        ),
        {"t": before},
    ).all()
    return [(str(b), w, int(n)) for b, w, n in rows]


def purge(session: Session, before: datetime) -> int:
    """Forget windows that ended before ``before``."""
    result = session.execute(text("DELETE FROM rate_limit WHERE window_start < :t"), {"t": before})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
