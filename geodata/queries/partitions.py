"""Monthly partitions of the incident timeline (``incident_event``, migration 0027).

The timeline is the largest table (about six events per incident) and only grows; it is
partitioned by calendar month (UTC) of ``at`` so that what is read by time (the wall's
last 24 hours, a period's states) touches one or two months, vacuum and index upkeep
work on a month at a time, and the retention of old notes can drop whole months.

A ``DEFAULT`` partition takes every row no monthly partition covers (a clock far off, an
import of old history), so no write ever fails for want of a partition. The upkeep
(:func:`ensure`, run by ``python app.py db upgrade`` and ``python app.py db partitions``,
as the schema owner) creates the months ahead, and gives every month found in the default
partition its own partition, moving its rows there in the same transaction.

The SQL is plain PostgreSQL (no pg_partman): two statements per month, and the moving of
rows out of the default partition, which pg_partman 4 does not do for us either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

PARENT: Final = "incident_event"
DEFAULT: Final = "incident_event_default"
MONTHS_AHEAD: Final = 3  # months after the current one that always have a partition


def month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def name_of(month: date) -> str:
    return f"{PARENT}_y{month.year:04d}m{month.month:02d}"


def _bound(month: date) -> str:
    return datetime(month.year, month.month, 1, tzinfo=UTC).isoformat()


@dataclass(frozen=True)
class Upkeep:
    """What :func:`ensure` did: the partitions it created, and the rows it moved out of
    the default partition into them."""

    created: tuple[str, ...]
    moved: int


def existing(s: Session) -> set[str]:
    """Names of the partitions of the timeline (the default one included)."""
    rows = s.execute(
        text("""SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                 WHERE i.inhparent = CAST(:p AS regclass)"""),
        {"p": PARENT},
    ).scalars()
    return set(rows)


def months_in_default(s: Session) -> list[date]:
    """The months that have rows in the default partition."""
    rows = s.execute(
        text(f"""SELECT DISTINCT date_trunc('month', at AT TIME ZONE 'UTC')::date
                   FROM {DEFAULT} ORDER BY 1""")
    ).scalars()
    return [month_start(d) for d in rows]


def _create(s: Session, month: date, from_default: bool) -> int:
    """Create the partition of ``month``; with ``from_default``, first move that month's
    rows out of the default partition into the new table, then attach it (PostgreSQL
    refuses a partition whose rows the default partition still holds)."""
    name, lo, hi = name_of(month), _bound(month), _bound(next_month(month))
    if not from_default:
        s.execute(
            text(f"""CREATE TABLE {name} PARTITION OF {PARENT}
                     FOR VALUES FROM ('{lo}') TO ('{hi}')""")
        )
        return 0
    s.execute(text(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"))
    moved = s.execute(
        text(f"""WITH gone AS (DELETE FROM {DEFAULT} WHERE at >= :lo AND at < :hi RETURNING *)
                 INSERT INTO {name} SELECT * FROM gone"""),
        {"lo": lo, "hi": hi},
    ).rowcount  # type: ignore[attr-defined]
    s.execute(
        text(f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES FROM ('{lo}') TO ('{hi}')")
    )
    return int(moved or 0)


def ensure(
    s: Session, today: date | None = None, ahead: int = MONTHS_AHEAD, since: date | None = None
) -> Upkeep:
    """Create the partitions of this month and the ``ahead`` next ones (and of every month
    from ``since``: a loader of history says where it starts, so its rows go straight to
    their months), and of every month the default partition holds rows of (moving them),
    in the caller's transaction (as the schema owner). Idempotent."""
    s.execute(text("SELECT pg_advisory_xact_lock(7302027)"))  # one upkeep at a time
    have = existing(s)
    month = month_start(today or datetime.now(UTC).date())
    wanted = {month}
    if since is not None:
        m = month_start(since)
        while m < month:
            wanted.add(m)
            m = next_month(m)
    for _ in range(ahead):
        month = next_month(month)
        wanted.add(month)
    stray = set(months_in_default(s))
    created, moved = [], 0
    for m in sorted(wanted | stray):
        if name_of(m) in have:
            continue
        moved += _create(s, m, m in stray)
        created.append(name_of(m))
    return Upkeep(tuple(created), moved)


def counts(s: Session) -> dict[str, int]:
    """Rows per partition (estimates from the statistics; exact for the default one)."""
    out = {
        str(r[0]): int(r[1])
        for r in s.execute(
            text("""SELECT c.relname, greatest(c.reltuples, 0)::bigint
                      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                     WHERE i.inhparent = CAST(:p AS regclass) ORDER BY 1"""),
            {"p": PARENT},
        )
    }
    out[DEFAULT] = int(s.execute(text(f"SELECT count(*) FROM {DEFAULT}")).scalar_one())
    return out
