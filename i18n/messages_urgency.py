"""The map's urgency view ("what needs me now"), its legend and the list of what is in view."""

from __future__ import annotations

URGENCY: dict[str, dict[str, str]] = {
    "urgency.title": {"zh-CN": "紧急程度", "en": "Urgency"},
    "urgency.now": {"zh-CN": "现在要处理的", "en": "What needs me now"},
    "urgency.now_hint": {
        "zh-CN": "只看已超时和即将到期的事件，按紧急程度着色",
        "en": "Only overdue and due-soon cases, coloured by urgency",
    },
    "urgency.filter.overdue": {"zh-CN": "已超时", "en": "Overdue"},
    "urgency.filter.due_soon": {"zh-CN": "即将到期", "en": "Due soon"},
    "urgency.filter.waiting": {"zh-CN": "待派遣", "en": "Awaiting dispatch"},
    "urgency.filter.handling": {"zh-CN": "处置中", "en": "In progress"},
    "urgency.filter.closed": {"zh-CN": "已办结", "en": "Closed"},
    "urgency.due": {"zh-CN": "“即将到期”指时限剩余不足", "en": '"Due soon" means due within'},
    "urgency.hours": {"zh-CN": "{n}小时", "en": "{n} hours"},
    "urgency.note": {
        "zh-CN": "选了紧急程度后，未办结的事件不论发生日期都显示；已办结的按时间范围。",
        "en": "With an urgency chosen, open cases show whatever their date; closed ones "
        "within the time window.",
    },
    "urgency.colour": {"zh-CN": "事件颜色", "en": "Incident colour"},
    "urgency.colour.category": {"zh-CN": "按类别", "en": "By category"},
    "urgency.colour.urgency": {"zh-CN": "按紧急程度", "en": "By urgency"},
    # --- legend ---
    "legend.urgency": {"zh-CN": "填充色：紧急程度", "en": "Fill: urgency"},
    "legend.urgency.overdue": {"zh-CN": "已超时", "en": "Overdue"},
    "legend.urgency.due_soon": {"zh-CN": "{n}小时内到期", "en": "Due within {n} h"},
    "legend.urgency.running": {"zh-CN": "处置中，未到期", "en": "In progress, on time"},
    "legend.urgency.waiting": {"zh-CN": "待派遣", "en": "Awaiting dispatch"},
    "legend.urgency.paused": {
        "zh-CN": "挂起或待核查（不计时）",
        "en": "Suspended or awaiting verification (no clock)",
    },
    "legend.urgency.closed": {"zh-CN": "已办结", "en": "Closed"},
    "legend.category.fill": {"zh-CN": "填充色：类别", "en": "Fill: category"},
    "legend.category.ring": {"zh-CN": "外圈颜色：类别", "en": "Ring: category"},
    "legend.category.note": {
        "zh-CN": "小类颜色为所属大类的深浅色",
        "en": "Each subcategory is a shade of its group's colour",
    },
    "legend.priority": {
        "zh-CN": "圆点越大，优先级越高",
        "en": "Larger dots: higher priority",
    },
    # --- what is in view, as a list ---
    "viewlist.section": {"zh-CN": "列表查看", "en": "List view"},
    "viewlist.title": {
        "zh-CN": "视图内的事件、场所和区域",
        "en": "Cases, sites and areas in view",
    },
    "viewlist.incidents": {"zh-CN": "事件（最紧急在前）", "en": "Cases (most urgent first)"},
    "viewlist.sites": {"zh-CN": "重点场所（风险高在前）", "en": "Key sites (riskiest first)"},
    "viewlist.areas": {"zh-CN": "区域", "en": "Areas"},
    "viewlist.persons": {
        "zh-CN": "重点人员（关爱等级高在前）",
        "en": "Key persons (highest care level first)",
    },
    "viewlist.care": {"zh-CN": "关爱等级 {n}", "en": "care level {n}"},
    "viewlist.more": {
        "zh-CN": "还有{n}项未列出，请放大地图或筛选",
        "en": "{n} more not listed: zoom in or filter",
    },
    "viewlist.empty": {"zh-CN": "视图内没有", "en": "Nothing in view"},
    "viewlist.due": {"zh-CN": "时限 {at}", "en": "due {at}"},
    "viewlist.hint": {
        "zh-CN": "按回车打开；地图会移到所选对象",
        "en": "Press Enter to open; the map moves to it",
    },
    "panel.details": {"zh-CN": "详情", "en": "Details"},
    "skip.filters": {"zh-CN": "跳到筛选", "en": "Skip to filters"},
}
