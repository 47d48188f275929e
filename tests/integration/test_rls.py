"""Row-level security and the app role: defence in depth under the application's checks.

The application connects as an unprivileged role; key persons, their identities and
incident reporters are visible only within the area scope set for the transaction, even
to SQL that forgets every filter.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from geodata.db import ALL_AREAS, session_scope

RLS_TABLES = ("key_person", "key_person_identity", "incident_reporter")


def _street_prefix(session) -> str:  # type: ignore[no-untyped-def]
    """The 9-digit code prefix of the demo supervisor's street."""
    return session.execute(
        text("""SELECT left(a.code, 9) FROM app_user u JOIN area a ON a.id = u.area_id
                WHERE u.username = 'supervisor'""")
    ).scalar_one()


def _owner_counts(session, prefix: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Rows per table in the subtree of ``prefix``, counted as the owner (sees all)."""
    return dict(
        session.execute(
            text("""
        SELECT 'key_person', count(*) FROM key_person p JOIN area a ON a.id = p.grid_id
            WHERE starts_with(a.code, :p)
        UNION ALL
        SELECT 'key_person_identity', count(*) FROM key_person_identity i
            JOIN key_person p ON p.id = i.person_id JOIN area a ON a.id = p.grid_id
            WHERE starts_with(a.code, :p)
        UNION ALL
        SELECT 'incident_reporter', count(*) FROM incident_reporter r
            JOIN incident i ON i.id = r.incident_id JOIN area a ON a.id = i.grid_id
            WHERE starts_with(a.code, :p)"""),
            {"p": prefix},
        ).all()
    )


def _app_counts(db_url: str, scope: str | None) -> dict[str, int]:
    with session_scope(db_url, scope=scope) as s:
        return {t: s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in RLS_TABLES}


def test_app_role_is_not_privileged(db_url: str) -> None:
    with session_scope(db_url) as s:
        row = s.execute(
            text("""SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb
                    FROM pg_roles WHERE rolname = current_user""")
        ).one()
        forced = s.execute(
            text("SELECT relname FROM pg_class WHERE relforcerowsecurity AND relrowsecurity")
        ).scalars()
        assert set(RLS_TABLES) <= set(forced)
    assert tuple(row) == (False, False, False, False)


def test_unfiltered_sql_sees_only_the_scope(db_url: str, session) -> None:  # type: ignore[no-untyped-def]
    prefix = _street_prefix(session)
    everything = {
        t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in RLS_TABLES
    }
    street = _owner_counts(session, prefix)
    assert 0 < street["key_person"] < everything["key_person"]
    assert 0 < street["incident_reporter"] < everything["incident_reporter"]
    # no scope set: fail closed
    assert _app_counts(db_url, None) == dict.fromkeys(RLS_TABLES, 0)
    assert _app_counts(db_url, prefix) == street
    assert _app_counts(db_url, ALL_AREAS) == everything
    # a neighbouring street's prefix sees that street only
    other = session.execute(
        text("""SELECT code FROM area WHERE level = 'street' AND code NOT LIKE :p || '%'
                ORDER BY code LIMIT 1"""),
        {"p": prefix},
    ).scalar_one()[:9]
    assert _app_counts(db_url, other) == _owner_counts(session, other)


def test_scope_is_per_transaction(db_url: str, session) -> None:  # type: ignore[no-untyped-def]
    prefix = _street_prefix(session)
    assert _app_counts(db_url, prefix)["key_person"] > 0
    # the same pooled connection, next transaction, no scope: nothing
    assert _app_counts(db_url, None)["key_person"] == 0


def test_writes_outside_the_scope_are_refused(db_url: str, session) -> None:  # type: ignore[no-untyped-def]
    prefix = _street_prefix(session)
    outside = session.execute(
        text("""SELECT id FROM area WHERE level = 'grid' AND NOT starts_with(code, :p)
                ORDER BY id LIMIT 1"""),
        {"p": prefix},
    ).scalar_one()
    inside_person = session.execute(
        text("""SELECT p.id FROM key_person p JOIN area a ON a.id = p.grid_id
                WHERE starts_with(a.code, :p) ORDER BY p.id LIMIT 1"""),
        {"p": prefix},
    ).scalar_one()
    with (
        pytest.raises(DBAPIError, match="row-level security"),
        session_scope(db_url, scope=prefix) as s,
    ):
        s.execute(
            text("""INSERT INTO key_person (category, care_level, grid_id, geom)
                    VALUES ('elderly_alone', 1, :g, ST_SetSRID(ST_MakePoint(115.3, 22.8), 4326))"""),
            {"g": outside},
        )
    # moving a person of one's own street into another street is refused too
    with (
        pytest.raises(DBAPIError, match="row-level security"),
        session_scope(db_url, scope=prefix) as s,
    ):
        s.execute(
            text("UPDATE key_person SET grid_id = :g WHERE id = :id"),
            {"g": outside, "id": inside_person},
        )
    # and a person outside the scope cannot be changed or deleted: zero rows match
    with session_scope(db_url, scope=prefix) as s:
        hit = s.execute(text("DELETE FROM key_person WHERE grid_id = :g"), {"g": outside}).rowcount  # type: ignore[attr-defined]
        assert hit == 0
        s.rollback()


def test_grid_code_lookup_reveals_no_identity(db_url: str, session) -> None:  # type: ignore[no-untyped-def]
    """key_person_grid_code (SECURITY DEFINER) answers "which grid" for any id and
    nothing else: it is how an out-of-scope id becomes a 403 instead of a 404."""
    from geodata.queries.persons import person_grid_code

    prefix = _street_prefix(session)
    pid, code = session.execute(
        text("""SELECT p.id, a.code FROM key_person p JOIN area a ON a.id = p.grid_id
                WHERE NOT starts_with(a.code, :p) ORDER BY p.id LIMIT 1"""),
        {"p": prefix},
    ).one()
    with session_scope(db_url, scope=prefix) as s:
        assert (
            s.execute(
                text("SELECT count(*) FROM key_person WHERE id = :id"), {"id": pid}
            ).scalar_one()
            == 0
        )
        assert person_grid_code(s, pid) == code
        assert person_grid_code(s, 10**9) is None


def test_app_role_cannot_alter_policies_or_read_secrets_of_the_schema(db_url: str) -> None:
    for sql in (
        "ALTER TABLE key_person DISABLE ROW LEVEL SECURITY",
        "DROP POLICY key_person_scope ON key_person",
        "SET row_security = off; SELECT count(*) FROM key_person",
        "CREATE TABLE sneaky (id int)",
    ):
        with pytest.raises(DBAPIError), session_scope(db_url) as s:
            s.execute(text(sql))
