"""``python app.py config export|import``: the reference data as one YAML file.

::

    python app.py config export [--out config.yaml]
    python app.py config import config.yaml [--dry-run] [--prune] [--as USER] [--lang en]

Export needs no account (reference data holds no personal data). Import acts as ``--as
USER`` (a city-wide commander; the password is asked for), or, without it, as the
installer, as ``users`` does (moving in comes before any commander exists). It prints
what it did (or with ``--dry-run`` would do) per section, or every error of the file with
exit status 1 and nothing written. The rules are in :mod:`governance.config_io`.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from governance.errors import MinqingError
from i18n import t

LANG_HELP = "zh-CN or en (default: MINQING_LOCALE)."


@click.group()
def config() -> None:
    """Reference data (departments, categories, routing, SLA, calendar) as a YAML file."""


@config.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write (default: standard output).")  # fmt: skip
@click.option("--lang", default=None, help=LANG_HELP)
def export_(out: Path | None, lang: str | None) -> None:
    """Write the reference data as YAML (UTF-8)."""
    from governance import config_io
    from governance.uow import unit_of_work

    with unit_of_work() as s:
        body = config_io.to_yaml(config_io.export(s))
    if out is None:
        click.echo(body.encode("utf-8"), nl=False)  # bytes: UTF-8 whatever the locale
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(body.encode("utf-8"))
    tmp.replace(out)
    click.echo(t("config.cli.exported", lang, path=out), err=True)


@config.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count only; write nothing.")
@click.option("--prune", is_flag=True,
              help="Delete entries of the file's sections that the file leaves out "
              "(refused for those still referred to).")  # fmt: skip
@click.option("--as", "as_", default=None,
              help="Act as this city-wide commander (asks for the password); "
              "without it: the installer.")  # fmt: skip
@click.option("--lang", default=None, help=LANG_HELP)
def import_(file: Path, dry_run: bool, prune: bool, as_: str | None, lang: str | None) -> None:
    """Import FILE: everything or nothing, matched by code, ids kept."""
    from cli.users import _actor, _origin
    from governance import catalog, config_checks, config_io
    from governance.config_rows import ConfigRejected
    from governance.uow import unit_of_work
    from settings import get_settings

    lang = lang or get_settings().locale
    try:
        document = config_checks.parse(_read(file, lang))
        who = _actor(as_)
        with unit_of_work(who) as s:
            counts = config_io.apply(s, who, document, prune=prune, dry_run=dry_run,
                                     client_addr=_origin())  # fmt: skip
    except ConfigRejected as err:
        for line in err.messages(lang):
            click.echo(line, err=True)
        raise click.ClickException(err.user_message(lang)) from None
    except MinqingError as err:
        raise click.ClickException(err.user_message(lang)) from None
    if not dry_run:
        catalog.clear_cache()  # after the commit: this process reads the new list
    for section, n in counts.items():
        name = t(f"config.section.{section}", lang)
        click.echo(t("config.cli.section", lang, section=name, **asdict(n)))
    click.echo(t("config.cli.dry_run" if dry_run else "config.cli.done", lang))


def _read(path: Path, lang: str) -> bytes:
    """The file's bytes; a file over the limit is refused by its size, unread."""
    from governance.config_checks import MAX_BYTES, check_size

    try:
        check_size(path.stat().st_size)
        with path.open("rb") as f:
            return f.read(MAX_BYTES + 1)  # grown since: parse refuses it
    except OSError as err:
        raise click.ClickException(
            t("config.cli.unreadable", lang, path=path, reason=err.strerror or err)
        ) from None
