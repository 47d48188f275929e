"""``GET /audit/export.csv``: the audit trail, filtered as on the audit screen, as CSV.

The use case checks ``AUDIT_VIEW`` and records the export (who, filters, row count)
before the first byte is sent; the rows then stream from the database (UTF-8 with a BOM,
so Excel shows Chinese correctly), at most ``EXPORT_CAP`` of them.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Blueprint, Response, request, stream_with_context

from governance import audit_view
from governance.errors import MinqingError
from governance.filters import LOCAL_TZ
from governance.uow import unit_of_work
from i18n import current_lang
from web.refusals import audit_denied
from web.server_pages import forbidden_page
from web.session import current_principal

log = logging.getLogger(__name__)
bp = Blueprint("audit_export", __name__)


@bp.get("/audit/export.csv")
def export_csv() -> Response:
    """Stream the records matching the query string's filters (see ``AuditFilters``)."""
    lang = current_lang()
    try:
        who = current_principal()
        with unit_of_work(who) as s:  # committed here: the record exists before any row streams
            plan = audit_view.start_export(
                s, request.args, principal=who, client_addr=request.remote_addr
            )
    except MinqingError as err:
        log.info("audit export refused: %s", err.key)
        if err.status == 403:
            audit_denied("audit export", err.key)
            return forbidden_page(err.key)
        return Response(err.user_message(lang), status=err.status, mimetype="text/plain")
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M%S")
    return Response(
        stream_with_context(audit_view.csv_chunks(plan, lang)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="audit-{stamp}.csv"',
            "Cache-Control": "no-store",
            "X-Export-Rows": str(plan.rows),
            "X-Truncated": "1" if plan.capped else "0",
            "X-Audit-Record": str(plan.record_id),
        },
    )
