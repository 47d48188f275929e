"""``python app.py alerts ...``: webhook targets of alerts, their deliveries, one pass of
the sender by hand.

Whoever runs the command line holds the machine, so these commands act as the system
administrator (``WEBHOOKS_MANAGE``), recorded in the audit trail as ``cli``.
"""

from __future__ import annotations

import click

from cli.areas import AREA_HELP
from geodata.models import Role
from governance.access import Principal
from governance.errors import MinqingError

CLI_ADMIN = Principal(user_id=0, username="cli", display_name="command line", role=Role.SYSADMIN)


@click.group()
def alerts() -> None:
    """Alerts: webhook targets, deliveries, sending."""


@alerts.command()
def deliver() -> None:
    """Send the webhook deliveries that are due now (one pass); prints the outcome."""
    from governance.webhook_sender import deliver_once

    counts = deliver_once()
    click.echo(
        f"sent: {counts['sent']}, retry later: {counts['retry']}, failed: {counts['failed']}"
    )


@alerts.command("webhook-add")
@click.option("--name", required=True, help="What the endpoint is, for people.")
@click.option("--url", required=True, help="http(s) URL on a public address.")
@click.option(
    "--kind", "kinds", multiple=True, required=True, help="spike, blind_spot (repeat for both)."
)
@click.option("--area", default=None, help=f"Only alerts in this area. {AREA_HELP}")
@click.option("--category", default=None, help="Only alerts of this category code.")
def webhook_add(
    name: str, url: str, kinds: tuple[str, ...], area: str | None, category: str | None
) -> None:
    """Add a webhook target; prints its signing secret once."""
    from governance import webhooks
    from governance.uow import unit_of_work

    try:
        with unit_of_work(CLI_ADMIN) as s:
            out = webhooks.add_target(
                s, CLI_ADMIN, name=name, url=url, kinds=list(kinds), area=area, category=category
            )
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    click.echo(f"webhook target #{out['id']}")
    click.echo(f"secret (shown once, keep it secret): {out['secret']}")


@alerts.command("webhook-disable")
@click.argument("target_id", type=int)
def webhook_disable(target_id: int) -> None:
    """Stop sending to a target (its pending deliveries are marked failed)."""
    from governance import webhooks
    from governance.uow import unit_of_work

    try:
        with unit_of_work(CLI_ADMIN) as s:
            webhooks.disable_target(s, CLI_ADMIN, target_id)
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    click.echo(f"webhook target #{target_id} disabled")


@alerts.command()
def webhooks() -> None:
    """List the webhook targets (never their secrets)."""
    from governance import webhooks as wh
    from governance.uow import unit_of_work

    with unit_of_work(CLI_ADMIN) as s:
        rows = wh.targets(s, CLI_ADMIN)
    for r in rows:
        state = "disabled" if r["disabled_at"] else "enabled"
        click.echo(
            f"#{r['id']} {r['name']} {r['url']} kinds={','.join(r['kinds'])} "
            f"area={r['area_prefix'] or '*'} category={r['category_code'] or '*'} {state} "
            f"pending={r['pending']} sent={r['sent']} failed={r['failed']}"
        )


@alerts.command()
@click.option("--status", type=click.Choice(["pending", "sent", "failed"]), default=None)
@click.option("--limit", type=click.IntRange(1, 1000), default=50)
def deliveries(status: str | None, limit: int) -> None:
    """The latest webhook deliveries and their last attempt."""
    from governance import webhooks as wh
    from governance.uow import unit_of_work

    with unit_of_work(CLI_ADMIN) as s:
        rows = wh.deliveries(s, CLI_ADMIN, limit, status)
    for r in rows:
        last = r["status_code"] if r["status_code"] is not None else (r["error"] or "-")
        click.echo(
            f"#{r['id']} alert {r['alert_id']} ({r['kind']}) -> {r['target']}: {r['status']}, "
            f"{r['attempts']} attempt(s), last: {last}, next: {r['next_at']:%Y-%m-%d %H:%M:%S}"
        )
