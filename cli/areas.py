"""``python app.py areas list``: the areas and the codes every ``--area`` accepts.

One line per area, tab-separated: code (in its own length), level, name, parent code;
the whole city first (its code is what ``--area`` takes for "the whole city")::

    441500        city       全市    -
    441502        county     城区    441500
    441502001     street     香洲街道  441502
    441502001001  community  ...     441502001
"""

from __future__ import annotations

import click

from governance.errors import MinqingError

LEVELS = ("county", "street", "community", "grid")

# The --help of every option that takes an area code (tokens, users, export briefing).
AREA_HELP = (
    "Area code: 6 digits (county), 9 (street/town), 12 (community) or 15 (grid), or "
    "padded with zeros to 12 or 15; the city's own code (6 or 12 digits) means the whole "
    "city. `python app.py areas list` shows them all."
)


@click.group()
def areas() -> None:
    """The areas (county, street/town, community, grid) and their codes."""


@areas.command("list")
@click.option("--level", type=click.Choice(LEVELS), default=None, help="Only areas of this level.")
@click.option("--under", default=None, help="Only this area and those inside it (a code).")
@click.option("--lang", default=None, help="zh-CN or en, for messages (default: MINQING_LOCALE).")
def list_(level: str | None, under: str | None, lang: str | None) -> None:
    """Print code, level, name and parent code of each area, the whole city first.

    Any code printed here (or padded with zeros to 12 or 15 digits) is what --area of
    `export briefing`, `tokens add`, `tokens add-kiosk` and `users set-role` accepts.
    """
    from geodata.db import session_scope
    from governance import area_codes
    from settings import get_settings

    lang = lang or get_settings().locale
    try:
        with session_scope() as s:
            rows = area_codes.listing(s, level=level, under=under, lang=lang)
            lines = [(r.short, r.level, r.name, area_codes.parent_short(r, s) or "-") for r in rows]
    except MinqingError as err:
        raise click.ClickException(err.user_message(lang)) from None
    for line in lines:
        click.echo("\t".join(line))
