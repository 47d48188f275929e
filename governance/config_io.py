"""Reference data from a file: departments, incident categories, routing rules, SLA
policies and the working calendar, as one versioned YAML document (issue 15).

``python app.py config export`` writes the database's reference data; the county edits
it; ``python app.py config import FILE`` reads it back. The contract:

* Everything or nothing. :func:`apply` checks the whole file first (every error of every
  entry, in Chinese or English, naming the section, the entry and the field:
  :mod:`governance.config_entries`) and raises one
  :class:`~governance.config_rows.ConfigRejected` before it writes anything; the caller's
  unit of work makes the writes one transaction.
* By key, in place. Departments and categories are matched by code, routing rules by
  (category, area), SLA policies by (category, priority), calendar days by day. A
  department keeps its id, a category its code, so incidents, accounts, checklists and
  tasks keep pointing at them. Only entries that differ are written: re-importing a file
  changes nothing, and an export re-imports unchanged.
* Entries in the database but not in the file stay, and are counted in the preview
  (``only_in_db``). With ``prune`` they are deleted, section by section for the sections
  the file has (a file of only the calendar never empties the departments), unless
  something still refers to them (incidents, accounts, timeline steps, checklists, kept
  rules or categories): those are row errors, and nothing is written.

Who may: ``config.manage`` (:data:`governance.access.CONFIG_MANAGE`), held by the
command centre (COMMANDER), and only city-wide: reference data is the whole city's, so a
commander confined to an area is refused. Not the system administrator: under 三员分立
the three administrators see no business data, and the routing of cases to departments
is the command centre's business. The command line without ``--as`` acts as the
installer (:data:`governance.duties.INSTALLER`), as ``users`` does: moving in happens
before any commander exists, and whoever runs the command line holds the database
anyway. Every import that writes leaves one ``data_change`` audit record with its counts.

The category list is cached per process (:mod:`governance.catalog`); the caller clears it
after its transaction commits (the command line does), and other processes reload it
within :data:`governance.catalog.CACHE_SECONDS`.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any, Final

import yaml
from sqlalchemy.orm import Session

from geodata.models_audit import AuditAction
from geodata.queries import config_io as q
from governance import area_codes, audit
from governance import config_entries as entries
from governance.access import CONFIG_MANAGE, Principal, require
from governance.config_checks import (
    FORMAT_VERSION,
    SECTIONS,
    VERSION_KEY,
    AreaResolver,
    Checked,
    parse,
)
from governance.config_rows import ConfigRejected, RowError
from governance.duties import INSTALLER
from governance.errors import Forbidden

log = logging.getLogger(__name__)

__all__ = ["Counts", "apply", "export", "parse", "to_yaml", "validate"]

HEADER: Final = (
    "# MinQing Map reference data (python app.py config export / import).\n"
    "# Departments, incident categories, routing rules, SLA policies, working calendar.\n"
    "# Entries are matched by code (rules by category x area, SLA by category x priority,\n"
    "# the calendar by day); null means 'any'.\n"
)
_ROW_KEYS: Final = {
    "departments": lambda r: r["code"],
    "categories": lambda r: r["code"],
    "routing_rules": lambda r: (r["category"], r["area"]),
    "sla_policies": lambda r: (r["category"], r["priority"]),
    "calendar": lambda r: r["day"],
}


@dataclass(frozen=True)
class Counts:
    """What an import does (or would do) to one section."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    only_in_db: int = 0  # in the database, not in the file, kept


# ----------------------------------------------------------------------------- export
def snapshot(session: Session) -> dict[str, dict[Any, dict[str, Any]]]:
    """The reference data as rows keyed as the file keys them, in display order."""
    depts = q.departments(session)
    for d in depts:
        d.pop("id")
    rules = q.routing_rules(session)
    for r in rules:
        r["assist"] = tuple(r["assist"])
    read = {
        "departments": depts,
        "categories": q.categories(session),
        "routing_rules": rules,
        "sla_policies": q.sla_policies(session),
        "calendar": q.calendar(session),
    }
    return {s: {_ROW_KEYS[s](r): r for r in rows} for s, rows in read.items()}


def export(session: Session) -> dict[str, Any]:
    """The reference data as a document :func:`apply` reads back unchanged. Reference
    data holds no personal data, so reading it needs no capability."""
    snap = snapshot(session)
    cats = list(snap["categories"].values())
    return {
        VERSION_KEY: FORMAT_VERSION,
        "departments": [_lean(d, "area") for d in snap["departments"].values()],
        "categories": [
            _lean(
                {
                    **_category(g),
                    "children": [_category(c) for c in cats if c["parent"] == g["code"]],
                },
                "children",
            )  # fmt: skip
            for g in cats
            if g["parent"] is None
        ],
        "routing_rules": [
            _lean({**r, "assist": list(r["assist"])}, "note")
            for r in snap["routing_rules"].values()
        ],
        "sla_policies": list(snap["sla_policies"].values()),
        "calendar": [_lean(d, "name") for d in snap["calendar"].values()],
    }


def _category(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("code", "gbt_code", "name_zh", "name_en", "color", "default_priority", "department")
    return _lean({k: row[k] for k in keys}, "gbt_code", "department")


def _lean(row: dict[str, Any], *optional: str) -> dict[str, Any]:
    """``row`` without the ``optional`` keys that are empty (what a person would omit)."""
    return {k: v for k, v in row.items() if k not in optional or v not in (None, [], ())}


def to_yaml(document: dict[str, Any]) -> str:
    """The document as UTF-8 YAML text people can read and edit (Chinese as is, keys in
    the file's order)."""
    body = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    return HEADER + body


# ----------------------------------------------------------------------------- import
def validate(document: object, session: Session, *, prune: bool = False) -> list[RowError]:
    """Every error of ``document`` (empty: it may be applied). Reads only."""
    return _checked(document, session, prune)[0].errors


def _checked(
    document: object, session: Session, prune: bool
) -> tuple[Checked, dict[str, dict[Any, dict[str, Any]]]]:
    """The file's rows with every error, and the database's rows they are matched with."""
    snap = snapshot(session)
    checked = entries.check(document, _area_resolver(session))
    children: dict[str, set[str]] = {}
    for row in snap["categories"].values():
        if row["parent"] is not None:
            children.setdefault(row["parent"], set()).add(row["code"])
    known = entries.Known(
        departments=frozenset(snap["departments"]),
        categories=frozenset(snap["categories"]),
        used_leaves=frozenset(q.used_leaves(session)),
        children={k: frozenset(v) for k, v in children.items()},
    )
    entries.check_references(checked, known, prune)
    if prune and not checked.errors:
        _check_prune(session, checked, snap)
    return checked, snap


def apply(
    session: Session,
    principal: Principal | None,
    document: object,
    *,
    prune: bool = False,
    dry_run: bool = False,
    client_addr: str | None = None,
) -> dict[str, Counts]:
    """Import ``document`` (what :func:`parse` returned) into the caller's transaction;
    the counts per section. ``dry_run``: the counts only, nothing written.

    Raises
    ------
    Forbidden
        Without ``config.manage``, or with an area scope.
    ConfigRejected
        Any error in the file (all of them); nothing was written.
    """
    who = _authorise(principal)
    checked, snap = _checked(document, session, prune)
    if checked.errors:
        raise ConfigRejected(checked.errors)
    counts: dict[str, Counts] = {}
    changes: dict[str, tuple[list[dict[str, Any]], list[Any]]] = {}
    for section in SECTIONS:
        file_rows: dict[Any, dict[str, Any]] = getattr(checked, section)
        db_rows = snap[section]
        present = section in checked.sections
        write = [r for k, r in file_rows.items() if db_rows.get(k) != r]
        gone = [k for k in db_rows if k not in file_rows] if present else []
        new = sum(k not in db_rows for k in file_rows)
        counts[section] = Counts(
            new=new,
            updated=len(write) - new,
            unchanged=len(file_rows) - len(write),
            deleted=len(gone) if prune else 0,
            only_in_db=0 if prune else len(gone),
        )
        changes[section] = (write, gone if prune else [])
    if not dry_run:
        _write(session, changes, _area_ids(session, checked))
        _audit(session, who, counts, prune, client_addr)
    return counts


def _authorise(principal: Principal | None) -> Principal:
    if principal is INSTALLER:
        return principal
    who = require(principal, CONFIG_MANAGE)
    if who.scope is not None:
        raise Forbidden("config.error.city_wide_only")
    return who


def _area_resolver(session: Session) -> AreaResolver:
    """Typed area code -> its code in its own length (None: the whole city), memoised:
    a file names the same few areas many times."""
    memo: dict[object, str | None] = {}

    def resolve(raw: object) -> str | None:
        key = (type(raw), raw) if isinstance(raw, str | int) else None
        if key is not None and key in memo:
            return memo[key]
        ref = area_codes.resolve(session, raw)
        short = None if ref is None or ref.is_city else ref.short
        if key is not None:
            memo[key] = short
        return short

    return resolve


def _area_ids(session: Session, checked: Checked) -> dict[str | None, int | None]:
    shorts = {d["area"] for d in checked.departments.values() if d["area"]}
    out: dict[str | None, int | None] = {None: None}
    for short in shorts:
        ref = area_codes.resolve(session, short)
        out[short] = ref.id if ref is not None else None
    return out


def _check_prune(session: Session, checked: Checked, snap: dict[str, dict]) -> None:
    """Row errors for entries ``prune`` would delete that something still refers to."""

    def going(section: str) -> list[Any]:
        if section not in checked.sections:
            return []
        return [k for k in snap[section] if k not in getattr(checked, section)]

    cats_going, depts_going = going("categories"), going("departments")
    kept = {s: list(getattr(checked, s).values()) if s in checked.sections else
            list(snap[s].values()) for s in ("categories", "routing_rules", "sla_policies")}  # fmt: skip
    cat_uses = q.category_uses(session, cats_going)
    dept_uses = q.department_uses(session, depts_going)
    for code in cats_going:
        uses = {**_NO_USES, **cat_uses.get(code, {})}
        uses["rules"] = sum(r["category"] == code for r in kept["routing_rules"])
        uses["sla"] = sum(r["category"] == code for r in kept["sla_policies"])
        uses["categories"] = sum(r["parent"] == code for r in kept["categories"])
        _refuse_if_used(checked, "categories", code, uses)
    for code in depts_going:
        uses = {**_NO_USES, **dept_uses.get(code, {})}
        uses["categories"] = sum(r["department"] == code for r in kept["categories"])
        uses["rules"] = sum(r["lead"] == code or code in r["assist"]
                            for r in kept["routing_rules"])  # fmt: skip
        _refuse_if_used(checked, "departments", code, uses)


_NO_USES: Final = dict.fromkeys(
    ("incidents", "accounts", "events", "checklists", "categories", "rules", "sla"), 0
)


def _refuse_if_used(checked: Checked, section: str, code: str, uses: dict[str, int]) -> None:
    """A row error for an entry ``prune`` would delete that is still referred to."""
    if any(uses.values()):
        checked.add(RowError(section, None, None, "config.error.in_use", uses, code))


def _write(
    session: Session,
    changes: dict[str, tuple[list[dict[str, Any]], list[Any]]],
    area_ids: dict[str | None, int | None],
) -> None:
    """New and changed rows by key, then (``prune``) the deletions, references last."""
    depts, depts_gone = changes["departments"]
    q.upsert_departments(session, [{**d, "area_id": area_ids.get(d["area"])} for d in depts])
    cats, cats_gone = changes["categories"]
    q.upsert_categories(session, sorted(cats, key=lambda r: r["parent"] is not None))
    q.upsert_routing_rules(session, changes["routing_rules"][0])
    q.upsert_sla_policies(session, changes["sla_policies"][0])
    q.upsert_calendar(session, changes["calendar"][0])
    q.delete_routing_rules(session, changes["routing_rules"][1])
    q.delete_sla_policies(session, changes["sla_policies"][1])
    q.delete_calendar(session, changes["calendar"][1])
    q.delete_categories(session, cats_gone)
    q.delete_departments(session, depts_gone)


def _audit(
    session: Session,
    who: Principal,
    counts: dict[str, Counts],
    prune: bool,
    client_addr: str | None,
) -> None:
    audit.record(
        session,
        action=AuditAction.DATA_CHANGE,
        user_id=who.user_id or None,
        username=who.username,
        role=who.role,
        object_type="reference_data",
        client_addr=client_addr,
        detail={
            "change": "config_import",
            "prune": prune,
            "counts": {s: asdict(c) for s, c in counts.items()},
        },  # fmt: skip
    )
