"""The columns of a boundary file mapped to area fields: guessed from the usual headers,
remembered per file layout (``import_layout``), or given by the operator."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Final

from sqlalchemy.orm import Session

from geodata.queries import area_import as q
from governance.area_files import AreaFile
from governance.errors import InvalidInput
from i18n import t

FIELDS: Final = ("code", "name", "parent", "population")
REQUIRED: Final = ("code", "name")
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


def proposed_mapping(s: Session, file: AreaFile) -> tuple[dict[str, str | None], str]:
    """What to propose for a file: the mapping remembered for its layout, else the guess;
    and which ("remembered" / "guessed"). Remembered columns it lacks are dropped."""
    kept = q.remembered(s, signature(file.headers))
    if kept is not None:
        out = {f: kept.get(f) for f in FIELDS}
        return {f: (c if c in file.columns else None) for f, c in out.items()}, "remembered"
    return guess_mapping(file.headers), "guessed"


def resolve(
    s: Session, file: AreaFile, given: Mapping[str, str | None] | None
) -> tuple[dict[str, str | None], str]:
    """The mapping to use (given, else proposed) and where it came from; refused when a
    column is not in the file or a required field has none."""
    if given is not None:
        mapping, source = {f: (given.get(f) or None) for f in FIELDS}, "given"
    else:
        mapping, source = proposed_mapping(s, file)
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
