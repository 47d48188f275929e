"""``python app.py audit ...``: verify, search and purge the audit trail."""

from __future__ import annotations

import json
import logging
import sys
from datetime import date, datetime
from typing import Any

import click

from governance.errors import MinqingError
from i18n import t

log = logging.getLogger(__name__)

_COLUMNS = (
    "id",
    "at",
    "username",
    "role",
    "action",
    "outcome",
    "object",
    "client_addr",
    "reason",
    "detail",
)


@click.group()
def audit() -> None:
    """Audit trail: verify the hash chain, search records, purge old ones."""


@audit.command()
@click.option(
    "--since-id",
    type=int,
    default=None,
    help="Check from this record on (default: the whole trail).",
)
@click.option("--lang", default=None, help="zh-CN or en (default: MINQING_LOCALE).")
def verify(since_id: int | None, lang: str | None) -> None:
    """Recompute the hash chain; exit 0 if intact, 1 naming the first bad record."""
    from geodata.db import session_scope
    from governance.audit import verify as verify_chain

    with session_scope() as s:
        result = verify_chain(s, since_id)
    click.echo(result.message(lang), err=not result.ok)
    sys.exit(0 if result.ok else 1)


def _row_text(r: dict[str, Any]) -> list[str]:
    obj = f"{r['object_type']}:{r['object_id']}" if r["object_type"] else (r["object_id"] or "")
    return [
        str(r["id"]),
        r["at"].astimezone().isoformat(timespec="seconds"),
        r["username"] or "-",
        r["role"] or "-",
        r["action"],
        r["outcome"],
        obj or "-",
        r["client_addr"] or "-",
        r["reason"] or "-",
        json.dumps(r["detail"], ensure_ascii=False) if r["detail"] else "-",
    ]


@audit.command()
@click.option("--user", "username", default=None, help="Exact user name.")
@click.option("--action", default=None, help="login, login_failed, view_clear, export ...")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="From this day on (YYYY-MM-DD, UTC).",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--lang", default=None, help="zh-CN or en (default: MINQING_LOCALE).")
def search(
    username: str | None,
    action: str | None,
    since: datetime | None,
    limit: int,
    as_json: bool,
    lang: str | None,
) -> None:
    """Print records, newest first (tab-separated)."""
    from geodata.db import session_scope
    from governance.audit import search as search_trail

    with session_scope() as s:
        rows = search_trail(
            s, username=username, action=action, since=since.date() if since else None, limit=limit
        )
    if not rows:
        click.echo(t("audit.search.none", lang), err=True)
        return
    if as_json:
        for r in rows:
            click.echo(json.dumps(r, ensure_ascii=False, default=str))
        return
    click.echo("\t".join(_COLUMNS))
    for r in rows:
        click.echo("\t".join(_row_text(r)))


@audit.command()
@click.option(
    "--before",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="Delete records older than this day (YYYY-MM-DD, midnight UTC); at least 180 days ago.",
)
@click.option("--lang", default=None, help="zh-CN or en (default: MINQING_LOCALE).")
def purge(before: datetime, lang: str | None) -> None:
    """Delete records older than the retention period (the one sanctioned path)."""
    from governance.audit import purge_before
    from governance.uow import unit_of_work

    day: date = before.date()
    try:
        with unit_of_work() as s:  # the audit table is not under row-level security
            n = purge_before(s, day, username="cli")
    except MinqingError as err:
        raise click.ClickException(err.user_message(lang)) from None
    click.echo(t("audit.purge.done", lang, n=n, before=day.isoformat()))
