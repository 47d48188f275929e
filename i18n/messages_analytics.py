"""The monthly evaluation (月评估) and the weekly consultation packet (周会商)."""

from __future__ import annotations

ANALYTICS: dict[str, dict[str, str]] = {
    # --- shared ---
    "analytics.none": {"zh-CN": "—", "en": "—"},
    "analytics.empty": {
        "zh-CN": "所选时段内本辖区没有数据",
        "en": "No data in your area for the chosen period",
    },
    "analytics.failed": {
        "zh-CN": "数据暂时无法加载，请稍后重试",
        "en": "The figures could not be loaded; please try again shortly",
    },
    # --- monthly evaluation ---
    "eval.page.title": {"zh-CN": "月度绩效评估", "en": "Monthly evaluation"},
    "eval.page.subtitle": {
        "zh-CN": "部门、街道、网格按月考核排名",
        "en": "Monthly scorecards of departments, streets and grids",
    },
    "eval.month": {"zh-CN": "考核月份", "en": "Month"},
    "eval.month_current": {
        "zh-CN": "{month}（本月，进行中）",
        "en": "{month} (this month, so far)",
    },
    "eval.tab.department": {"zh-CN": "部门", "en": "Departments"},
    "eval.tab.street": {"zh-CN": "街道（镇）", "en": "Streets / towns"},
    "eval.tab.grid": {"zh-CN": "网格", "en": "Grids"},
    "eval.summary": {
        "zh-CN": "{month} 考核结果，对比 {previous}；共 {n} 个单位",
        "en": "Results for {month} compared with {previous}; {n} units",
    },
    "eval.as_of": {
        "zh-CN": "（该月已结束，数据截至 {at}）",
        "en": " (the month is over: figures as of {at})",
    },
    "eval.base": {"zh-CN": "（{n} 件）", "en": " ({n})"},
    "eval.base_hint": {
        "zh-CN": "基于 {n} 件到期案件；少于 {min} 件不计算比率",
        "en": "Rests on {n} cases due; no rate is shown under {min}",
    },
    "eval.rules": {
        "zh-CN": (
            "综合得分 = 按时签收率 {accept}% + 按时办结率 {resolve}% + (1 − 返工率) {reopen}%"
            " + 群众满意度 {satisfaction}%（缺项按其余权重折算）；满意 100 分、基本满意 60 分、"
            "不满意 0 分；不足 {min} 件（评价不足 {min} 条）不计算比率；挂起期间时限暂停，不计为超期"
        ),
        "en": (
            "Score = on-time acceptance {accept}% + on-time resolution {resolve}% + "
            "(1 − reopen rate) {reopen}% + satisfaction {satisfaction}% (a missing measure's "
            "weight goes to the others); satisfied 100, basically satisfied 60, dissatisfied 0; "
            "no rate over fewer than {min} cases (or ratings); a suspended case's clock stands "
            "still and is never late"
        ),
    },
    "eval.shown_first": {
        "zh-CN": "仅列出前 {shown} 个（共 {total} 个）",
        "en": "Showing the first {shown} of {total}",
    },
    "eval.col.rank": {"zh-CN": "排名", "en": "Rank"},
    "eval.col.name": {"zh-CN": "名称", "en": "Name"},
    "eval.col.received": {"zh-CN": "受理量", "en": "Cases"},
    "eval.col.accepted": {"zh-CN": "按时签收率", "en": "Accepted on time"},
    "eval.col.resolved": {"zh-CN": "按时办结率", "en": "Resolved on time"},
    "eval.col.reopen": {"zh-CN": "返工率", "en": "Reopen rate"},
    "eval.col.satisfaction": {"zh-CN": "满意度（评价数）", "en": "Satisfaction (ratings)"},
    "eval.col.score": {"zh-CN": "综合得分", "en": "Score"},
    "eval.col.patrol_done": {"zh-CN": "巡查完成率", "en": "Patrols done"},
    "eval.col.dq_blind": {"zh-CN": "盲区率", "en": "Blind-spot rate"},
    "eval.col.dq_padding": {"zh-CN": "疑似凑数率", "en": "Padding rate"},
    "eval.col.dq_timely": {"zh-CN": "自报及时率", "en": "Timely own reports"},
    "eval.col.dq_score": {"zh-CN": "数据质量分", "en": "Data quality"},
    "eval.rules.quality": {
        "zh-CN": "。街道、网格另计数据质量 {weight}%（上列各项权重按比例缩减）：数据质量分 = "
        "(1 − 盲区率)、(1 − 疑似凑数率)、自报及时率（发生后 {minutes} 分钟内上报）三项的平均；"
        "盲区率为逆向倒查中被判为盲区的“网格 × 类别”占已检验的比例，疑似凑数率同理（见“逆向倒查”页的方法）",
        "en": ". Streets and grids also count data quality at {weight}% (the weights above "
        "shrink in proportion): the mean of (1 − blind-spot rate), (1 − padding rate) and the "
        "share of own reports made within {minutes} minutes of the occurrence; the rates are "
        "the shares of tested grid x category pairs flagged by the reverse cross-check (its "
        "method is on the cross-check screen)",
    },
    "eval.col.patrol_on_time": {"zh-CN": "巡查按时率", "en": "Patrols on time"},
    "eval.col.patrol_off_site": {"zh-CN": "非现场签到占比", "en": "Checked in off site"},
    "eval.col.change": {"zh-CN": "较上月", "en": "vs last month"},
    "eval.col.rank_change": {"zh-CN": "名次变化", "en": "Rank change"},
    "eval.rank_up": {"zh-CN": "上升 {n} 位", "en": "up {n}"},
    "eval.rank_down": {"zh-CN": "下降 {n} 位", "en": "down {n}"},
    "eval.rank_same": {"zh-CN": "持平", "en": "same"},
    "eval.rank_new": {"zh-CN": "上月无排名", "en": "not ranked before"},
    "eval.error.month": {
        "zh-CN": "月份“{value}”无效：请选择 2000 年以来、不晚于本月的月份（格式 YYYY-MM）",
        "en": "Invalid month '{value}': choose a month from 2000 up to this month (YYYY-MM)",
    },
    # --- weekly consultation ---
    "consult.page.title": {"zh-CN": "周会商材料", "en": "Weekly consultation packet"},
    "consult.page.subtitle": {
        "zh-CN": "流转不畅案件、持续热点、同址重复",
        "en": "Stuck cases, recurrent hotspots, repeated addresses",
    },
    "consult.week": {"zh-CN": "会商周", "en": "Week"},
    "consult.week_label": {
        "zh-CN": "{start} 至 {end}（第 {n} 周）",
        "en": "{start} to {end} (week {n})",
    },
    "consult.week_current": {"zh-CN": "{label}，本周进行中", "en": "{label}, this week so far"},
    "consult.summary": {
        "zh-CN": "{start} 至 {end}：流转不畅 {stuck} 件，热点 {hot} 处，同址重复 {repeats} 处，"
        "有盲区的网格 {blind} 个",
        "en": "{start} to {end}: {stuck} stuck cases, {hot} hotspots, {repeats} repeated "
        "addresses, {blind} grids with blind spots",
    },
    "consult.stuck.title": {"zh-CN": "跨部门流转不畅 / 超期案件", "en": "Stuck and overdue cases"},
    "consult.stuck.note": {
        "zh-CN": "本周内有转办或退回、且累计转办退回超过 1 次，或周末（本周截至当前）仍超期的案件"
        "（时限在计时且已过；挂起期间时限暂停），不含并案和驳回",
        "en": "Cases transferred or returned more than once (once this week), or overdue "
        "at the end of the week (this week: now): past the deadline whose clock runs; a "
        "suspended case's clock stands still. Merged duplicates and rejected reports "
        "excluded",
    },
    "consult.blind.title": {
        "zh-CN": "逆向倒查：有盲区的网格",
        "en": "Cross-check: grids with blind spots",
    },
    "consult.blind.note": {
        "zh-CN": "截至本周末的近 {days} 天：群众渠道（12345、110、群众上报）反映某类问题显著多于网格"
        "自报所能解释的网格（单侧精确二项检验，Benjamini-Hochberg 校正，q ≤ 5%），与之前 {days} 天比较",
        "en": "The {days} days up to the end of the week: grids where residents' channels (12345, "
        "110, public reports) report a kind of problem far more than the grid's own reports "
        "explain (exact one-sided binomial test, Benjamini-Hochberg, q <= 5%), against the "
        "{days} days before",
    },
    "consult.blind.as_of": {
        "zh-CN": "（数据截至 {at}）",
        "en": " (figures as of {at})",
    },
    "consult.blind.more": {
        "zh-CN": "在“逆向倒查”页查看地图与逐项说明 →",
        "en": "Map and every blind spot on the cross-check screen →",
    },
    "consult.col.blind": {"zh-CN": "盲区类别数", "en": "Blind categories"},
    "consult.col.categories": {"zh-CN": "类别", "en": "Categories"},
    "consult.col.sides": {"zh-CN": "外部 / 自报件数", "en": "External / own reports"},
    "consult.col.blind_trend": {"zh-CN": "与之前比", "en": "Against before"},
    "consult.hot.title": {"zh-CN": "持续与新增热点", "en": "Recurrent and new hotspots"},
    "consult.hot.note": {
        "zh-CN": "H3 网格单元事件数明显高于辖区平均（≥ 平均值 + 2 倍标准差且不少于 {min} 件）",
        "en": "H3 cells with far more incidents than the area's average (≥ mean + 2 sd, "
        "at least {min})",
    },
    "consult.repeat.title": {"zh-CN": "同址重复", "en": "Repeated addresses"},
    "consult.repeat.note": {
        "zh-CN": "本周有上报、近 {days} 天同一网格同一地址上报不少于 {min} 次",
        "en": "Addresses reported this week and at least {min} times in {days} days "
        "(within one grid)",
    },
    "consult.more": {
        "zh-CN": "共 {total} 件，列出前 {shown} 件",
        "en": "{total} in all; the first {shown} listed",
    },
    "consult.col.id": {"zh-CN": "事件编号", "en": "Case"},
    "consult.col.category": {"zh-CN": "类别", "en": "Category"},
    "consult.col.grid": {"zh-CN": "网格", "en": "Grid"},
    "consult.col.department": {"zh-CN": "主办部门", "en": "Lead department"},
    "consult.col.status": {"zh-CN": "状态", "en": "Status"},
    "consult.col.moves": {"zh-CN": "转办/退回", "en": "Moves"},
    "consult.col.overdue": {"zh-CN": "超期", "en": "Overdue"},
    "consult.col.description": {"zh-CN": "事件摘要", "en": "Summary"},
    "consult.col.label": {"zh-CN": "类型", "en": "Kind"},
    "consult.col.count": {"zh-CN": "本周", "en": "This week"},
    "consult.col.previous": {"zh-CN": "上周", "en": "Last week"},
    "consult.col.address": {"zh-CN": "地址", "en": "Address"},
    "consult.col.reports": {"zh-CN": "上报次数（本周）", "en": "Reports (this week)"},
    "consult.col.cases": {"zh-CN": "相关事件", "en": "Cases"},
    "consult.overdue_days": {"zh-CN": "{n} 天", "en": "{n} d"},
    "consult.no_department": {"zh-CN": "待重新派遣", "en": "awaiting dispatch"},
    "consult.label.new": {"zh-CN": "新增", "en": "New"},
    "consult.label.persistent": {"zh-CN": "持续", "en": "Persistent"},
    "consult.label.cooling": {"zh-CN": "降温", "en": "Cooling"},
    "consult.open_map": {"zh-CN": "在地图中查看", "en": "Show on the map"},
    "consult.error.week": {
        "zh-CN": "会商周“{value}”无效：请选择 2000 年以来、不晚于本周的某个周一（YYYY-MM-DD）",
        "en": "Invalid week '{value}': choose a Monday from 2000 up to this week (YYYY-MM-DD)",
    },
}
