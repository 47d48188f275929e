"""What the counters the writers keep share (migrations 0032 and 0033, like the coarse
rollup of 0028): a counts table, a delta log the statement triggers append to, and a
compaction function that folds the committed deltas in under an advisory lock. Here: the
compaction's call, the rebuild from ``incident`` and the check against a direct
``GROUP BY`` (``truth``: a statement with one row per counted thing and the key's
columns).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries.rollup import Drift


def compact(session: Session, lock: int, function: str, wait: bool = True) -> int | None:
    """Run the compaction ``function()`` under advisory lock ``lock``; returns the rows it
    wrote, or None when another compaction holds the lock and ``wait`` is false (the
    sweep then skips)."""
    if wait:
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock})
    elif not session.execute(
        text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": lock}
    ).scalar_one():
        return None
    return int(session.execute(text(f"SELECT {function}()")).scalar_one())


def rebuild(session: Session, lock: int, table: str, delta: str, key: str, truth: str) -> int:
    """Recompute ``table`` from ``incident`` in the caller's transaction (writers of
    incidents wait) and empty its log ``delta``; returns its row count."""
    session.execute(text("LOCK TABLE incident IN SHARE MODE"))
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock})
    session.execute(text(f"TRUNCATE {table}, {delta}"))
    rows = session.execute(
        text(f"""
        INSERT INTO {table} ({key}, n)
        SELECT {key}, count(*) FROM ({truth}) t GROUP BY {key} ORDER BY {key}""")
    ).rowcount  # type: ignore[attr-defined]
    session.execute(text(f"ANALYZE {table}"))
    return int(rows or 0)


def check(session: Session, table: str, delta: str, key: str, truth: str) -> Drift:
    """Compare ``table`` plus its pending ``delta`` rows with a direct ``GROUP BY`` of
    ``truth``: keys whose counts differ (``uncovered`` is always 0: no boxes here)."""
    cols = [c.strip() for c in key.split(",")]
    t_key = ", ".join(f"t.{c}" for c in cols)
    k_key = ", ".join(f"k.{c}" for c in cols)
    either = ", ".join(f"coalesce(t.{c}, k.{c})" for c in cols)
    rows = session.execute(
        text(f"""
        WITH truth AS (SELECT {key}, count(*) AS n FROM ({truth}) t GROUP BY {key}),
             kept AS (SELECT {key}, sum(n) AS n
                      FROM (SELECT {key}, n FROM {table}
                            UNION ALL SELECT {key}, n FROM {delta}) u
                      GROUP BY {key} HAVING sum(n) <> 0)
        SELECT CAST(ROW({either}) AS text), k.n, t.n
        FROM truth t FULL JOIN kept k ON ({k_key}) = ({t_key})
        WHERE t.n IS DISTINCT FROM k.n
        ORDER BY 1""")
    ).all()
    examples = tuple(
        (str(k), None if a is None else int(a), None if b is None else int(b))
        for k, a, b in rows[:5]
    )
    return Drift(len(rows), 0, examples)
