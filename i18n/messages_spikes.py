"""Spike warnings (突增预警, governance/spikes.py): the wall's strip, the dispatch board's
panel, the command line."""

from __future__ import annotations

SPIKES: dict[str, dict[str, str]] = {
    "spikes.title": {"zh-CN": "突增预警", "en": "Spike warnings"},
    "spikes.none": {
        "zh-CN": "近 24 小时无显著突增",
        "en": "No significant spike in the last 24 hours",
    },
    "spikes.words": {
        "zh-CN": "{area} · {category}：近 {hours} 小时 {observed} 件，按该地同一星期几、同一时段的"
        "常态应约 {expected} 件（{ratio}）",
        "en": "{area} · {category}: {observed} in the last {hours} hours, where about "
        "{expected} are usual for this place, weekday and hour ({ratio})",
    },
    "spikes.ratio": {"zh-CN": "约 {ratio} 倍", "en": "{ratio} times as many"},
    "spikes.ratio_big": {"zh-CN": "超过常态 100 倍", "en": "over 100 times as many"},
    "spikes.under": {"zh-CN": "不到 0.1", "en": "under 0.1"},
    "spikes.chart": {
        "zh-CN": "近 8 周每日件数",
        "en": "Daily count, last 8 weeks",
    },
    "spikes.chart_label": {
        "zh-CN": "{area}{category}近 8 周每日件数，最多一天 {peak} 件，红色为近 24 小时所在的两天",
        "en": "Daily {category} count in {area} over the last 8 weeks, at most {peak} a day; "
        "the last 24 hours' two days in red",
    },
    "spikes.method": {
        "zh-CN": "方法：每个街道/镇 × 事件类别，以前 {weeks} 周的水平和该类别的周内逐时分布估计近 "
        "24 小时的常态件数（历史离散时用负二项分布），单侧检验并对全部序列做 Benjamini-Hochberg "
        "校正；q ≤ {alpha}、至少 {min} 件且不少于常态 {ratio} 倍时预警。",
        "en": "Method: for each street/town x category, the usual count of the last 24 hours "
        "from the previous {weeks} weeks' level and the category's hour-of-week profile "
        "(negative binomial where the history is over-dispersed), a one-sided test with "
        "Benjamini-Hochberg correction across all series; a warning needs q <= {alpha}, at "
        "least {min} incidents and at least {ratio} times the usual count.",
    },
    "spikes.more": {"zh-CN": "另有 {n} 条预警", "en": "{n} more warnings"},
    "spikes.error.limit": {
        "zh-CN": "条数须在 1 到 {max} 之间",
        "en": "The number of warnings must be between 1 and {max}",
    },
    "spikes.cli.stored": {
        "zh-CN": "{at}：新增 {n} 条突增预警",
        "en": "{at}: {n} new spike warnings",
    },
}
