"""Import of a county's own areas (county / street-town / community / grid) from its files.

**Who.** The system administrator (系统管理员, ``AREAS_IMPORT``): setting up the
installation's areas is administration, like its accounts, and needs no business data.
The preview shows codes, names and shapes; the import reports how many incidents, sites
and key persons changed grid, never which. After ``init --empty`` the system
administrator is the one who moves the county in.

**Steps.** :func:`analyse` reads nothing but the file and the loaded areas around it and
writes nothing but a temporary table: the column mapping (given, else remembered for this
file layout, else guessed from the usual headers), the coordinate system (declared, and a
GCJ-02 / BD-09 shift detected against the loaded boundaries: :mod:`governance.area_crs`),
each feature's code, name, level and parent (:mod:`governance.area_codes_import`), its
geometry and the topology of the whole (:mod:`governance.area_checks`). :func:`commit`
does the same and, only if nothing is wrong, upserts every feature by code in the
caller's transaction (ids kept, so incidents, sites, users and tasks still point where they
did), moves incidents, key sites and key persons whose grid changed, remembers the
mapping, and writes one audit record with the counts. Importing the same file again
changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import shapely
from sqlalchemy.orm import Session

from geodata.db import ALL_AREAS, scope_within
from geodata.queries import area_import as q
from governance import area_codes_import as codes
from governance import audit
from governance.access import AREAS_IMPORT, Principal, require
from governance.area_checks import Finding, Node, Tolerances, check_geometries, check_topology
from governance.area_crs import Declared, Verdict, declared, detect_shift, to_wgs84
from governance.area_files import AreaFile, looks_mojibake
from governance.duties import INSTALLER
from governance.errors import InvalidInput
from i18n import t

log = logging.getLogger(__name__)

FIELDS: Final = ("code", "name", "parent", "population")
REQUIRED: Final = ("code", "name")
LEVEL_CHOICES: Final = ("auto", *codes.LEVELS)
SHIFT_CHOICES: Final = ("wgs84", "gcj02", "bd09")
MAX_NAME: Final = 80
PREVIEW_ROWS: Final = 50
MAX_LISTED: Final = 500  # findings listed; the counts are always complete
SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "code": (
        "网格编码", "网格代码", "社区编码", "村居编码", "街道编码", "乡镇编码", "区划代码",
        "行政区划代码", "统计用区划代码", "编码", "代码", "code", "adcode", "gb", "dm",
    ),
    "name": (
        "网格名称", "网格名", "社区名称", "村居名称", "街道名称", "乡镇名称", "区划名称",
        "名称", "name", "mc",
    ),
    "parent": (
        "上级编码", "上级代码", "父级编码", "上级区划代码", "所属编码", "parent", "parentcode",
        "parent_code", "pcode",
    ),
    "population": ("人口", "常住人口", "户籍人口", "人口数", "population", "pop"),
}  # fmt: skip


@dataclass(frozen=True)
class Options:
    """What the operator chose; ``None`` fields take the detected or remembered value."""

    level: str = "auto"
    mapping: Mapping[str, str | None] | None = None
    shift: str | None = None  # wgs84 / gcj02 / bd09 (undo this offset); None: detected
    repair: bool = False  # accept MakeValid repairs of invalid geometries
    tolerances: Tolerances = Tolerances()


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
    geom: object | None = field(default=None, repr=False)


@dataclass
class Analysis:
    """Everything the preview shows and the import needs."""

    filename: str
    format: str
    count: int
    headers: list[str]
    mapping: dict[str, str | None]
    mapping_from: str  # given / remembered / guessed
    declared: str
    may_be_shifted: bool
    verdict: Verdict
    shift: str
    problems: list[Problem]
    counts: Counter  # error / warning / repair
    rows: list[dict]  # code, name, level, parent, what the import will do
    plan_codes: dict[str, list[str]]  # new / unchanged / renamed / reshaped -> codes
    geoms: np.ndarray = field(repr=False)  # WGS84 MultiPolygons to store (None: refused)
    features: list[dict] = field(repr=False, default_factory=list)

    @property
    def plan(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.plan_codes.items()}

    @property
    def can_import(self) -> bool:
        return self.counts["error"] == 0 and self.counts["unrepaired"] == 0


# ----------------------------------------------------------------------------- mapping
def signature(headers: list[str]) -> str:
    """The layout of a file: its kind and column names in order."""
    return hashlib.sha256(("areas\x1f" + "\x1f".join(headers)).encode()).hexdigest()


def guess_mapping(headers: list[str]) -> dict[str, str | None]:
    """Field -> the column that most likely holds it (None: no guess)."""
    by_norm = {h.strip().lower().replace(" ", ""): h for h in headers}
    out: dict[str, str | None] = {}
    used: set[str] = set()
    for f in FIELDS:
        hit = next(
            (by_norm[s] for s in SYNONYMS[f] if s in by_norm and by_norm[s] not in used), None
        )
        out[f] = hit
        if hit:
            used.add(hit)
    return out


def _mapping(
    s: Session, file: AreaFile, given: Mapping[str, str | None] | None
) -> tuple[dict, str]:
    if given is not None:
        mapping, source = {f: (given.get(f) or None) for f in FIELDS}, "given"
    elif (kept := q.remembered(s, signature(file.headers))) is not None:
        mapping, source = {f: kept.get(f) for f in FIELDS}, "remembered"
    else:
        mapping, source = guess_mapping(file.headers), "guessed"
    for f, col in mapping.items():
        if col is not None and col not in file.columns:
            raise InvalidInput(
                "area_import.error.no_column",
                field=t(f"area_import.field.{f}"),
                column=str(col)[:60],
            )
    for f in REQUIRED:
        if not mapping.get(f):
            raise InvalidInput("area_import.error.unmapped", field=t(f"area_import.field.{f}"))
    return mapping, source


# ----------------------------------------------------------------------------- analysis
def allowed(principal: Principal | None) -> Principal:
    """A system administrator, or the installer at the shell (``import areas`` without
    ``--as``); anyone else is :class:`~governance.errors.Forbidden`."""
    if principal is INSTALLER:
        return principal
    return require(principal, AREAS_IMPORT)


def analyse(s: Session, principal: Principal | None, file: AreaFile, opts: Options) -> Analysis:
    """Check ``file`` as :func:`commit` would import it; writes only a temporary table."""
    allowed(principal)
    if opts.level not in LEVEL_CHOICES:
        raise InvalidInput("area_import.error.level")
    if opts.shift is not None and opts.shift not in SHIFT_CHOICES:
        raise InvalidInput("area_import.error.crs_choice")
    mapping, mapping_from = _mapping(s, file, opts.mapping)
    decl = declared(file.crs)
    verdict, shift = _shift(s, file, decl, opts.shift)
    geoms, seen, found = check_geometries(to_wgs84(file.geoms, decl, shift), opts.repair)
    problems = [_say(f) for f in found]
    attrs = _attributes(file, mapping, opts.level, problems)
    loaded = q.loaded(s, [a.parent for a in attrs if a and a.parent] + [a.code for a in attrs if a])
    _parents(attrs, loaded, problems)
    problems += _topology(s, attrs, seen, loaded, opts.tolerances)
    _fill_codes(problems, attrs)
    counts = Counter(p.severity for p in problems)
    counts["unrepaired"] = (
        sum(1 for p in problems if p.severity == "repair") if not opts.repair else 0
    )
    good = [a for a in attrs if a is not None and geoms[a.index] is not None]
    plan: dict[str, list[str]] = {"new": [], "unchanged": [], "renamed": [], "reshaped": []}
    if counts["error"] == 0 and good:
        q.stage(
            s,
            [
                (a.code, a.name, a.level, a.parent, a.population, shapely.to_wkb(geoms[a.index]))
                for a in good
            ],
        )
        plan = q.classify(s)
    what = {code: kind for kind, cs in plan.items() for code in cs}
    rows = [
        {"feature": a.index + 1, "code": codes.short(a.code, a.level), "name": a.name,
         "level": t(f"level.{a.level}"), "parent": codes.short(a.parent, codes.PARENT[a.level]) if a.parent else "",
         "plan": t(f"area_import.plan.{what[a.code]}") if a.code in what else ""}
        for a in [a for a in attrs if a is not None][:PREVIEW_ROWS]
    ]  # fmt: skip
    return Analysis(
        file.filename, file.format, file.count, file.headers, mapping, mapping_from,
        decl.label, decl.may_be_shifted, verdict, shift, problems, counts, rows,
        plan, geoms,
        [{"code": a.code, "name": a.name, "level": a.level, "index": a.index} for a in good],
    )  # fmt: skip


def _shift(s: Session, file: AreaFile, decl: Declared, chosen: str | None) -> tuple[Verdict, str]:
    if not decl.may_be_shifted:
        return Verdict(None, {}, 0), "wgs84"
    as_declared = to_wgs84(file.geoms, decl, "wgs84")
    ok = as_declared[~shapely.is_missing(as_declared)]
    box = shapely.total_bounds(ok) if len(ok) else np.full(4, np.nan)
    lines = None
    if (
        np.isfinite(box).all()
        and box[0] >= -180
        and box[2] <= 180
        and box[1] >= -90
        and box[3] <= 90
    ):
        pad = 0.02  # degrees: more than any GCJ-02 offset
        wkb = q.linework_near(s, (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad))
        lines = shapely.from_wkb(wkb) if wkb else None
    verdict = detect_shift(as_declared, lines)
    return verdict, chosen or verdict.system or "wgs84"


@dataclass(frozen=True)
class _Attrs:
    index: int
    code: str  # stored form
    name: str
    level: str
    parent: str | None  # stored code of the parent
    population: int | None


def _attributes(
    file: AreaFile, mapping: dict, level: str, problems: list[Problem]
) -> list[_Attrs | None]:
    col = {f: (file.columns[c] if c else [None] * file.count) for f, c in mapping.items()}
    out: list[_Attrs | None] = []
    seen: dict[str, int] = {}
    declared_parent: dict[str, str] = {}
    for i in range(file.count):
        out.append(_one(i, col, level, problems, seen, declared_parent))
    _cycles(out, declared_parent, problems)
    return out


def _one(i, col, level, problems, seen, declared_parent) -> _Attrs | None:  # type: ignore[no-untyped-def]
    def bad(fld: str, kind: str, **kw: object) -> None:
        problems.append(Problem(i + 1, None, fld, "error", t(f"area_import.{kind}", **kw)))

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
    return _Attrs(i, code, name, lvl, parent, pop)


def _cycles(
    attrs: list[_Attrs | None], declared_parent: dict[str, str], problems: list[Problem]
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


def _parents(attrs: list[_Attrs | None], loaded: dict, problems: list[Problem]) -> None:
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


def _topology(
    s: Session, attrs: list[_Attrs | None], geoms: np.ndarray, loaded: dict, tol: Tolerances
) -> list[Problem]:
    ok = [a for a in attrs if a is not None and geoms[a.index] is not None]
    if not ok:
        return []
    mine = {a.code for a in attrs if a is not None}  # in the file, even if refused
    parents: dict[str, object] = {a.code: geoms[a.index] for a in ok}
    for code, row in loaded.items():
        if code not in parents:
            parents[code] = shapely.from_wkb(row.wkb)
    nodes = [Node(a.code, a.parent, geoms[a.index], a.index) for a in ok]
    siblings = q.children_not_in(s, {a.parent for a in ok if a.parent}, mine)
    nodes += [Node(r.code, r.name, shapely.from_wkb(r.wkb), None) for r in siblings]
    return [_say(f) for f in check_topology(nodes, parents, tol)]


def _say(f: Finding) -> Problem:
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
                   t(f"area_import.check.{kind}", **kw), f.area_m2, f.geom)  # fmt: skip


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


def _fill_codes(problems: list[Problem], attrs: list[_Attrs | None]) -> None:
    by_feature = {a.index + 1: codes.short(a.code, a.level) for a in attrs if a is not None}
    for p in problems:
        if p.feature is not None and p.code is None:
            p.code = by_feature.get(p.feature)


# ----------------------------------------------------------------------------- preview map
PREVIEW_FEATURES: Final = 3_000  # drawn on the preview map; problems are always drawn
PREVIEW_SIMPLIFY: Final = 0.00005  # degrees (~5 m): outlines for the eye, not for storing


def preview_geojson(a: Analysis) -> dict:
    """The file's features (simplified, at most :data:`PREVIEW_FEATURES`) and every
    problem that has a place (gaps, overlaps, parts outside the parent, repaired shapes)
    as one GeoJSON FeatureCollection in WGS84; ``properties.kind`` is "area" or the
    problem's severity, ``properties.label`` what a tooltip shows."""
    feats: list[dict] = []
    for f in a.features[:PREVIEW_FEATURES]:
        g = a.geoms[f["index"]]
        if g is None:
            continue
        feats.append(_feature(shapely.simplify(g, PREVIEW_SIMPLIFY, preserve_topology=True),
                              {"kind": "area", "code": codes.short(f["code"], f["level"]), "label": f["name"]}))  # fmt: skip
    for p in a.problems:
        if p.geom is not None:
            feats.append(
                _feature(p.geom, {"kind": p.severity, "code": p.code or "", "label": p.message})
            )
    return {"type": "FeatureCollection", "features": feats}


def _feature(geom: object, props: dict) -> dict:
    return {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": props}


# ----------------------------------------------------------------------------- commit
@dataclass(frozen=True)
class Result:
    """What an import did."""

    plan: dict[str, int]
    reassigned: dict[str, int]
    audit_id: int


def commit(
    s: Session,
    principal: Principal | None,
    file: AreaFile,
    opts: Options,
    client_addr: str | None = None,
) -> Result:
    """Import ``file`` in the caller's transaction if :func:`analyse` finds nothing wrong.

    Raises
    ------
    InvalidInput
        The file has errors, or repairs the operator did not accept (nothing written).
    """
    who = allowed(principal)
    a = analyse(s, who, file, opts)
    if a.counts["error"]:
        raise InvalidInput("area_import.error.has_errors", n=a.counts["error"])
    if a.counts["unrepaired"]:
        raise InvalidInput("area_import.error.repairs_not_accepted", n=a.counts["unrepaired"])
    q.upsert(s)
    moved = q.grid_ids(s, a.plan_codes["new"] + a.plan_codes["reshaped"])
    with scope_within(s, ALL_AREAS):
        reassigned = q.reassign(s, moved)
    q.remember(s, signature(file.headers), "areas", a.mapping)
    audit_id = audit.record(
        s, action="data_change", user_id=who.user_id, username=who.username, role=who.role,
        object_type="area", client_addr=client_addr,
        detail={"import": "areas", "file": file.filename[:200], "format": file.format,
                "features": file.count, "crs": a.declared or None, "shift": a.shift,
                **{f"areas_{k}": v for k, v in a.plan.items()},
                **{f"reassigned_{k}": v for k, v in reassigned.items()}},
    )  # fmt: skip
    log.info("areas imported from %s: %s, reassigned %s", file.filename, a.plan, reassigned)
    return Result(a.plan, reassigned, audit_id)
