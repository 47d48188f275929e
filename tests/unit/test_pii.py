"""The free-text personal data detector (governance/pii.py): written forms of each kind,
what it must leave alone, known names, and its recall and precision on the annotated
corpus of tests/fixtures (printed with ``pytest -s``; also ``python app.py data
pii-recall``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from governance import pii, pii_recall
from governance.masking import redact_contacts
from governance.pii_numbers import (
    id_check_digit,
    is_bank_card,
    is_id_number,
    looks_like_id_number,
    luhn_ok,
    normalise,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # mobile phones: groupings, separators, full-width digits, country codes, numerals
        ("电话13812345678", "电话138****5678"),
        ("电话 138 1234 5678", "电话 138 **** 5678"),
        ("手机：138-1234-5678", "手机：138-****-5678"),
        ("１３８．１２３４．５６７８", "１３８．****．５６７８"),
        ("138·1234·5678", "138·****·5678"),
        ("138—1234—5678", "138—****—5678"),
        ("+86 138-1234-5678", "+86 138-****-5678"),
        ("0086-13812345678", "0086-138****5678"),
        ("(+86)13812345678", "(+86)138****5678"),
        ("一三八一二三四五六七八", "一三八****五六七八"),
        ("幺三八 幺二三四 五六七八", "幺三八 **** 五六七八"),
        ("Tel13812345678", "Tel138****5678"),
        # landlines: area codes, parentheses, extensions, a local number after a cue
        ("座机0660-3312345也打不通", "座机066*-***2345也打不通"),
        ("(0660)3312345", "(066*)***2345"),
        ("（0660）3312345", "（066*）***2345"),
        ("020-8765 4321转801", "020-**** 4321转801"),
        ("座机3312345", "座机****345"),
        ("电话 8888 6666", "电话 **** 6666"),
        # ID numbers: checksum-valid in any grouping, a mistyped check digit, 15 digits
        ("身份证440102199003071236", "身份证440***********1236"),
        ("身份证 440102 19900307 1236", "身份证 440*** ******** 1236"),
        ("440102 19900307 123X", "440*** ******** 123X"),
        ("４４０１０２１９９００３０７１２３６", "４４０***********１２３６"),
        ("44010219900307009x", "440***********009x"),
        ("身份证号：440102900307123", "身份证号：440********7123"),
        # bank cards: Luhn-valid, 16 to 19 digits
        ("卡号6222 0212 3456 7890 128", "卡号6222 **** **** ***0 128"),
        ("6222021234567890128", "6222***********0128"),
        # addresses: house-level detail starred, the place kept
        ("建设路12号3栋501室", "建设路*号*栋*室"),
        ("金町湾3期5栋1203", "金町湾3期*栋*"),
        ("海景花园B座2203室", "海景花园*座*室"),
        ("锦绣家园3号楼2单元501", "锦绣家园*号楼*单元*"),
        ("东坑村3组", "东坑村*组"),
        ("金碣路东26号", "金碣路东*号"),
        ("香城路十二号三栋五〇二房", "香城路*号*栋*房"),
        ("名门世家16-3-601", "名门世家*"),
        ("另3栋501室漏水", "另*栋*室漏水"),
        # names next to strong cues
        ("联系人：张三丰，电话", "联系人：张*丰，电话"),
        ("来电人陈小红女士反映", "来电人陈*红女士反映"),
        ("报案人李四称其邻居王小明（男，45岁）酗酒", "报案人李*称其邻居王*明（男，45岁）酗酒"),
        ("网格员叶丽巡查发现", "网格员叶*巡查发现"),
        ("欧阳小明先生", "欧**明先生"),
    ],
)
def test_written_forms_are_masked(text: str, expected: str) -> None:
    assert pii.redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "路灯 3 盏不亮，编号 20240101",
        "2026-12-06 14:30 登记，20261206 派单，12月12号前办结",
        "工单编号 202612060001，处置时限24小时",
        "金额3000元，5人受伤，2辆车",
        "车牌粤N·A1234，粤NA8K123",
        "坐标115.3712,22.7815；经度115.371234，纬度22.781234",
        "H3单元88bfe52682fffff",
        "楼高18层，共3栋楼，两室一厅，3室2厅，小区5楼楼道灯不亮",
        "拨打110、119、120均无法接通，市民改拨12345反映",
        "地铁3号线施工，乘坐12路公交车",
        "发票代码044031900211，发票号码28345678",
        "门禁卡编号06603312345，已挂失",
        "快递单号73512345678901，订单编号 2026120612345678",
        "身份证后四位1236，银行卡尾号0128，手机尾号5678",
        "来电人王先生、李女士、张某、陈生反映",
        "居民反映小区楼道灯不亮，群众来访",
        "",
    ],
)
def test_innocuous_numbers_and_words_stay(text: str) -> None:
    assert pii.find(text) == []
    assert pii.redact(text) == text


def test_spans_carry_kind_and_original_text() -> None:
    text = "联系人张三丰，电话１３８．１２３４．５６７８，住建设路12号"
    spans = pii.find(text)
    assert [(s.kind, s.text) for s in spans] == [
        (pii.Kind.NAME, "张三丰"),
        (pii.Kind.MOBILE, "１３８．１２３４．５６７８"),
        (pii.Kind.ADDRESS, "12号"),
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)
    assert pii.redact(None) is None and pii.redact("") == ""


def test_known_names_are_masked_wherever_they_appear() -> None:
    known = pii.KnownNames(["陈志强（演示）", "林秀英", "黄伟", None, "", "张"])
    assert known.names == ("林秀英", "陈志强", "黄伟")  # cleaned, longest first
    text = "黄伟家门口，陈志强与林秀英发生争执，林秀英报警"
    assert pii.redact(text, known) == "黄*家门口，陈*强与林*英发生争执，林*英报警"
    with_reporter = known.plus(["欧阳小明", "黄伟"])
    assert with_reporter is not known and known.plus([None]) is known
    assert pii.redact("欧阳小明和黄伟", with_reporter) == "欧**明和黄*"
    assert pii.redact("欧阳小明和黄伟", known) == "欧阳小明和黄*"
    assert pii.redact("陈志强", ["陈志强"]) == pii.redact("陈志强", "陈志强") == "陈*强"


def test_a_large_known_name_set_is_one_matcher() -> None:
    names = [f"{s}{g}" for s in "陈林黄李张吴郑刘" for g in ("志强", "秀英", "国华", "伟", "丽")]
    known = pii.KnownNames(names)
    text = "，".join(names)
    assert pii.redact(text, known).count("*") == len(names)  # one per name: 陈*, 陈*强


def test_redact_contacts_delegates_to_the_detector() -> None:
    text = "居民（电话１３８ １２３４ ５６７８，身份证440102 19900307 1236）反映"
    assert redact_contacts(text) == pii.redact(text)
    assert "１２３４" not in (redact_contacts(text) or "")
    assert redact_contacts(None) is None


def test_synthetic_number_rules() -> None:
    assert id_check_digit("44010219900307123") == "6"
    assert is_id_number("440102199003071236") and not is_id_number("440102199003071235")
    assert not is_id_number("440102199013071236")  # month 13
    assert luhn_ok("6222021234567890128") and not luhn_ok("6222021234567890127")
    assert not is_bank_card("2026120612345678")  # a date-led work order, Luhn or not


def _load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "make_pii_corpus", FIXTURES / "make_pii_corpus.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_corpus_is_synthetic_valid_and_up_to_date() -> None:
    gen = _load_generator()
    lines = pii_recall.load()
    assert gen.render(gen.build()) == (FIXTURES / "pii_corpus.jsonl").read_text("utf-8"), (
        "run python tests/fixtures/make_pii_corpus.py"
    )
    assert len(lines) >= 200 and sum(not line["spans"] for line in lines) >= 50
    for line in lines:
        for span in line["spans"]:
            assert line["text"][span["start"] : span["end"]] == span["text"], line["id"]
            digits = "".join(ch for ch in normalise(span["text"]) if ch.isalnum())
            if span["kind"] == "bank_card":
                assert luhn_ok(digits), span
            if span["kind"] == "id_number":  # valid, or mistyped on purpose
                assert is_id_number(digits.upper()) or looks_like_id_number(digits), span


def test_recall_and_precision_on_the_corpus() -> None:
    report = pii_recall.evaluate(pii_recall.load())
    print(f"\nPII corpus: {report.sentences} sentences, {report.negatives} without personal data")
    for row in pii_recall.ROWS:
        s = report.scores[row]
        print(
            f"  {row:11} recall {s.found:3}/{s.gold:<3} = {s.recall or 0:6.1%}   "
            f"precision {s.correct:3}/{s.predicted:<3} = {s.precision or 0:6.1%}"
        )
    for sentence, kind, text in report.misses:
        print(f"  missed #{sentence} {kind}: {text}")
    assert pii_recall.meets_targets(report)
    assert (report.scores[pii_recall.NUMBERS].recall or 0) >= 0.98
    assert (report.scores[pii_recall.KNOWN_NAMES].recall or 0) >= 0.90
    assert (report.scores["address"].recall or 0) >= 0.90
    assert (report.precision or 0) >= 0.95, report.false_positives
