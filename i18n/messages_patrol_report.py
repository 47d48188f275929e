"""The supervisor's patrol report (/patrol-report) and its exports."""

from __future__ import annotations

PATROL_REPORT: dict[str, dict[str, str]] = {
    "nav.patrol-report": {"zh-CN": "巡查督导", "en": "Patrol report"},
    "preport.page.title": {"zh-CN": "巡查督导", "en": "Patrol report"},
    "preport.page.subtitle": {
        "zh-CN": "巡查走访完成率、及时率与漏巡提醒",
        "en": "Completion, punctuality and missed visits",
    },
    # controls
    "preport.period": {"zh-CN": "统计周期", "en": "Period"},
    "preport.period.this_week": {"zh-CN": "本周", "en": "This week"},
    "preport.period.last_week": {"zh-CN": "上周", "en": "Last week"},
    "preport.period.this_month": {"zh-CN": "本月", "en": "This month"},
    "preport.period.last_month": {"zh-CN": "上月", "en": "Last month"},
    "preport.period.custom": {"zh-CN": "自定义", "en": "Custom range"},
    "preport.dates": {"zh-CN": "起止日期", "en": "From – to"},
    "preport.area": {"zh-CN": "区域", "en": "Area"},
    "preport.area.all": {"zh-CN": "全部辖区", "en": "My whole area"},
    "preport.group": {"zh-CN": "统计维度", "en": "Rows by"},
    "preport.group.county": {"zh-CN": "区县", "en": "County"},
    "preport.group.street": {"zh-CN": "街道", "en": "Street"},
    "preport.group.community": {"zh-CN": "社区", "en": "Community"},
    "preport.group.grid": {"zh-CN": "网格", "en": "Grid"},
    "preport.group.worker": {"zh-CN": "网格员", "en": "Grid worker"},
    # the rates table
    "preport.col.name": {"zh-CN": "名称", "en": "Name"},
    "preport.col.due": {"zh-CN": "应巡", "en": "Due"},
    "preport.col.done": {"zh-CN": "已巡", "en": "Done"},
    "preport.col.on_time": {"zh-CN": "按时", "en": "On time"},
    "preport.col.late": {"zh-CN": "补巡", "en": "Late"},
    "preport.col.missed": {"zh-CN": "漏巡", "en": "Missed"},
    "preport.col.completion": {"zh-CN": "完成率", "en": "Completion"},
    "preport.col.on_time_rate": {"zh-CN": "及时率", "en": "On-time rate"},
    "preport.col.off_site": {"zh-CN": "非现场占比", "en": "Off site"},
    "preport.col.failed": {"zh-CN": "发现问题占比", "en": "With failed items"},
    "preport.total": {"zh-CN": "合计", "en": "Total"},
    "preport.unassigned": {"zh-CN": "未分配", "en": "Unassigned"},
    "preport.summary": {
        "zh-CN": "{start} 至 {end}：应巡 {due} 次，已巡 {done} 次，漏巡 {missed} 次",
        "en": "{start} to {end}: {due} visits due, {done} done, {missed} missed",
    },
    "preport.empty": {
        "zh-CN": "该周期内没有到期的巡查任务",
        "en": "No visits fell due in this period",
    },
    "preport.shown_first": {
        "zh-CN": "仅显示前 {shown} 条（共 {total} 条），完整清单请导出",
        "en": "The first {shown} of {total} are shown: export for the whole list",
    },
    "preport.rules": {
        "zh-CN": "口径：任务周期的最后一天落在所选周期内且截止时间已过（或已完成）即为应巡；"
        "截止前在手机上填写为按时，之后为补巡；应巡未完成为漏巡。非现场与发现问题占比以已巡为分母。",
        "en": "Rules: a visit is due when its period's last day falls in the chosen period and "
        "its deadline has passed (or it is done); filled on the phone by the deadline is on "
        "time, after it late; due and not done is missed. Off-site and failed-item shares are "
        "of the visits done.",
    },
    # the lists
    "preport.missed.title": {"zh-CN": "高风险对象漏巡提醒", "en": "Missed visits, high risk"},
    "preport.missed.none": {
        "zh-CN": "本周期没有高风险对象漏巡",
        "en": "No high-risk visit was missed in this period",
    },
    "preport.offsite.title": {"zh-CN": "非现场签到记录", "en": "Off-site check-ins"},
    "preport.offsite.none": {
        "zh-CN": "本周期没有非现场或异常签到",
        "en": "No off-site or flagged check-in in this period",
    },
    "preport.col.target": {"zh-CN": "对象", "en": "Site / person"},
    "preport.col.grid": {"zh-CN": "网格", "en": "Grid"},
    "preport.col.worker": {"zh-CN": "网格员", "en": "Grid worker"},
    "preport.col.due_on": {"zh-CN": "应巡日期", "en": "Due"},
    "preport.col.status": {"zh-CN": "状态", "en": "Status"},
    "preport.col.filled_at": {"zh-CN": "填写时间", "en": "Filled at"},
    "preport.col.distance": {"zh-CN": "距离", "en": "Distance"},
    "preport.col.flags": {"zh-CN": "标记", "en": "Flags"},
    "preport.col.reason": {"zh-CN": "原因（已脱敏）", "en": "Reason (masked)"},
    "preport.col.action": {"zh-CN": "操作", "en": "Action"},
    "preport.person_plain": {"zh-CN": "重点人员 #{id}", "en": "Key person #{id}"},
    "preport.metres": {"zh-CN": "{m} 米", "en": "{m} m"},
    # reassign
    "preport.reassign": {"zh-CN": "改派", "en": "Reassign"},
    "preport.reassign.title": {"zh-CN": "改派任务 #{id}", "en": "Reassign task #{id}"},
    "preport.reassign.worker": {"zh-CN": "改派给", "en": "Give it to"},
    "preport.reassign.ok": {"zh-CN": "确定改派", "en": "Reassign"},
    "preport.reassign.cancel": {"zh-CN": "取消", "en": "Cancel"},
    "preport.reassign.done": {
        "zh-CN": "任务 #{id} 已改派给 {user}",
        "en": "Task #{id} now belongs to {user}",
    },
    # refusals
    "preport.error.date": {
        "zh-CN": "日期 {field} 无效：{value}（格式 YYYY-MM-DD）",
        "en": "Invalid date {field}: {value} (YYYY-MM-DD)",
    },
    "preport.error.range": {
        "zh-CN": "日期范围无效：结束不能早于开始，最长 {days} 天，且不早于 2000 年",
        "en": "Invalid range: the end may not precede the start, at most {days} days, from 2000",
    },
    "preport.error.future": {
        "zh-CN": "开始日期不能晚于今天",
        "en": "The start may not be after today",
    },
    "preport.error.task": {"zh-CN": "任务编号无效", "en": "Invalid task number"},
    # exports (governance/exports.py)
    "export.patrol-rates": {"zh-CN": "完成率统计表", "en": "Rates table"},
    "export.patrol-missed": {"zh-CN": "高风险漏巡清单", "en": "Missed high-risk visits"},
    "export.patrol-offsite": {"zh-CN": "非现场签到清单", "en": "Off-site check-ins"},
}
