"""The columns of a hotline export mapped to incident fields, and the usual headers.

Used by :mod:`governance.file_import`: the import page proposes :func:`guess_mapping`
for a new file, and the user may change it before the preview.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

FIELDS = (
    "external_id",
    "category",
    "occurred_at",
    "lon",
    "lat",
    "crs",
    "description",
    "address",
    "priority",
    "reporter_name",
    "reporter_phone",
)
REQUIRED = ("external_id", "category", "occurred_at", "lon", "lat")
# Headers of common hotline exports (normalised: lower case, no spaces or brackets).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": ("工单编号", "工单号", "工单id", "诉求编号", "编号", "externalid", "id"),
    "category": ("诉求类型", "事件类型", "问题类型", "事件类别", "类别", "分类", "category"),
    "occurred_at": ("受理时间", "来电时间", "发生时间", "上报时间", "时间", "occurredat"),
    "lon": ("经度", "lon", "lng", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "crs": ("坐标系", "crs"),
    "description": ("诉求内容", "事件描述", "问题描述", "内容", "description"),
    "address": ("地址", "事发地址", "事件地址", "诉求地址", "address"),
    "priority": ("优先级", "紧急程度", "priority"),
    "reporter_name": ("来电人", "反映人", "诉求人", "姓名", "reportername"),
    "reporter_phone": ("联系电话", "来电号码", "电话", "手机", "reporterphone"),
}
_NOISE = re.compile(r"[\s_\-（）()\[\]【】:：*]+")


def _norm(header: str) -> str:
    return _NOISE.sub("", header).lower()


def guess_mapping(
    headers: list[str],
    *,
    fields: Sequence[str] = FIELDS,
    synonyms: Mapping[str, Sequence[str]] = SYNONYMS,
) -> dict[str, str | None]:
    """Field -> the header that most likely holds it (None: no guess). ``fields`` and
    ``synonyms``: another import's (the key-site and key-person registers'), in the order
    the fields claim headers."""
    by_norm = {_norm(h): h for h in headers}
    out: dict[str, str | None] = {}
    used: set[str] = set()
    for f in fields:
        hit = next((by_norm[s] for s in synonyms[f] if s in by_norm), None)
        out[f] = hit if hit not in used else None
        if hit:
            used.add(hit)
    return out
