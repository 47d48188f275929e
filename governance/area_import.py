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

import logging
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
from governance.area_checks import Node, Tolerances, check_geometries, check_topology
from governance.area_crs import Declared, Verdict, declared, detect_shift, to_wgs84
from governance.area_files import AreaFile
from governance.area_mapping import FIELDS, REQUIRED, proposed_mapping, signature
from governance.area_mapping import resolve as resolve_mapping
from governance.area_rows import Attrs, Problem, attributes, fill_codes, parents, say
from governance.duties import INSTALLER
from governance.errors import InvalidInput
from i18n import t

log = logging.getLogger(__name__)

__all__ = [  # what the page and the command line use
    "FIELDS",
    "LEVEL_CHOICES",
    "REQUIRED",
    "SHIFT_CHOICES",
    "Analysis",
    "Options",
    "Problem",
    "Result",
    "allowed",
    "analyse",
    "commit",
    "commit_analysed",
    "preview_geojson",
    "proposed_mapping",
    "signature",
]

SHIFT_FEATURES: Final = 2_000  # features sampled for the GCJ-02 / BD-09 detection
LEVEL_CHOICES: Final = ("auto", *codes.LEVELS)
SHIFT_CHOICES: Final = ("wgs84", "gcj02", "bd09")
PREVIEW_ROWS: Final = 50


@dataclass(frozen=True)
class Options:
    """What the operator chose; ``None`` fields take the detected or remembered value."""

    level: str = "auto"
    mapping: Mapping[str, str | None] | None = None
    shift: str | None = None  # wgs84 / gcj02 / bd09 (undo this offset); None: detected
    repair: bool = False  # accept MakeValid repairs of invalid geometries
    tolerances: Tolerances = Tolerances()


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
    mapping, mapping_from = resolve_mapping(s, file, opts.mapping)
    decl = declared(file.crs)
    verdict, shift = _shift(s, file, decl, opts.shift)
    geoms, seen, found = check_geometries(to_wgs84(file.geoms, decl, shift), opts.repair)
    problems = [say(f) for f in found]
    attrs = attributes(file, mapping, opts.level, problems)
    loaded = q.loaded(s, [a.parent for a in attrs if a and a.parent] + [a.code for a in attrs if a])
    parents(attrs, loaded, problems)
    problems += _topology(s, attrs, seen, loaded, opts.tolerances)
    fill_codes(problems, attrs)
    counts = Counter(p.severity for p in problems)
    counts["unrepaired"] = (
        sum(1 for p in problems if p.severity == "repair") if not opts.repair else 0
    )
    good = [a for a in attrs if a is not None and geoms[a.index] is not None]
    plan: dict[str, list[str]] = {"new": [], "unchanged": [], "renamed": [], "reshaped": []}
    if counts["error"] == 0 and good:
        q.stage(
            s,
            (
                (a.code, a.name, a.level, a.parent, a.population, shapely.to_wkb(geoms[a.index]))
                for a in good
            ),
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
    ok = file.geoms[~shapely.is_missing(file.geoms)]
    # features spread over the file are enough to tell (and no second copy of 100,000)
    as_declared = to_wgs84(ok[:: max(1, len(ok) // SHIFT_FEATURES)], decl, "wgs84")
    box = shapely.total_bounds(as_declared) if len(as_declared) else np.full(4, np.nan)
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


def _topology(
    s: Session, attrs: list[Attrs | None], geoms: np.ndarray, loaded: dict, tol: Tolerances
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
    return [say(f) for f in check_topology(nodes, parents, tol)]


# ----------------------------------------------------------------------------- preview map
PREVIEW_FEATURES: Final = 3_000  # drawn on the preview map; problems are always drawn
PREVIEW_PROBLEMS: Final = 2_000  # problems drawn (the table lists them; the counts are whole)
PREVIEW_SIMPLIFY: Final = 0.00005  # degrees (~5 m): outlines for the eye, not for storing


def preview_geojson(a: Analysis) -> dict:
    """The file's features (simplified, at most :data:`PREVIEW_FEATURES`) and every
    problem that has a place (gaps, overlaps, parts outside the parent, repaired shapes;
    at most :data:`PREVIEW_PROBLEMS`) as one GeoJSON FeatureCollection in WGS84; ``properties.kind`` is "area" or the
    problem's severity, ``properties.label`` what a tooltip shows."""
    feats: list[dict] = []
    for f in a.features[:PREVIEW_FEATURES]:
        g = a.geoms[f["index"]]
        if g is None:
            continue
        feats.append(_feature(shapely.simplify(g, PREVIEW_SIMPLIFY, preserve_topology=True),
                              {"kind": "area", "code": codes.short(f["code"], f["level"]), "label": f["name"]}))  # fmt: skip
    placed = [p for p in a.problems if p.geom is not None]
    for p in placed[:PREVIEW_PROBLEMS]:  # a file of 100,000 overlaps is not drawn whole
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
    return commit_analysed(s, who, file, analyse(s, who, file, opts), client_addr)


def commit_analysed(
    s: Session,
    principal: Principal | None,
    file: AreaFile,
    a: Analysis,
    client_addr: str | None = None,
) -> Result:
    """:func:`commit` of an analysis of ``file`` made in this same transaction ``s`` (its
    features are staged there): the command line shows the preview, then imports it
    without checking 100,000 features twice."""
    who = allowed(principal)
    if a.counts["error"]:
        raise InvalidInput("area_import.error.has_errors", n=a.counts["error"])
    if a.counts["unrepaired"]:
        raise InvalidInput("area_import.error.repairs_not_accepted", n=a.counts["unrepaired"])
    q.upsert(s)
    with scope_within(s, ALL_AREAS):
        reassigned = q.reassign(s)
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
