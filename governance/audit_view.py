"""The auditor's use cases: search the audit trail page by page, verify it, export it.

Every function takes the acting :class:`~governance.access.Principal` and checks
``AUDIT_VIEW`` first: the page's callbacks and the export route are HTTP endpoints anyone
can call. Filters arrive as raw values from a form, a query string or a hand-made
request, and are validated here into :class:`AuditFilters` (errors are
:class:`~governance.errors.InvalidInput` with a catalog key, never a bare exception).

Pages are fetched by the query, :data:`PAGE_SIZE` rows at a time, and pinned to the
newest record of the first page (``head``) so that paging stays stable while the trail
grows. The export counts and records first (a short transaction: its record is sealed
into the chain after that commit), then streams the same snapshot (``id <= head``) through a
server-side cursor in a read-only transaction of its own.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from geodata.db import session_scope
from geodata.models_audit import AuditAction, AuditOutcome
from geodata.queries import audit as q
from governance import audit, classification
from governance.access import AUDIT_VIEW, Principal, require
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ
from i18n import t

log = logging.getLogger(__name__)

PAGE_SIZE = 50
MAX_PAGE = 2000  # 100,000 records by paging; beyond that, narrow the filters or export
EXPORT_CAP = 100_000
MAX_TEXT = 200  # characters per text filter
_TEXT_FIELDS = ("username", "action", "object_type", "object_id")
_OUTCOMES = tuple(o.value for o in AuditOutcome)
# Cells a spreadsheet would run as a formula (CSV injection): prefixed with a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilters:
    """Validated filters. ``start`` / ``end`` are local days (Asia/Shanghai), end
    inclusive; text filters match exactly; None means no filter."""

    start: date | None = None
    end: date | None = None
    username: str | None = None
    action: str | None = None
    outcome: str | None = None
    object_type: str | None = None
    object_id: str | None = None

    @classmethod
    def parse(cls, raw: object) -> AuditFilters:
        """Filters from a mapping of raw values (form, query string or JSON).

        Raises
        ------
        InvalidInput
            For a non-mapping, a non-text value, text longer than :data:`MAX_TEXT`, a
            malformed or inverted date, or an unknown outcome.
        """
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise InvalidInput("error.audit.bad_value")
        values = {name: _text(raw.get(name)) for name in (*_TEXT_FIELDS, "outcome")}
        outcome = values.pop("outcome")
        if outcome is not None and outcome not in _OUTCOMES:
            raise InvalidInput("error.unknown_value", name="outcome", value=outcome[:40])
        start, end = _day(raw.get("start"), "start"), _day(raw.get("end"), "end")
        if start and end and start > end:
            raise InvalidInput("error.time_inverted")
        return cls(start=start, end=end, outcome=outcome, **values)

    def query_args(self) -> dict[str, Any]:
        """Keyword arguments of the ``geodata.queries.audit`` read functions."""
        return {
            "username": self.username,
            "action": self.action,
            "outcome": self.outcome,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "since": _midnight(self.start),
            "until": _midnight(self.end + timedelta(days=1) if self.end else None),
        }

    def params(self) -> dict[str, str]:
        """The filters that are set, as strings (a query string, an audit detail)."""
        return {
            k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(self).items() if v
        }


@dataclass(frozen=True)
class AuditPage:
    """One page of search results (``page`` counts from 0)."""

    filters: AuditFilters
    rows: list[dict[str, Any]]
    page: int
    has_more: bool
    head: int | None  # newest record of the search: later pages stop there

    @property
    def first(self) -> int:
        """1-based position of the first row of the page."""
        return self.page * PAGE_SIZE + 1


@dataclass(frozen=True)
class ExportPlan:
    """What an export will write: recorded before the first byte is sent."""

    filters: AuditFilters
    head: int  # snapshot: records up to this id (0 when the trail was empty)
    rows: int
    capped: bool
    record_id: int


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidInput("error.audit.bad_value")
    if len(value) > MAX_TEXT:
        raise InvalidInput("error.audit.too_long", max=MAX_TEXT)
    return value.strip() or None


def _day(value: object, name: str) -> date | None:
    """A local day from ``YYYY-MM-DD`` (or an ISO 8601 date-time: its day)."""
    text = _text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text).date()
    except ValueError:
        raise InvalidInput("error.time_format", name=name) from None


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), LOCAL_TZ)


def _whole(value: object, default: int | None, *, low: int, high: int, key: str) -> int | None:
    """An integer in [low, high] (bools and strings are refused: JSON numbers only)."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(key, max=high + 1)
    return value


def search_page(
    s: Session, query: object, *, principal: Principal | None, client_addr: str | None = None
) -> AuditPage:
    """One page of records matching ``query`` = ``{"filters": {...}, "page": n,
    "head": id}``, newest first; ``head`` (from the first page) pins the snapshot. Read
    (and the search recorded) in the caller's unit of work ``s``.

    A new search (its first page) is itself recorded, after it has read its page (so the
    record is not in it): who looks into the trail, and for what, is on the trail too
    (三员分立: the auditor is audited). Turning pages of the same search is not."""
    who = require(principal, AUDIT_VIEW)
    if query is not None and not isinstance(query, Mapping):
        raise InvalidInput("error.audit.bad_value")
    query = query or {}
    filters = AuditFilters.parse(query.get("filters"))
    page = _whole(query.get("page"), 0, low=0, high=MAX_PAGE - 1, key="error.audit.page") or 0
    head = _whole(query.get("head"), None, low=0, high=2**62, key="error.audit.bad_value")
    rows = q.search(
        s,
        **filters.query_args(),
        max_id=head,
        limit=PAGE_SIZE + 1,
        offset=page * PAGE_SIZE,
    )
    if head is None and page == 0:
        audit.record(
            s,
            action=AuditAction.AUDIT_SEARCH,
            user_id=who.user_id or None,
            username=who.username,
            role=who.role,
            object_type="audit_log",
            client_addr=client_addr,
            detail={"filters": filters.params(), "rows": min(len(rows), PAGE_SIZE)},
        )
    if head is None and page == 0 and rows:
        head = int(rows[0]["id"])
    return AuditPage(filters, rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE, head)


def verify_chain(s: Session, *, principal: Principal | None) -> audit.VerifyResult:
    """Recompute the whole hash chain (see :func:`governance.audit.verify`) in the
    caller's unit of work ``s``."""
    require(principal, AUDIT_VIEW)
    return audit.verify(s)


def start_export(
    s: Session, raw: object, *, principal: Principal | None, client_addr: str | None
) -> ExportPlan:
    """Check access, validate the filters, count the rows of the snapshot and record the
    export (who, filters, row count) in the caller's unit of work ``s``. The caller
    commits that unit before anything is streamed (:func:`csv_chunks`), so an export that
    is cut short is still on record."""
    who = require(principal, AUDIT_VIEW)
    classification.export_columns("audit_log", EXPORTED, who)  # the registry's export rules
    filters = AuditFilters.parse(raw)
    head = q.head_id(s) or 0
    n = q.count(s, cap=EXPORT_CAP, **filters.query_args(), max_id=head) if head else 0
    rows, capped = min(n, EXPORT_CAP), n > EXPORT_CAP
    record_id = audit.record(
        s,
        action=AuditAction.EXPORT,
        user_id=who.user_id,
        username=who.username,
        role=who.role,
        object_type="audit_log",
        client_addr=client_addr,
        detail={
            "format": "csv",
            "filters": filters.params(),
            "rows": rows,
            "capped": capped,
            "head_id": head,
        },
    )
    log.info("audit export by %s: %d rows (capped: %s)", who.username, rows, capped)
    return ExportPlan(filters, head, rows, capped, record_id)


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _csv_row(r: Mapping[str, Any]) -> list[object]:
    detail = json.dumps(r["detail"], ensure_ascii=False, sort_keys=True) if r["detail"] else None
    values = (
        r["username"],
        r["role"],
        r["action"],
        r["outcome"],
        r["object_type"],
        r["object_id"],
        r["client_addr"],
        r["reason"],
        detail,
    )
    at = r["at"].astimezone(LOCAL_TZ).isoformat(timespec="seconds")
    return [r["id"], at, *(_cell(v) for v in values), r["row_hash"]]


# The audit_log columns that go into the CSV (checked against the classification registry).
EXPORTED = (
    "id",
    "at",
    "username",
    "role",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "client_addr",
    "reason",
    "detail",
    "row_hash",
)
CSV_COLUMNS = (
    "id",
    "time",
    "user",
    "role",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "client",
    "reason",
    "detail",
    "row_hash",
)


def csv_chunks(plan: ExportPlan, lang: str | None = None, *, batch: int = 500) -> Iterator[str]:
    """The export as CSV text chunks: a BOM (so Excel reads UTF-8), the header, the rows
    of the snapshot newest first, and a last line saying so if the cap cut it short.

    This generator opens its own read transaction on purpose: it runs while the response
    streams, after the request's unit of work (which recorded the export in
    :func:`start_export`) has been committed and closed. The snapshot is pinned by
    ``plan.head``, so what it reads is the export that was recorded."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    buf.write("\ufeff")
    out.writerow([t(f"audit.col.{c}", lang) for c in CSV_COLUMNS])
    if plan.rows:
        with session_scope() as s:
            rows = q.stream(s, limit=plan.rows, **plan.filters.query_args(), max_id=plan.head)
            for i, r in enumerate(rows, 1):
                out.writerow(_csv_row(r))
                if i % batch == 0:
                    yield buf.getvalue()
                    buf.seek(0)
                    buf.truncate()
    if plan.capped:
        out.writerow([t("audit.export.capped", lang, cap=f"{EXPORT_CAP:,}")])
    yield buf.getvalue()
