"""Messages of the public pages: the report form (有事找书记), tracking and rating."""

from __future__ import annotations

PUBLIC: dict[str, dict[str, str]] = {
    # the report form
    "public.brand": {"zh-CN": "有事找书记", "en": "Tell the Party Secretary"},
    "public.report_title": {
        "zh-CN": "有事找书记 · 群众上报",
        "en": "Tell the Party Secretary · Report a problem",
    },
    "public.report_intro": {
        "zh-CN": "无需登录。请说明发生了什么、在哪里，我们会转交所在网格和责任部门办理。",
        "en": "No sign-in needed. Tell us what happened and where; we pass it to the local "
        "grid and the department responsible.",
    },
    "public.category": {"zh-CN": "事件类别", "en": "Category"},
    "public.category_choose": {"zh-CN": "请选择", "en": "Choose one"},
    "public.category_other": {"zh-CN": "其他", "en": "Other"},
    "public.description": {"zh-CN": "情况描述", "en": "What happened"},
    "public.description_hint": {
        "zh-CN": "最多 2000 字",
        "en": "Up to 2,000 characters",
    },
    "public.location": {"zh-CN": "位置", "en": "Location"},
    "public.county": {"zh-CN": "区县", "en": "County"},
    "public.street": {"zh-CN": "街道（镇）", "en": "Street / town"},
    "public.community": {"zh-CN": "社区（村）", "en": "Community / village"},
    "public.any": {"zh-CN": "全部", "en": "All"},
    "public.locate": {"zh-CN": "使用我的当前位置", "en": "Use my current location"},
    "public.locating": {"zh-CN": "正在定位…", "en": "Locating…"},
    "public.located": {
        "zh-CN": "已定位（精度约 {m} 米）",
        "en": "Located (to about {m} m)",
    },
    "public.locate_failed": {
        "zh-CN": "无法获取位置，请选择所在社区",
        "en": "Could not get your location; choose your community instead",
    },
    "public.location_hint": {
        "zh-CN": "选择所在社区，或使用当前位置（更准确）。",
        "en": "Choose your community, or use your current location (more precise).",
    },
    "public.address": {"zh-CN": "详细地址（选填）", "en": "Address (optional)"},
    "public.name": {"zh-CN": "姓名（选填）", "en": "Your name (optional)"},
    "public.phone": {"zh-CN": "联系电话（选填）", "en": "Phone (optional)"},
    "public.contact_hint": {
        "zh-CN": "仅用于工作人员回访，加密保存，不会公开。",
        "en": "Only for staff to call you back; stored encrypted, never shown publicly.",
    },
    "public.photo": {
        "zh-CN": "照片（选填，JPEG 或 PNG，不超过 5 MB）",
        "en": "Photo (optional, JPEG or PNG, up to 5 MB)",
    },
    "public.photo_name": {"zh-CN": "居民照片", "en": "resident photo"},  # stored file's name
    "public.submit": {"zh-CN": "提交", "en": "Submit"},
    "public.track_lookup": {"zh-CN": "查询办理进度", "en": "Check a report"},
    "public.track_code_label": {"zh-CN": "查询码", "en": "Tracking code"},
    "public.track_go": {"zh-CN": "查询", "en": "Look up"},
    # done
    "public.done_title": {"zh-CN": "已收到您的反映", "en": "We have your report"},
    "public.done_code": {
        "zh-CN": "请记下查询码，凭它查看办理进度并在办结后评价：",
        "en": "Keep this tracking code to follow the case and rate it once resolved:",
    },
    "public.done_link": {"zh-CN": "查看办理进度", "en": "Follow this report"},
    "public.new_report": {"zh-CN": "再反映一件事", "en": "Report something else"},
    # tracking
    "public.track_title": {"zh-CN": "办理进度", "en": "Case progress"},
    "public.status": {"zh-CN": "当前状态", "en": "Status"},
    "public.reported_at": {"zh-CN": "登记时间", "en": "Registered"},
    "public.area": {"zh-CN": "所在网格", "en": "Grid"},
    "public.timeline": {"zh-CN": "办理过程", "en": "Steps"},
    "public.resolution_note": {"zh-CN": "办理结果：{note}", "en": "Outcome: {note}"},
    "public.rate_title": {"zh-CN": "请评价办理结果", "en": "Rate how it was handled"},
    "public.rating.satisfied": {"zh-CN": "满意", "en": "Satisfied"},
    "public.rating.basic": {"zh-CN": "基本满意", "en": "Basically satisfied"},
    "public.rating.dissatisfied": {"zh-CN": "不满意", "en": "Dissatisfied"},
    "public.rate_comment": {"zh-CN": "意见建议（选填）", "en": "Comment (optional)"},
    "public.rate_submit": {"zh-CN": "提交评价", "en": "Submit rating"},
    "public.rated": {
        "zh-CN": "感谢评价！当前状态：{status}",
        "en": "Thank you for your rating. Status now: {status}",
    },
    "public.reopened_hint": {
        "zh-CN": "您不满意，事件已退回责任部门重新办理。",
        "en": "You were not satisfied: the case went back to the department to be redone.",
    },
    "public.not_found_title": {"zh-CN": "未找到", "en": "Not found"},
    "public.too_many_title": {"zh-CN": "操作过于频繁", "en": "Too many requests"},
    # errors
    "public.error.form": {
        "zh-CN": "请检查表单中的 {n} 处问题",
        "en": "Please check the form: {n} problem(s)",
    },
    "public.error.form_expired": {
        "zh-CN": "表单已失效，请重新填写提交",
        "en": "This form has expired; fill it in again",
    },
    "public.error.category_required": {"zh-CN": "请选择事件类别", "en": "Choose a category"},
    "public.error.category": {
        "zh-CN": "请从列表中选择事件类别",
        "en": "Choose a category from the list",
    },
    "public.error.description_required": {
        "zh-CN": "请填写情况描述",
        "en": "Describe what happened",
    },
    "public.error.location": {
        "zh-CN": "请选择所在社区或使用当前位置",
        "en": "Choose your community or use your current location",
    },
    "public.error.community": {
        "zh-CN": "请从列表中选择社区",
        "en": "Choose a community from the list",
    },
    "public.error.coordinates": {
        "zh-CN": "位置坐标无效，请重新定位或选择所在社区",
        "en": "The location is not valid; locate again or choose your community",
    },
    "public.error.outside": {
        "zh-CN": "该位置不在本市受理范围内，请选择所在社区",
        "en": "That location is outside the area we serve; choose your community",
    },
    "public.error.photo_type": {
        "zh-CN": "照片须为 JPEG 或 PNG 图片",
        "en": "The photo must be a JPEG or PNG image",
    },
    "public.error.photo_size": {
        "zh-CN": "照片不能超过 {mb} MB",
        "en": "The photo must be at most {mb} MB",
    },
    "public.error.too_many_reports": {
        "zh-CN": "提交过于频繁，请 {minutes} 分钟后再试",
        "en": "Too many reports from this connection; try again in {minutes} minutes",
    },
    "public.error.too_many_lookups": {
        "zh-CN": "查询过于频繁，请 {minutes} 分钟后再试",
        "en": "Too many look-ups from this connection; try again in {minutes} minutes",
    },
    "public.error.unknown_code": {
        "zh-CN": "查询码不存在，请核对后重试",
        "en": "No report has this tracking code; check it and try again",
    },
    "public.error.not_rateable": {
        "zh-CN": "该事件尚未办结或本轮已评价，暂不能评价",
        "en": "This case cannot be rated now: it is not resolved, or it was already rated",
    },
}
