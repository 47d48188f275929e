"""The patrol report's table and lists as export datasets (``governance/exports.py``
writes, audits and serves them): the same figures as the screen under the same filters,
in the user's scope; the off-site reasons (free text) masked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from geodata.queries import patrol_report as q
from governance.access import Principal
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ
from governance.patrol_report import (
    GROUPS,
    Rates,
    area_like,
    choice,
    masked_reasons,
    parse_period,
    rates,
    targets,
)

EXPORTS: Final = ("patrol-rates", "patrol-missed", "patrol-offsite")
EXPORT_FORMATS: Final = ("csv", "xlsx")
EXPORT_ARGS: Final = ("period", "start", "end", "group", "area")
RATE_FIELDS: Final = ("key", "name", "due", "done", "on_time", "late", "missed", "completion") + (
    "on_time_rate",
    "off_site",
    "off_site_share",
    "failed",
    "failed_share",
)
_TASK_FIELDS: Final = ("task_id", "subject", "site_id", "site_name", "person_id")
_TASK_FIELDS2: Final = ("person_category", "grid_code", "grid_name", "worker")
MISSED_FIELDS: Final = _TASK_FIELDS + _TASK_FIELDS2 + ("due_on", "last_day", "deadline", "status")
OFFSITE_FIELDS: Final = (
    ("submission_id",)
    + _TASK_FIELDS
    + _TASK_FIELDS2
    + ("filled_at", "distance_m", "accuracy_m", "flags", "off_site_reason", "late")
)


def _rate_row(r: Rates) -> dict[str, Any]:
    def share(x: float | None) -> float | None:
        return None if x is None else round(x, 4)

    return {
        **{f: getattr(r, f) for f in ("key", "name", "due", "done", "on_time", "late")},
        **{f: getattr(r, f) for f in ("missed", "off_site", "failed")},
        "completion": share(r.completion),
        "on_time_rate": share(r.on_time_rate),
        "off_site_share": share(r.off_site_share),
        "failed_share": share(r.failed_share),
    }


def export_rows(
    s: Session,
    who: Principal,
    dataset: str,
    args: Any,
    lang: str,
    *,
    cap: int,
    now: datetime | None = None,
) -> tuple[list[str], list[dict[str, Any]]]:
    """The fields and rows of one of :data:`EXPORTS` under the screen's filters ``args``
    (period, start, end, group, area), in ``who``'s scope; a list longer than ``cap`` is
    refused (``export.error.too_many``)."""
    from i18n import t

    now = now or datetime.now(LOCAL_TZ)
    chosen = parse_period(args.get("period"), args.get("start"), args.get("end"), today=now.date())
    like = area_like(s, who, args.get("area"))
    if dataset == "patrol-rates":
        group = choice(args.get("group"), GROUPS, "group", "street")
        rows, total = rates(s, group, like, chosen, now)
        out = [_rate_row(r) for r in rows]
        out.append(_rate_row(total) | {"key": "", "name": t("preport.total", lang)})
        return list(RATE_FIELDS), out
    if dataset == "patrol-missed":
        raw, n = q.missed_high_risk(s, like, chosen.start, chosen.end, now, cap + 1)
        fields: tuple[str, ...] = MISSED_FIELDS
    else:
        raw, n = q.off_site(s, like, chosen.since, chosen.until, cap + 1)
        raw = masked_reasons(s, raw)
        fields = OFFSITE_FIELDS
    if n > cap:
        raise InvalidInput("export.error.too_many", n=f"{n:,}", cap=f"{cap:,}")
    for r in targets(raw, who):
        r["worker"] = r["worker_username"]
    return list(fields), raw
