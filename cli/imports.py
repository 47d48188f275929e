"""``python app.py import ...``: a county's own data moving in (issue 15).

One group; each kind of file has its own command module that attaches to it
(:mod:`cli.import_areas`, :mod:`cli.import_registry`), so the group stays a list.
"""

from __future__ import annotations

import click


@click.group("import")
def imports() -> None:
    """Import a county's own areas, key sites and key persons from files."""
