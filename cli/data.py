"""``python app.py data ...``: the data classification catalog (数据分类分级目录) and the
measured recall of the free-text personal data detector."""

from __future__ import annotations

import json
import sys
from pathlib import Path

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
    _print_table(table)


def _width(s: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


@data.command("pii-recall")
@click.option("--corpus", type=click.Path(path_type=Path), default=None, help="A JSONL corpus.")
@click.option("--lang", default=None, help="zh-CN or en (default: MINQING_LOCALE).")
@click.option("--verbose", is_flag=True, help="Also list what was missed or wrongly masked.")
def pii_recall(corpus: Path | None, lang: str | None, verbose: bool) -> None:
    """Measure the free-text personal data detector on its annotated corpus
    (tests/fixtures/pii_corpus.jsonl): recall and precision per kind. Exit status 1 when
    the targets (numbers >= 98 %, known names >= 90 %) are not met."""
    from governance import pii_recall as pr

    path = corpus or pr.CORPUS
    if not path.exists():
        raise click.ClickException(t("pii.recall.no_corpus", lang, path=path))
    report = pr.evaluate(pr.load(path))
    click.echo(t("pii.recall.title", lang, n=report.sentences, neg=report.negatives))
    keys = ("kind", "gold", "found", "recall", "predicted", "precision")
    table = [[t(f"pii.recall.{k}", lang) for k in keys]]
    for row in pr.ROWS:
        s = report.scores[row]
        table.append(
            [
                t(f"pii.kind.{row}", lang),
                str(s.gold),
                str(s.found),
                _percent(s.recall),
                str(s.predicted),
                _percent(s.precision),
            ]
        )
    _print_table(table)
    click.echo(t("pii.recall.overall", lang, p=_percent(report.precision)))
    ok = pr.meets_targets(report)
    verdict = t("pii.recall.met" if ok else "pii.recall.not_met", lang)
    numbers, names = _percent(pr.NUMBER_TARGET), _percent(pr.KNOWN_NAME_TARGET)
    click.echo(t("pii.recall.targets", lang, numbers=numbers, names=names, verdict=verdict))
    if verbose:
        for label, items in (("miss", report.misses), ("false_positive", report.false_positives)):
            for sentence, kind, text in items:
                click.echo(f"  {t(f'pii.recall.{label}', lang)} #{sentence} {kind}: {text}")
    if not ok:
        sys.exit(1)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _print_table(table: list[list[str]]) -> None:
    widths = [max(_width(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        click.echo(
            "  ".join(
                cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)
            ).rstrip()
        )
