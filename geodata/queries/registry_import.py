"""SQL of the key-site and key-person register import (``governance/registry_import.py``).

Rows arrive validated, in WGS84, with their ids already allocated (a person's id is part
of the associated data of its encrypted identity, so it must be known before the
ciphertexts are made). Every statement takes whole columns as arrays (``unnest``): one
round trip per statement whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

# ----------------------------------------------------------------------------- look-ups
_GRIDS = text(
    """
    SELECT p.i, g.id, g.code
    FROM unnest(CAST(:idx AS int[]), CAST(:xs AS float8[]), CAST(:ys AS float8[])) AS p(i, x, y)
    LEFT JOIN LATERAL (
        SELECT a.id, a.code FROM area a
        WHERE a.level = 'grid' AND ST_Covers(a.geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))
        ORDER BY a.code LIMIT 1
    ) g ON true
    """
)


def grids_of(
    session: Session, points: Sequence[tuple[int, float, float]]
) -> dict[int, tuple[int, str] | None]:
    """Row index -> (grid id, grid code) of the grid covering its WGS84 point (None: in
    no grid). A point on a shared edge goes to the grid with the smaller code."""
    if not points:
        return {}
    idx, xs, ys = (list(c) for c in zip(*points, strict=True))
    rows = session.execute(_GRIDS, {"idx": idx, "xs": xs, "ys": ys}).all()
    return {int(i): (int(gid), str(code)) if gid is not None else None for i, gid, code in rows}


def communities(session: Session) -> list[dict[str, Any]]:
    """Every community: its name, its street's name and its label point (WGS84)."""
    sql = text(
        """
        SELECT c.id, c.code, c.name, s.name AS street,
               ST_X(c.label_point) AS lon, ST_Y(c.label_point) AS lat
        FROM area c LEFT JOIN area s ON s.id = c.parent_id
        WHERE c.level = 'community' ORDER BY c.code"""
    )
    return [dict(r) for r in session.execute(sql).mappings()]


def allocate_ids(session: Session, table: str, n: int) -> list[int]:
    """``n`` new ids from ``table``'s sequence (``key_site`` or ``key_person``)."""
    if table not in ("key_site", "key_person"):
        raise ValueError(f"no id sequence for {table}")
    if n == 0:
        return []
    sql = text(
        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, :n)"
    )
    return [int(v) for v in session.execute(sql, {"n": n}).scalars()]


# ----------------------------------------------------------------------------- sites
def existing_sites(
    session: Session, codes: Sequence[str], ids: Sequence[int], names: Sequence[str]
) -> list[dict[str, Any]]:
    """Stored sites a file's rows may stand for: by code, by id, or (no code stored) by
    name."""
    sql = text(
        """
        SELECT s.id, s.code, s.name, s.site_type, s.risk_grade, s.address, s.grid_id,
               ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat
        FROM key_site s
        WHERE s.code = ANY(CAST(:codes AS text[])) OR s.id = ANY(CAST(:ids AS int[]))
           OR (s.code IS NULL AND s.name = ANY(CAST(:names AS text[])))"""
    )
    params = {"codes": list(codes), "ids": list(ids), "names": list(names)}
    return [dict(r) for r in session.execute(sql, params).mappings()]


_SITE_COLUMNS = """unnest(
        CAST(:id AS int[]), CAST(:code AS text[]), CAST(:name AS text[]),
        CAST(:site_type AS text[]), CAST(:risk_grade AS smallint[]), CAST(:address AS text[]),
        CAST(:grid_id AS int[]), CAST(:lon AS float8[]), CAST(:lat AS float8[]))
    AS r(id, code, name, site_type, risk_grade, address, grid_id, lon, lat)"""


def _columns(rows: Sequence[dict[str, Any]], names: Sequence[str]) -> dict[str, list[Any]]:
    return {n: [r[n] for r in rows] for n in names}


SITE_FIELDS = ("id", "code", "name", "site_type", "risk_grade", "address", "grid_id", "lon", "lat")


def insert_sites(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """New key sites (ids allocated by :func:`allocate_ids`)."""
    if not rows:
        return
    sql = f"""
        INSERT INTO key_site (id, code, name, site_type, risk_grade, address, grid_id, geom)
        SELECT r.id, r.code, r.name, r.site_type, r.risk_grade, r.address, r.grid_id,
               ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326)
        FROM {_SITE_COLUMNS}"""
    session.execute(text(sql), _columns(rows, SITE_FIELDS))


def update_sites(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Stored key sites changed in place (same ids)."""
    if not rows:
        return
    sql = f"""
        UPDATE key_site s SET code = r.code, name = r.name, site_type = r.site_type,
               risk_grade = r.risk_grade, address = r.address, grid_id = r.grid_id,
               geom = ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326)
        FROM {_SITE_COLUMNS}
        WHERE s.id = r.id"""
    session.execute(text(sql), _columns(rows, SITE_FIELDS))


# ----------------------------------------------------------------------------- persons
def existing_persons(
    session: Session, codes: Sequence[str], blind: Sequence[bytes]
) -> list[dict[str, Any]]:
    """Stored key persons with their encrypted identity, by code or by the blind index
    of the ID number (the caller's row-level-security scope applies)."""
    sql = text(
        """
        SELECT p.id, p.code, p.category, p.care_level, p.grid_id, g.code AS grid_code,
               ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat,
               i.full_name_enc, i.phone_enc, i.address_enc, i.id_number_bidx
        FROM key_person p
        JOIN area g ON g.id = p.grid_id
        LEFT JOIN key_person_identity i ON i.person_id = p.id
        WHERE p.code = ANY(CAST(:codes AS text[]))
           OR i.id_number_bidx = ANY(CAST(:blind AS bytea[]))"""
    )
    params = {"codes": list(codes), "blind": [bytes(b) for b in blind]}
    out = []
    for r in session.execute(sql, params).mappings():
        row = dict(r)
        for k in ("full_name_enc", "phone_enc", "address_enc", "id_number_bidx"):
            row[k] = bytes(row[k]) if row[k] is not None else None
        out.append(row)
    return out


PERSON_FIELDS = ("id", "code", "category", "care_level", "grid_id", "lon", "lat")
IDENTITY_FIELDS = (
    "id",
    "full_name_enc",
    "id_number_enc",
    "phone_enc",
    "address_enc",
    "id_number_bidx",
)
_PERSON_COLUMNS = """unnest(
        CAST(:id AS int[]), CAST(:code AS text[]), CAST(:category AS text[]),
        CAST(:care_level AS smallint[]), CAST(:grid_id AS int[]),
        CAST(:lon AS float8[]), CAST(:lat AS float8[]))
    AS r(id, code, category, care_level, grid_id, lon, lat)"""
_IDENTITY_COLUMNS = """unnest(
        CAST(:id AS int[]), CAST(:full_name_enc AS bytea[]), CAST(:id_number_enc AS bytea[]),
        CAST(:phone_enc AS bytea[]), CAST(:address_enc AS bytea[]),
        CAST(:id_number_bidx AS bytea[]))
    AS r(id, full_name_enc, id_number_enc, phone_enc, address_enc, id_number_bidx)"""


def insert_persons(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """New key persons and their encrypted identities."""
    if not rows:
        return
    session.execute(
        text(
            f"""
            INSERT INTO key_person (id, code, category, care_level, grid_id, geom)
            SELECT r.id, r.code, r.category, r.care_level, r.grid_id,
                   ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326)
            FROM {_PERSON_COLUMNS}"""
        ),
        _columns(rows, PERSON_FIELDS),
    )
    session.execute(
        text(
            f"""
            INSERT INTO key_person_identity (person_id, full_name_enc, id_number_enc,
                   phone_enc, address_enc, id_number_bidx)
            SELECT r.id, r.full_name_enc, r.id_number_enc, r.phone_enc, r.address_enc,
                   r.id_number_bidx
            FROM {_IDENTITY_COLUMNS}"""
        ),
        _columns(rows, IDENTITY_FIELDS),
    )


def update_persons(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Stored key persons and their identities changed in place (same ids)."""
    if not rows:
        return
    session.execute(
        text(
            f"""
            UPDATE key_person p SET code = r.code, category = r.category,
                   care_level = r.care_level, grid_id = r.grid_id,
                   geom = ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326)
            FROM {_PERSON_COLUMNS}
            WHERE p.id = r.id"""
        ),
        _columns(rows, PERSON_FIELDS),
    )
    session.execute(
        text(
            f"""
            INSERT INTO key_person_identity AS i (person_id, full_name_enc, id_number_enc,
                   phone_enc, address_enc, id_number_bidx)
            SELECT r.id, r.full_name_enc, r.id_number_enc, r.phone_enc, r.address_enc,
                   r.id_number_bidx
            FROM {_IDENTITY_COLUMNS}
            ON CONFLICT (person_id) DO UPDATE SET full_name_enc = EXCLUDED.full_name_enc,
                   id_number_enc = EXCLUDED.id_number_enc, phone_enc = EXCLUDED.phone_enc,
                   address_enc = EXCLUDED.address_enc,
                   id_number_bidx = EXCLUDED.id_number_bidx"""
        ),
        _columns(rows, IDENTITY_FIELDS),
    )
