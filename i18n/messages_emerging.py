"""Emerging hot-spot analysis (新兴热点, governance/emerging.py, layers/emerging.py)."""

from __future__ import annotations

_KINDS_ZH = {
    "new": "新增",
    "consecutive": "连续",
    "intensifying": "加剧",
    "persistent": "持续",
    "diminishing": "减弱",
    "sporadic": "零星",
    "oscillating": "振荡",
    "historical": "历史",
}
_KINDS_EN = {k: k.capitalize() for k in _KINDS_ZH}

EMERGING: dict[str, dict[str, str]] = {
    **{
        f"emerging.cat.{k}_hot": {"zh-CN": f"{zh}热点", "en": f"{_KINDS_EN[k]} hot spot"}
        for k, zh in _KINDS_ZH.items()
    },
    **{
        f"emerging.cat.{k}_cold": {"zh-CN": f"{zh}冷点", "en": f"{_KINDS_EN[k]} cold spot"}
        for k, zh in _KINDS_ZH.items()
    },
    "emerging.cat.none": {"zh-CN": "无明显模式", "en": "No pattern detected"},
    "layer.emerging": {"zh-CN": "新兴热点", "en": "Emerging hot spots"},
    "emerging.period": {
        "zh-CN": "时段：{start} 至 {end}（{weeks} 周，按周统计，北京时间）",
        "en": "Period: {start} to {end} ({weeks} weeks, weekly bins, Beijing time)",
    },
    "emerging.method": {
        "zh-CN": "方法：每个 H3 8 级六边形每周的事件数，以本格及相邻一圈六格为邻域（二值权重，含本格）"
        "计算 Getis-Ord Gi*，{significance}，p < {alpha} 为显著热点或冷点；再以 Mann-Kendall "
        "检验各格 Gi* z 值的趋势，按 ESRI 时空热点分类（新增、连续、加剧、持续、减弱、零星、振荡、"
        "历史）归类。",
        "en": "Method: weekly incident counts per H3 resolution-8 cell; Getis-Ord Gi* over the "
        "cell and its ring of six neighbours (binary weights, self included), {significance}, "
        "p < {alpha} a significant hot or cold spot; then a Mann-Kendall test of each cell's "
        "Gi* z-score trend, classified by ESRI's emerging hot-spot categories (new, "
        "consecutive, intensifying, persistent, diminishing, sporadic, oscillating, "
        "historical).",
    },
    "emerging.sig.permutations": {
        "zh-CN": "显著性由 {n} 次条件置换检验",
        "en": "significance by {n} conditional permutations",
    },
    "emerging.sig.analytic": {
        "zh-CN": "显著性按 z 值的正态近似（双侧）",
        "en": "significance from the z-score's normal approximation (two-sided)",
    },
    "emerging.trend.up": {
        "zh-CN": "聚集强度在上升（Mann-Kendall p = {p}）",
        "en": "clustering is getting stronger (Mann-Kendall p = {p})",
    },
    "emerging.trend.down": {
        "zh-CN": "聚集强度在下降（Mann-Kendall p = {p}）",
        "en": "clustering is getting weaker (Mann-Kendall p = {p})",
    },
    "emerging.trend.flat": {
        "zh-CN": "聚集强度无显著趋势（Mann-Kendall p = {p}）",
        "en": "no significant trend in clustering (Mann-Kendall p = {p})",
    },
    "emerging.tip": {
        "zh-CN": "{cat}｜{grid}｜{total} 件，{hot} 周热点，{cold} 周冷点｜{trend}",
        "en": "{cat} | {grid} | {total} incidents, hot {hot} weeks, cold {cold} weeks | {trend}",
    },
    "emerging.trend_short.up": {"zh-CN": "聚集增强", "en": "clustering rising"},
    "emerging.trend_short.down": {"zh-CN": "聚集减弱", "en": "clustering falling"},
    "emerging.trend_short.flat": {"zh-CN": "无显著趋势", "en": "no significant trend"},
    "emerging.legend.none": {
        "zh-CN": "尚无计算结果（每日自动计算，或运行 python app.py analytics emerging）",
        "en": "Not computed yet (daily, or run python app.py analytics emerging)",
    },
    "emerging.computed": {"zh-CN": "计算于 {at}", "en": "Computed {at}"},
    "emerging.briefing.title": {"zh-CN": "新兴热点", "en": "Emerging hot spots"},
    "emerging.briefing.count": {"zh-CN": "{name}：{n} 格", "en": "{name}: {n} cells"},
    "consult.col.pattern": {"zh-CN": "模式", "en": "Pattern"},
    "consult.col.total": {"zh-CN": "时段内事件", "en": "Incidents in the period"},
    "consult.col.trend": {"zh-CN": "趋势", "en": "Trend"},
    "emerging.briefing.none": {
        "zh-CN": "本期未发现新兴热点或冷点模式。",
        "en": "No emerging hot or cold spot pattern in this period.",
    },
}
