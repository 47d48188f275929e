"""Online patrol and care visits: the worker's day, checklists, check-in, supervision."""

from __future__ import annotations

PATROL: dict[str, dict[str, str]] = {
    # refusals (governance/patrol_*.py)
    "patrol.error.span": {
        "zh-CN": "生成任务的日期范围无效（结束不能早于开始，且最长 {days} 天）",
        "en": "Invalid span for task generation (the end may not precede the start; at most {days} days)",
    },
    "patrol.error.task_closed": {
        "zh-CN": "该巡查任务已完成或已取消，不能再提交或改派",
        "en": "This patrol task is done or cancelled: it can no longer be submitted or reassigned",
    },
    "patrol.error.not_a_worker": {
        "zh-CN": "只能改派给本辖区内启用的网格员",
        "en": "A task can only go to an enabled grid worker of your area",
    },
    "patrol.error.not_yours": {
        "zh-CN": "这不是您的巡查任务",
        "en": "This patrol task is not yours",
    },
    "patrol.error.already_done": {
        "zh-CN": "该任务已有另一份巡查记录，不能重复提交",
        "en": "This task was already completed by another submission",
    },
    "patrol.error.client_id_reused": {
        "zh-CN": "提交编号已用于另一项任务，请刷新后重新填写",
        "en": "This submission id belongs to another task: reload and fill the checklist again",
    },
    "patrol.error.client_id": {
        "zh-CN": "提交编号格式不正确",
        "en": "The submission id is malformed",
    },
    "patrol.error.stale_template": {
        "zh-CN": "检查表已更新，该版本不再适用于此任务，请刷新后重新填写",
        "en": "The checklist has changed and this version no longer applies to the task: reload and fill it again",
    },
    "patrol.error.template_items": {
        "zh-CN": "检查表须有 1 至 {n} 个检查项",
        "en": "A checklist needs 1 to {n} items",
    },
    "patrol.error.template_item": {
        "zh-CN": "第 {index} 个检查项的“{reason}”不正确",
        "en": "Item {index}: invalid {reason}",
    },
    "patrol.error.answers": {
        "zh-CN": "检查结果格式不正确",
        "en": "The answers are malformed",
    },
    "patrol.error.answer": {
        "zh-CN": "检查项“{item}”的填写不正确",
        "en": "Invalid answer for item “{item}”",
    },
    "patrol.error.unknown_item": {
        "zh-CN": "检查表中没有检查项“{item}”",
        "en": "The checklist has no item “{item}”",
    },
    "patrol.error.required": {
        "zh-CN": "检查项“{item}”为必填",
        "en": "Item “{item}” is required",
    },
    "patrol.error.photo_missing": {
        "zh-CN": "检查项“{item}”至少需要 {n} 张照片",
        "en": "Item “{item}” needs at least {n} photo(s)",
    },
    "patrol.error.photos": {
        "zh-CN": "照片最多 {n} 张",
        "en": "At most {n} photos",
    },
    "patrol.error.photo_item": {
        "zh-CN": "照片所属的检查项“{value}”不正确",
        "en": "A photo names no valid item: “{value}”",
    },
    "patrol.error.photo": {
        "zh-CN": "照片须为 JPEG、PNG 或 WebP 图片",
        "en": "A photo must be a JPEG, PNG or WebP image",
    },
    "patrol.error.photo_size": {
        "zh-CN": "每张照片不能超过 {mb} MB",
        "en": "Each photo may be at most {mb} MB",
    },
    "patrol.error.position": {
        "zh-CN": "定位数据无效（经纬度或精度超出范围）",
        "en": "Invalid position (longitude, latitude or accuracy out of range)",
    },
    "patrol.error.filled_at": {
        "zh-CN": "填写时间无效（不能晚于现在，也不能早于 7 天前）",
        "en": "Invalid completion time (not in the future, at most 7 days ago)",
    },
    "patrol.error.too_early": {
        "zh-CN": "该任务 {day} 起才开始，不能提前填写",
        "en": "This task starts on {day}: it cannot be filled earlier",
    },
    "patrol.error.reason_required": {
        "zh-CN": "未在现场签到（无定位、距离过远或定位精度不足），请填写原因（至少 {n} 个字）",
        "en": "Not checked in on site (no position, too far or too inaccurate): give a reason (at least {n} characters)",
    },
    # statuses and flags
    "patrol.status.open": {"zh-CN": "待巡查", "en": "Due"},
    "patrol.status.done": {"zh-CN": "已完成", "en": "Done"},
    "patrol.status.missed": {"zh-CN": "已逾期", "en": "Missed"},
    "patrol.status.cancelled": {"zh-CN": "已取消", "en": "Cancelled"},
    "patrol.status.overdue": {"zh-CN": "逾期未巡", "en": "Overdue"},
    "panel.site.patrol": {"zh-CN": "巡查记录", "en": "Patrol visits"},
    "panel.site.patrol_none": {"zh-CN": "暂无巡查计划", "en": "No visits planned"},
    "panel.site.findings": {
        "zh-CN": "巡查发现、尚未办结的事件",
        "en": "Open cases from its visits",
    },
    "panel.site.findings_none": {
        "zh-CN": "无未办结的巡查发现",
        "en": "No open case from its visits",
    },
    "panel.site.visit_problems": {"zh-CN": "发现 {n} 个问题", "en": "{n} problem(s)"},
    "panel.site.visit_off_site": {"zh-CN": "非现场", "en": "off site"},
    "panel.site.visit_late": {"zh-CN": "补巡", "en": "late"},
    "patrol.flag.off_site": {"zh-CN": "不在现场", "en": "Off site"},
    "patrol.flag.no_position": {"zh-CN": "无定位", "en": "No position"},
    "patrol.flag.low_accuracy": {"zh-CN": "定位精度不足", "en": "Inaccurate position"},
    "patrol.flag.too_fast": {"zh-CN": "移动速度异常", "en": "Implausible speed"},
    "patrol.subject.site": {"zh-CN": "场所巡查", "en": "Site patrol"},
    "patrol.subject.person": {"zh-CN": "走访关爱", "en": "Care visit"},
    "patrol.person_title": {"zh-CN": "{category}走访对象 #{id}", "en": "{category}, person #{id}"},
    "nav.patrol": {"zh-CN": "今日巡查", "en": "Today's patrol"},
    # the phone page (web/templates/patrol.html, assets/js/patrol.js)
    "patrol.ui.title": {"zh-CN": "今日巡查", "en": "Today's patrol"},
    "patrol.ui.report": {"zh-CN": "上报事件", "en": "Report"},
    "patrol.ui.logout": {"zh-CN": "退出", "en": "Sign out"},
    "patrol.ui.loading": {"zh-CN": "正在加载今日任务…", "en": "Loading today's visits…"},
    "patrol.ui.map_label": {"zh-CN": "巡查路线示意图", "en": "Sketch of the walking route"},
    "patrol.ui.back": {"zh-CN": "返回任务列表", "en": "Back to the list"},
    "patrol.ui.person": {"zh-CN": "查看走访对象（脱敏）", "en": "Who to visit (masked)"},
    "patrol.ui.person_failed": {"zh-CN": "暂时无法获取对象信息", "en": "Could not load the person"},
    "patrol.ui.reason": {"zh-CN": "未在现场的原因", "en": "Why not on site"},
    "patrol.ui.submit": {"zh-CN": "提交巡查结果", "en": "Submit"},
    "patrol.ui.send_now": {"zh-CN": "立即发送", "en": "Send now"},
    "patrol.ui.online": {"zh-CN": "在线", "en": "Online"},
    "patrol.ui.offline": {
        "zh-CN": "离线：提交内容会先保存在手机上",
        "en": "Offline: submissions are kept on the phone",
    },
    "patrol.ui.outbox": {"zh-CN": "待发送 {n} 条", "en": "{n} waiting to be sent"},
    "patrol.ui.outbox_none": {"zh-CN": "全部已发送", "en": "All sent"},
    "patrol.ui.summary": {
        "zh-CN": "今日待巡查 {n} 处，其中逾期 {late} 处",
        "en": "{n} visits due, {late} overdue",
    },
    "patrol.ui.summary_route": {
        "zh-CN": "建议路线约 {km} 公里",
        "en": "Suggested walk about {km} km",
    },
    "patrol.ui.no_position": {
        "zh-CN": "未获取定位，按截止时间排序",
        "en": "No position: ordered by deadline",
    },
    "patrol.ui.empty": {"zh-CN": "今日没有待巡查任务", "en": "No visits due today"},
    "patrol.ui.load_failed": {
        "zh-CN": "任务加载失败，请检查网络后下拉刷新",
        "en": "Could not load the visits: check the connection and reload",
    },
    "patrol.ui.overdue": {"zh-CN": "逾期", "en": "Overdue"},
    "patrol.ui.high_risk": {"zh-CN": "重点", "en": "High risk"},
    "patrol.ui.deadline": {"zh-CN": "截止 {at} 24:00", "en": "Due by {at} 24:00"},
    "patrol.ui.distance": {"zh-CN": "距您 {m}", "en": "{m} away"},
    "patrol.ui.queued": {"zh-CN": "待发送", "en": "Waiting to send"},
    "patrol.ui.pass": {"zh-CN": "合格", "en": "Pass"},
    "patrol.ui.fail": {"zh-CN": "不合格", "en": "Fail"},
    "patrol.ui.na": {"zh-CN": "不涉及", "en": "N/A"},
    "patrol.ui.required": {"zh-CN": "必填", "en": "required"},
    "patrol.ui.note": {"zh-CN": "问题说明", "en": "What is wrong"},
    "patrol.ui.photo_add": {"zh-CN": "拍照", "en": "Take a photo"},
    "patrol.ui.photos_n": {"zh-CN": "已拍 {n} 张", "en": "{n} photo(s)"},
    "patrol.ui.limits": {"zh-CN": "合格范围 {lo} 至 {hi}", "en": "Acceptable {lo} to {hi}"},
    "patrol.ui.locating": {"zh-CN": "正在定位…", "en": "Getting your position…"},
    "patrol.ui.off_site": {
        "zh-CN": "您距该处约 {m} 米，超出签到范围 {r} 米，请说明原因",
        "en": "You are about {m} m away, beyond the {r} m check-in radius: say why",
    },
    "patrol.ui.inaccurate": {
        "zh-CN": "定位精度约 {a} 米，不足以确认在现场，请说明原因",
        "en": "The position is only accurate to about {a} m: say why",
    },
    "patrol.ui.denied": {
        "zh-CN": "无法获取定位（未授权或信号弱），请说明原因",
        "en": "No position (not allowed or no signal): say why",
    },
    "patrol.ui.fill_required": {
        "zh-CN": "还有必填项未完成：{items}",
        "en": "Still to fill in: {items}",
    },
    "patrol.ui.reason_short": {
        "zh-CN": "请填写原因（至少 4 个字）",
        "en": "Give a reason (at least 4 characters)",
    },
    "patrol.ui.sent": {"zh-CN": "已提交", "en": "Submitted"},
    "patrol.ui.sent_cases": {
        "zh-CN": "发现 {n} 个问题，已自动生成事件并进入处置流程",
        "en": "{n} problem(s) found: cases were opened and routed",
    },
    "patrol.ui.sent_ok": {"zh-CN": "检查全部合格", "en": "Everything passed"},
    "patrol.ui.saved_offline": {
        "zh-CN": "已保存在手机上，网络恢复后自动发送",
        "en": "Saved on the phone: it will be sent when the connection returns",
    },
    "patrol.ui.send_failed": {
        "zh-CN": "一条巡查记录未被接受：{msg}",
        "en": "A checklist was not accepted: {msg}",
    },
    "patrol.ui.flagged": {"zh-CN": "已标记：{flags}", "en": "Flagged: {flags}"},
    # the map (layers/sites.py, layers/legend.py)
    "legend.patrol": {"zh-CN": "巡查状态（外圈）", "en": "Patrol (ring)"},
    "legend.patrol.failed": {"zh-CN": "上次巡查发现问题", "en": "Last patrol found a problem"},
    "legend.patrol.overdue": {"zh-CN": "本期巡查逾期", "en": "This period's visit overdue"},
    "legend.patrol.due": {"zh-CN": "本期待巡查", "en": "Visit due this period"},
    "legend.patrol.done": {"zh-CN": "本期已巡查", "en": "Visited this period"},
    "layer.coverage": {"zh-CN": "巡查覆盖", "en": "Patrol coverage"},
    "legend.coverage.range": {"zh-CN": "按时完成 {lo}%–{hi}%", "en": "{lo}–{hi}% done on time"},
    "legend.coverage.few": {"zh-CN": "到期任务少于 {n} 项", "en": "Fewer than {n} visits due"},
    "legend.coverage.note": {
        "zh-CN": "所选时间范围内到期的巡查走访任务中按时完成的比例",
        "en": "Share of the visits due in the chosen time range that were done on time",
    },
    "legend.coverage.tip": {
        "zh-CN": "按时完成 {share}%（{done}/{due}）",
        "en": "{share}% on time ({done} of {due})",
    },
    "legend.coverage.none": {
        "zh-CN": "到期任务太少，暂不评价",
        "en": "Too few visits due to judge",
    },
    "panel.patrol": {"zh-CN": "巡查走访（本期到期）", "en": "Patrol visits (due in the period)"},
    "panel.patrol.due": {"zh-CN": "到期任务", "en": "Due"},
    "panel.patrol.on_time": {"zh-CN": "按时完成", "en": "On time"},
    "panel.patrol.done": {"zh-CN": "已完成", "en": "Done"},
    "panel.patrol.off_site": {"zh-CN": "非现场", "en": "Off site"},
}
