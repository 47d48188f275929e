"""The reverse cross-check (逆向倒查, governance/crosscheck.py)."""

from __future__ import annotations

CROSSCHECK: dict[str, dict[str, str]] = {
    "crosscheck.as_of": {
        "zh-CN": "该时段已结束，数据截至 {at}（此后收到的反映不计入）",
        "en": "This period is over: figures as of {at} (reports received since are not counted)",
    },
    "crosscheck.error.too_long": {
        "zh-CN": "倒查时段最长 {days} 天，请缩短时段",
        "en": "The cross-check covers at most {days} days; choose a shorter period",
    },
    "crosscheck.method.residents": {
        "zh-CN": "方法：每个地点（H3 8 级六边形或网格）× 事件类别，群众渠道（12345、110、群众上报）"
        "至少 {min} 件时，检验网格自报（网格上报、巡查发现）占比是否显著低于全区该类别的网格自报"
        "占比（单侧精确二项检验），并对全部检验做 Benjamini-Hochberg 多重校正；校正后 q ≤ {alpha} "
        "的列为盲区（被标记的地点中预计至多 {alpha} 属偶然）。物联感知不计入：传感器在安装处反复"
        "报警，反映的是传感器分布而非网格是否看见。反向检查：网格自报某类事件被判定不予受理的至少 "
        "{min_rejected} 件时，检验其比例是否显著高于全区该类别（单侧二项检验，同样校正），列为"
        "疑似凑数。",
        "en": "Method: for each place (H3 resolution-8 cell or grid) x category with at least "
        "{min} reports from residents' channels (12345, 110, public reports), an exact "
        "one-sided binomial test of whether the grid's own share (grid reports, patrol "
        "findings) is below the area's grid share of that category, with Benjamini-Hochberg "
        "correction across all tests; q <= {alpha} is a blind spot (at most {alpha} of the "
        "flagged places are expected to be chance). Sensors are left out: they alarm again "
        "and again where they are mounted, which says where sensors are, not what the grid "
        "sees. The opposite check: a grid with at least {min_rejected} of its own reports of "
        "a kind rejected at triage is tested for a rejected share above the area's for that "
        "kind (one-sided binomial, same correction): possible padding.",
    },
    "crosscheck.method.sensors": {
        "zh-CN": "方法：同上，但外部一侧只计物联感知（至少 {min} 件）：传感器报警而网格从未上报的地点"
        "× 类别（单侧精确二项检验，Benjamini-Hochberg 校正，q ≤ {alpha}）。传感器在安装处反复报警，"
        "结果反映传感器所在，请结合现场判断。疑似凑数检查同上（至少 {min_rejected} 件不予受理）。",
        "en": "Method: as for residents' channels, but the external side counts sensors only "
        "(at least {min}): places x categories where sensors alarm and the grid never reports "
        "(exact one-sided binomial test, Benjamini-Hochberg, q <= {alpha}). Sensors alarm "
        "repeatedly where they are mounted; read the result with that in mind. The padding "
        "check is the same (at least {min_rejected} rejected).",
    },
    "crosscheck.method.all": {
        "zh-CN": "方法：同上，外部一侧计入群众渠道与物联感知（至少 {min} 件；单侧精确二项检验，"
        "Benjamini-Hochberg 校正，q ≤ {alpha}）。有传感器的地点会因传感器反复报警而被标记。"
        "疑似凑数检查同上（至少 {min_rejected} 件不予受理）。",
        "en": "Method: as above, with residents' channels and sensors on the external side "
        "(at least {min}; exact one-sided binomial test, Benjamini-Hochberg, q <= {alpha}). "
        "Places with sensors are flagged for the sensors' repeated alarms. The padding check "
        "is the same (at least {min_rejected} rejected).",
    },
    "crosscheck.padding_words": {
        "zh-CN": "网格自报 {own} 件，其中 {external} 件被判定不予受理；按全区该类别比例 {share}，"
        "应约 {expected} 件。偶然多到这种程度的概率 p = {p}，多重校正后 q = {q}。",
        "en": "{own} reports from the grid, {external} of them rejected at triage; at the "
        "area's share of {share} about {expected} were expected. The chance of so many by "
        "luck is p = {p}; after correction for testing many grids, q = {q}.",
    },
    "crosscheck.error.category": {
        "zh-CN": "没有事件类别“{value}”",
        "en": 'There is no incident category "{value}"',
    },
    "crosscheck.error.place": {
        "zh-CN": "请指明网格编码或六边形编号",
        "en": "Name a grid code or a cell",
    },
    "crosscheck.error.channels": {
        "zh-CN": "外部渠道只能是群众渠道、物联感知或全部（收到“{value}”）",
        "en": 'The external side is residents, sensors or all (got "{value}")',
    },
    "crosscheck.words": {
        "zh-CN": "外部渠道 {external} 件，网格自报 {own} 件；按全区网格自报占比 {share}，应有约 "
        "{expected} 件。偶然少到这种程度的概率 p = {p}，多重校正后 q = {q}。",
        "en": "{external} external reports, {own} from the grid; at the area's grid share of "
        "{share} about {expected} were expected. The chance of so few by luck is p = {p}; "
        "after correction for testing many places, q = {q}.",
    },
    "crosscheck.page.title": {"zh-CN": "逆向倒查", "en": "Reverse cross-check"},
    "crosscheck.page.subtitle": {
        "zh-CN": "群众反映而网格未报的盲区，及疑似凑数的网格上报",
        "en": "What residents report and the grid does not; reports that may pad the figures",
    },
    "crosscheck.area": {"zh-CN": "区域", "en": "Area"},
    "crosscheck.window": {"zh-CN": "时段", "en": "Period"},
    "crosscheck.window.30d": {"zh-CN": "近 30 天", "en": "Last 30 days"},
    "crosscheck.window.90d": {"zh-CN": "近 90 天", "en": "Last 90 days"},
    "crosscheck.window.365d": {"zh-CN": "近一年", "en": "Last year"},
    "crosscheck.channels": {"zh-CN": "外部渠道", "en": "External side"},
    "crosscheck.channels.residents": {
        "zh-CN": "群众渠道（12345、110、群众上报）",
        "en": "Residents (12345, 110, public reports)",
    },
    "crosscheck.channels.sensors": {"zh-CN": "物联感知", "en": "Sensors"},
    "crosscheck.channels.all": {"zh-CN": "全部", "en": "All"},
    "crosscheck.category": {"zh-CN": "类别", "en": "Category"},
    "crosscheck.all_categories": {"zh-CN": "全部类别", "en": "All categories"},
    "crosscheck.method.title": {"zh-CN": "时段、数据与方法", "en": "Period, inputs and method"},
    "crosscheck.period": {
        "zh-CN": "时段：{start} 至 {end}（对比上一同长时段 {before_start} 至 {before_end}）。"
        "按事件发生时间计，合并的重复件不计。共检验 {grids} 个网格 × 类别、{cells} 个六边形 × 类别。",
        "en": "Period: {start} to {end} (compared with the previous period of equal length, "
        "{before_start} to {before_end}). Incidents count by when they occurred; merged "
        "duplicates are left out. Tested: {grids} grid x category and {cells} cell x "
        "category.",
    },
    "crosscheck.map.title": {
        "zh-CN": "盲区六边形（{count} 个）",
        "en": "Blind-spot cells ({count})",
    },
    "crosscheck.map.none": {
        "zh-CN": "本时段没有显著的盲区六边形。",
        "en": "No cell is a significant blind spot in this period.",
    },
    "crosscheck.legend": {"zh-CN": "图例", "en": "Legend"},
    "crosscheck.legend.new": {
        "zh-CN": "新出现的盲区（上一时段不是）",
        "en": "New blind spot (not in the previous period)",
    },
    "crosscheck.legend.still": {
        "zh-CN": "持续的盲区（上一时段也是）",
        "en": "Persisting blind spot (also in the previous period)",
    },
    "crosscheck.legend.grid": {"zh-CN": "有盲区的网格边界", "en": "Grids with blind spots"},
    "crosscheck.cell_tip": {
        "zh-CN": "{category}：外部 {external} 件，网格自报 {own} 件，q = {q}",
        "en": "{category}: {external} external, {own} from the grid, q = {q}",
    },
    "crosscheck.grids.title": {
        "zh-CN": "有盲区的网格（{count} 个，按盲区数排序）",
        "en": "Grids with blind spots ({count}, most first)",
    },
    "crosscheck.grids.none": {
        "zh-CN": "本时段没有网格出现显著盲区。",
        "en": "No grid has a significant blind spot in this period.",
    },
    "crosscheck.findings.title": {"zh-CN": "逐项说明", "en": "Each blind spot"},
    "crosscheck.col.grid": {"zh-CN": "网格", "en": "Grid"},
    "crosscheck.col.blind": {"zh-CN": "盲区类别数", "en": "Blind categories"},
    "crosscheck.col.external": {"zh-CN": "外部渠道件数", "en": "External reports"},
    "crosscheck.col.own": {"zh-CN": "网格自报件数", "en": "Grid's own reports"},
    "crosscheck.col.trend": {"zh-CN": "与上一时段比", "en": "Against the previous period"},
    "crosscheck.col.category": {"zh-CN": "类别", "en": "Category"},
    "crosscheck.col.evidence": {"zh-CN": "依据", "en": "Evidence"},
    "crosscheck.col.since": {"zh-CN": "出现", "en": "Since"},
    "crosscheck.col.cases": {"zh-CN": "外部件", "en": "External cases"},
    "crosscheck.trend.worse": {
        "zh-CN": "变差（上一时段 {before} 类）",
        "en": "Worse (previous period: {before})",
    },
    "crosscheck.trend.better": {
        "zh-CN": "好转（上一时段 {before} 类）",
        "en": "Better (previous period: {before})",
    },
    "crosscheck.trend.same": {
        "zh-CN": "持平（上一时段 {before} 类）",
        "en": "Unchanged (previous period: {before})",
    },
    "crosscheck.before.new": {"zh-CN": "本时段新出现", "en": "New this period"},
    "crosscheck.before.still": {"zh-CN": "上一时段已存在", "en": "Also in the previous period"},
    "crosscheck.cases.show": {"zh-CN": "查看 {count} 件", "en": "Show {count}"},
    "crosscheck.cases.title": {
        "zh-CN": "{place} 的外部渠道件（最近 {count} 件）",
        "en": "External reports of {place} (latest {count})",
    },
    "crosscheck.cases.row": {
        "zh-CN": "#{id} · {source} · {at} · {status}",
        "en": "#{id} · {source} · {at} · {status}",
    },
    "crosscheck.padding.title": {
        "zh-CN": "疑似凑数（{count} 项）",
        "en": "Possible padding ({count})",
    },
    "crosscheck.padding.none": {
        "zh-CN": "本时段没有网格的自报不予受理比例显著偏高。",
        "en": "No grid's own reports are rejected significantly more often than elsewhere.",
    },
}
