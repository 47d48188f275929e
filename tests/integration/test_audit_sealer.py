"""The audit chain under concurrent writers (migration 0026_audit_sealer): writers never
wait for one another's open transactions, and the sealer still links every committed
record in id order, whatever order the writers commit in, skipping the ids of rolled-back
ones; a sealed row cannot be "sealed" again.

Each test opens its own connections (real commits, marked ``commits``); the records it
adds stay in the shared trail as any record does, and the chain verifies after each."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, create_engine, pool, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from geodata.db import session_scope
from geodata.queries import audit as q
from governance import audit

pytestmark = pytest.mark.commits


@contextmanager
def open_tx(url: str, *, user: str | None = None) -> Iterator[Connection]:
    """A connection of its own with a transaction the test commits or rolls back."""
    u = make_url(url) if user is None else make_url(url).set(username=user)
    eng = create_engine(u, poolclass=pool.NullPool)
    try:
        with eng.connect() as conn:
            conn.begin()
            yield conn
    finally:
        eng.dispose()


def _record(conn: Connection, name: str) -> int:
    return int(
        conn.execute(
            text("INSERT INTO audit_log (action, username) VALUES ('login', :u) RETURNING id"),
            {"u": name},
        ).scalar_one()
    )


def _seal(url: str) -> int:
    with session_scope(url) as s:
        return q.seal_pending(s)


def _hashes(url: str, ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    with session_scope(url) as s:
        rows = s.execute(
            text("""SELECT id, encode(prev_hash, 'hex'), encode(row_hash, 'hex')
                    FROM audit_log WHERE id = ANY(:ids)"""),
            {"ids": ids},
        ).all()
    return {int(r[0]): (r[1], r[2]) for r in rows}


def test_a_writer_does_not_wait_for_an_open_one(db_url: str) -> None:
    """A transaction that recorded and stays open does not hold up the next writer (it
    used to: the chain lock was held until the first one ended)."""
    with open_tx(db_url) as first:
        a = _record(first, "sealer-open")
        with open_tx(db_url) as second:
            second.execute(text("SET LOCAL lock_timeout = '2s'"))
            b = _record(second, "sealer-second")
            second.commit()
        assert b > a
        _seal(db_url)
        assert _hashes(db_url, [b])[b] == (None, None)  # waits for `a` to be decided
        first.commit()
    _seal(db_url)
    got = _hashes(db_url, [a, b])
    assert got[b][0] == got[a][1] and None not in got[a] + got[b]  # linked in id order
    with session_scope(db_url) as s:
        assert audit.verify(s, since_id=a).ok and audit.verify(s).ok


def test_rolled_back_ids_are_skipped(db_url: str) -> None:
    with open_tx(db_url) as gone:
        lost = _record(gone, "sealer-rolled-back")
        with open_tx(db_url) as kept:
            c = _record(kept, "sealer-kept")
            kept.commit()
        gone.rollback()
    _seal(db_url)
    with session_scope(db_url) as s:
        assert q.head_id(s) is not None and q.head_id(s) >= c
        before = s.execute(
            text("SELECT max(id) FROM audit_log WHERE id < :c"), {"c": c}
        ).scalar_one()
        assert before is not None and before < lost  # the gap is just a gap
        assert audit.verify(s, since_id=before).ok
    got = _hashes(db_url, [before, c])
    assert got[c][0] == got[before][1]


def test_a_sealed_row_cannot_be_sealed_again(db_url: str, owner_url: str) -> None:
    (rid,) = [audit.record_now(action="login", username="sealer-twice")]
    with pytest.raises(DBAPIError, match="append-only"), session_scope(owner_url, admin=True) as s:
        s.execute(text("SET LOCAL minqing.audit_seal = 'on'"))
        s.execute(
            text("UPDATE audit_log SET row_hash = sha256('x'::bytea) WHERE id = :id"), {"id": rid}
        )
    with session_scope(db_url) as s:
        assert audit.verify(s, since_id=rid).ok


def test_an_unsealed_row_below_the_head_breaks_the_chain(db_url: str) -> None:
    """Hashes wiped from a sealed row (by someone with the rights to skip the triggers)
    are found, as any other change is."""
    a, b = (audit.record_now(action="login", username=f"sealer-wipe-{i}") for i in range(2))
    with open_tx(db_url, user="postgres") as su:
        su.execute(text("SET LOCAL session_replication_role = replica"))
        saved = su.execute(
            text("SELECT prev_hash, row_hash FROM audit_log WHERE id = :id"), {"id": a}
        ).one()
        su.execute(
            text("UPDATE audit_log SET prev_hash = NULL, row_hash = NULL WHERE id = :id"),
            {"id": a},
        )
        su.commit()
    try:
        with session_scope(db_url) as s:
            result = audit.verify(s, since_id=a)
        assert (result.ok, result.first_bad_id) == (False, a)
    finally:
        with open_tx(db_url, user="postgres") as su:
            su.execute(text("SET LOCAL session_replication_role = replica"))
            su.execute(
                text("UPDATE audit_log SET prev_hash = :p, row_hash = :r WHERE id = :id"),
                {"p": saved[0], "r": saved[1], "id": a},
            )
            su.commit()
    with session_scope(db_url) as s:
        assert audit.verify(s).ok and b > a


def test_a_writer_in_flight_in_another_database_does_not_hold_this_one_up(
    db_url: str, owner_url: str
) -> None:
    """The in-flight marks are advisory locks, and pg_locks shows the whole cluster: a
    writer open in another database of it (another installation, a benchmark, a parallel
    test worker) marks ids of that database's own sequence and must not stop this
    database's chain (it did: the export of a parallel test run found nothing sealed)."""
    draw_ns = 0x61756466  # the in-flight marks' namespace (migration 0026_audit_sealer)
    elsewhere = make_url(owner_url).set(database="postgres").render_as_string(False)
    with open_tx(elsewhere) as other:
        # a writer "in flight" over there with a first id of 1, below every id here
        other.execute(text("SELECT pg_advisory_xact_lock(:ns, 1)"), {"ns": draw_ns})
        with open_tx(db_url) as here:
            mine = _record(here, "sealer-cluster")
            here.commit()
        _seal(db_url)
        assert _hashes(db_url, [mine])[mine][1] is not None  # sealed all the same
        other.rollback()
