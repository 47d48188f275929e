"""The free-text personal data detector: ``python app.py data pii-recall``."""

from __future__ import annotations

PII: dict[str, dict[str, str]] = {
    "pii.recall.title": {
        "zh-CN": "自由文本个人信息识别：语料 {n} 句（其中 {neg} 句不含个人信息）",
        "en": "Free-text personal data detector: {n} sentences ({neg} without personal data)",
    },
    "pii.recall.kind": {"zh-CN": "类别", "en": "Kind"},
    "pii.recall.gold": {"zh-CN": "标注", "en": "Annotated"},
    "pii.recall.found": {"zh-CN": "识别", "en": "Found"},
    "pii.recall.recall": {"zh-CN": "召回率", "en": "Recall"},
    "pii.recall.predicted": {"zh-CN": "检出", "en": "Detected"},
    "pii.recall.precision": {"zh-CN": "精确率", "en": "Precision"},
    "pii.recall.overall": {
        "zh-CN": "全部检出的精确率：{p}",
        "en": "Precision over everything detected: {p}",
    },
    "pii.recall.targets": {
        "zh-CN": "目标：号码召回率 ≥ {numbers}，已知姓名召回率 ≥ {names}：{verdict}",
        "en": "Targets: numbers recall >= {numbers}, known names recall >= {names}: {verdict}",
    },
    "pii.recall.met": {"zh-CN": "达标", "en": "met"},
    "pii.recall.not_met": {"zh-CN": "未达标", "en": "NOT met"},
    "pii.recall.miss": {"zh-CN": "漏检", "en": "missed"},
    "pii.recall.false_positive": {"zh-CN": "误检", "en": "false positive"},
    "pii.recall.no_corpus": {"zh-CN": "找不到语料文件 {path}", "en": "No corpus at {path}"},
    "pii.kind.mobile": {"zh-CN": "手机号码", "en": "Mobile phones"},
    "pii.kind.landline": {"zh-CN": "固定电话", "en": "Landlines"},
    "pii.kind.id_number": {"zh-CN": "身份证号码", "en": "ID numbers"},
    "pii.kind.bank_card": {"zh-CN": "银行卡号", "en": "Bank cards"},
    "pii.kind.numbers": {"zh-CN": "号码合计", "en": "All numbers"},
    "pii.kind.address": {"zh-CN": "门牌地址", "en": "House-level addresses"},
    "pii.kind.name_known": {"zh-CN": "已知姓名", "en": "Known names"},
    "pii.kind.name_cued": {"zh-CN": "提示词旁的姓名", "en": "Names next to cues"},
}
