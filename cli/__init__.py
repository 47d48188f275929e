"""Command-line commands, attached to the click group defined in app.py."""

from __future__ import annotations

import click

from cli import areas, audit, data, db, demo, serve, sla, tokens, users
from cli import export as export_cli


def register(group: click.Group) -> None:
    group.add_command(db.db)
    group.add_command(demo.demo)
    group.add_command(serve.serve)
    group.add_command(serve.run)
    group.add_command(users.users)
    group.add_command(tokens.tokens)
    group.add_command(audit.audit)
    group.add_command(data.data)
    group.add_command(sla.sla)
    group.add_command(export_cli.export)
    group.add_command(areas.areas)
