"""Machine tokens (API and kiosk) and the wall screen."""

from __future__ import annotations

WALL: dict[str, dict[str, str]] = {
    # --- tokens: validation and authentication ---
    "error.token_source": {
        "zh-CN": "未知的来源渠道“{value}”，可用：{choices}",
        "en": "Unknown intake source '{value}'; available: {choices}",
    },
    "error.token_scope_unknown": {
        "zh-CN": "未知的令牌权限“{value}”，可用：{choices}",
        "en": "Unknown token scope '{value}'; available: {choices}",
    },
    "error.token_scope_missing": {
        "zh-CN": "令牌至少需要一项权限（{choices}）",
        "en": "A token needs at least one scope ({choices})",
    },
    "error.token_name": {
        "zh-CN": "令牌名称不能为空，且不超过 80 个字符",
        "en": "A token name must be 1 to 80 characters long",
    },
    "error.token_expiry": {
        "zh-CN": "有效期天数须为 1 到 {max} 之间的整数",
        "en": "The number of days until expiry must be a whole number from 1 to {max}",
    },
    "error.token_revoked_already": {
        "zh-CN": "令牌 #{id} 已被吊销",
        "en": "Token #{id} is already revoked",
    },
    "error.token_invalid": {
        "zh-CN": "API 令牌无效、已吊销或已过期",
        "en": "The API token is invalid, revoked or expired",
    },
    "error.token_scope": {
        "zh-CN": "该令牌没有“{scope}”权限",
        "en": "This token does not carry the '{scope}' scope",
    },
    "error.kiosk_locked": {
        "zh-CN": "大屏链接已失效（已吊销或已过期），请联系管理员重新生成",
        "en": "This wall-screen link is no longer valid (revoked or expired); ask an "
        "administrator for a new one",
    },
    # --- the wall screen ---
    "wall.title": {"zh-CN": "民情地图 · 指挥大屏", "en": "MinQing Map · Wall screen"},
    "wall.brand": {"zh-CN": "民情地图", "en": "MinQing Map"},
    "wall.subtitle": {"zh-CN": "指挥大屏", "en": "Wall screen"},
    "wall.city": {"zh-CN": "全市", "en": "Whole city"},
    "wall.as_of": {"zh-CN": "数据更新于", "en": "Data as of"},
    "wall.stale": {
        "zh-CN": "数据刷新失败，显示的是上次成功刷新的数据",
        "en": "Refresh failed; showing the last data received",
    },
    "wall.kpis": {"zh-CN": "今日指标", "en": "Today's figures"},
    "wall.kpi.today": {"zh-CN": "今日新增事件", "en": "New incidents today"},
    "wall.kpi.awaiting": {"zh-CN": "待派遣", "en": "Awaiting dispatch"},
    "wall.kpi.handling": {"zh-CN": "办理中", "en": "In progress"},
    "wall.kpi.overdue": {"zh-CN": "超时未办", "en": "Overdue"},
    "wall.kpi.on_time": {"zh-CN": "今日按时办结率", "en": "On-time rate today"},
    "wall.kpi.satisfaction": {"zh-CN": "今日群众满意度", "en": "Satisfaction today"},
    "wall.kpi.patrol": {"zh-CN": "今日巡查完成率", "en": "Patrols done today"},
    "wall.vs_yesterday": {"zh-CN": "较昨日同期", "en": "vs. yesterday"},
    "wall.points": {"zh-CN": "个百分点", "en": "pts"},
    "wall.no_resolved": {"zh-CN": "今日暂无办结", "en": "Nothing resolved yet today"},
    "wall.no_ratings": {"zh-CN": "今日暂无评价", "en": "No ratings yet today"},
    "wall.no_patrol": {"zh-CN": "今日无到期巡查", "en": "No visit due today"},
    "wall.no_previous": {"zh-CN": "昨日同期无数据", "en": "No figure yesterday"},
    # --- the rotating views ---
    "wall.view.density": {"zh-CN": "事件密度", "en": "Density"},
    "wall.view.handoff": {"zh-CN": "流转状态", "en": "Handoff status"},
    "wall.view.hotspots": {"zh-CN": "热点区域", "en": "Hotspots"},
    "wall.handoff.statuses": {"zh-CN": "在办事件 · 按流程状态", "en": "Open incidents by status"},
    "wall.handoff.departments": {
        "zh-CN": "已派遣事件 · 按主办部门",
        "en": "Dispatched cases by lead department",
    },
    "wall.handoff.overdue": {"zh-CN": "超时 {n}", "en": "{n} overdue"},
    "wall.hot.title": {
        "zh-CN": "热点区域（近 7 日，对比前 7 日）",
        "en": "Hotspots (last 7 days vs. the 7 before)",
    },
    "wall.hot.new": {"zh-CN": "新增", "en": "New"},
    "wall.hot.persistent": {"zh-CN": "持续", "en": "Persistent"},
    "wall.hot.cooling": {"zh-CN": "降温", "en": "Cooling"},
    "wall.hot.count": {"zh-CN": "{n} 件（前期 {p}）", "en": "{n} (before: {p})"},
    "wall.hot_unnamed": {"zh-CN": "网格外", "en": "Outside the grids"},
    "wall.hot.none": {"zh-CN": "暂无热点", "en": "No hotspots"},
    # --- the feed and the countdowns ---
    "wall.feed": {"zh-CN": "最新事件", "en": "Latest incidents"},
    "wall.sla": {"zh-CN": "时限倒计时 · 超时优先", "en": "Deadlines · overdue first"},
    "wall.sla.overdue": {"zh-CN": "超时", "en": "Overdue"},
    "wall.sla.accept": {"zh-CN": "签收", "en": "Accept"},
    "wall.sla.resolve": {"zh-CN": "办结", "en": "Resolve"},
    "wall.sla.left": {"zh-CN": "剩余", "en": "due in"},
    "wall.sla.over": {"zh-CN": "已超", "en": "over by"},
    "wall.sla.days": {"zh-CN": "天", "en": "d"},
    "wall.sla.none": {"zh-CN": "暂无计时中的事件", "en": "No running clocks"},
    "wall.density": {"zh-CN": "近 24 小时事件密度", "en": "Incident density, last 24 h"},
    "wall.top_categories": {
        "zh-CN": "事件类别 Top 5（24 小时）",
        "en": "Top 5 categories (24 h)",
    },
    "wall.top_grids": {"zh-CN": "网格 Top 5（24 小时）", "en": "Top 5 grids (24 h)"},
    "wall.legend_low": {"zh-CN": "少", "en": "Fewer"},
    "wall.legend_high": {"zh-CN": "多", "en": "More"},
    "wall.none": {"zh-CN": "暂无事件", "en": "No incidents"},
    "wall.loading": {"zh-CN": "加载中…", "en": "Loading…"},
    "wall.locked_title": {"zh-CN": "大屏已锁定", "en": "Wall screen locked"},
    "wall.locked_hint": {
        "zh-CN": "数据已停止显示。请由管理员生成新的大屏链接（python app.py tokens add-kiosk）。",
        "en": "No data is shown. An administrator can issue a new link "
        "(python app.py tokens add-kiosk).",
    },
    # what each tile counts (the one definition: geodata/queries/case_state.py)
    "wall.help.today": {
        "zh-CN": "今日 0 时至当前受理的事件（不含并案、驳回），与昨日同一时段比较",
        "en": "Cases received since midnight (no merged duplicates or rejected reports), "
        "against yesterday up to the same time",
    },
    "wall.help.awaiting": {
        "zh-CN": "已登记或已核实、尚未派遣的事件",
        "en": "Registered or verified, not yet dispatched",
    },
    "wall.help.handling": {
        "zh-CN": "已派遣、已签收或处置中的事件（时限在计时）",
        "en": "Dispatched, accepted or in progress (a clock runs)",
    },
    "wall.help.overdue": {
        "zh-CN": "时限在计时且已过的事件；挂起期间时限暂停，不计超期",
        "en": "Past the deadline whose clock runs; a suspended case is never overdue",
    },
    "wall.help.on_time": {
        "zh-CN": "今日办结且有时限的事件中按时办结的比例",
        "en": "Of today's resolved cases with a deadline, the share resolved by it",
    },
    "wall.help.patrol": {
        "zh-CN": "今日到期的巡查走访任务中已完成的比例（较昨日同期）",
        "en": "Share of the visits due by the end of today that are done (vs. yesterday by this time)",
    },
    "wall.help.satisfaction": {
        "zh-CN": "今日群众评价均分（满意 100、基本满意 60、不满意 0）",
        "en": "Mean of today's ratings (satisfied 100, basic 60, dissatisfied 0)",
    },
}
