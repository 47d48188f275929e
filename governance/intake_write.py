"""The one writer of new incidents, whatever the channel (the API's use cases in
``governance/intake.py``, the public report page, the front desk and file imports call
:func:`write_items` in their own transaction, as their :class:`Actor`).

The items come validated (``governance/intake_checks.py``); then:

1. **Idempotency** on ``(source, external_id)``: ids already stored are replays and
   return the stored incident, whatever content came with them. Inside one body the
   first occurrence wins and the later ones are replays of it. Under concurrency
   ``INSERT ... ON CONFLICT DO NOTHING`` decides: the loser waits for the winner's commit
   and then returns the winner's row.
2. **Location**: H3 cells are computed in Python (``cells_for_points``); the grid is
   assigned in SQL by point-in-polygon. A point in no grid is kept and flagged
   ``outside_jurisdiction`` or refused, as the ``intake_outside`` setting says
   (:func:`refuse_outside`). An actor confined to an area (a token created with
   ``--area``) may only report points inside it.
3. **Write** (``geodata/queries/intake.py``): bulk rows are COPYed into a temporary
   table and inserted, with their ``register`` timeline events and encrypted reporters
   (:func:`prepared_rows`), by one statement; a single incident goes through the same
   statement.

Every write that creates something leaves one ``data_change`` audit record and one
``pg_notify('incident_changed', ...)`` for live maps (:func:`record_write`):
``{id, status, version, action}`` for one incident, ``{action: "register", count, ids}``
(at most 500 ids) for a batch.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from geodata.crypto import cipher
from geodata.hexagons import cells_for_points
from geodata.models import IncidentSource
from geodata.queries import intake as q
from geodata.queries import notify
from governance import audit
from governance.access import Principal
from governance.errors import Forbidden
from governance.intake_checks import FieldError, IntakeInvalid, Item
from governance.tokens import TokenPrincipal
from settings import get_settings

log = logging.getLogger(__name__)

NOTIFY_MAX_IDS = 500  # pg_notify payloads must stay under 8,000 bytes


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


def prepared_rows(items: list[Item], ids: list[int]) -> Iterator[tuple[object, ...]]:
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
    known = q.existing_ids(session, actor.source, [it.external_id for it in unique])
    new = [it for it in unique if it.external_id not in known]
    ids = q.allocate_ids(session, len(new))
    idx_of_id = {iid: it.index for it, iid in zip(new, ids, strict=True)}
    created: dict[int, int | None] = {}
    if new:
        rows = prepared_rows(new, ids)
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
        refuse_outside(created, idx_of_id, len(items), many)
        lost = [it.external_id for it, iid in zip(new, ids, strict=True) if iid not in created]
        if lost:  # a concurrent request wrote them first: they are replays now
            known.update(q.existing_ids(session, actor.source, lost))
    out = {first[e]: iid for e, iid in known.items()}
    out.update({idx_of_id[iid]: iid for iid in created})
    for later, earlier in duplicate_of.items():
        out[later] = out[earlier]
    if created:
        record_write(session, actor, via, sorted(created), len(items) - len(created), client_addr)
    return Written(out, frozenset(idx_of_id[i] for i in created), duplicate_of)


def refuse_outside(
    created: Mapping[int, int | None], idx_of_id: Mapping[int, int], total: int, many: bool
) -> None:
    """Refuse points in no grid when the ``intake_outside`` setting says ``reject``."""
    if get_settings().intake_outside != "reject":
        return
    refused = sorted(idx_of_id[i] for i, grid in created.items() if grid is None)
    if refused:
        errs = [FieldError(i, "location", "intake.field.outside", {}) for i in refused]
        raise IntakeInvalid(errs, total, many)


def record_write(
    session: Session,
    actor: Actor,
    via: str,
    ids: list[int],
    replayed: int,
    client_addr: str | None,
) -> None:
    """Notify live maps and leave one audit record (last: it is linked into the chain after the commit)."""
    if len(ids) == 1 and via != "bulk":
        payload: dict[str, object] = {
            "id": ids[0],
            "status": "registered",
            "version": 1,
            "action": "register",
        }
    else:
        payload = {"action": "register", "count": len(ids), "ids": ids[:NOTIFY_MAX_IDS]}
    notify.incident_changed(session, json.dumps(payload))
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
