"""``/patrol``: the grid worker's day on the phone (今日巡查).

A server-rendered shell and ``assets/js/patrol.js``, not a Dash page: it has to work on
a cheap phone over a weak signal, so it loads one small script (no React, no map
library: the route is drawn as SVG), fetches the day from ``/api/v1/patrol/day`` and keeps
filled checklists in an outbox on the phone (IndexedDB) until the server has them. The
guard checks the page's permission (``PATROL_DO``: grid workers) like any other page.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

from i18n import CATALOG, current_lang, normalize
from web.server_pages import page_in
from web.session import current_principal, remember_lang

bp = Blueprint("patrol_page", __name__, template_folder="templates")

# the page script's words, in the request's language
_UI_PREFIXES = ("patrol.ui.", "patrol.flag.", "patrol.status.", "patrol.error.")


def _messages(lang: str) -> dict[str, str]:
    return {k: v.get(lang) or v["zh-CN"] for k, v in CATALOG.items() if k.startswith(_UI_PREFIXES)}


@bp.get("/patrol")
def patrol() -> Response:
    # the page's language switch (?lang=) wins over the cookie and is remembered in it
    chosen = normalize(request.args.get("lang")) if "lang" in request.args else None
    lang = chosen or current_lang()
    resp = page_in(
        lang,
        "patrol.html",
        principal=current_principal(),
        # inside <script type="application/json">: no "</" may close the element early
        messages=json.dumps(_messages(lang), ensure_ascii=False).replace("</", "<\\/"),
    )
    remember_lang(resp, chosen)
    return resp
