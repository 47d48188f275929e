"""``python app.py data ...``: the data classification catalog (数据分类分级目录)."""

from __future__ import annotations

import json

import click

from i18n import t


@click.group()
def data() -> None:
    """Data governance: classification of tables and columns."""


@data.command()
@click.option("--lang", default=None, help="zh-CN or en (default: MINQING_LOCALE).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def catalog(lang: str | None, as_json: bool) -> None:
    """Print every registered column: level, personal-information class, masking rule,
    protection at rest."""
    from governance.classification import catalog_rows

    rows = catalog_rows(lang)
    if as_json:
        for r in rows:
            click.echo(json.dumps(r, ensure_ascii=False))
        return
    header = [
        t(f"catalog.{k}", lang) for k in ("table", "column", "level", "pi", "masking", "at_rest")
    ]
    table = [header] + [
        [
            str(r["table"]),
            str(r["column"]),
            str(r["level_name"]),
            str(r["pi_name"]),
            str(r["masking"]),
            str(r["at_rest"]),
        ]
        for r in rows
    ]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        click.echo(
            "  ".join(
                cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)
            ).rstrip()
        )


def _width(s: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)
