"""Exports of data (数据导出): the current filtered view of a layer or list as CSV, XLSX,
GeoJSON or GeoPackage, masked, in the user's area scope, audited.

:func:`export` checks the dataset's capability, validates the filters (the map's: time
window or dates, categories, sources, bbox, an area), counts the rows in the user's scope
in SQL and refuses more than :data:`EXPORT_CAP` with a message asking to narrow the
filters, then fetches the rows, masks them, writes the file, and records one audit entry
(dataset, filters, rows, format) in the same transaction.

Columns and masking come from the classification registry
(:func:`governance.classification.export_columns`): masked columns (addresses, free text)
are always exported masked, and columns the registry withholds or only aggregates never
leave the server. Free text (``redact_pii``: descriptions) is masked with the names the
system knows for each incident, its reporter's and its community's key persons', read and
decrypted once per export (``governance/known_names.py``). Key persons appear only as counts per area, only for roles that may see
those counts. Tables the registry does not list hold no personal data (it is checked
against the schema both ways) and are exported as stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from geodata.models import AreaLevel, IncidentSource, SiteType
from geodata.models_audit import AuditAction
from geodata.queries import dispatch_board as board_q
from geodata.queries import exports as q
from geodata.queries.case_state import URGENCY_FILTERS
from governance import (
    area_codes,
    audit,
    catalog,
    classification,
    dispatch_board,
    inputs,
    known_names,
    layer_query,
    patrol_report_export,
)
from governance.access import (
    INCIDENT_DISPATCH,
    INCIDENT_HANDLE,
    LAYER_INCIDENTS,
    LAYER_SITES,
    MAP_VIEW,
    PATROL_SUPERVISE,
    PERSONS_COUNTS,
    Principal,
    require,
)
from governance.errors import Forbidden, InvalidInput
from governance.export_formats import FORMATS, GEOMETRY
from governance.filters import LOCAL_TZ, parse_bbox, parse_choice, parse_list, parse_time

log = logging.getLogger(__name__)

EXPORT_CAP = 50_000  # rows per file; more: narrow the filters
DISPATCH_LISTS = {f"dispatch-{k}": k for k in board_q.LISTS}
DATASETS: dict[str, str] = {  # dataset -> the capability it needs
    "incidents": LAYER_INCIDENTS,
    "sites": LAYER_SITES,
    "grids": MAP_VIEW,
    **dict.fromkeys(DISPATCH_LISTS, INCIDENT_DISPATCH),
    "inbox": INCIDENT_HANDLE,
    # the patrol report's table and lists (governance/patrol_report_export.py), CSV and XLSX
    **dict.fromkeys(patrol_report_export.EXPORTS, PATROL_SUPERVISE),
}


@dataclass(frozen=True)
class Col:
    """An exported field: its name, and the registry column it comes from (table None:
    a derived value, or a table with no personal data)."""

    name: str
    table: str | None = None
    column: str | None = None


_I = "incident"
INCIDENT_COLS = (
    Col("id", _I, "id"),
    Col("external_id", _I, "external_id"),
    Col("source", _I, "source"),
    Col("category_code", _I, "category_code"),
    Col("category"),
    Col("status", _I, "status"),
    Col("priority", _I, "priority"),
    Col("occurred_at", _I, "occurred_at"),
    Col("reported_at", _I, "reported_at"),
    Col("grid_code", "area", "code"),
    Col("grid_name", "area", "name"),
    Col("address", _I, "address"),
    Col("description", _I, "description"),
    Col("lead_department"),
    Col("escalation_level", _I, "escalation_level"),
    Col("dispatched_at", _I, "dispatched_at"),
    Col("accept_due_at", _I, "accept_due_at"),
    Col("resolve_due_at", _I, "resolve_due_at"),
    Col("lon", _I, "geom"),
    Col("lat", _I, "geom"),
)
SITE_COLS = tuple(
    Col(n, *(("area", c) if c else (None, None)))
    for n, c in (
        ("id", None),
        ("code", None),  # the department's own code: an export re-imports as the same site
        ("name", None),
        ("site_type", None),
        ("risk_grade", None),
        ("address", None),
        ("grid_code", "code"),
        ("grid_name", "name"),
        ("lon", None),
        ("lat", None),
    )
)
_A = "area"
AREA_COLS = (
    Col("code", _A, "code"),
    Col("name", _A, "name"),
    Col("level", _A, "level"),
    Col("parent_code", _A, "code"),
    Col("population", _A, "population"),
    Col("worker_name", _A, "worker_name"),
    Col("worker_phone", _A, "worker_phone"),
    Col("incidents"),
    Col("lon", _A, "label_point"),
    Col("lat", _A, "label_point"),
)
PERSON_COUNT_COL = Col("key_persons")  # a count per area (key_person rows stay aggregate)


@dataclass(frozen=True)
class ExportFile:
    """A finished export: the file, its name and type, its rows and audit record."""

    body: bytes
    filename: str
    mimetype: str
    rows: int
    record_id: int


Convert = Callable[[Any, Mapping[str, Any]], Any]  # (stored value, its row) -> exported


def _converters(
    cols: tuple[Col, ...], who: Principal, names: known_names.IncidentNames
) -> dict[str, Convert]:
    """Field -> how a stored value of a row is exported for ``who`` (the registry's
    rules; free text with the names known for the row's incident)."""
    out: dict[str, Convert] = {}
    for c in cols:
        if c.table in classification.REGISTRY and c.column is not None:
            conv = classification.export_columns(c.table, [c.column], who)[c.column]
            rule = classification.masking_rule(c.table, c.column)
            out[c.name] = _by_rule(rule, conv, names)
        else:
            out[c.name] = _as_stored
    return out


def _by_rule(rule: str, conv: Callable[..., Any], names: known_names.IncidentNames) -> Convert:
    def address(value: Any, row: Mapping[str, Any]) -> Any:
        return conv(value, context=row.get("community_name"))

    def free_text(value: Any, row: Mapping[str, Any]) -> Any:
        return names.redact(row.get("id"), value)

    def other(value: Any, _row: Mapping[str, Any]) -> Any:
        return conv(value)

    return {"mask_address": address, "redact_pii": free_text}.get(rule, other)


def _as_stored(value: Any, _row: Mapping[str, Any]) -> Any:
    return value


def _free_text(cols: tuple[Col, ...]) -> bool:
    return any(
        c.table in classification.REGISTRY
        and c.column is not None
        and classification.masking_rule(c.table, c.column) == "redact_pii"
        for c in cols
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).isoformat(timespec="seconds")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return value


def _area(s: Session, raw: str | None) -> str | None:
    """The code prefix of the ``area`` filter (its subtree; None: none, or the whole city);
    codes as :func:`governance.area_codes.resolve` accepts them, others refused."""
    return area_codes.scope_prefix(s, raw)


def _where(
    s: Session, dataset: str, args: Mapping[str, str], who: Principal
) -> tuple[q.ExportWhere, dict[str, str]]:
    """The filters of ``args`` for ``dataset`` and the ones recorded in the audit trail."""
    kept = {
        k: str(args[k])[:200]
        for k in ("window", "start", "end", "categories", "sources", "bbox", "area")
        + ("types", "level", "urgency", "due")
        if args.get(k)
    }
    if dataset in DISPATCH_LISTS:
        return q.ExportWhere(scope=who.scope), {}
    bbox = parse_bbox(args["bbox"]).as_tuple() if args.get("bbox") else None
    base = q.ExportWhere(scope=who.scope, area=_area(s, args.get("area")), bbox=bbox)
    if dataset == "sites":
        types = parse_list(args.get("types"))
        bad = [x for x in types or () if x not in {st.value for st in SiteType}]
        if bad:
            raise InvalidInput("error.unknown_value", name="types", value=", ".join(bad))
        return replace(base, types=types), kept
    if dataset == "inbox":
        if who.department_id is None:
            raise Forbidden("error.not_lead_department")
        return replace(base, department_id=who.department_id), kept
    tr = parse_time(args.get("window"), args.get("start"), args.get("end"))
    sources = parse_list(args.get("sources"))
    bad = [x for x in sources or () if x not in {v.value for v in IncidentSource}]
    if bad:
        raise InvalidInput("error.unknown_value", name="sources", value=", ".join(bad))
    level = parse_choice(args.get("level"), "level", [lv.value for lv in AreaLevel], "grid")
    urgency = layer_query.codes(args.get("urgency") or "", "urgency", URGENCY_FILTERS) or ()
    hours = args.get("due") or layer_query.DEFAULT_DUE_HOURS
    hours = inputs.integer(hours, "due", lo=1, hi=layer_query.MAX_DUE_HOURS)
    now = datetime.now(LOCAL_TZ)
    where = replace(
        base,
        start=tr.start,
        end=tr.end,
        categories=catalog.expand_categories(parse_list(args.get("categories"))),
        sources=sources,
        level=level or "grid",
        urgency=urgency,
        now=now,
        soon=now + timedelta(hours=hours),
    )
    return where, kept


def _columns(dataset: str, who: Principal) -> tuple[Col, ...]:
    if dataset == "sites":
        return SITE_COLS
    if dataset == "grids":
        return AREA_COLS + ((PERSON_COUNT_COL,) if who.can(PERSONS_COUNTS) else ())
    extra = (Col("sla_state"),) if dataset in DISPATCH_LISTS else ()
    return INCIDENT_COLS + extra


def _raw_rows(
    s: Session, dataset: str, where: q.ExportWhere, who: Principal, lang: str
) -> list[dict[str, Any]]:
    """The rows (at most EXPORT_CAP; more is refused) before masking."""
    if dataset in DISPATCH_LISTS:
        start, now = dispatch_board.today()
        window = board_q.Window(scope=who.scope, now=now, start=start, end=now)
        n = board_q.list_counts(s, window)[DISPATCH_LISTS[dataset]]
        if n > EXPORT_CAP:
            raise InvalidInput("export.error.too_many", n=f"{n:,}", cap=f"{EXPORT_CAP:,}")
        rows = board_q.list_rows(s, DISPATCH_LISTS[dataset], window, limit=EXPORT_CAP)
        cache: dict[tuple[str, int], int] = {}
        for r in rows:
            clock = dispatch_board.light(s, r, now, cache)
            r["sla_state"] = clock["state"] if clock else None
    else:
        if dataset == "sites":
            sql, params = q.sites_sql(where)
        elif dataset == "grids":
            sql, params = q.areas_sql(where, with_persons=who.can(PERSONS_COUNTS))
        elif dataset == "inbox":
            sql, params = q.inbox_sql(where)
        else:
            sql, params = q.incidents_sql(where)
        n = q.count(s, sql, params, EXPORT_CAP)
        if n > EXPORT_CAP:
            raise InvalidInput(
                "export.error.too_many", n=f"> {EXPORT_CAP:,}", cap=f"{EXPORT_CAP:,}"
            )
        rows = q.fetch(s, sql, params)
    for r in rows:
        if "category_code" in r:
            cat = catalog.category(r["category_code"])
            r["category"] = cat.name(lang) if cat else r["category_code"]
            r["lead_department"] = r["department_en"] if lang == "en" else r["department_zh"]
    return rows


def _layer(
    s: Session, dataset: str, args: Mapping[str, str], who: Principal, lang: str
) -> tuple[list[str], list[dict[str, Any]], dict[str, str]]:
    """A layer or list of incidents, sites or areas: fields, masked rows, filters kept."""
    cols = _columns(dataset, who)
    _converters(cols, who, known_names.IncidentNames())  # refuse forbidden columns first
    fields = [c.name for c in cols]
    where, kept = _where(s, dataset, args, who)
    raw = _raw_rows(s, dataset, where, who, lang)
    names = (
        known_names.load(s, [r["id"] for r in raw])
        if _free_text(cols)
        else known_names.IncidentNames()
    )
    convert = _converters(cols, who, names)
    rows = [
        {**{f: _plain(convert[f](r.get(f), r)) for f in fields}, GEOMETRY: r.get(GEOMETRY)}
        for r in raw
    ]
    return fields, rows, kept


def _patrol(
    s: Session, dataset: str, fmt: str, args: Mapping[str, str], who: Principal, lang: str
) -> tuple[list[str], list[dict[str, Any]], dict[str, str]]:
    """A table or list of the patrol report, in tabular formats only; the off-site reasons
    (free text) masked by the report itself."""
    if fmt not in patrol_report_export.EXPORT_FORMATS:
        choices = ", ".join(patrol_report_export.EXPORT_FORMATS)
        raise InvalidInput("error.format", format=fmt, choices=choices)
    kept = {k: str(args[k])[:40] for k in patrol_report_export.EXPORT_ARGS if args.get(k)}
    fields, raw = patrol_report_export.export_rows(s, who, dataset, args, lang, cap=EXPORT_CAP)
    rows = [{**{f: _plain(r.get(f)) for f in fields}, GEOMETRY: None} for r in raw]
    return fields, rows, kept


def export(
    s: Session,
    dataset: str,
    fmt: str,
    args: Mapping[str, str],
    *,
    principal: Principal | None,
    lang: str = "zh-CN",
    client_addr: str | None = None,
) -> ExportFile:
    """The file of ``dataset`` in ``fmt`` for ``principal`` under the filters ``args``,
    read in the caller's unit of work ``s`` (the principal's row-level-security scope) and
    recorded in the audit trail in the same transaction (one record per export)."""
    if dataset not in DATASETS:
        raise InvalidInput("export.error.dataset", value=dataset[:40], choices=", ".join(DATASETS))
    if fmt not in FORMATS:
        raise InvalidInput("error.format", format=fmt[:20], choices=", ".join(FORMATS))
    who = require(principal, DATASETS[dataset])
    if dataset in patrol_report_export.EXPORTS:
        fields, rows, kept = _patrol(s, dataset, fmt, args, who, lang)
    else:
        fields, rows, kept = _layer(s, dataset, args, who, lang)
    body = FORMATS[fmt].write(dataset, fields, rows)
    record_id = audit.record(
        s,
        action=AuditAction.EXPORT,
        user_id=who.user_id or None,
        username=who.username,
        role=who.role,
        object_type="export",
        object_id=dataset,
        client_addr=client_addr,
        detail={"dataset": dataset, "format": fmt, "filters": kept, "rows": len(rows)},
    )
    log.info("export %s.%s by %s: %d rows", dataset, fmt, who.username, len(rows))
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M%S")
    return ExportFile(
        body, f"{dataset}-{stamp}.{FORMATS[fmt].ext}", FORMATS[fmt].mimetype, len(rows), record_id
    )
