"""``python app.py import areas FILE``: a county's boundaries from its own files.

Prints the preview (mapping, coordinate system, what each feature will become, every
problem with its feature number, code and field) and imports only when nothing is wrong
and ``--dry-run`` is not given. Without ``--as`` it runs as the installer at the shell;
with ``--as`` as a system administrator (asks for the password).

Examples::

    python app.py import areas grids.zip --level grid
    python app.py import areas towns.geojson --level street --map code=XZDM --map name=XZMC
    python app.py import areas amap.geojson --shift gcj02 --accept-repairs --dry-run
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.imports import imports
from governance.errors import MinqingError


def _mapping(pairs: tuple[str, ...]) -> dict[str, str | None] | None:
    if not pairs:
        return None
    out: dict[str, str | None] = {}
    for pair in pairs:
        fld, sep, col = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r}: use FIELD=COLUMN, e.g. code=网格编码")
        out[fld.strip()] = col.strip() or None
    return out


@imports.command("areas")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--level",
    type=click.Choice(["auto", "county", "street", "community", "grid"]),
    default="auto",
    show_default=True,
    help="Level of the features; auto: from each code's length (6/9/12/15 digits).",
)
@click.option(
    "--map",
    "pairs",
    multiple=True,
    help="FIELD=COLUMN (fields: code, name, parent, population); default: the mapping "
    "remembered for this file layout, else guessed from the headers.",
)
@click.option(
    "--shift",
    type=click.Choice(["wgs84", "gcj02", "bd09"]),
    default=None,
    help="The offset the coordinates carry (default: detected against loaded areas).",
)
@click.option("--accept-repairs", is_flag=True, help="Repair invalid shapes (MakeValid).")
@click.option("--outside-share", type=float, default=0.01, show_default=True,
              help="Share of a child's area that may lie outside its parent.")  # fmt: skip
@click.option("--overlap-m2", type=float, default=100.0, show_default=True,
              help="Overlap between siblings let pass, in m².")  # fmt: skip
@click.option("--gap-m2", type=float, default=100.0, show_default=True,
              help="Gaps between siblings smaller than this are not reported, in m².")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Preview only; write nothing.")
@click.option("--as", "as_", default=None, help="A system administrator (asks for the password).")
@click.option("--lang", default=None, help="zh-CN or en, for messages (default: MINQING_LOCALE).")
def areas(
    file: Path,
    level: str,
    pairs: tuple[str, ...],
    shift: str | None,
    accept_repairs: bool,
    outside_share: float,
    overlap_m2: float,
    gap_m2: float,
    dry_run: bool,
    as_: str | None,
    lang: str | None,
) -> None:
    """Import areas (county, street/town, community, grid) from FILE: a zipped
    Shapefile, GeoPackage, GeoJSON or KML. Everything or nothing."""
    from cli.users import _actor
    from governance import area_import
    from governance.area_checks import Tolerances
    from governance.area_files import read_area_path
    from governance.uow import unit_of_work
    from i18n import language
    from settings import get_settings

    lang = lang or get_settings().locale
    who = _actor(as_)
    opts = area_import.Options(
        level=level,
        mapping=_mapping(pairs),
        shift=shift,
        repair=accept_repairs,
        tolerances=Tolerances(outside_share, overlap_m2, gap_m2),
    )
    with language(lang):
        try:
            data = read_area_path(file)
            with unit_of_work(who) as s:
                a = area_import.analyse(s, who, data, opts)
                _show(a, lang)
                if dry_run or not a.can_import:
                    s.rollback()
                else:
                    r = area_import.commit_analysed(s, who, data, a)
        except MinqingError as err:
            raise click.ClickException(err.user_message(lang)) from None
    if not a.can_import:
        raise click.ClickException(_refusal(a, lang))
    if dry_run:
        click.echo("dry run: nothing written")
        return
    moved = ", ".join(f"{k} {v}" for k, v in r.reassigned.items())
    click.echo(f"imported: {_plan(r.plan)}; grid changed: {moved}; audit #{r.audit_id}")


def _plan(plan: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in plan.items())


def _show(a, lang: str) -> None:  # type: ignore[no-untyped-def]
    from i18n import t

    click.echo(f"{a.filename}: {a.format}, {a.count} features")
    click.echo(f"columns: {', '.join(a.headers)}")
    click.echo(
        "mapping (" + a.mapping_from + "): "
        + ", ".join(f"{k}={v or '-'}" for k, v in a.mapping.items())
    )  # fmt: skip
    crs = a.declared or "none declared"
    shares = ", ".join(f"{k} {v:.0%}" for k, v in a.verdict.shares.items())
    click.echo(
        f"coordinates: {crs}; offset undone: {a.shift}"
        + (f" (on loaded lines: {shares})" if shares else "")
    )
    click.echo(f"plan: {_plan(a.plan)}")
    for p in a.problems:
        where = f"feature {p.feature}" if p.feature else "-"
        code = f" [{p.code}]" if p.code else ""
        sev = t(f"area_import.severity.{p.severity}", lang)
        fld = t(f"area_import.field.{p.field}", lang)
        click.echo(f"{sev}\t{where}{code}\t{fld}\t{p.message}")


def _refusal(a, lang: str) -> str:  # type: ignore[no-untyped-def]
    from i18n import t

    if a.counts["error"]:
        return t("area_import.error.has_errors", lang, n=a.counts["error"])
    return t("area_import.error.repairs_not_accepted", lang, n=a.counts["unrepaired"])
