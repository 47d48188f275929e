"""Incident intake: the one writer of new incidents, whatever the channel.

Source systems (12345, 110, IoT) post through the API with their token; the front-desk
form and the public report page will call the same functions with another
:class:`Actor`. One request is one transaction:

1. **Validate everything first** (:func:`validate_items`): field by field, with a
   row-level error list; a single bad item refuses the whole request, nothing written.
2. **Idempotency** on ``(source, external_id)``: ids already stored are replays and
   return the stored incident (``created: false, replayed: true``), whatever content
   came with them. Inside one bulk body the first occurrence wins and the later ones
   are replays of it. Under concurrency ``INSERT ... ON CONFLICT DO NOTHING`` decides:
   the loser waits for the winner's commit and then returns the winner's row.
3. **Location**: converted to WGS84 (``geodata/crs.py``); a pair outside China whose
   swap lies inside is swapped and flagged ``swapped_lat_lon``; H3 cells are computed in
   Python (``cells_for_points``); the grid is assigned in SQL by point-in-polygon. A
   point in no grid is kept and flagged ``outside_jurisdiction`` or refused, as the
   ``intake_outside`` setting says. An actor confined to an area (a token created with
   ``--area``) may only report points inside it.
4. **Write** (``geodata/queries/intake.py``): bulk rows are COPYed into a temporary
   table and inserted, with their ``register`` timeline events and encrypted reporters,
   by one statement; a single incident goes through the same statement. API batches are
   validated, prepared and written in chunks, Python and PostgreSQL working at the same
   time (``governance/intake_bulk.py``), with the same outcome.

Every request that creates something leaves one ``data_change`` audit record and one
``pg_notify('incident_changed', ...)`` for live maps: ``{id, status, version, action}``
for one incident, ``{action: "register", count, ids}`` (at most 500 ids) for a batch.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.crypto import cipher
from geodata.db import ALL_AREAS, session_scope
from geodata.hexagons import cells_for_points
from geodata.listen import INCIDENT_CHANNEL as NOTIFY_CHANNEL
from geodata.models import IncidentSource
from geodata.queries import intake as q
from geodata.queries import timeline
from governance import audit, duplicates, known_names, pii
from governance.access import Principal
from governance.errors import Forbidden, InvalidInput, NotFound
from governance.intake_bulk import write_bulk
from governance.intake_checks import (
    MAX_BODY_BYTES,
    MAX_ITEMS,
    FieldError,
    IntakeInvalid,
    Item,
    PayloadTooLarge,
    bulk_items,
    decode_json,
    validate_items,
)
from governance.tokens import TokenPrincipal
from settings import get_settings

log = logging.getLogger(__name__)

NOTIFY_MAX_IDS = 500  # pg_notify payloads must stay under 8,000 bytes
__all__ = [
    "MAX_BODY_BYTES",
    "MAX_ITEMS",
    "Actor",
    "IntakeInvalid",
    "PayloadTooLarge",
    "create_bulk",
    "create_one",
    "decode_json",
    "list_categories",
    "source_incident",
    "write_items",
]


# ----------------------------------------------------------------------------- actor
@dataclass(frozen=True)
class Actor:
    """Who writes: the channel (``source``), how they appear in the timeline and the
    audit trail, and the area their points must lie in (None: the whole city)."""

    source: str
    kind: str  # "token", "user" or "public"
    name: str | None
    role: str
    username: str
    user_id: int | None = None
    token_id: int | None = None
    department_id: int | None = None
    area_id: int | None = None
    area_code: str | None = None

    @classmethod
    def from_token(cls, token: TokenPrincipal) -> Actor:
        """A source system's token: its source, confined to its area if it has one."""
        if not token.source:
            raise Forbidden("error.token_scope", scope="incidents:write")
        return cls(
            source=token.source,
            kind="token",
            name=token.display_name,
            role="token",
            username=token.username,
            token_id=token.token_id,
            area_id=token.area_id,
            area_code=token.area_code,
        )

    @classmethod
    def from_user(cls, user: Principal, source: str = IncidentSource.GRID.value) -> Actor:
        """A signed-in user taking a report (front desk, grid worker), in their area."""
        return cls(
            source=source,
            kind="user",
            name=user.display_name,
            role=user.role or "",  # a capability check let it here: it has one
            username=user.username,
            user_id=user.user_id or None,
            department_id=user.department_id,
            area_id=user.area_id,
            area_code=user.area_code,
        )

    def event_columns(self) -> dict[str, object]:
        return {
            "actor_user_id": self.user_id,
            "actor_name": (self.name or "")[:80] or None,
            "actor_role": self.role[:20],
            "actor_department_id": self.department_id,
            "actor_token_id": self.token_id,
        }


# ----------------------------------------------------------------------------- writing
def leaf_categories(session: Session) -> dict[str, int]:
    """Leaf category code -> its default priority."""
    return {r["code"]: int(r["default_priority"]) for r in q.categories(session) if r["leaf"]}


def _rows(items: list[Item], ids: list[int]) -> Iterator[tuple[object, ...]]:
    """Prepared rows (``geodata.queries.intake.COLUMN_NAMES``), reporters encrypted with
    their row id in the associated data."""
    cells = cells_for_points([it.lat for it in items], [it.lon for it in items])
    h3 = zip(*(cells[int(col.removeprefix("h3_"))].tolist() for col in q.H3_COLUMNS), strict=True)
    c, hexed = cipher(), q.bytea_text
    for it, iid, hx in zip(items, ids, h3, strict=True):
        name = phone = bidx = None
        if it.reporter_name:
            name = hexed(c.encrypt(it.reporter_name, c.place("incident_reporter", "name", iid)))
        if it.reporter_phone:
            aad = c.place("incident_reporter", "phone", iid)
            phone = hexed(c.encrypt(it.reporter_phone, aad))
            bidx = hexed(c.blind_index(it.reporter_phone, "phone"))
        yield (
            it.index,
            iid,
            it.external_id,
            it.category,
            it.occurred_at.isoformat(),
            it.priority,
            it.description,
            it.address,
            q.ewkt_point(it.lon, it.lat),
            *hx,
            it.location_flag,
            name,
            phone,
            bidx,
        )


@dataclass(frozen=True)
class Written:
    """Outcome of :func:`write_items`: per item index, the id and whether it is new."""

    ids: dict[int, int]
    created: frozenset[int]
    duplicate_of: dict[int, int]  # later index -> first index of the same external id


def write_items(
    session: Session,
    actor: Actor,
    items: list[Item],
    *,
    via: str,
    client_addr: str | None = None,
) -> Written:
    """Write valid items in the caller's transaction (see the module docstring).

    Raises
    ------
    IntakeInvalid
        A point outside the actor's area, or outside every grid when the settings say
        ``reject``; the caller's transaction must then roll back.
    """
    many = via == "bulk" or len(items) > 1  # errors listed as a batch's
    first: dict[str, int] = {}
    duplicate_of: dict[int, int] = {}
    unique: list[Item] = []
    for it in items:
        if it.external_id in first:
            duplicate_of[it.index] = first[it.external_id]
        else:
            first[it.external_id] = it.index
            unique.append(it)
    q.prepare(session)
    known = q.existing_ids(session, actor.source, [it.external_id for it in unique])
    new = [it for it in unique if it.external_id not in known]
    ids = q.allocate_ids(session, len(new))
    idx_of_id = {iid: it.index for it, iid in zip(new, ids, strict=True)}
    created: dict[int, int | None] = {}
    if new:
        rows = _rows(new, ids)
        if len(new) == 1:
            source_sql, params = q.one_row_source(next(rows))
        else:
            q.stage_rows(session, rows)
            source_sql, params = q.STAGING, {}
        if actor.area_id is not None:
            outside = q.outside_area(session, source_sql, params, actor.area_id)
            if outside:
                code = actor.area_code or ""
                errs = [
                    FieldError(i, "location", "intake.field.out_of_area", {"area": code})
                    for i in outside
                ]
                raise IntakeInvalid(errs, len(items), many)
        created = q.insert_incidents(
            session,
            source_sql,
            params,
            source=actor.source,
            actor=actor.event_columns(),
            detail={"via": via},
        )
        _refuse_outside(created, idx_of_id, len(items), many)
        lost = [it.external_id for it, iid in zip(new, ids, strict=True) if iid not in created]
        if lost:  # a concurrent request wrote them first: they are replays now
            known.update(q.existing_ids(session, actor.source, lost))
    out = {first[e]: iid for e, iid in known.items()}
    out.update({idx_of_id[iid]: iid for iid in created})
    for later, earlier in duplicate_of.items():
        out[later] = out[earlier]
    if created:
        _record(session, actor, via, sorted(created), len(items) - len(created), client_addr)
    return Written(out, frozenset(idx_of_id[i] for i in created), duplicate_of)


def _refuse_outside(
    created: Mapping[int, int | None], idx_of_id: Mapping[int, int], total: int, many: bool
) -> None:
    """Refuse points in no grid when the ``intake_outside`` setting says ``reject``."""
    if get_settings().intake_outside != "reject":
        return
    refused = sorted(idx_of_id[i] for i, grid in created.items() if grid is None)
    if refused:
        errs = [FieldError(i, "location", "intake.field.outside", {}) for i in refused]
        raise IntakeInvalid(errs, total, many)


def _record(
    session: Session,
    actor: Actor,
    via: str,
    ids: list[int],
    replayed: int,
    client_addr: str | None,
) -> None:
    """Notify live maps and leave one audit record (last: it holds the chain lock)."""
    if len(ids) == 1 and via != "bulk":
        payload: dict[str, object] = {
            "id": ids[0],
            "status": "registered",
            "version": 1,
            "action": "register",
        }
    else:
        payload = {"action": "register", "count": len(ids), "ids": ids[:NOTIFY_MAX_IDS]}
    session.execute(
        text("SELECT pg_notify(:ch, :p)"), {"ch": NOTIFY_CHANNEL, "p": json.dumps(payload)}
    )
    audit.record(
        session,
        action="data_change",
        user_id=actor.user_id,
        username=actor.username,
        role=actor.role,
        object_type="incident",
        object_id=ids[0] if len(ids) == 1 else None,
        client_addr=client_addr,
        detail={
            "intake": via,
            "source": actor.source,
            "created": len(ids),
            "replayed": replayed,
            "first_id": ids[0],
            "last_id": ids[-1],
        },
    )


# ----------------------------------------------------------------------------- use cases
def _grid(row: Mapping[str, Any]) -> dict[str, object] | None:
    if row["grid_id"] is None:
        return None
    return {"id": row["grid_id"], "code": row["grid_code"], "name": row["grid_name"]}


def _differs(item: Item, row: Mapping[str, Any]) -> list[str]:
    """The fields in which a replayed item differs from the stored incident."""
    out = []
    if item.category != row["category_code"]:
        out.append("category")
    if item.occurred_at != row["occurred_at"]:
        out.append("occurred_at")
    if abs(item.lon - row["lon"]) > 1e-7 or abs(item.lat - row["lat"]) > 1e-7:
        out.append("location")
    if item.priority != row["priority"]:
        out.append("priority")
    if item.description != row["description"]:
        out.append("description")
    if item.address != row["address"]:
        out.append("address")
    return out


def create_one(
    body: object, actor: Actor, *, via: str = "api", client_addr: str | None = None
) -> tuple[dict[str, Any], bool]:
    """Register one incident; returns (its view, created?). A replay of a stored
    ``(source, external_id)`` returns the stored incident with ``replayed: true`` and the
    fields its content ``differs`` in. A source system's token also gets
    ``possible_duplicates``: its own open incidents of the category nearby
    (:func:`governance.duplicates.for_source`).

    Raises
    ------
    InvalidInput
        Not a JSON object; :class:`IntakeInvalid` for invalid fields, a point outside
        the actor's area or (when configured) outside every grid.
    """
    if not isinstance(body, dict):
        raise InvalidInput("intake.error.object")
    with session_scope(scope=ALL_AREAS) as s:
        items = validate_items([body], leaf_categories(s), actor.source, bulk=False)
        written = write_items(s, actor, items, via=via, client_addr=client_addr)
        row = q.incident_summary(s, actor.source, items[0].external_id)
        assert row is not None
        possible = duplicates.for_source(
            s,
            source=actor.source,
            area_id=actor.area_id,
            incident_id=row["id"],
            category=row["category_code"],
            lon=row["lon"],
            lat=row["lat"],
            occurred_at=row["occurred_at"],
        )
    created = 0 in written.created
    view: dict[str, Any] = {
        "id": row["id"],
        "created": created,
        "replayed": not created,
        "lon": round(row["lon"], 7),
        "lat": round(row["lat"], 7),
        "grid": _grid(row),
        "location_flag": row["location_flag"],
        "status": row["status"],
        "version": row["version"],
    }
    if not created:
        view["differs"] = _differs(items[0], row)
    if actor.kind == "token":
        view["possible_duplicates"] = possible
    return view, created


def create_bulk(body: object, actor: Actor, *, client_addr: str | None = None) -> dict[str, Any]:
    """Register up to :data:`MAX_ITEMS` incidents, all or none; per item its ``index``,
    ``id`` and ``created`` (replays: ``replayed``, repeats inside the body:
    ``duplicate_of`` the index of their first occurrence).

    Raises
    ------
    InvalidInput
        A malformed body; :class:`IntakeInvalid` listing every invalid item;
        :class:`PayloadTooLarge` for more than :data:`MAX_ITEMS` items.
    """
    raws = bulk_items(body)
    with session_scope(scope=ALL_AREAS) as s:
        done = write_bulk(
            s,
            raws,
            leaf_categories(s),
            source=actor.source,
            area_id=actor.area_id,
            area_code=actor.area_code,
            actor_columns=actor.event_columns(),
            prepare_rows=_rows,
            detail={"via": "bulk"},
        )
        _refuse_outside(done.created, done.idx_of_id, len(raws), True)
        if done.created:
            n_replayed = len(done.items) - len(done.created)
            _record(s, actor, "bulk", sorted(done.created), n_replayed, client_addr)
    items = done.items
    written = Written(
        done.ids, frozenset(done.idx_of_id[i] for i in done.created), done.duplicate_of
    )
    out = []
    for it in items:
        entry: dict[str, Any] = {"index": it.index, "id": written.ids[it.index]}
        entry["created"] = it.index in written.created
        if not entry["created"]:
            entry["replayed"] = True
        if it.index in written.duplicate_of:
            entry["duplicate_of"] = written.duplicate_of[it.index]
        out.append(entry)
    n_created = len(written.created)
    return {
        "summary": {"items": len(items), "created": n_created, "replayed": len(items) - n_created},
        "items": out,
    }


def list_categories() -> list[dict[str, Any]]:
    """The category tree a client may send codes from (leaves only are accepted)."""
    with session_scope() as s:
        rows = q.categories(s)
    return [
        {
            "code": r["code"],
            "parent": r["parent_code"],
            "name_zh": r["name_zh"],
            "name_en": r["name_en"],
            "default_priority": r["default_priority"],
            "leaf": r["leaf"],
        }
        for r in rows
    ]


def _event_view(e: Mapping[str, Any], names: pii.KnownNames) -> dict[str, Any]:
    """A timeline step for a source system: no staff names, personal data in notes masked
    (with the names known for the incident)."""
    dept = None
    if e["actor_department_id"] is not None:
        dept = {"id": e["actor_department_id"], "zh": e["department_zh"], "en": e["department_en"]}
    return {
        "at": e["at"].isoformat(),
        "action": e["action"],
        "from_status": e["from_status"],
        "to_status": e["to_status"],
        "version": e["version"],
        "actor_role": e["actor_role"],
        "actor_name": e["actor_name"] if e["actor_role"] == "token" else None,
        "department": dept,
        "note": pii.redact(e["note"], names),
    }


def source_incident(incident_id: int, token: TokenPrincipal) -> dict[str, Any]:
    """An incident as its source system sees it: the intake response plus status and
    timeline. A token reads only its own source's incidents, in its area (others are
    404: a token cannot probe what exists)."""
    with session_scope(scope=token.rls_scope) as s:
        row = q.source_incident(s, int(incident_id))
        if row is None or row["source"] != token.source or not token.covers(row["grid_code"] or ""):
            raise NotFound("error.not_found", what=f"incident {incident_id}")
        steps = timeline.events(s, row["id"])
        names = known_names.load(s, [row["id"]]).matcher(row["id"])
    return {
        "id": row["id"],
        "source": row["source"],
        "external_id": row["external_id"],
        "category": row["category_code"],
        "status": row["status"],
        "version": row["version"],
        "priority": row["priority"],
        "occurred_at": row["occurred_at"].isoformat(),
        "reported_at": row["reported_at"].isoformat(),
        "lon": round(row["lon"], 7),
        "lat": round(row["lat"], 7),
        "grid": _grid(row),
        "location_flag": row["location_flag"],
        "timeline": [_event_view(e, names) for e in steps],
    }
