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
    "dispatch.list.review": {"zh-CN": "挂起超期待审核", "en": "Suspensions to review"},
    # what each list counts (the one definition: geodata/queries/case_state.py)
    "dispatch.help.intake": {
        "zh-CN": "今日 0 时至当前受理（上报到中心）的事件，不含并案和驳回",
        "en": "Cases received since midnight, merged duplicates and rejected reports excluded",
    },
    "dispatch.help.queue": {
        "zh-CN": "已登记或已核实、尚未派遣的事件，受理最早的在前",
        "en": "Registered or verified, not yet dispatched; oldest first",
    },
    "dispatch.help.overdue": {
        "zh-CN": "待签收超过签收时限、或已签收/处置中超过办结时限的事件；挂起期间时限暂停，不计超期",
        "en": "Dispatched past accept-by, or accepted / in progress past resolve-by; a "
        "suspended case's clock stands still and it is never overdue",
    },
    "dispatch.help.escalated": {
        "zh-CN": "已上报上级、尚未结案的事件",
        "en": "Handed to a level above and not yet closed",
    },
    "dispatch.help.review": {
        "zh-CN": "挂起时间超过时限政策允许天数的事件，请督导决定是否继续挂起",
        "en": "Suspended longer than the policy allows: decide whether they may stay suspended",
    },
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
