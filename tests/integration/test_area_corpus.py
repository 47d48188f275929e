"""The corpus of bad boundary files (issue 15): each gets its own message, in the user's
language, naming the feature and field where it is about one, and nothing is written.

The files and what each must answer are in ``tests/fixtures/areas/bad/`` (written by
``scripts/make_area_corpus.py``); a 500 MB file is made here, sparse on disk.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from governance import area_import
from governance.area_files import read_area_file, read_area_path
from governance.duties import INSTALLER
from governance.errors import InvalidInput, MinqingError
from governance.uow import unit_of_work
from i18n import CATALOG, language

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "areas" / "bad"
EXPECTED: dict[str, dict[str, str]] = json.loads((BAD / "expected.json").read_text("utf-8"))


def _fingerprint(s) -> tuple:  # type: ignore[no-untyped-def]
    return tuple(
        s.execute(
            text(
                "SELECT count(*), coalesce(max(id), 0), "
                "md5(string_agg(code || name || md5(ST_AsBinary(geom)), ',' ORDER BY code)) "
                "FROM area"
            )
        ).one()
    )


def test_the_corpus_has_at_least_thirty_files() -> None:
    assert len(EXPECTED) >= 30
    assert {p.name for p in BAD.iterdir()} - {"expected.json"} == set(EXPECTED)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_file_gets_its_message_and_writes_nothing(session, name: str, lang: str) -> None:
    want = EXPECTED[name]
    before = _fingerprint(session)
    data = (BAD / name).read_bytes()
    with language(lang):
        try:
            with unit_of_work(INSTALLER) as s:
                file = read_area_file(data, name)
                a = area_import.analyse(s, INSTALLER, file, area_import.Options())
                with pytest.raises(InvalidInput):
                    area_import.commit(s, INSTALLER, file, area_import.Options())
        except MinqingError as err:
            assert "error" in want, f"{name}: refused as {err.key}, expected {want}"
            assert err.key == want["error"], name
            said = err.user_message(lang)
            assert said == _text(err.key, lang, said)
            assert "{" not in said
            return
    assert "finding" in want, f"{name}: analysed, expected refusal {want}"
    key = want["finding"]
    hits = [p for p in a.problems if _matches(p.message, key, lang)]
    assert hits, f"{name}: {[p.message for p in a.problems]} lacks {key}"
    assert all(p.field == want["field"] for p in hits)
    assert all(p.feature is not None for p in hits if want["field"] != "geometry")
    assert not a.can_import
    assert _fingerprint(session) == before


def _text(key: str, lang: str, said: str) -> str:
    """``said`` if it is the catalog text of ``key`` in ``lang`` with its fields filled."""
    template = CATALOG[key][lang]
    head = template.split("{", 1)[0]
    assert said.startswith(head), (said, template)
    return said


def _matches(message: str, key: str, lang: str) -> bool:
    head = CATALOG[key][lang].split("{", 1)[0]
    return bool(head) and message.startswith(head) or head == "" and message != ""


def test_five_hundred_megabytes_are_refused_before_they_are_read(tmp_path: Path) -> None:
    big = tmp_path / "province.zip"
    with big.open("wb") as fh:  # sparse: no disk, no memory
        fh.truncate(500 * 2**20)
    with pytest.raises(MinqingError) as caught:
        read_area_path(big)
    assert caught.value.key == "area_import.error.too_large"
    assert os.path.getsize(big) == 500 * 2**20


def test_the_command_line_says_the_same_and_exits_non_zero(session) -> None:
    from cli.main import cli

    before = _fingerprint(session)
    result = CliRunner().invoke(
        cli, ["import", "areas", str(BAD / "code_full_width.geojson"), "--lang", "en"]
    )
    assert result.exit_code != 0
    assert "full-width digits" in result.output
    assert "feature 1" in result.output
    result = CliRunner().invoke(cli, ["import", "areas", str(BAD / "zip_bomb.zip")])
    assert result.exit_code != 0 and "压缩比异常" in result.output
    assert _fingerprint(session) == before
