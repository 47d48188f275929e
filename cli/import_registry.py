"""``python app.py import sites|persons FILE``: a county's key-site and key-person
registers (CSV in UTF-8 or GBK, XLSX) into the database (issue 15).

::

    python app.py import sites 场所台账.xlsx --as supervisor [--crs gcj02]
        [--map 单位名称=name ...] [--dry-run] [--accept-corrections] [--lang en]

The command runs as a named account (``--as``, whose password is asked for) and under
its permissions and area: the same use cases as a page would call
(``governance/registry_import.py``). It always prints the preview: counts of new,
updated and unchanged rows, every row error and every correction the import would make.
It writes only without ``--dry-run``, only when no row has an error, and only with
``--accept-corrections`` when the file needs corrections; then everything in one
transaction. Exit status 1 with a message when nothing was written for a reason.
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.imports import imports
from geodata.crs import SUPPORTED
from governance.errors import InvalidInput, MinqingError
from i18n import LANGS, t

MAX_SHOWN = 50  # row errors and corrections printed; the counts are always complete


def _mapping(kind: str, headers: list[str], maps: tuple[str, ...]) -> dict[str, str | None]:
    """The guessed mapping with each ``COLUMN=FIELD`` of ``--map`` applied."""
    from governance import registry_import
    from governance.registry_fields import FIELDS

    mapping = registry_import.guess(kind, headers)
    for item in maps:
        column, sep, name = item.rpartition("=")
        column, name = column.strip(), name.strip()
        if not sep or not column or not name:
            raise InvalidInput("registry.error.map_option", value=item[:60])
        if name not in FIELDS[kind]:
            raise InvalidInput("import.error.mapping_field", field=name[:40])
        for f, h in mapping.items():
            if h == column:
                mapping[f] = None
        mapping[name] = column
    return mapping


def _print(out: object, lang: str | None) -> None:
    from governance.registry_import import Outcome

    assert isinstance(out, Outcome)
    click.echo(
        t(
            "registry.cli.counts",
            lang,
            file=out.filename,
            total=out.total,
            new=out.new,
            updated=out.updated,
            unchanged=out.unchanged,
            errors=out.error_count,
            fixes=out.correction_count,
        )
    )
    for e in out.errors[:MAX_SHOWN]:
        click.echo(
            "  " + t("registry.cli.row", lang, row=e.row, column=e.column, message=e.message)
        )
    for f in out.corrections[:MAX_SHOWN]:
        line = t("registry.cli.row", lang, row=f.row, column=f.column, message=f.message)
        click.echo(f"  {t('registry.cli.fix', lang)}: {line}")
    hidden = max(out.error_count - MAX_SHOWN, 0) + max(out.correction_count - MAX_SHOWN, 0)
    if hidden:
        click.echo("  " + t("registry.cli.more", lang, n=hidden))


def run(
    kind: str,
    path: Path,
    as_: str,
    crs: str,
    maps: tuple[str, ...],
    dry_run: bool,
    accept: bool,
    lang: str | None,
) -> None:
    """Preview the file, then import it unless told not to or refused."""
    from cli.users import _actor, _origin
    from governance import registry_import
    from governance.file_tables import check_size
    from governance.registry_fields import FIELDS
    from governance.uow import unit_of_work

    who = _actor(as_)
    try:
        check_size(path.stat().st_size)  # before reading it into memory
        table = registry_import.read(path.name, path.read_bytes())
        mapping = _mapping(kind, table.headers, maps)
        with unit_of_work(who) as s:
            out = registry_import.preview(s, who, kind, table, mapping, crs=crs, lang=lang)
        _print(out, lang)
        if out.error_count:
            raise click.ClickException(t("registry.cli.refused", lang, n=out.error_count))
        if dry_run:
            click.echo(t("registry.cli.dry_run", lang))
            return
        if out.correction_count and not accept:
            raise click.ClickException(t("registry.cli.corrections", lang, n=out.correction_count))
        with unit_of_work(who) as s:
            done = registry_import.commit(
                s,
                who,
                kind,
                table,
                mapping,
                crs=crs,
                accept_corrections=accept,
                client_addr=_origin(),
                lang=lang,
            )
    except MinqingError as err:
        message = err.user_message(lang)
        if isinstance(err, registry_import.Unmapped):
            fields = ", ".join(FIELDS[kind])
            message += "\n" + t("registry.cli.map_hint", lang, fields=fields)
        raise click.ClickException(message) from None
    click.echo(
        t("registry.cli.done", lang, new=done.new, updated=done.updated, unchanged=done.unchanged)
    )


def _command(kind: str, doc: str) -> click.Command:
    @click.command(kind, help=doc)
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--as", "as_", required=True, help="The account that imports (asks for the password)."
    )
    @click.option(
        "--crs",
        type=click.Choice(SUPPORTED),
        default="gcj02",
        show_default=True,
        help="Coordinate system of the file's longitude/latitude (a CRS column wins).",
    )
    @click.option("--map", "maps", multiple=True, help="COLUMN=FIELD, repeatable.")
    @click.option("--dry-run", is_flag=True, help="Preview only: write nothing.")
    @click.option(
        "--accept-corrections", "accept", is_flag=True, help="Make the listed corrections."
    )
    @click.option("--lang", type=click.Choice(LANGS), default=None, help="Language of messages.")
    def command(
        path: Path,
        as_: str,
        crs: str,
        maps: tuple[str, ...],
        dry_run: bool,
        accept: bool,
        lang: str | None,
    ) -> None:
        run(kind, path, as_, crs, maps, dry_run, accept, lang)

    return command


sites = _command("sites", "Import key sites (重点场所) from a CSV or XLSX register.")
persons = _command("persons", "Import key persons (重点人员) from a CSV or XLSX register.")
imports.add_command(sites)
imports.add_command(persons)
