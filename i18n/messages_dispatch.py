"""The daily dispatch board (日调度)."""

from __future__ import annotations

DISPATCH: dict[str, dict[str, str]] = {
    "dispatch.page.title": {"zh-CN": "日调度", "en": "Daily dispatch"},
    "dispatch.page.subtitle": {
        "zh-CN": "今日受理 · 待派遣 · 超时 · 上报",
        "en": "Today's intake · queue · overdue · escalated",
    },
    "dispatch.as_of": {"zh-CN": "数据时间 {at}", "en": "Data as of {at}"},
    "dispatch.loading": {"zh-CN": "正在加载…", "en": "Loading…"},
    "dispatch.list.intake": {"zh-CN": "今日受理", "en": "Today's intake"},
    "dispatch.list.queue": {"zh-CN": "待派遣", "en": "Waiting for dispatch"},
    "dispatch.list.overdue": {"zh-CN": "已超时", "en": "Overdue"},
    "dispatch.list.escalated": {"zh-CN": "已上报", "en": "Escalated"},
    "dispatch.shown": {
        "zh-CN": "共 {total} 件，显示前 {shown} 件",
        "en": "{total} in all, first {shown} shown",
    },
    "dispatch.total": {"zh-CN": "共 {total} 件", "en": "{total} in all"},
    "dispatch.empty": {"zh-CN": "暂无", "en": "None"},
    "dispatch.by_source": {"zh-CN": "按来源", "en": "By source"},
    "dispatch.by_category": {"zh-CN": "按类别（前 8）", "en": "By category (top 8)"},
    "dispatch.col.id": {"zh-CN": "编号", "en": "No."},
    "dispatch.col.reported": {"zh-CN": "受理时间", "en": "Reported"},
    "dispatch.col.category": {"zh-CN": "类别", "en": "Category"},
    "dispatch.col.grid": {"zh-CN": "网格", "en": "Grid"},
    "dispatch.col.description": {"zh-CN": "内容", "en": "Description"},
    "dispatch.col.status": {"zh-CN": "状态", "en": "Status"},
    "dispatch.col.department": {"zh-CN": "承办部门", "en": "Lead department"},
    "dispatch.col.sla": {"zh-CN": "时限", "en": "SLA"},
    "dispatch.col.action": {"zh-CN": "派遣", "en": "Dispatch"},
    "dispatch.col.level": {"zh-CN": "上报级别", "en": "Level"},
    "dispatch.sla.dispatch": {"zh-CN": "应派遣 {at}", "en": "Dispatch by {at}"},
    "dispatch.sla.accept": {"zh-CN": "应签收 {at}", "en": "Accept by {at}"},
    "dispatch.sla.resolve": {"zh-CN": "应办结 {at}", "en": "Resolve by {at}"},
    "dispatch.suggested": {"zh-CN": "建议：{name}", "en": "Suggested: {name}"},
    "dispatch.no_suggestion": {"zh-CN": "无建议部门", "en": "No suggestion"},
    "dispatch.button": {"zh-CN": "派遣", "en": "Dispatch"},
    "dispatch.button_verify": {"zh-CN": "核实并派遣", "en": "Verify and dispatch"},
    "dispatch.override": {"zh-CN": "改派其他部门…", "en": "Another department…"},
    "dispatch.done": {
        "zh-CN": "事件 #{id} 已派遣至{department}",
        "en": "Incident #{id} dispatched to {department}",
    },
    "dispatch.refused": {
        "zh-CN": "事件 #{id} 未派遣：{reason}",
        "en": "Incident #{id} not dispatched: {reason}",
    },
    "dispatch.refresh": {"zh-CN": "刷新", "en": "Refresh"},
    "dispatch.export": {"zh-CN": "导出", "en": "Export"},
    "dispatch.level": {"zh-CN": "{n} 级", "en": "Level {n}"},
}
