"""What a register import will do, row by row, and doing it: each valid row matched
with what is stored (new, unchanged or an update in place), then written.

Used by :mod:`governance.registry_import`, which reads and places the rows and owns the
use cases. The keys: a site is the stored one with the same department code, else with
the same id (this system's own export), else the only uncoded site of that name in that
grid; a person the one with the same code, else with the same ID number, found by its
blind index (never compared in clear). Identities are compared decrypted in memory and
written encrypted with their row's id in the associated data
(``key_person_identity.<field>:<id>``), as the demo seed writes them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geodata.crypto import DecryptionError, cipher
from geodata.queries import registry_import as q
from governance import registry_fields as rf
from governance.access import Principal
from governance.errors import Conflict
from governance.file_feedback import Correction, RowError
from governance.registry_rows import Parsed, RowReader

log = logging.getLogger(__name__)

SAME_POINT: Final = 1e-7  # degrees (~1 cm): a point re-read from a file is the same point
IDENTITY: Final = ("full_name", "id_number", "phone", "address")


@dataclass
class Outcome:
    """What an import would do (preview) or did (commit)."""

    kind: str
    filename: str
    total: int
    mapping: dict[str, str | None]
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS
    error_count: int = 0
    corrections: list[Correction] = field(default_factory=list)
    correction_count: int = 0
    written: bool = False


@dataclass
class Plan:
    """The rows to insert, the rows to update (with what is stored of them), the row
    errors and the corrections, as the planning found them."""

    outcome: Outcome
    new: list[Parsed] = field(default_factory=list)
    changed: list[tuple[Parsed, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    fixes: list[Correction] = field(default_factory=list)


def _kept(
    reader: RowReader, values: Mapping[str, Any], name: str, stored: Mapping[str, Any] | None
) -> Any:
    """The file's value of an optional field when the file maps it (an empty cell clears
    it); the stored one when the file has no such column (a register of sites without
    addresses does not erase the addresses on record)."""
    if reader.mapping.get(name) or stored is None:
        return values.get(name)
    return stored.get(name)


def _repeat(reader: RowReader, p: Parsed, name: str, first: int) -> RowError:
    return reader.error(p.number, name, "registry.cell.repeat", row=first)


def _same_point(p: Parsed, stored: Mapping[str, Any]) -> bool:
    return (
        abs(p.point.lon - float(stored["lon"])) < SAME_POINT
        and abs(p.point.lat - float(stored["lat"])) < SAME_POINT
    )


def match_sites(s: Session, reader: RowReader, rows: list[Parsed], plan: Plan) -> None:
    """Each site row: new, the same as stored, or an update of a stored site."""
    codes = [p.values["code"] for p in rows if "code" in p.values]
    ids = [p.values["id"] for p in rows if "id" in p.values]
    stored = q.existing_sites(s, codes, ids, [p.values["name"] for p in rows])
    by_code = {r["code"]: r for r in stored if r["code"]}
    by_id = {r["id"]: r for r in stored}
    by_name: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in stored:
        if r["code"] is None:
            by_name.setdefault((r["name"], r["grid_id"]), []).append(r)
    seen: dict[object, int] = {}
    for p in rows:
        v = p.values
        code, sid = v.get("code"), v.get("id")
        key: tuple[object, ...] = ("code", code) if code else ("name", v["name"], p.grid_id)
        target = by_code.get(code) if code else None
        if target is None and sid is not None:
            key, target = ("id", sid), by_id.get(sid)
            if target is None:
                plan.errors.append(reader.error(p.number, "id", "registry.cell.site_id_unknown"))
                continue
            if code and target["code"] and target["code"] != code:
                plan.errors.append(reader.error(p.number, "id", "registry.cell.id_code_mismatch"))
                continue
        elif target is None and not code:
            same = by_name.get((v["name"], p.grid_id), [])
            if len(same) > 1:
                plan.errors.append(reader.error(p.number, "name", "registry.cell.name_ambiguous"))
                continue
            target = same[0] if same else None
        marks = [key] + ([("row", target["id"])] if target else [])
        first = next((seen[m] for m in marks if m in seen), None)
        if first is not None:
            plan.errors.append(_repeat(reader, p, "code" if code else "name", first))
            continue
        seen.update(dict.fromkeys(marks, p.number))
        new = {
            "code": code or (target["code"] if target else None),
            "name": v["name"],
            "site_type": v["site_type"],
            "risk_grade": v["risk_grade"],
            "address": _kept(reader, v, "address", target),
            "grid_id": p.grid_id,
        }
        _decide(p, target, new, plan)


def _decide(p: Parsed, target: dict[str, Any] | None, new: dict[str, Any], plan: Plan) -> None:
    """Count the row as new, unchanged or updated (``new``: the stored columns it sets)."""
    p.values.update(new)
    if target is None:
        plan.new.append(p)
        plan.outcome.new += 1
    elif all(target.get(k) == v for k, v in new.items()) and _same_point(p, target):
        plan.outcome.unchanged += 1
    else:
        plan.changed.append((p, target))
        plan.outcome.updated += 1


def match_persons(
    s: Session, principal: Principal, reader: RowReader, rows: list[Parsed], plan: Plan
) -> None:
    """Each person row: new, the same as stored, or an update of a stored person; the
    stored ones are found in every area (a person moving in from another area is one
    person) but updated only inside the principal's."""
    c = cipher()
    for p in rows:
        p.values["bidx"] = c.blind_index(p.values["id_number"], "id_number")
    codes = [p.values["code"] for p in rows if "code" in p.values]
    stored = q.existing_persons(s, codes, [p.values["bidx"] for p in rows])
    by_code = {r["code"]: r for r in stored if r["code"]}
    by_bidx = {r["id_number_bidx"]: r for r in stored if r["id_number_bidx"]}
    seen_code: dict[str, int] = {}
    seen_bidx: dict[bytes, int] = {}
    for p in rows:
        v = p.values
        code, bidx = v.get("code"), v["bidx"]
        if code in seen_code or bidx in seen_bidx:
            name, first = ("code", seen_code[code]) if code in seen_code else ("id_number", 0)
            first = first or seen_bidx[bidx]
            plan.errors.append(_repeat(reader, p, name, first))
            continue
        if code:
            seen_code[code] = p.number
        seen_bidx[bidx] = p.number
        by_c, by_b = by_code.get(code) if code else None, by_bidx.get(bidx)
        if (
            by_c
            and by_b
            and by_c["id"] != by_b["id"]
            or (code and by_b and by_b["code"] and by_b["code"] != code)
        ):
            plan.errors.append(reader.error(p.number, "id_number", "registry.cell.id_taken"))
            continue
        target = by_c or by_b
        if target and not principal.covers(str(target["grid_code"])):
            plan.errors.append(reader.error(p.number, "location", "registry.cell.scope_stored"))
            continue
        new = {
            "code": code or (target["code"] if target else None),
            "category": v["category"],
            "care_level": v.get("care_level", target["care_level"] if target else 2),
            "grid_id": p.grid_id,
        }
        if target is not None:
            target = {**target, **_identity_of(target)}
            new.update({f: _kept(reader, v, f, target) for f in ("full_name", "phone", "address")})
        _decide(p, target, new, plan)


def _identity_of(stored: Mapping[str, Any]) -> dict[str, str | None]:
    """The stored identity in clear, to compare with the file's (never logged)."""
    c, pid = cipher(), stored["id"]
    out: dict[str, str | None] = {}
    for f in ("full_name", "phone", "address"):
        try:
            out[f] = c.decrypt(stored[f"{f}_enc"], c.place("key_person_identity", f, pid))
        except DecryptionError:
            out[f] = "\x00"  # unreadable: differs from anything a file holds, so rewritten
    return out


# ----------------------------------------------------------------------------- writing
def _site_rows(rows: list[Parsed], ids: list[int]) -> list[dict[str, Any]]:
    return [
        {**{k: p.values[k] for k in q.SITE_FIELDS[1:-3]}, "id": i, "grid_id": p.grid_id}
        | {"lon": p.point.lon, "lat": p.point.lat}
        for p, i in zip(rows, ids, strict=True)
    ]


def _person_rows(rows: list[Parsed], ids: list[int]) -> list[dict[str, Any]]:
    c = cipher()
    out = []
    for p, pid in zip(rows, ids, strict=True):
        v = p.values
        enc = {
            f"{f}_enc": c.encrypt(v.get(f), c.place("key_person_identity", f, pid))
            for f in IDENTITY
        }
        out.append(
            {
                "id": pid,
                "code": v["code"],
                "category": v["category"],
                "care_level": v["care_level"],
                "grid_id": p.grid_id,
                "lon": p.point.lon,
                "lat": p.point.lat,
                **enc,
                "id_number_bidx": v["bidx"],
            }
        )
    return out


def write(s: Session, kind: str, plan: Plan) -> None:
    """Insert the new rows and update the changed ones, in the caller's transaction.

    Raises
    ------
    Conflict
        Another import wrote a row with one of the file's codes since the plan was made
        (the unique constraint said so): the caller rolls back; a new preview shows it.
    """
    table = "key_site" if kind == rf.SITES else "key_person"
    ids = q.allocate_ids(s, table, len(plan.new))
    old = [p for p, _ in plan.changed]
    old_ids = [int(target["id"]) for _, target in plan.changed]
    try:  # in a savepoint: after a refusal the transaction still runs the caller's cleanup
        with s.begin_nested():
            _insert_update(s, kind, plan.new, ids, old, old_ids)
    except IntegrityError as err:  # the message names no value: the constraint only
        log.warning("register import (%s) lost a race: %s", kind, type(err.orig).__name__)
        raise Conflict("registry.error.concurrent") from None


def _insert_update(
    s: Session, kind: str, new: list[Parsed], ids: list[int], old: list[Parsed], old_ids: list[int]
) -> None:
    if kind == rf.SITES:
        q.insert_sites(s, _site_rows(new, ids))
        q.update_sites(s, _site_rows(old, old_ids))
    else:
        q.insert_persons(s, _person_rows(new, ids))
        q.update_persons(s, _person_rows(old, old_ids))
