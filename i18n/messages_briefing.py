"""Leaders' briefings (日调度 / 周会商 / 月评估): the document, the page, the CLI."""

from __future__ import annotations


def _m(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


BRIEFING: dict[str, dict[str, str]] = {
    # --- periods and titles ---
    "brief.period.daily": _m("日调度", "Daily dispatch"),
    "brief.period.weekly": _m("周会商", "Weekly review"),
    "brief.period.monthly": _m("月评估", "Monthly evaluation"),
    "brief.period.week_range": _m(
        "{start} 至 {end}（第 {week} 周）", "{start} to {end} (week {week})"
    ),
    "brief.period.month": _m("{year} 年 {month} 月", "{year}-{month:02d}"),
    "brief.title.daily": _m("{area}日调度简报", "{area} daily dispatch briefing"),
    "brief.title.weekly": _m("{area}周会商简报", "{area} weekly review briefing"),
    "brief.title.monthly": _m("{area}月评估简报", "{area} monthly evaluation briefing"),
    "brief.city": _m("全市", "Whole city"),
    # --- header ---
    "brief.head.period": _m("统计周期：", "Period: "),
    "brief.head.compared": _m("· 对比上期 {prev}", "· compared with {prev}"),
    "brief.head.restricted": _m("内部资料 注意保密", "Internal — restricted"),
    "brief.head.area": _m("区域：", "Area: "),
    "brief.head.generated": _m("生成时间：", "Produced: "),
    "brief.head.as_of": _m("数据截至：", "Figures as of: "),
    "brief.footer": _m(
        "民情地图 · 数据均取自业务库当期记录", "MinQing Map · every figure from the case database"
    ),
    # --- sections ---
    "brief.section.kpis": _m("核心指标（与上期对比）", "Key figures (vs the previous period)"),
    "brief.section.map": _m("事件热力分布（H3 六边形）", "Where incidents occurred (H3 cells)"),
    "brief.section.hotspots": _m("热点研判", "Hotspots"),
    "brief.section.crosscheck": _m("逆向倒查", "Reverse cross-check"),
    "brief.section.emerging": _m("新兴热点", "Emerging hot spots"),
    "brief.emerging.count": _m("{name} {n} 处", "{name}: {n} cells"),
    "brief.emerging.end": _m("。", ". "),
    "brief.emerging.first": _m("；需先关注：", "; first to look at: "),
    "brief.emerging.cell": _m("{grid}（{name}，{trend}）", "{grid} ({name}, {trend})"),
    "brief.emerging.none": _m(
        "尚无新兴热点分析结果（每日自动计算）。",
        "No emerging hot-spot analysis stored yet (computed daily).",
    ),
    "brief.blind.lead": _m(
        "近 {days} 天有盲区的网格 {n} 个：",
        "Grids with blind spots over the last {days} days: {n}. ",
    ),
    "brief.blind.grid": _m(
        "{name}（{n} 类；外部 {external} 件、自报 {own} 件；{trend}）",
        "{name} ({n} categories; {external} external, {own} own; {trend})",
    ),
    "brief.blind.sep": _m("；", "; "),
    "brief.blind.as_of": _m("（数据截至 {at}）", " (figures as of {at})"),
    "brief.blind.more": _m("；另有 {n} 个", "; and {n} more"),
    "brief.blind.none": _m(
        "近 {days} 天没有网格出现显著盲区（群众渠道反映而网格未报）。",
        "No grid had a significant blind spot over the last {days} days (what residents "
        "report and the grid does not).",
    ),
    "brief.blind.worse": _m("较前变差", "worse than before"),
    "brief.blind.better": _m("较前好转", "better than before"),
    "brief.blind.same": _m("与前持平", "as before"),
    "brief.blind.method": _m(
        "。方法：群众渠道（12345、110、群众上报）每类至少 5 件的网格，单侧精确二项检验网格自报占比"
        "是否显著偏低，Benjamini-Hochberg 校正 q ≤ 5%，与之前同长时段比较；详见“逆向倒查”页。",
        " Method: grids with at least 5 residents' reports (12345, 110, public) of a kind; an "
        "exact one-sided binomial test of whether the grid's own share is too low, "
        "Benjamini-Hochberg q <= 5 %, compared with the period before; see the cross-check "
        "screen.",
    ),
    "brief.section.categories": _m("事件类别排行", "Top categories"),
    "brief.section.defs": _m("指标口径", "Definitions"),
    "brief.section.departments": _m("部门处置考评", "Department scorecard"),
    "brief.section.overdue": _m("超期未办结案件", "Most overdue cases"),
    "brief.none": _m("本期无数据", "No data in this period"),
    # --- KPIs ---
    "brief.kpi.new": _m("新增事件", "New incidents"),
    "brief.kpi.dispatched": _m("派遣", "Dispatched"),
    "brief.kpi.resolved": _m("办结", "Resolved"),
    "brief.kpi.overdue": _m("超期", "Overdue"),
    "brief.kpi.on_time": _m("按期办结率", "Resolved on time"),
    "brief.kpi.satisfaction": _m("满意度", "Satisfaction"),
    "brief.kpi.ratings": _m("{n} 条评价", "{n} ratings"),
    "brief.kpi.previous": _m("上期", "Prev."),
    "brief.kpi.flat": _m("持平", "no change"),
    "brief.kpi.na": _m("暂无", "n/a"),
    "brief.empty.note": _m(
        "本期该区域无事件数据：无新增、派遣、办结、超期事件，也无群众评价。",
        "No data for this area in this period: no incidents reported, dispatched, resolved "
        "or overdue, and no ratings.",
    ),
    "brief.empty.map": _m("本期无事件", "No incidents in this period"),
    # --- map ---
    "brief.map.scale": _m("比例尺", "Scale"),
    "brief.map.north": _m("北", "N"),
    "brief.map.legend": _m("每格事件数（H3 {res} 级）", "Incidents per cell (H3 res {res})"),
    # --- hotspots ---
    "brief.hot.label": _m("研判", "Trend"),
    "brief.hot.place": _m("位置（网格）", "Where (grid)"),
    "brief.hot.count": _m("本期", "This period"),
    "brief.hot.previous": _m("上期", "Previous"),
    "brief.hot.category": _m("主要类别", "Main category"),
    "brief.hot.new": _m("新增", "New"),
    "brief.hot.persistent": _m("持续", "Persistent"),
    "brief.hot.cooling": _m("降温", "Cooling"),
    "brief.hot.none": _m("本期无热点", "No hotspots in this period"),
    # --- categories ---
    "brief.cat.name": _m("类别", "Category"),
    "brief.cat.count": _m("件数", "Incidents"),
    "brief.cat.share": _m("占比", "Share"),
    # --- departments ---
    "brief.dept.rank": _m("名次", "Rank"),
    "brief.dept.name": _m("部门", "Department"),
    "brief.dept.received": _m("受理", "Received"),
    "brief.dept.accepted": _m("按时签收", "Accepted on time"),
    "brief.dept.resolved": _m("按期办结", "Resolved on time"),
    "brief.dept.reopen": _m("返工率", "Reopened"),
    "brief.dept.satisfaction": _m("满意度", "Satisfaction"),
    "brief.dept.score": _m("综合得分", "Score"),
    "brief.dept.change": _m("名次变化", "Rank change"),
    "brief.dept.note": _m(
        "括号内为比率所依据的到期案件数；不足 {min} 件不计算比率；挂起期间时限暂停。",
        "In brackets: the cases due that a rate rests on; no rate under {min}; a suspended "
        "case's clock stands still.",
    ),
    # --- overdue ---
    "brief.od.id": _m("案件号", "Case"),
    "brief.od.category": _m("类别", "Category"),
    "brief.od.grid": _m("网格", "Grid"),
    "brief.od.department": _m("主办部门", "Lead department"),
    "brief.od.due": _m("办结时限", "Due"),
    "brief.od.days": _m("超期天数", "Days overdue"),
    "brief.od.description": _m("事件摘要（已脱敏）", "Summary (masked)"),
    "brief.od.none": _m("截至期末无超期未办结案件", "No overdue open cases at the period's end"),
    "brief.overdue.no_department": _m("未派遣", "not dispatched"),
    # --- definitions ---
    "brief.def.new": _m(
        "新增事件：本期受理（上报到中心）的事件数，不含并案和驳回；本期含当前时刻时截至当前，"
        "与上期同一时段比较。",
        "New incidents: cases received in the period (when they reached the centre), "
        "merged duplicates and rejected reports excluded; a period that includes now ends "
        "at now and is compared with the same span of the period before.",
    ),
    "brief.def.dispatched": _m(
        "派遣：本期派遣的案件数。", "Dispatched: cases dispatched in the period."
    ),
    "brief.def.resolved": _m("办结：本期办结的案件数。", "Resolved: cases resolved in the period."),
    "brief.def.overdue": _m(
        "超期：本期末时限在计时、且已过时限的案件数（待签收超签收时限，已签收或处置中超办结时限）；"
        "挂起期间时限暂停，不计为超期。",
        "Overdue: cases past the deadline whose clock ran at the end of the period (to "
        "accept while dispatched, to resolve once accepted); a suspended case's clock "
        "stands still and it is never overdue.",
    ),
    "brief.def.on_time": _m(
        "按期办结率：本期办结且有时限的案件中，在时限内办结的比例（挂起或延期批准后的时限按顺延后计）。",
        "Resolved on time: of the cases resolved in the period with a deadline, the share "
        "resolved by it (a deadline moved by a suspension or an approved extension counts "
        "as moved).",
    ),
    "brief.def.satisfaction": _m(
        "满意度：本期群众评价均分（满意 100、基本满意 60、不满意 0）。",
        "Satisfaction: mean of the period's ratings (satisfied 100, basic 60, dissatisfied 0).",
    ),
    "brief.def.heat": _m(
        "热力图：本期发生的事件所在位置（按发生时间，与地图热力层一致），不含并案和驳回。",
        "Heat map: where the period's cases occurred (by time of occurrence, like the map's "
        "density layer), merged duplicates and rejected reports excluded.",
    ),
    "brief.def.hot": _m(
        "热点：本期事件数显著高于区域平均的六边形；新增＝本期热、上期不热，持续＝两期均热，"
        "降温＝上期热、本期不热。",
        "Hotspots: cells with far more incidents than the area's average; new = hot now and "
        "not before, persistent = hot in both periods, cooling = hot before, not now.",
    ),
    # --- errors ---
    "brief.error.period": _m(
        "未知的简报周期“{value}”，可用：{choices}",
        "Unknown briefing period '{value}'; use {choices}",
    ),
    "brief.error.format": _m(
        "未知的输出格式“{value}”，可用：{choices}", "Unknown output format '{value}'; use {choices}"
    ),
    "brief.error.lang": _m(
        "未知的语言“{value}”，可用：{choices}", "Unknown language '{value}'; use {choices}"
    ),
    "brief.error.date": _m(
        "日期“{value}”格式不对，应为 YYYY-MM-DD", "The date '{value}' is not a YYYY-MM-DD date"
    ),
    "brief.error.future": _m(
        "日期 {value} 晚于今天（{today}），无法生成简报",
        "The date {value} is after today ({today}): there is nothing to brief on yet",
    ),
    "brief.error.area_format": _m(
        "区域代码“{value}”格式不对：应为 6、9、12 或 15 位数字",
        "The area code '{value}' is malformed: use 6, 9, 12 or 15 digits",
    ),
    "brief.error.area_unknown": _m("没有代码为“{value}”的区域", "No area has the code '{value}'"),
    "brief.error.renderer": _m(
        "无法生成 PDF/PNG：未找到或无法启动 Chromium（{path}），可先导出 HTML",
        "Cannot produce PDF/PNG: Chromium ({path}) is missing or failed to start; HTML works",
    ),
    "brief.error.no_cjk_font": _m(
        "未安装中文字体（fonts-noto-cjk），无法绘制地图标注",
        "No Chinese font is installed (fonts-noto-cjk): the map labels cannot be drawn",
    ),
    "brief.error.out_exists": _m(
        "输出路径是一个目录：{path}", "The output path is a directory: {path}"
    ),
    # --- CLI ---
    "brief.cli.written": _m("已生成 {path}（{size} 字节）", "Wrote {path} ({size} bytes)"),
    "brief.cli.schedule_none": _m("今天没有需要生成的简报", "No briefings are due today"),
    # --- page ---
    "brief.page.title": _m("领导简报", "Briefings"),
    "brief.page.subtitle": _m(
        "日调度 · 周会商 · 月评估：选择周期、日期与区域，生成可打印的简报",
        "Daily, weekly and monthly briefings: choose a period, a date and an area",
    ),
    "brief.form.period": _m("周期", "Period"),
    "brief.form.date": _m("日期", "Date"),
    "brief.form.area": _m("区域", "Area"),
    "brief.form.format": _m("格式", "Format"),
    "brief.form.submit": _m("生成并下载", "Produce and download"),
    "brief.form.hint": _m(
        "周报为所选日期所在的周（周一至周日），月报为所在自然月；数据均与上期对比。",
        "A weekly briefing covers the Monday-to-Sunday week of the date, a monthly one its "
        "calendar month; every figure is compared with the previous period.",
    ),
    "brief.format.pdf": _m("PDF（打印）", "PDF (print)"),
    "brief.format.png": _m("PNG（首页图片）", "PNG (first page)"),
    "brief.format.html": _m("HTML（网页）", "HTML (web page)"),
    "brief.done": _m("已生成 {name}", "Produced {name}"),
}
