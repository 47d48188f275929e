"""``python app.py tokens ...``: machine tokens for intake systems and wall screens (audited).

The token is printed once, at creation; only its SHA-256 is kept.
"""

from __future__ import annotations

import click

from cli.areas import AREA_HELP
from governance.errors import MinqingError


@click.group()
def tokens() -> None:
    """API tokens of intake sources and kiosk links of wall screens: add, list, revoke."""


@tokens.command("add")
@click.option(
    "--source",
    required=True,
    help="Intake source: 12345, 110, iot, grid, public (or hotline_12345, police_110).",
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    help="incidents:write, incidents:read, layers:read (repeat for several).",
)
@click.option("--name", default=None, help="What the token is for (default: the source).")
@click.option("--area", "area_code", default=None, help=f"Confine reads to this area. {AREA_HELP}")
@click.option("--expires-days", type=int, default=None, help="Valid for N days (default: no end).")
def add(
    source: str,
    scopes: tuple[str, ...],
    name: str | None,
    area_code: str | None,
    expires_days: int | None,
) -> None:
    """Create a token for an intake source's system; prints it once."""
    from geodata.db import session_scope
    from governance.tokens import create_source_token

    try:
        with session_scope() as s:
            tok = create_source_token(
                s,
                source=source,
                scopes=scopes,
                name=name,
                area_code=area_code,
                expires_days=expires_days,
            )
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    click.echo(f"created token #{tok.id} ({', '.join(tok.scopes)})")
    click.echo(f"token (shown once, keep it secret): {tok.token}")
    click.echo(f"use it as the header  Authorization: Bearer {tok.token}")


@tokens.command("add-kiosk")
@click.option(
    "--area",
    "area_code",
    default=None,
    help=f"The area the wall shows (default: the whole city). {AREA_HELP}",
)
@click.option("--name", required=True, help='The screen, e.g. "指挥中心大屏".')
@click.option("--expires-days", type=int, default=None, help="Valid for N days (default: no end).")
@click.option(
    "--base-url", default=None, help="Public address of the app (default: http://HOST:PORT)."
)
def add_kiosk(
    area_code: str | None, name: str, expires_days: int | None, base_url: str | None
) -> None:
    """Create a wall-screen link for one area; prints the full URL once."""
    from geodata.db import session_scope
    from governance.kiosks import create_kiosk_token
    from settings import get_settings

    try:
        with session_scope() as s:
            tok = create_kiosk_token(s, area_code=area_code, name=name, expires_days=expires_days)
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    cfg = get_settings()
    base = (base_url or f"http://{cfg.host}:{cfg.port}").rstrip("/")
    click.echo(f"created kiosk token #{tok.id} (account {tok.account})")
    click.echo(f"wall URL (shown once, keep it secret): {base}/wall/k/{tok.token}")


@tokens.command("list")
def list_() -> None:
    """Every token: id, kind, state, prefix, source or area, scopes, last use (no secrets)."""
    from geodata.db import session_scope
    from governance.tokens import list_tokens

    with session_scope() as s:
        rows = list_tokens(s)
    if not rows:
        click.echo("no tokens")
    for r in rows:
        used = r["last_used_at"].strftime("%Y-%m-%d %H:%M") if r["last_used_at"] else "never"
        expires = r["expires_at"].strftime("%Y-%m-%d") if r["expires_at"] else "-"
        where = r["source"] if r["kind"] == "source" else (r["area_code"] or "city")
        click.echo(
            f"#{r['id']:<4} {r['kind']:<6} {r['state']:<8} {r['prefix']:<13} {where:<16} "
            f"{','.join(r['scopes']):<40} expires {expires:<10} used {used}  {r['name']}"
        )


@tokens.command()
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke a token at once (a wall screen shows its locked state)."""
    from geodata.db import session_scope
    from governance.token_revocation import revoke_token

    try:
        with session_scope() as s:
            out = revoke_token(s, token_id)
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    click.echo(f"revoked token #{out['id']} ({out['prefix']})")
