"""Messages of the closed loop: actions, SLA states, workflow errors (zh-CN, en)."""

from __future__ import annotations

WORKFLOW: dict[str, dict[str, str]] = {
    # actions (buttons and timeline)
    "action.register": {"zh-CN": "登记", "en": "Register"},
    "action.verify": {"zh-CN": "核实", "en": "Verify"},
    "action.reject": {"zh-CN": "作废", "en": "Reject as invalid"},
    "action.escalate": {"zh-CN": "上报", "en": "Escalate"},
    "action.merge": {"zh-CN": "合并为重复件", "en": "Merge as duplicate"},
    "action.dispatch": {"zh-CN": "派遣", "en": "Dispatch"},
    "action.transfer": {"zh-CN": "转派", "en": "Transfer"},
    "action.accept": {"zh-CN": "签收", "en": "Accept"},
    "action.return": {"zh-CN": "退回", "en": "Return"},
    "action.start": {"zh-CN": "开始处置", "en": "Start work"},
    "action.request_extension": {"zh-CN": "申请延期", "en": "Request extension"},
    "action.approve_extension": {"zh-CN": "批准延期", "en": "Approve extension"},
    "action.deny_extension": {"zh-CN": "驳回延期", "en": "Deny extension"},
    "action.resolve": {"zh-CN": "办结", "en": "Resolve"},
    "action.suspend": {"zh-CN": "挂起", "en": "Suspend"},
    "action.resume": {"zh-CN": "恢复办理", "en": "Resume"},
    "action.close": {"zh-CN": "核查结案", "en": "Verify and close"},
    "action.fail_verification": {"zh-CN": "核查不通过", "en": "Verification failed"},
    "action.reopen": {"zh-CN": "重新办理", "en": "Reopen"},
    "action.feedback": {"zh-CN": "群众评价", "en": "Resident feedback"},
    "action.remind": {"zh-CN": "催办", "en": "Reminder"},
    "action.supervise": {"zh-CN": "督办", "en": "Supervision"},
    "action.review": {"zh-CN": "挂起超期待审核", "en": "Suspension due for review"},
    # the handling block of the incident panel
    "role.system": {"zh-CN": "系统", "en": "System"},
    "role.resident": {"zh-CN": "群众", "en": "Resident"},
    "role.token": {"zh-CN": "外部系统", "en": "External system"},
    "flow.title": {"zh-CN": "处置", "en": "Handling"},
    "flow.lead_department": {"zh-CN": "主办部门", "en": "Lead department"},
    "flow.assist_departments": {"zh-CN": "协办部门", "en": "Assisting"},
    "flow.until": {
        "zh-CN": "延期至（申请延期）／预计恢复（挂起，可不填）",
        "en": "Extend until (extension) / expected end (suspension, optional)",
    },
    "flow.merge_into": {"zh-CN": "合并到事件编号", "en": "Merge into incident no."},
    "flow.note": {"zh-CN": "说明或原因", "en": "Note or reason"},
    "flow.note_required_for": {
        "zh-CN": "以下操作须填写说明：{actions}",
        "en": "A note is required for: {actions}",
    },
    "flow.submit": {"zh-CN": "提交", "en": "Submit"},
    "flow.extension_pending": {
        "zh-CN": "延期申请待审批：至 {until}",
        "en": "Extension requested until {until}, awaiting approval",
    },
    "flow.escalated": {"zh-CN": "已上报（第 {n} 级）", "en": "Escalated (level {n})"},
    "flow.timeline": {"zh-CN": "处置记录", "en": "Timeline"},
    "flow.done": {"zh-CN": "已完成：{action}", "en": "Done: {action}"},
    "flow.choose_action": {"zh-CN": "选择操作", "en": "Choose an action"},
    "flow.note_needed": {
        "zh-CN": "“{action}”须填写说明或原因（至少 2 个字）",
        "en": "“{action}” needs a note or reason (at least 2 characters)",
    },
    "flow.confirm_question": {
        "zh-CN": "确认“{action}”？此操作影响较大，请核对后确认。",
        "en": "Confirm “{action}”? This step weighs heavily: check before you confirm.",
    },
    "flow.confirm": {"zh-CN": "确认", "en": "Confirm"},
    "flow.cancel": {"zh-CN": "取消", "en": "Cancel"},
    "flow.deadline_moved": {
        "zh-CN": "截止时间由 {old} 顺延至 {new}（挂起 {hours} 个工作小时）",
        "en": "deadline moved from {old} to {new} after {hours} working hours suspended",
    },
    "flow.suspend_until": {"zh-CN": "预计 {until} 恢复办理", "en": "expected to resume by {until}"},
    "flow.review_after": {
        "zh-CN": "挂起已超过 {days} 天，待督办审核",
        "en": "suspended for more than {days} days: due for review",
    },
    # a department's inbox
    "inbox.title": {"zh-CN": "本部门待办", "en": "My department's cases"},
    "inbox.help": {
        "zh-CN": "本部门主办或协办、待签收 / 已签收 / 处置中的案件，超时的在前，其余按最近的"
        "截止时间排序；挂起（暂停计时，不算超时）与申请延期待批的案件单列在下方。",
        "en": "Cases your department leads or assists in that await acceptance, are "
        "accepted or in progress: overdue first, then by the nearest deadline. Suspended "
        "cases (their clock stands still; never overdue) and cases awaiting an extension "
        "decision are listed apart, below.",
    },
    "inbox.empty": {"zh-CN": "暂无待办事件", "en": "No open cases"},
    "inbox.section.act": {"zh-CN": "待办理", "en": "To act on"},
    "inbox.section.paused": {"zh-CN": "挂起与延期待批", "en": "Suspended or awaiting extension"},
    "inbox.count": {
        "zh-CN": "共 {n} 件，其中超时 {overdue} 件、协办 {assisting} 件",
        "en": "{n} cases: {overdue} overdue, {assisting} assisting",
    },
    "inbox.count_paused": {
        "zh-CN": "共 {n} 件，其中协办 {assisting} 件",
        "en": "{n} cases, {assisting} assisting",
    },
    "inbox.shown": {
        "zh-CN": "仅列出最紧急的 {shown} 件",
        "en": "Only the {shown} most urgent are listed",
    },
    "inbox.assist": {"zh-CN": "协办", "en": "Assisting"},
    "inbox.extension": {"zh-CN": "延期待批", "en": "Extension requested"},
    "inbox.suspended_for": {"zh-CN": "已挂起 {span}", "en": "suspended {span}"},
    "inbox.suspend_until": {"zh-CN": "预计 {until} 恢复", "en": "back by {until}"},
    "inbox.review": {"zh-CN": "待督办审核", "en": "Due for review"},
    # SLA
    "sla.accept": {"zh-CN": "签收时限", "en": "Accept by"},
    "sla.resolve": {"zh-CN": "办结时限", "en": "Resolve by"},
    "sla.red": {"zh-CN": "已超时", "en": "Overdue"},
    "sla.amber": {"zh-CN": "临近超时", "en": "Due soon"},
    "sla.green": {"zh-CN": "正常", "en": "On time"},
    "sla.paused": {"zh-CN": "计时暂停", "en": "Clock paused"},
    "sla.none": {"zh-CN": "未设时限", "en": "No deadline"},
    "sla.left": {"zh-CN": "剩 {span}", "en": "{span} left"},
    "sla.over": {"zh-CN": "超时 {span}", "en": "{span} overdue"},
    "duration.days": {"zh-CN": "{d} 天 {h} 小时", "en": "{d} d {h} h"},
    "duration.hours": {"zh-CN": "{h} 小时 {m} 分", "en": "{h} h {m} min"},
    "duration.minutes": {"zh-CN": "{m} 分钟", "en": "{m} min"},
    # errors
    "error.json_body": {
        "zh-CN": "请求体须为 JSON 对象",
        "en": "The request body must be a JSON object",
    },
    "error.unknown_action": {
        "zh-CN": "未知操作：{action}（可用：{choices}）",
        "en": "Unknown action: {action} (one of: {choices})",
    },
    "error.version_required": {
        "zh-CN": "缺少事件版本号（expected_version），请刷新后重试",
        "en": "The incident version you saw (expected_version) is missing; reload and retry",
    },
    "error.stale_version": {
        "zh-CN": "该事件已被他人更新（当前版本 {current_version}），请刷新后再操作",
        "en": "Someone changed this incident meanwhile (now version {current_version}); "
        "reload and try again",
    },
    "error.illegal_transition": {
        "zh-CN": "事件当前状态为“{status}”，不能执行“{action}”",
        "en": "An incident in state '{status}' cannot be given '{action}'",
    },
    "error.not_lead_department": {
        "zh-CN": "只有主办部门可以执行此操作",
        "en": "Only the lead department may do this",
    },
    "error.note_required": {
        "zh-CN": "请填写原因或处置说明",
        "en": "Give a reason or a note",
    },
    "error.note_too_long": {
        "zh-CN": "说明不能超过 {n} 个字",
        "en": "Notes are limited to {n} characters",
    },
    "error.unknown_department": {
        "zh-CN": "未知部门：{value}",
        "en": "Unknown department: {value}",
    },
    "error.lead_required": {
        "zh-CN": "请选择主办部门（该类事件没有默认部门）",
        "en": "Choose a lead department (this category has no default)",
    },
    "error.transfer_same_department": {
        "zh-CN": "转派须选择另一个主办部门",
        "en": "A transfer needs a different lead department",
    },
    "error.bad_datetime": {
        "zh-CN": "{name} 不是有效的日期时间",
        "en": "{name} is not a valid date and time",
    },
    "error.suspend_range": {
        "zh-CN": "挂起的预计结束时间须晚于现在，且不超过 {days} 天",
        "en": "A suspension's expected end must be after now and within {days} days",
    },
    "error.extension_range": {
        "zh-CN": "延期须晚于当前时限，且不超过 {days} 天",
        "en": "An extension must be later than the current deadline and at most {days} days",
    },
    "error.merge_target": {
        "zh-CN": "请选择另一件有效的事件作为合并目标",
        "en": "Choose another valid incident to merge into",
    },
    "error.unknown_rating": {
        "zh-CN": "评价须为：满意、基本满意、不满意",
        "en": "The rating must be satisfied, basically satisfied or dissatisfied",
    },
    "error.feedback_not_open": {
        "zh-CN": "该事件当前（{status}）不能评价",
        "en": "This incident cannot be rated now ({status})",
    },
    # --- attachments of a step (governance/attachments.py) ---
    "attachment.error.empty": {"zh-CN": "附件为空", "en": "The attachment is empty"},
    "attachment.error.too_large": {
        "zh-CN": "附件过大（{mb} MB），上限为 {max_mb} MB",
        "en": "The attachment is too large ({mb} MB); the limit is {max_mb} MB",
    },
    "attachment.error.type": {
        "zh-CN": "附件须为 JPEG、PNG、WebP 图片或 PDF 文件",
        "en": "The attachment must be a JPEG, PNG or WebP image or a PDF",
    },
    "attachment.error.encoding": {
        "zh-CN": "附件内容不是有效的 Base64 编码",
        "en": "The attachment is not valid base64",
    },
    "attachment.error.shape": {
        "zh-CN": "attachment 须为含 filename 与 data_base64 两项的对象",
        "en": "attachment must be an object with filename and data_base64",
    },
    "flow.attachment": {"zh-CN": "附件（选填）", "en": "Attachment (optional)"},
    "flow.attachment_drop": {
        "zh-CN": "拖入或点击选择照片 / PDF（不超过 {max_mb} MB）",
        "en": "Drop or choose a photo / PDF (up to {max_mb} MB)",
    },
    "flow.attachment_chosen": {"zh-CN": "已选：{name}", "en": "Chosen: {name}"},
}
