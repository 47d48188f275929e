"""The reverse cross-check (逆向倒查, governance/crosscheck.py)."""

from __future__ import annotations

CROSSCHECK: dict[str, dict[str, str]] = {
    "crosscheck.error.too_long": {
        "zh-CN": "倒查时段最长 {days} 天，请缩短时段",
        "en": "The cross-check covers at most {days} days; choose a shorter period",
    },
    "crosscheck.method": {
        "zh-CN": "方法：每个地点（H3 8 级六边形或网格）× 事件类别，外部渠道（12345、110、群众上报、"
        "物联感知）至少 {min} 件时，检验网格自报（网格上报、巡查发现）占比是否显著低于全区该类别的"
        "网格自报占比（单侧精确二项检验），并对全部检验做 Benjamini-Hochberg 多重校正；校正后 q ≤ "
        "{alpha} 的列为盲区（被标记的地点中预计至多 {alpha} 属偶然）。",
        "en": "Method: for each place (H3 resolution-8 cell or grid) x category with at least "
        "{min} reports from external channels (12345, 110, public reports, sensors), an exact "
        "one-sided binomial test of whether the grid's own share (grid reports, patrol "
        "findings) is below the area's grid share of that category, with Benjamini-Hochberg "
        "correction across all tests; q <= {alpha} is a blind spot (at most {alpha} of the "
        "flagged places are expected to be chance).",
    },
    "crosscheck.words": {
        "zh-CN": "外部渠道 {external} 件，网格自报 {own} 件；按全区网格自报占比 {share}，应有约 "
        "{expected} 件。偶然少到这种程度的概率 p = {p}，多重校正后 q = {q}。",
        "en": "{external} external reports, {own} from the grid; at the area's grid share of "
        "{share} about {expected} were expected. The chance of so few by luck is p = {p}; "
        "after correction for testing many places, q = {q}.",
    },
}
