"""Bulk writing of the demo city with ``COPY ... FROM STDIN`` in the caller's transaction."""

from __future__ import annotations

import csv
import io
import itertools
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.crypto import cipher
from geodata.demo.catalog import GIVEN, SURNAMES
from geodata.demo.hierarchy import AreaRow
from geodata.demo.incidents import IncidentBatch
from geodata.demo.lifecycle import NEVER
from geodata.demo.sites_persons import ewkt_points
from geodata.demo.timeline import NULL_ID, Cut
from geodata.models import H3_RESOLUTIONS

log = logging.getLogger(__name__)

DEMO_TABLES = [
    "incident_reporter",
    "incident",
    "key_person_identity",
    "key_person",
    "key_site",
    "incident_category",
    "department",
    "area",
    "checklist_template",  # the demo's checklists (governance/demo_patrol.py)
]
AREA_COLUMNS = [
    "id",
    "code",
    "name",
    "level",
    "parent_id",
    "is_urban",
    "population",
    "worker_name",
    "worker_phone",
    "geom",
    "label_point",
]
SITE_COLUMNS = ["id", "name", "site_type", "risk_grade", "address", "grid_id", "geom"]
PERSON_COLUMNS = ["id", "category", "care_level", "grid_id", "geom"]
IDENTITY_COLUMNS = [
    "person_id",
    "full_name_enc",
    "id_number_enc",
    "phone_enc",
    "address_enc",
    "id_number_bidx",
]
REPORTER_COLUMNS = ["incident_id", "name_enc", "phone_enc", "phone_bidx"]
# Channels whose incidents come with a reporter's name and phone (hotline callers, the
# public report page); grid workers, police alerts and sensors do not.
REPORTED_SOURCES = ("hotline_12345", "public")
DEPARTMENT_COLUMNS = ["id", "code", "name_zh", "name_en", "area_id"]
CATEGORY_COLUMNS = [
    "code",
    "parent_code",
    "name_zh",
    "name_en",
    "color",
    "default_priority",
    "department_id",
    "sort_order",
]
INCIDENT_COLUMNS = [
    "id",
    "source",
    "external_id",
    "category_code",
    "occurred_at",
    "reported_at",
    "grid_id",
    "status",
    "priority",
    "description",
    "address",
    "geom",
    "h3_6",
    "h3_7",
    "h3_8",
    "h3_9",
    "h3_10",
    "version",
    "created_at",
    "updated_at",
    "lead_department_id",
    "assist_department_ids",
    "escalation_level",
    "dispatched_at",
    "accepted_at",
    "accept_due_at",
    "resolve_due_at",
    "resolved_at",
    "closed_at",
    "extension_requested_until",
    "suspended_from",
    "suspended_at",
    "merged_into_id",
    "reopen_count",
]
EVENT_COLUMNS = [
    "incident_id",
    "at",
    "action",
    "from_status",
    "to_status",
    "version",
    "actor_name",
    "actor_role",
    "actor_department_id",
    "note",
    "detail",
]
FEEDBACK_COLUMNS = ["incident_id", "rating", "channel", "at"]
READ_BYTES = 1 << 20  # what COPY asks for at a time: ~10,000 rows
READ_ROWS = 10_000


class _CsvStream(io.TextIOBase):
    """Rows as CSV text, made as COPY reads it: one COPY per table, and the rows of the
    next read are written while the server stores the last (the two cores overlap)."""

    def __init__(self, rows: Iterable[Sequence[object]]) -> None:
        self._rows = iter(rows)
        self._buf = io.StringIO()
        self._csv = csv.writer(self._buf, lineterminator="\n")
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        want = READ_ROWS if size is None or size < 0 else max(1, size // 100)
        chunk = list(itertools.islice(self._rows, want))
        self.count += len(chunk)
        self._csv.writerows(chunk)
        out = self._buf.getvalue()
        self._buf.seek(0)
        self._buf.truncate()
        return out


def copy_rows(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """COPY ``rows`` into ``table`` on the session's own connection (same transaction).

    ``None`` becomes NULL; strings must not be empty (an unquoted empty CSV field is
    NULL). Returns the number of rows written.
    """
    stream = _CsvStream(rows)
    _copy(session, table, columns, stream)
    return stream.count


def _copy(session: Session, table: str, columns: Sequence[str], source: io.IOBase) -> None:
    cur = session.connection().connection.cursor()
    try:
        cur.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)",
            source,
            size=READ_BYTES,
        )
    finally:
        cur.close()


@contextmanager
def foreign_keys_set_aside(session: Session, tables: Sequence[str]) -> Iterator[None]:
    """Drop the foreign keys of ``tables`` for a bulk load and add them back, checked, at
    the end, in the caller's transaction: one check of each key over the whole table
    instead of a look-up per row (PostgreSQL's advice for populating a database; per-row
    checks were half the time of writing the timelines). Names and definitions come from
    the catalogue, so the schema is Alembic's again afterwards; the ALTERs lock the
    tables until the transaction ends."""
    keys = session.execute(
        text("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(CAST(:t AS regclass[]))
                ORDER BY conrelid::regclass::text, conname"""),
        {"t": list(tables)},
    ).all()
    for table, name, _ in keys:
        session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    yield
    for table, name, definition in keys:
        session.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))


def ewkb_hex(geoms: Sequence[object]) -> list[str]:
    """Hex EWKB (SRID 4326) of geometries: exact, and parsed fast by PostGIS."""
    arr = shapely.set_srid(np.asarray(geoms, dtype=object), 4326)
    return shapely.to_wkb(arr, hex=True, include_srid=True).tolist()


def write_areas(session: Session, areas: list[AreaRow]) -> int:
    geoms = ewkb_hex([a.geom for a in areas])
    labels = ewkb_hex([a.label for a in areas])
    rows = (
        (
            a.id,
            a.code,
            a.name,
            a.level,
            a.parent_id,
            "t" if a.is_urban else "f",
            a.population,
            a.worker_name,
            a.worker_phone,
            g,
            lp,
        )
        for a, g, lp in zip(areas, geoms, labels, strict=True)
    )
    return copy_rows(session, "area", AREA_COLUMNS, rows)


def _ts(arr: np.ndarray) -> list[str]:
    return [s + "+00" for s in np.datetime_as_string(arr, unit="s").tolist()]


def _times(seconds: np.ndarray) -> list[str | None]:
    """UTC seconds as COPY timestamps; ``NEVER`` is NULL."""
    null = seconds >= NEVER
    out: list[str | None] = list(_ts(np.where(null, 0, seconds).astype("datetime64[s]")))
    for i in np.flatnonzero(null).tolist():
        out[i] = None
    return out


def _ids(values: np.ndarray) -> list[int | None]:
    return [None if v == NULL_ID else v for v in values.tolist()]


def write_incidents(session: Session, batch: IncidentBatch, cut: Cut) -> int:
    """The incidents with the columns their timelines left (:mod:`geodata.demo.timeline`)."""
    return copy_rows(session, "incident", INCIDENT_COLUMNS, incident_rows(batch, cut))


def incident_rows(batch: IncidentBatch, cut: Cut) -> Iterable[Sequence[object]]:
    occurred, reported = _ts(batch.occurred), _ts(batch.reported)
    geoms = ewkt_points(batch.x, batch.y)
    h3 = [batch.h3[r].tolist() for r in H3_RESOLUTIONS]
    rows = zip(
        batch.ids.tolist(),
        batch.source,
        batch.external_id,
        batch.category,
        occurred,
        reported,
        batch.grid_id.tolist(),
        cut.status.tolist(),
        batch.priority.tolist(),
        batch.description,
        batch.address,
        geoms,
        *h3,
        cut.version.tolist(),
        reported,
        _times(cut.updated),
        _ids(cut.lead),
        cut.assist.tolist(),
        cut.escalation.tolist(),
        *(_times(t) for t in (cut.dispatched, cut.accepted, cut.accept_due, cut.resolve_due)),
        *(_times(t) for t in (cut.resolved, cut.closed, cut.ext_until)),
        cut.suspended_from.tolist(),
        _times(cut.suspended_at),
        _ids(cut.merged_into),
        cut.reopen_count.tolist(),
        strict=True,
    )
    return rows


def write_timelines(session: Session, cut: Cut) -> int:
    """The incidents' timeline events (ids in time order per incident) and ratings."""
    written = copy_rows(session, "incident_event", EVENT_COLUMNS, event_rows(cut))
    copy_rows(session, "incident_feedback", FEEDBACK_COLUMNS, feedback_rows(cut))
    return written


def event_rows(cut: Cut) -> Iterable[Sequence[object]]:
    ev = cut.events
    return zip(
        ev["incident_id"].tolist(),
        _times(ev["at"]),
        ev["action"].tolist(),
        ev["from_status"].tolist(),
        ev["to_status"].tolist(),
        ev["version"].tolist(),
        ev["actor_name"].tolist(),
        ev["actor_role"].tolist(),
        _ids(ev["actor_department_id"]),
        ev["note"].tolist(),
        ev["detail"].tolist(),
        strict=True,
    )


def feedback_rows(cut: Cut) -> Iterable[Sequence[object]]:
    fb = cut.feedback
    return zip(
        fb["incident_id"].tolist(),
        fb["rating"].tolist(),
        ["link"] * len(fb["at"]),
        _times(fb["at"]),
        strict=True,
    )


def chunk_tables(
    batch: IncidentBatch, cut: Cut
) -> list[tuple[str, list[str], Iterable[Sequence[object]]]]:
    """``(table, columns, rows)`` of a drawn batch, in the order they are written (what
    :func:`write_incidents`, :func:`write_reporters` and :func:`write_timelines` COPY)."""
    return [
        ("incident", INCIDENT_COLUMNS, incident_rows(batch, cut)),
        ("incident_reporter", REPORTER_COLUMNS, reporter_rows(batch)),
        ("incident_event", EVENT_COLUMNS, event_rows(cut)),
        ("incident_feedback", FEEDBACK_COLUMNS, feedback_rows(cut)),
    ]


def render_csv(rows: Iterable[Sequence[object]]) -> bytes:
    """The rows as the CSV text :func:`copy_rows` streams (encoded), made in advance: a
    load can render the next batch in another process while this one is COPYed."""
    stream = _CsvStream(rows)
    parts = []
    while chunk := stream.read():
        parts.append(chunk)
    return "".join(parts).encode()


def copy_csv(session: Session, table: str, columns: Sequence[str], data: bytes) -> None:
    """COPY rendered CSV (:func:`render_csv`) into ``table`` in the session's transaction."""
    _copy(session, table, columns, io.BytesIO(data))


def _hex(blob: bytes | None) -> str | None:
    """bytea in COPY's csv text form."""
    return None if blob is None else "\\x" + blob.hex()


def write_identities(session: Session, identities: Iterable[Sequence[object]]) -> int:
    """Encrypt and COPY (person_id, full_name, id_number, phone, address) rows."""
    c = cipher()
    fields = ("full_name", "id_number", "phone", "address")

    def rows() -> Iterator[tuple[object, ...]]:
        for pid, *values in identities:
            enc = [
                _hex(
                    c.encrypt(None if v is None else str(v), c.place("key_person_identity", f, pid))
                )
                for f, v in zip(fields, values, strict=True)
            ]
            yield (pid, *enc, _hex(c.blind_index(str(values[1]), "id_number")))

    return copy_rows(session, "key_person_identity", IDENTITY_COLUMNS, rows())


def write_reporters(session: Session, batch: IncidentBatch) -> int:
    """Demo reporters (marked as demo data) for hotline and public-report incidents,
    derived from the incident id (no random draws: the incidents stay as they were)."""
    return copy_rows(session, "incident_reporter", REPORTER_COLUMNS, reporter_rows(batch))


def reporter_rows(batch: IncidentBatch) -> Iterator[tuple[object, ...]]:
    c = cipher()

    def rows() -> Iterator[tuple[object, ...]]:
        for iid, source in zip(batch.ids.tolist(), batch.source, strict=True):
            if source not in REPORTED_SOURCES:
                continue
            h = (iid * 2654435761) & 0xFFFFFFFF
            name = SURNAMES[h % len(SURNAMES)] + GIVEN[(h >> 8) % len(GIVEN)] + "（演示）"
            phone = f"199{(h >> 4) % 100_000_000:08d}"
            yield (
                iid,
                _hex(c.encrypt(name, c.place("incident_reporter", "name", iid))),
                _hex(c.encrypt(phone, c.place("incident_reporter", "phone", iid))),
                _hex(c.blind_index(phone, "phone")),
            )

    return rows()


def sync_sequences(session: Session, tables: Sequence[str]) -> None:
    """Move each table's id sequence past the ids written explicitly."""
    for t in tables:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {t}), 0) + 1, false)"
            )
        )


def analyze(session: Session, tables: Sequence[str]) -> None:
    for t in tables:
        session.execute(text(f"ANALYZE {t}"))
