"""The sections of a reference-data file, entry by entry: what fields each has, which
are required, how each is read, what makes two entries the same, and what they may refer
to. Rules as data (``*_SPEC``), read in one place (:func:`check`).

The key of each section is what an import matches the database by: departments and
categories by code, routing rules by (category, area), SLA policies by (category,
priority), calendar days by the day. ``null`` in a key means "any": a routing rule of no
area applies everywhere, an SLA policy of no category to every category.

Categories are written as groups with their ``children``: the app has two levels, and the
nesting makes a third impossible to write. Their display order is their order in the
file (``sort_order`` is not a field).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from governance import config_checks as c
from governance.config_rows import Where, bad, shown

DEFAULT_COLOR: Final = "#808080"


def _name_zh(value: object) -> str | None:
    return c.text(value, 80)


def _name_en(value: object) -> str | None:
    return c.text(value, 120)


def _priority(value: object) -> int:
    return c.integer(value, *c.PRIORITIES)


def _no_resolver(value: object) -> str | None:
    raise AssertionError("the area resolver is set by _with_area")


def _codes(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise bad("config.error.not_list")
    codes = tuple(c.code(v) for v in value)
    if len(set(codes)) != len(codes):
        raise bad("config.error.repeated_in_list")
    return codes


DEPARTMENT_SPEC: Final[c.Spec] = {
    "code": (True, c.code, None),
    "name_zh": (True, _name_zh, None),
    "name_en": (False, _name_en, None),  # default: name_zh
    "area": (False, _no_resolver, None),  # the resolver the caller passes
}
CATEGORY_SPEC: Final[c.Spec] = {
    "code": (True, c.code, None),
    "gbt_code": (False, c.gbt_code, None),
    "name_zh": (True, _name_zh, None),
    "name_en": (False, _name_en, None),
    "color": (False, c.color, DEFAULT_COLOR),
    "default_priority": (False, _priority, 3),
    "department": (False, c.code, None),
}
GROUP_SPEC: Final[c.Spec] = {**CATEGORY_SPEC, "children": (False, lambda v: v, None)}
RULE_SPEC: Final[c.Spec] = {
    "category": (False, c.code, None),
    "area": (False, _no_resolver, None),
    "lead": (True, c.code, None),
    "assist": (False, _codes, ()),
    "note": (False, lambda v: c.text(v, 500, multiline=True), None),
}
SLA_SPEC: Final[c.Spec] = {
    "category": (False, c.code, None),
    "priority": (False, _priority, None),
    "accept_hours": (True, lambda v: c.integer(v, 1, 720), None),
    "resolve_workdays": (True, lambda v: c.integer(v, 1, 365), None),
    "remind_before_hours": (False, lambda v: c.integer(v, 0, 720), 4),
    "max_suspend_days": (False, lambda v: c.integer(v, 1, 365), 30),
}
CALENDAR_SPEC: Final[c.Spec] = {
    "day": (True, c.day, None),
    "workday": (True, c.flag, None),
    "name": (False, lambda v: c.text(v, 40), None),
}


def _with_area(spec: c.Spec, resolve_area: c.AreaResolver) -> c.Spec:
    return {**spec, "area": (False, resolve_area, None)}


def _hint(raw: object, *keys: str) -> str | None:
    """What an entry is called in its errors: its code (or key fields) as given."""
    if not isinstance(raw, dict):
        return None
    parts = [shown(raw.get(k)) for k in keys if isinstance(raw.get(k), str | int | float)]
    return " × ".join(parts) or None


def _once(out: c.Checked, seen: dict[Any, int], key: Any, where: Where, field: str) -> bool:
    """Is ``key`` new in its section? Else an error that names the first entry."""
    if key in seen:
        out.add(where.error(field, "config.error.duplicate", value=shown(str(key)),
                            first=seen[key]))  # fmt: skip
        return False
    seen[key] = where.index
    out.positions[(where.section, key)] = where
    return True


# ----------------------------------------------------------------------------- sections
def _departments(items: list, out: c.Checked, resolve_area: c.AreaResolver) -> None:
    spec = _with_area(DEPARTMENT_SPEC, resolve_area)
    seen: dict[Any, int] = {}
    for i, raw in enumerate(items, 1):
        where = Where("departments", i, _hint(raw, "code"))
        row = c.convert(raw, spec, where, out)
        if row is not None and _once(out, seen, row["code"], where, "code"):
            row["name_en"] = row["name_en"] or row["name_zh"]
            out.departments[row["code"]] = row


def _categories(items: list, out: c.Checked, resolve_area: c.AreaResolver) -> None:
    seen: dict[Any, int] = {}
    order = 0
    for i, raw in enumerate(items, 1):
        where = Where("categories", i, _hint(raw, "code"))
        group = c.convert(raw, GROUP_SPEC, where, out)
        children = group.pop("children") if group is not None else None
        if children is not None and not isinstance(children, list):
            out.add(where.error("children", "config.error.not_list"))
            children = None
        order += 1
        parent = None  # the children of a refused group are checked, not kept
        if group is not None and _once(out, seen, group["code"], where, "code"):
            parent = group["code"]
            out.categories[parent] = _category(group, None, order)
        for j, child_raw in enumerate(children or [], 1):
            child_where = Where("categories", i, _hint(child_raw, "code"), j)
            child = c.convert(child_raw, CATEGORY_SPEC, child_where, out)
            order += 1
            known = child is not None and _once(out, seen, child["code"], child_where, "code")
            if known and child is not None and parent is not None:
                out.categories[child["code"]] = _category(child, parent, order)


def _category(row: dict[str, Any], parent: str | None, order: int) -> dict[str, Any]:
    return {**row, "name_en": row["name_en"] or row["name_zh"], "parent": parent,
            "sort_order": order}  # fmt: skip


def _routing_rules(items: list, out: c.Checked, resolve_area: c.AreaResolver) -> None:
    spec = _with_area(RULE_SPEC, resolve_area)
    seen: dict[Any, int] = {}
    for i, raw in enumerate(items, 1):
        where = Where("routing_rules", i, _hint(raw, "category", "area"))
        row = c.convert(raw, spec, where, out)
        if row is None:
            continue
        row["assist"] = tuple(row["assist"])
        if row["lead"] in row["assist"]:
            out.add(where.error("assist", "config.error.lead_in_assist", value=row["lead"]))
        elif _once(out, seen, (row["category"], row["area"]), where, "category"):
            out.routing_rules[(row["category"], row["area"])] = row


def _sla_policies(items: list, out: c.Checked, resolve_area: c.AreaResolver) -> None:
    seen: dict[Any, int] = {}
    for i, raw in enumerate(items, 1):
        where = Where("sla_policies", i, _hint(raw, "category", "priority"))
        row = c.convert(raw, SLA_SPEC, where, out)
        if row is not None and _once(out, seen, (row["category"], row["priority"]), where,
                                     "category"):  # fmt: skip
            out.sla_policies[(row["category"], row["priority"])] = row


def _calendar(items: list, out: c.Checked, resolve_area: c.AreaResolver) -> None:
    seen: dict[Any, int] = {}
    for i, raw in enumerate(items, 1):
        where = Where("calendar", i, _hint(raw, "day"))
        row = c.convert(raw, CALENDAR_SPEC, where, out)
        if row is not None and _once(out, seen, row["day"], where, "day"):
            out.calendar[row["day"]] = row


CHECKERS: Final[dict[str, Callable[[list, c.Checked, c.AreaResolver], None]]] = {
    "departments": _departments,
    "categories": _categories,
    "routing_rules": _routing_rules,
    "sla_policies": _sla_policies,
    "calendar": _calendar,
}


def check(doc: object, resolve_area: c.AreaResolver) -> c.Checked:
    """Every entry of ``doc`` checked: the rows of the good ones and every error. Never
    raises for a value :func:`governance.config_checks.parse` can return."""
    out = c.Checked()
    if not isinstance(doc, dict):
        out.add(c.RowError(None, None, None, "config.error.not_mapping", {}))
        return out
    version = doc.get(c.VERSION_KEY)
    if version is None:
        out.add(c.RowError(None, None, c.VERSION_KEY, "config.error.version_missing",
                           {"supported": c.FORMAT_VERSION}))  # fmt: skip
    elif isinstance(version, bool) or version != c.FORMAT_VERSION:
        out.add(c.RowError(None, None, c.VERSION_KEY, "config.error.version_unsupported",
                           {"value": shown(version), "supported": c.FORMAT_VERSION}))  # fmt: skip
    for key in doc:
        if key != c.VERSION_KEY and key not in c.SECTIONS:
            out.add(c.RowError(None, None, shown(key), "config.error.unknown_section",
                               {"name": shown(key), "allowed": ", ".join(c.SECTIONS)}))  # fmt: skip
    for section in c.SECTIONS:
        if section not in doc:
            continue
        items = doc[section] if doc[section] is not None else []
        if not isinstance(items, list):
            out.add(c.RowError(section, None, None, "config.error.section_not_list", {}))
        elif len(items) > c.MAX_ENTRIES:
            out.add(c.RowError(section, None, None, "config.error.too_many",
                               {"max": c.MAX_ENTRIES}))  # fmt: skip
        else:
            out.sections.add(section)
            CHECKERS[section](items, out, resolve_area)
    return out


# ----------------------------------------------------------------------------- references
@dataclass(frozen=True)
class Known:
    """What the database holds that an entry may refer to (read by the caller)."""

    departments: frozenset[str]
    categories: frozenset[str]
    used_leaves: frozenset[str]  # categories incidents or checklists file cases under
    children: dict[str, frozenset[str]]  # category -> its sub-categories in the database


def check_references(out: c.Checked, known: Known, prune: bool) -> None:
    """Errors for references to departments and categories that will not exist after
    the import: in the file, or in the database and kept (a section the file does not
    have is kept whole; one it has is kept too unless ``prune``)."""

    def kept(section: str, db: frozenset[str], file: dict) -> set[str]:
        return set(file) | (set() if prune and section in out.sections else set(db))

    depts = kept("departments", known.departments, out.departments)
    cats = kept("categories", known.categories, out.categories)

    def ref(where: Where, field: str, value: str | None, pool: set[str], key: str) -> None:
        if value is not None and value not in pool:
            out.add(where.error(field, key, value=value))

    for code, row in out.categories.items():
        where = out.positions[("categories", code)]
        ref(where, "department", row["department"], depts, "config.error.unknown_department")
        has_children = any(r["parent"] == code for r in out.categories.values())
        if has_children and code in known.used_leaves:
            out.add(where.error("children", "config.error.used_leaf", value=code))
        if row["parent"] is not None and not prune:
            stay = known.children.get(code, frozenset()) - set(out.categories)
            if stay:
                out.add(where.error("code", "config.error.db_children", value=code,
                                    children=", ".join(sorted(stay)[:5])))  # fmt: skip
    for rule_key, row in out.routing_rules.items():
        where = out.positions[("routing_rules", rule_key)]
        ref(where, "category", row["category"], cats, "config.error.unknown_category")
        ref(where, "lead", row["lead"], depts, "config.error.unknown_department")
        for code in row["assist"]:
            ref(where, "assist", code, depts, "config.error.unknown_department")
    for sla_key, row in out.sla_policies.items():
        where = out.positions[("sla_policies", sla_key)]
        ref(where, "category", row["category"], cats, "config.error.unknown_category")
