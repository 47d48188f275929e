"""The attributes of an area file, feature by feature (code, level, name, parent,
population), and every finding in the operator's words: feature number, code, field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Final

from governance import area_codes_import as codes
from governance.area_checks import Finding
from governance.area_files import AreaFile, looks_mojibake
from i18n import t

MAX_NAME: Final = 80


@dataclass
class Problem:
    """A finding in the operator's words: feature number (1-based, as GIS tools count),
    its code, the field, what is wrong."""

    feature: int | None
    code: str | None
    field: str
    severity: str  # error | warning | repair
    message: str
    area_m2: float | None = None
    geom: object | None = dc_field(default=None, repr=False)


@dataclass(frozen=True)
class Attrs:
    index: int
    code: str  # stored form
    name: str
    level: str
    parent: str | None  # stored code of the parent
    population: int | None


def attributes(
    file: AreaFile, mapping: dict, level: str, problems: list[Problem]
) -> list[Attrs | None]:
    col = {f: (file.columns[c] if c else [None] * file.count) for f, c in mapping.items()}
    out: list[Attrs | None] = []
    seen: dict[str, int] = {}
    declared_parent: dict[str, str] = {}
    for i in range(file.count):
        out.append(_one(i, col, level, problems, seen, declared_parent))
    _cycles(out, declared_parent, problems)
    return out


def _one(i, col, level, problems, seen, declared_parent) -> Attrs | None:  # type: ignore[no-untyped-def]
    def bad(fld: str, kind: str, **kw: object) -> None:
        problems.append(Problem(i + 1, None, fld, "error", t(f"area_import.{kind}", None, **kw)))

    raw_code = col["code"][i]
    digits = codes.clean(raw_code)
    if isinstance(digits, codes.CodeError):
        bad("code", f"code.{digits.kind}")
        return None
    lvl = codes.level_of(digits) if level == "auto" else level
    if lvl is None:
        bad("code", "code.length_auto", n=len(digits))
        return None
    code = codes.stored(digits, lvl)
    if isinstance(code, codes.CodeError):
        bad("code", f"code.{code.kind}", level=t(f"level.{lvl}"), n=codes.OWN_DIGITS[lvl])
        return None
    name = (col["name"][i] or "").strip()
    if not name:
        bad("name", "check.no_name")
    elif len(name) > MAX_NAME:
        bad("name", "check.long_name", n=MAX_NAME)
    elif looks_mojibake(name) or any(ord(ch) < 32 for ch in name):
        bad("name", "check.mojibake")
    parent = codes.parent_of(code, lvl)
    raw_parent = col["parent"][i]
    if raw_parent is not None and raw_parent.strip():
        pd = codes.clean(raw_parent)
        plvl = codes.PARENT.get(lvl)
        given = codes.stored(pd, plvl) if isinstance(pd, str) and plvl else pd
        any_level = codes.level_of(pd) if isinstance(pd, str) else None
        if isinstance(pd, str) and any_level is not None:  # for the cycle check
            linked = codes.stored(pd, any_level)
            if isinstance(linked, str):
                declared_parent[code] = linked
        if plvl is None:
            bad("parent", "check.county_parent")
        elif not isinstance(given, str) or given != parent:
            bad(
                "parent",
                "check.not_extending",
                parent=str(raw_parent)[:20],
                code=codes.short(code, lvl),
            )
    pop = None
    raw_pop = col["population"][i]
    if raw_pop is not None and raw_pop.strip():
        text = raw_pop.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 9:
            bad("population", "check.population")
        else:
            pop = int(text)
    if code in seen:
        bad("code", "check.duplicate", other=seen[code] + 1)
        return None
    seen[code] = i
    if not name or len(name) > MAX_NAME:
        return None
    return Attrs(i, code, name, lvl, parent, pop)


def _cycles(
    attrs: list[Attrs | None], declared_parent: dict[str, str], problems: list[Problem]
) -> None:
    """Parent links given in the file that come back to where they started."""
    index = {a.code: a.index for a in attrs if a is not None}
    for start in declared_parent:
        walk, node = [start], declared_parent.get(start)
        while node is not None and node not in walk and len(walk) < 10:
            walk.append(node)
            node = declared_parent.get(node)
        if node == start and start in index:
            problems.append(Problem(index[start] + 1, None, "parent", "error",
                                    t("area_import.check.cycle", chain=" → ".join(w[:15] for w in walk + [start]))))  # fmt: skip


def parents(attrs: list[Attrs | None], loaded: dict, problems: list[Problem]) -> None:
    in_file = {a.code: a.level for a in attrs if a is not None}
    for a in attrs:
        if a is None or a.parent is None:
            continue
        want = codes.PARENT[a.level]
        have = in_file.get(a.parent) or (loaded[a.parent].level if a.parent in loaded else None)
        if have is None:
            problems.append(Problem(a.index + 1, None, "parent", "error",
                                    t("area_import.check.no_parent", parent=codes.short(a.parent, want), level=t(f"level.{want}"))))  # fmt: skip
        elif have != want:
            problems.append(Problem(a.index + 1, None, "parent", "error",
                                    t("area_import.check.parent_level", parent=codes.short(a.parent, want), level=t(f"level.{have}"))))  # fmt: skip


def say(f: Finding) -> Problem:
    """A finding in the operator's words."""
    kw: dict[str, object] = {}
    if f.area_m2 is not None:
        kw["m2"] = f"{abs(f.area_m2):,.0f}"
        kw["sign"] = "+" if f.area_m2 >= 0 else "−"
    if f.share is not None:
        kw["share"] = f"{f.share:.1%}"
    if f.other is not None:
        kw["other"] = _short_any(f.other)
    if f.detail is not None:
        kw["detail"] = (
            _reason(f.detail) if f.kind.startswith(("invalid", "unrep")) else f.detail[:40]
        )
    kind = "gap_top" if f.kind == "gap" and f.other is None else f.kind
    return Problem(None if f.feature is None else f.feature + 1, None, "geometry", f.severity,
                   t(f"area_import.check.{kind}", None, **kw), f.area_m2, f.geom)  # fmt: skip


_REASONS: Final = {
    "self-intersection": "self_intersection",
    "ring self-intersection": "ring_self_intersection",
    "too few points": "too_few_points",
    "hole lies outside shell": "hole_outside",
    "nested holes": "nested",
    "nested shells": "nested",
}
_REASON: Final = re.compile(r"\s*([^\[]*?)\s*(?:\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\])?\s*$")


def _reason(detail: str) -> str:
    """GEOS's reason ("Self-intersection[115.3 22.8]") in the operator's words."""
    m = _REASON.match(detail[:200])
    if m is None:
        return t("area_import.reason.other")
    said = t(f"area_import.reason.{_REASONS.get(m.group(1).lower(), 'other')}")
    if m.group(2) and m.group(3):
        said += t(
            "area_import.reason.at", lon=f"{float(m.group(2)):.5f}", lat=f"{float(m.group(3)):.5f}"
        )
    return said


def _short_any(code: str) -> str:
    lvl = codes.level_of(code)
    return codes.short(code, lvl) if lvl else code


def fill_codes(problems: list[Problem], attrs: list[Attrs | None]) -> None:
    by_feature = {a.index + 1: codes.short(a.code, a.level) for a in attrs if a is not None}
    for p in problems:
        if p.feature is not None and p.code is None:
            p.code = by_feature.get(p.feature)
