"""The ``python app.py`` command group: every command family attached to one click group.

``app.py`` runs it as its ``__main__`` and hands in how to configure logging (handlers are
configured only in ``app.py``); tests invoke :data:`cli` directly.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from cli import (
    alerts,
    analytics,
    areas,
    audit,
    data,
    db,
    demo,
    import_registry,  # noqa: F401  (attaches its commands to `imports`)
    imports,
    patrol,
    serve,
    sla,
    streams,
    tokens,
    users,
)
from cli import config as config_cli
from cli import export as export_cli
from cli import import_areas as _import_areas  # noqa: F401  (attaches `import areas`)
from cli import init as init_cli

LoggingSetup = Callable[[str | None], None]


@click.group()
@click.option("--log-level", default=None, help="DEBUG, INFO, WARNING ...")
@click.pass_context
def cli(ctx: click.Context, log_level: str | None) -> None:
    """MinQing Map command line."""
    if callable(ctx.obj):  # main(): the entry point's logging set-up
        ctx.obj(log_level)


for _command in (
    db.db,
    demo.demo,
    serve.serve,
    serve.run,
    streams.streams,
    users.users,
    tokens.tokens,
    audit.audit,
    data.data,
    sla.sla,
    export_cli.export,
    areas.areas,
    patrol.patrol,
    imports.imports,
    init_cli.init,
    analytics.analytics,
    config_cli.config,
    alerts.alerts,
):
    cli.add_command(_command)


def main(configure_logging: LoggingSetup) -> None:
    """Run the command line; ``configure_logging(level)`` runs before any command."""
    cli(obj=configure_logging)
