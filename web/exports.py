"""``GET /export/<dataset>.<fmt>?<filters>``: a layer or list as a file (CSV, XLSX,
GeoJSON, GeoPackage), masked, in the user's scope, audited (``governance/exports.py``).

The request guard has signed the user in (anonymous: sent to the sign-in page, 401);
the use case checks the dataset's capability. A refusal is a 403 page recorded in the
audit trail like every other refusal; a bad filter or too many rows a translated 400.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from governance import exports
from governance.errors import MinqingError
from governance.uow import unit_of_work
from i18n import current_lang
from web.refusals import audit_denied
from web.server_pages import forbidden_page
from web.session import current_principal

log = logging.getLogger(__name__)
bp = Blueprint("exports", __name__)
PREFIX = "/export"


def export_url(dataset: str, fmt: str, params: Mapping[str, str] | None = None) -> str:
    """The download URL of ``dataset`` in ``fmt`` with the filters ``params``."""
    query = urlencode({k: v for k, v in (params or {}).items() if v}, safe=",")
    return f"{PREFIX}/{dataset}.{fmt}" + (f"?{query}" if query else "")


@bp.get(f"{PREFIX}/<dataset>.<fmt>")
def download(dataset: str, fmt: str) -> Response:
    """The export as an attachment, or a translated refusal."""
    lang = current_lang()
    try:
        who = current_principal()
        with unit_of_work(who) as s:  # the file and its audit record: one transaction
            out = exports.export(
                s,
                dataset,
                fmt,
                request.args.to_dict(),
                principal=who,
                lang=lang,
                client_addr=request.remote_addr,
            )
    except MinqingError as err:
        log.info("export %s.%s refused: %s", dataset, fmt, err.key)
        if err.status == 403:
            audit_denied(f"export {dataset}", err.key)
            return forbidden_page(err.key)
        return Response(err.user_message(lang), status=err.status, mimetype="text/plain")
    return Response(
        out.body,
        mimetype=out.mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{out.filename}"',
            "Cache-Control": "no-store",
            "X-Export-Rows": str(out.rows),
            "X-Audit-Record": str(out.record_id),
        },
    )
