"""Audit trail on the real PostGIS: sealing, append-only rules, tamper detection, purge,
concurrency, and the classification registry against the migrated schema.

The test database is shared by the whole session, so these tests never truncate
``audit_log``: they check the chain from their own first record (``since_id``) and put
back what they tamper with, so the full chain verifies again afterwards. Tampering goes
through a separate superuser connection in ``session_replication_role = replica``, which
skips the triggers, as an attacker with database rights would.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, create_engine, pool, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from geodata.db import session_scope
from governance import audit
from governance.errors import InvalidInput
from governance.uow import unit_of_work

ZERO = bytes(32)


@contextmanager
def superuser(url: str, *, replica: bool = True) -> Iterator[Connection]:
    """A transaction on a separate connection as 'postgres', triggers off if ``replica``."""
    eng = create_engine(make_url(url).set(username="postgres"), poolclass=pool.NullPool)
    try:
        with eng.begin() as conn:
            if replica:
                conn.execute(text("SET LOCAL session_replication_role = replica"))
            yield conn
    finally:
        eng.dispose()


def _records(n: int, tag: str) -> list[int]:
    return [
        audit.record_now(
            action="data_change",
            username=f"{tag}-{i}",
            role="supervisor",
            object_type="incident",
            object_id=i,
            detail={"i": i, "tag": tag},
        )
        for i in range(n)
    ]


def _field(v: object) -> str:
    return "~" if v is None else f"{len(str(v))}:{v}"


def canonical(row: dict) -> str:
    """The canonical text of a row, rebuilt in Python from the documented format."""
    import json

    at = row["at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    detail = (
        None
        if row["detail"] is None
        else json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)
    )
    fields = [
        row["id"],
        at,
        row["user_id"],
        row["username"],
        row["role"],
        row["action"],
        row["object_type"],
        row["object_id"],
        row["outcome"],
        row["client_addr"],
        row["reason"],
        detail,
    ]
    return "|".join(["v1", *(_field(f) for f in fields)])


def test_record_seals_rows_and_verifies(db_url: str) -> None:
    ids = _records(3, "seal")
    assert ids == sorted(ids) and len(set(ids)) == 3
    with session_scope(db_url) as s:
        rows = {
            r["id"]: r for r in audit.search(s, object_type="incident", limit=50) if r["id"] in ids
        }
        assert audit.verify(s, since_id=ids[0]).ok
        full = audit.verify(s)
    assert full.ok and full.reason == "ok" and full.rows >= 3 and full.head_id is not None
    assert "intact" in full.message("en")
    for a, b in zip(ids, ids[1:], strict=False):
        assert rows[b]["prev_hash"] == rows[a]["row_hash"]
    # The hash is sha256(prev_hash || canonical text): reproducible outside the database
    # (keys of this detail are one character long, where jsonb and sorted JSON agree).
    r = rows[ids[1]]
    expected = hashlib.sha256(bytes.fromhex(r["prev_hash"]) + canonical(r).encode()).hexdigest()
    assert r["row_hash"] == expected


def test_client_cannot_choose_id_time_or_hashes(db_url: str) -> None:
    with session_scope(db_url) as s:
        rid = s.execute(
            text("""
            INSERT INTO audit_log (id, at, action, prev_hash, row_hash)
            VALUES (1, '2000-01-01', 'login', :z, :z) RETURNING id"""),
            {"z": ZERO},
        ).scalar_one()
        row = s.execute(
            text("SELECT at, row_hash FROM audit_log WHERE id = :id"), {"id": rid}
        ).one()
        assert row.row_hash is None  # not the client's: unsealed until its commit
    with session_scope(db_url) as s:
        assert audit.verify(s).ok  # seals what is pending first
        sealed = s.execute(
            text("SELECT row_hash FROM audit_log WHERE id = :id"), {"id": rid}
        ).scalar_one()
    assert rid != 1 and row.at.year > 2000 and bytes(sealed) != ZERO


def test_search_filters(session) -> None:
    rid = audit.record(
        session,
        action="export",
        username="search-probe",
        role="commander",
        object_type="layer",
        object_id="incidents",
        client_addr="10.1.2.3",
        reason="weekly report",
        detail={"rows": 12, "format": "csv"},
    )
    found = audit.search(
        session,
        username="search-probe",
        action="export",
        since=date.today() - timedelta(days=1),
        object_type="layer",
        object_id="incidents",
    )
    assert [r["id"] for r in found] == [rid]
    assert found[0]["detail"] == {"rows": 12, "format": "csv"}
    assert found[0]["client_addr"] == "10.1.2.3" and found[0]["outcome"] == "success"
    assert audit.search(session, username="search-probe", until=date(2000, 1, 1)) == []
    with pytest.raises(ValueError):
        audit.record(session, action="export", outcome="maybe")


def test_update_is_rejected_and_row_intact(db_url: str, owner_url: str) -> None:
    (rid,) = _records(1, "update")
    # The app role holds no UPDATE privilege; the owner has it, and the trigger says no.
    with pytest.raises(DBAPIError, match="permission denied"), session_scope(db_url) as s:
        s.execute(text("UPDATE audit_log SET username = 'mallory' WHERE id = :id"), {"id": rid})
    with pytest.raises(DBAPIError, match="append-only"), session_scope(owner_url, admin=True) as s:
        s.execute(text("UPDATE audit_log SET username = 'mallory' WHERE id = :id"), {"id": rid})
    with session_scope(db_url) as s:
        assert (
            s.execute(
                text("SELECT username FROM audit_log WHERE id = :id"), {"id": rid}
            ).scalar_one()
            == "update-0"
        )
        assert audit.verify(s, since_id=rid).ok


def test_delete_and_truncate_are_rejected(db_url: str, owner_url: str) -> None:
    (rid,) = _records(1, "delete")
    for sql in ("DELETE FROM audit_log WHERE id = :id", "TRUNCATE audit_log"):
        with pytest.raises(DBAPIError, match="permission denied"), session_scope(db_url) as s:
            s.execute(text(sql), {"id": rid})
    # The owner may DELETE and TRUNCATE in principle; the triggers refuse.
    owner = {"url": owner_url, "admin": True}
    with pytest.raises(DBAPIError, match="only by audit_log_purge"), session_scope(**owner) as s:
        s.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": rid})
    # Setting the purge flag by hand does not help with a fresh row.
    with pytest.raises(DBAPIError, match="retention"), session_scope(**owner) as s:
        s.execute(text("SET LOCAL minqing.audit_purge = 'on'"))
        s.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": rid})
    with pytest.raises(DBAPIError, match="TRUNCATE"), session_scope(**owner) as s:
        s.execute(text("TRUNCATE audit_log"))
    with session_scope(db_url) as s:
        assert (
            s.execute(
                text("SELECT count(*) FROM audit_log WHERE id = :id"), {"id": rid}
            ).scalar_one()
            == 1
        )


@pytest.mark.commits
def test_repeatable_read_writers_are_refused(db_url: str) -> None:
    """Needs commits: it opens its own REPEATABLE READ transaction, which a savepoint of
    the test's transaction cannot be; it writes nothing."""
    with pytest.raises(DBAPIError, match="READ COMMITTED"), session_scope(db_url) as s:
        s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        audit.record(s, action="login")


@pytest.mark.commits
def test_tampered_middle_row_is_named(db_url: str) -> None:
    """Needs commits: the superuser connection that alters the row must see it; the row
    is restored, and audit rows disturb no other test."""
    a, b, c = _records(3, "tamper")
    with superuser(db_url) as conn:
        conn.execute(
            text("UPDATE audit_log SET username = 'someone-else' WHERE id = :id"), {"id": b}
        )
    try:
        with session_scope(db_url) as s:
            result = audit.verify(s, since_id=a)
            assert not audit.verify(s).ok  # the whole trail fails too
        assert (result.ok, result.first_bad_id, result.reason) == (False, b, "row_hash_mismatch")
        assert str(b) in result.message("en")
    finally:
        with superuser(db_url) as conn:
            conn.execute(
                text("UPDATE audit_log SET username = 'tamper-1' WHERE id = :id"), {"id": b}
            )
    with session_scope(db_url) as s:
        assert audit.verify(s).ok


@pytest.mark.commits
def test_deleted_middle_row_names_the_next(db_url: str) -> None:
    """Needs commits: the superuser connection that deletes the row must see it; the row
    is put back, and audit rows disturb no other test."""
    a, b, c = _records(3, "gap")
    with superuser(db_url) as conn:
        saved = conn.execute(
            text("SELECT to_jsonb(a)::text FROM audit_log a WHERE id = :id"), {"id": b}
        ).scalar_one()
        conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": b})
    try:
        with session_scope(db_url) as s:
            result = audit.verify(s, since_id=a)
        assert (result.ok, result.first_bad_id, result.reason) == (False, c, "prev_hash_mismatch")
    finally:
        with superuser(db_url) as conn:  # put the row back exactly as it was
            conn.execute(
                text(
                    "INSERT INTO audit_log SELECT * FROM "
                    "jsonb_populate_record(NULL::audit_log, CAST(:r AS jsonb))"
                ),
                {"r": saved},
            )
    with session_scope(db_url) as s:
        assert audit.verify(s).ok


@pytest.mark.commits
def test_purge_refuses_within_retention(db_url: str) -> None:
    """Needs real commits: the refusal is recorded in a transaction of its own while the
    refused unit of work is open, and must outlive that unit's rollback (in the shared
    rolled-back transaction both would be savepoints of one connection)."""
    from cli.audit import audit as audit_cli

    with session_scope(db_url) as s:
        before = s.execute(text("SELECT count(*), min(id) FROM audit_log")).one()
    recent = audit.retention_limit() + timedelta(days=1)
    with pytest.raises(InvalidInput) as err, unit_of_work() as s:
        audit.purge_before(s, recent, username="pytest")
    assert "180" in err.value.user_message("en")
    res = CliRunner().invoke(audit_cli, ["purge", "--before", recent.isoformat(), "--lang", "en"])
    assert res.exit_code == 1 and "at least 180 days" in res.output
    with pytest.raises(DBAPIError, match="kept 180 days"), session_scope(db_url) as s:
        s.execute(text("SELECT audit_log_purge(now() - interval '179 days')"))
    with session_scope(db_url) as s:
        count, first = s.execute(text("SELECT count(*), min(id) FROM audit_log")).one()
        denied = audit.search(s, action="audit_purge", username="pytest")
    assert first == before[1] and count == before[0] + 2  # two refusals, each recorded
    assert denied and denied[0]["outcome"] == "denied"


@pytest.fixture
def private_db(db_url: str) -> Iterator[str]:
    """A database of its own, migrated to head, for tests that must forge history."""
    from geodata import migrate
    from tests.conftest import ADMIN_URL

    url = make_url(db_url).set(database=make_url(db_url).database + "_audit")
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    u = url.render_as_string(hide_password=False)
    owner = url.set(username="postgres").render_as_string(hide_password=False)
    try:
        migrate.upgrade(owner)  # as the owner; the test then acts as the app role
        yield u
    finally:
        from geodata.db import get_engine

        get_engine(u).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


def _backdate_and_reseal(url: str, ids: list[int], days: int) -> None:
    """Test-only forgery: move ``ids`` ``days`` into the past and re-seal the chain.

    ``at`` is set by the database and no API can back-date a record, so a record older
    than the retention period cannot be made honestly in a test. Instead, as superuser
    with triggers off, we change ``at`` and recompute every hash in id order exactly as
    the seal trigger does (same canonical function). The result is the chain the
    trigger would have written 200 days ago; the purge under test then runs the real
    sanctioned path (``audit_log_purge``) with every trigger on.
    """
    with superuser(url) as conn:
        conn.execute(
            text(
                "UPDATE audit_log SET at = now() - make_interval(days => :d) "
                "+ id * interval '1 second' WHERE id = ANY(:ids)"
            ),
            {"d": days, "ids": ids},
        )
        prev = ZERO
        for (rid,) in conn.execute(text("SELECT id FROM audit_log ORDER BY id")).all():
            prev = bytes(
                conn.execute(
                    text("""
                UPDATE audit_log a SET prev_hash = :p,
                    row_hash = sha256(CAST(:p AS bytea)
                                      || convert_to(audit_log_canonical(a), 'UTF8'))
                WHERE id = :id RETURNING row_hash"""),
                    {"p": prev, "id": rid},
                ).scalar_one()
            )


def test_purge_removes_old_rows_and_anchors_the_rest(private_db: str) -> None:
    from geodata import migrate
    from geodata.queries import audit as q

    with session_scope(private_db) as s:
        ids = [audit.record(s, action="login", username=f"old-{i}") for i in range(5)]
    _backdate_and_reseal(private_db, ids[:3], days=200)
    with session_scope(private_db) as s:
        assert audit.verify(s).ok
        before = datetime.combine(date.today() - timedelta(days=190), datetime.min.time(), UTC)
        assert q.purge(s, before, username="pytest") == 3
    with session_scope(private_db) as s:
        left = [r["id"] for r in audit.search(s)]
        result = audit.verify(s)
        (mark,) = audit.search(s, action="audit_purge")
    assert sorted(left) == [ids[3], ids[4], mark["id"]]
    assert result.ok and result.rows == 3
    assert mark["detail"]["deleted"] == 3 and mark["detail"]["last_deleted_id"] == ids[2]
    # Removing the oldest rows outside the sanctioned path leaves the start unanchored.
    with superuser(private_db) as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[3]})
    with session_scope(private_db) as s:
        result = audit.verify(s)
    assert (result.ok, result.first_bad_id, result.reason) == (False, ids[4], "unanchored_start")
    # A trail with records is not dropped by a schema downgrade.
    owner = make_url(private_db).set(username="postgres").render_as_string(hide_password=False)
    with pytest.raises(DBAPIError, match="drop_audit"):
        migrate.downgrade(owner, "0002")


@pytest.mark.commits
def test_concurrent_writers_keep_one_chain(db_url: str) -> None:
    """Needs commits: twenty threads on their own connections serialise on the chain's
    lock; the audit rows they add disturb no other test."""
    with session_scope(db_url) as s:
        start = s.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one()
    barrier = threading.Barrier(20)
    ids: list[int] = []
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            barrier.wait()
            ids.append(
                audit.record_now(action="login", username=f"thread-{i}", detail={"thread": i})
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors and len(set(ids)) == 20
    with session_scope(db_url) as s:
        n = s.execute(
            text("SELECT count(*) FROM audit_log WHERE id > :s"), {"s": start}
        ).scalar_one()
        ats = (
            s.execute(text("SELECT at FROM audit_log WHERE id > :s ORDER BY id"), {"s": start})
            .scalars()
            .all()
        )
        assert n == 20 and ats == sorted(ats)  # id order is time order
        assert audit.verify(s, since_id=min(ids)).ok
        assert audit.verify(s).ok


def test_verify_cli(db_url: str) -> None:
    from cli.audit import audit as audit_cli

    _records(1, "cli")
    res = CliRunner().invoke(audit_cli, ["verify", "--lang", "en"])
    assert res.exit_code == 0 and "intact" in res.output
    res = CliRunner().invoke(audit_cli, ["search", "--user", "cli-0", "--limit", "5"])
    assert res.exit_code == 0 and "cli-0" in res.output and "data_change" in res.output


def test_classification_registry_matches_schema(session) -> None:
    from governance.classification import REGISTRY

    rows = session.execute(
        text("""
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ANY(:t)"""),
        {"t": list(REGISTRY)},
    ).all()
    schema: dict[str, set[str]] = {}
    for tab, col in rows:
        schema.setdefault(tab, set()).add(col)
    for tab, cols in REGISTRY.items():
        assert tab in schema, f"registered table {tab} is not in the schema"
        assert set(cols) - schema[tab] == set(), f"{tab}: registered but not in the schema"
        assert schema[tab] - set(cols) == set(), f"{tab}: columns missing from the registry"
